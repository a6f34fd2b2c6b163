"""The optimisation history (.autotune/history.jsonl): entries built from suggestions,
appended and read back newest first, filtered by target; a corrupt line is an input error
naming the line."""

from __future__ import annotations

import json
import math
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from autotune_bot.errors import InputError
from autotune_bot.history import HISTORY_FILE, append_history, history_entry, read_history

from .conftest import make_suggestion

NOW = datetime(2026, 11, 2, 9, 30, tzinfo=UTC)
DIFF = "--- a/workflows/x.yaml\n+++ b/workflows/x.yaml\n@@ -1 +1 @@\n-a\n+b\n"


def _entry(target: str, minutes: int = 0, improvement: float = 12.5) -> dict[str, Any]:
    s = make_suggestion(target, description=f"Change {target}", improvement=improvement)
    return history_entry([s], DIFF, now=NOW + timedelta(minutes=minutes), mode="auto")


def test_entry_of_one_suggestion() -> None:
    entry = _entry("alpha")
    assert entry["timestamp"] == "2026-11-02T09:30:00+00:00"
    assert entry["targets"] == ["alpha"]
    assert entry["mode"] == "auto"
    assert entry["improvement_percentage"] == 12.5
    assert entry["validation_status"] == "not_validated"
    assert entry["improvement_basis"] == "estimated from recorded traces"
    assert entry["diff"] == DIFF
    assert entry["optimization"]["description"] == "Change alpha"
    (as_json,) = entry["optimization"]["suggestions"]
    assert as_json["changes"][0]["line"] == 5
    assert as_json["estimate"]["validated"] is False


def test_entry_of_several_suggestions_has_no_single_improvement() -> None:
    a = make_suggestion("beta", description="One", improvement=10.0)
    b = make_suggestion("alpha", description="Two", improvement=30.0)
    entry = history_entry([a, b], DIFF, now=NOW, mode="interactive")
    assert entry["improvement_percentage"] is None  # estimates are not additive
    assert entry["targets"] == ["alpha", "beta"]
    assert entry["optimization"]["description"] == "One; Two"
    assert len(entry["optimization"]["suggestions"]) == 2


def test_round_trip_newest_first(tmp_path: Path) -> None:
    first = [_entry("alpha", 0), _entry("beta", 1)]
    path = append_history(tmp_path, first)
    assert path == tmp_path / HISTORY_FILE
    append_history(tmp_path, [_entry("alpha", 2)])
    entries = read_history(tmp_path)
    assert [(e["targets"], e["timestamp"][11:16]) for e in entries] == [
        (["alpha"], "09:32"),
        (["beta"], "09:31"),
        (["alpha"], "09:30"),
    ]
    assert entries[-1] == json.loads(json.dumps(first[0]))
    assert len(path.read_text(encoding="utf-8").splitlines()) == 3


def test_filter_by_target(tmp_path: Path) -> None:
    append_history(tmp_path, [_entry("alpha", 0), _entry("beta", 1), _entry("alpha", 2)])
    assert [e["timestamp"][14:16] for e in read_history(tmp_path, "alpha")] == ["32", "30"]
    assert len(read_history(tmp_path, "beta")) == 1
    assert read_history(tmp_path, "gamma") == []


def test_no_history_yet(tmp_path: Path) -> None:
    assert read_history(tmp_path) == []


def test_blank_lines_are_skipped(tmp_path: Path) -> None:
    path = append_history(tmp_path, [_entry("alpha")])
    path.write_text(path.read_text(encoding="utf-8") + "\n   \n", encoding="utf-8")
    assert len(read_history(tmp_path)) == 1


@pytest.mark.parametrize(
    ("bad", "what"), [("{not json", "not a JSON object"), ("[1, 2]", "not a JSON object")]
)
def test_corrupt_line_names_the_line(tmp_path: Path, bad: str, what: str) -> None:
    path = append_history(tmp_path, [_entry("alpha")])
    with path.open("a", encoding="utf-8") as out:
        out.write(bad + "\n")
    append_history(tmp_path, [_entry("beta")])
    with pytest.raises(InputError) as info:
        read_history(tmp_path)
    err = info.value
    assert err.line == 2
    assert err.path == str(HISTORY_FILE)
    assert str(err).startswith(f"{HISTORY_FILE}:2: {what}")
    assert "\n" not in str(err)


def test_history_lines_are_strict_json(tmp_path: Path) -> None:
    path = append_history(tmp_path, [_entry("alpha", improvement=math.nan)])

    def refuse(token: str) -> Any:
        raise ValueError(f"non-standard JSON constant {token}")

    for line in path.read_text(encoding="utf-8").splitlines():
        json.loads(line, parse_constant=refuse)
