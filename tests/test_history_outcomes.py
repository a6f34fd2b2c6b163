"""Outcome entries of the history (monitoring confirmed a merged change): the entry as strict
JSON with its id, which confirmed changes are still pending in a history (each recorded once),
and how the readers treat the kind: the history reader, rollback (never selected), the history
views (`autotune rollback --list`, `get_optimization_history`)."""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from autotune_bot.cli_rollback import format_history
from autotune_bot.errors import InputError
from autotune_bot.history import append_history, build_entry, entry_id, history_line, read_history
from autotune_bot.history_outcomes import (
    history_entries,
    outcome_entry,
    pending_outcomes,
    with_outcomes,
)
from autotune_bot.history_view import history_view
from autotune_bot.monitor.realised import realised_change
from autotune_bot.monitor.types import RealisedChange, RunSeries
from autotune_bot.patch.diff import unified_diff
from autotune_bot.rollback import RollbackError, plan_rollback, select_entry, target_history

WF = "workflows/wf.yaml"
BASE = "".join(f"k{i}: {i}\n" for i in range(20))
NOW = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)


def _series(rng: np.random.Generator, n: int, scale: float) -> RunSeries:
    durations = tuple(float(d) for d in rng.lognormal(np.log(60.0 * scale), 0.4, n))
    successes = tuple(bool(s) for s in rng.random(n) < 0.9)
    return RunSeries(durations, successes, tuple(math.nan for _ in range(n)))


@pytest.fixture
def realised() -> RealisedChange:
    rng = np.random.default_rng(7)
    return realised_change(_series(rng, 60, 1.0), _series(rng, 40, 0.8))


def _apply(target: str, old: str, new: str, text: str, when: datetime) -> dict[str, Any]:
    return build_entry(
        kind="apply",
        now=when,
        mode="auto",
        targets=[target],
        description=f"change {target}",
        files=[(WF, unified_diff(text, text.replace(old, new), WF))],
        configs=[],
        evidence={"label": "simulated", "basis": []},
        validation_status="not_validated",
    )


@dataclass(frozen=True)
class Watched:
    ref: str
    outcome: str
    history_entry: str | None
    realised: RealisedChange | None
    post_runs: int = 40
    baseline_runs: int = 60
    horizon: int = 40
    url: str | None = None


def _no_constant(name: str) -> Any:
    raise AssertionError(f"{name} in a history line")


def test_outcome_entry_is_strict_json_with_its_id(realised: RealisedChange) -> None:
    entry = outcome_entry(
        now=NOW,
        applied="abc123def456",
        targets=["review_team"],
        pull_request="12",
        url="https://example.invalid/pull/12",
        realised=realised,
        post_runs=40,
        baseline_runs=60,
        horizon=40,
    )
    assert entry["id"] == entry_id(entry)
    assert entry["kind"] == "outcome"
    assert entry["files"] == []
    assert entry["diff"] == ""
    assert entry["reverts"] is None
    assert entry["applied"] == "abc123def456"
    assert entry["pull_request"] == {"ref": "12", "url": "https://example.invalid/pull/12"}
    assert entry["evidence"]["label"] == "recorded"
    assert any("not interleaved" in b for b in entry["evidence"]["basis"])
    figures = entry["realised"]
    assert realised.duration_percent is not None
    assert realised.duration_ratio_ci is not None
    assert figures["duration_percent"] == pytest.approx(realised.duration_percent, abs=1e-5)
    assert figures["duration_ratio_ci"] == pytest.approx(list(realised.duration_ratio_ci))
    assert figures["cost_ratio"] is None  # no costs recorded
    assert "not an A/B test" in entry["description"]
    assert f"{abs(realised.duration_percent):.1f} %" in entry["description"]
    line = history_line(entry)
    assert json.loads(line, parse_constant=_no_constant) == entry


def test_unknown_figures_are_null_not_nan(realised: RealisedChange) -> None:
    odd = replace(realised, duration_ratio=math.nan, duration_ratio_ci=(math.nan, 1.0))
    entry = outcome_entry(
        now=NOW,
        applied="a1",
        targets=["t"],
        pull_request="x.md",
        realised=odd,
        post_runs=1,
        baseline_runs=1,
        horizon=1,
    )
    assert entry["realised"]["duration_ratio"] is None
    assert entry["realised"]["duration_percent"] is None
    assert entry["realised"]["duration_ratio_ci"] is None
    assert "no duration change could be computed" in entry["description"]
    none = outcome_entry(
        now=NOW,
        applied="a1",
        targets=["t"],
        pull_request="x.md",
        realised=None,
        post_runs=1,
        baseline_runs=1,
        horizon=1,
    )
    assert none["realised"] is None
    with pytest.raises(ValueError, match="regressed"):
        outcome_entry(
            now=NOW,
            applied="a1",
            targets=["t"],
            outcome="regressed",
            pull_request="x.md",
            realised=None,
            post_runs=1,
            baseline_runs=1,
            horizon=1,
        )


def _history() -> tuple[list[dict[str, Any]], str]:
    first = _apply("team_a", "k1: 1", "k1: 10", BASE, NOW - timedelta(days=9))
    text = BASE.replace("k1: 1\n", "k1: 10\n")
    second = _apply("team_b", "k9: 9", "k9: 90", text, NOW - timedelta(days=8))
    return [first, second], history_line(first) + history_line(second)


def test_pending_outcomes_once_per_confirmed_apply(realised: RealisedChange) -> None:
    (first, second), text = _history()
    watched = [
        Watched("3", "confirmed", second["id"], realised),
        Watched("4", "holding", "ffffffffffff", None),  # not confirmed
        Watched("2", "confirmed", first["id"], realised),
        Watched("2", "confirmed", first["id"], realised),  # listed twice: recorded once
        Watched("9", "confirmed", "000000000000", realised),  # not in this history
        Watched("8", "regressed", first["id"], None),
    ]
    pending = pending_outcomes([first, second], watched, now=NOW)
    assert [(e["applied"], e["targets"]) for e in pending] == [
        (first["id"], ["team_a"]),  # the older apply entry first
        (second["id"], ["team_b"]),
    ]
    assert [e["pull_request"]["ref"] for e in pending] == ["2", "3"]
    # appended to the history text: none pending any more, at any later time
    grown = with_outcomes(text, watched, now=NOW)
    assert grown == text + "".join(history_line(e) for e in pending)
    later = NOW + timedelta(days=3)
    assert pending_outcomes(history_entries(grown), watched, now=later) == []
    assert with_outcomes(grown, watched, now=later) == grown
    # order does not matter (read_history gives newest first)
    assert pending_outcomes(history_entries(grown)[::-1], watched, now=later) == []


def test_with_outcomes_repairs_a_missing_final_newline(realised: RealisedChange) -> None:
    (first, _), _ = _history()
    text = history_line(first).rstrip("\n")
    grown = with_outcomes(text, [Watched("2", "confirmed", first["id"], realised)], now=NOW)
    lines = grown.splitlines()
    assert lines[0] == text
    assert json.loads(lines[1])["kind"] == "outcome"
    assert with_outcomes(text, [], now=NOW) == text
    assert history_entries("not json\n[1]\n" + history_line(first)) == [first]


def _repo_with_outcome(tmp_path: Path, realised: RealisedChange) -> tuple[Path, list[Any]]:
    (first, second), _ = _history()
    (outcome,) = pending_outcomes(
        [first, second], [Watched("2", "confirmed", first["id"], realised)], now=NOW
    )
    repo = tmp_path / "repo"
    (repo / "workflows").mkdir(parents=True)
    text = BASE.replace("k1: 1\n", "k1: 10\n").replace("k9: 9\n", "k9: 90\n")
    (repo / WF).write_text(text, encoding="utf-8")
    append_history(repo, [first, second, outcome])
    return repo, [first, second, outcome]


def test_the_reader_accepts_outcome_entries_and_checks_them(
    tmp_path: Path, realised: RealisedChange
) -> None:
    repo, (first, second, outcome) = _repo_with_outcome(tmp_path, realised)
    assert read_history(repo) == [outcome, second, first]
    assert read_history(repo, "team_a") == [outcome, first]
    bad = {k: v for k, v in outcome.items() if k != "applied"}
    path = repo / ".autotune/history.jsonl"
    path.write_text(history_line(first) + history_line(bad), encoding="utf-8")
    with pytest.raises(InputError, match="applied") as err:
        read_history(repo)
    assert err.value.line == 2
    with_files = {**outcome, "files": first["files"]}
    path.write_text(history_line(with_files), encoding="utf-8")
    with pytest.raises(InputError) as err:
        read_history(repo)
    assert err.value.field == "files"


def test_rollback_never_selects_an_outcome_entry(tmp_path: Path, realised: RealisedChange) -> None:
    repo, (first, _, outcome) = _repo_with_outcome(tmp_path, realised)
    entries = read_history(repo)
    # by index: the outcome (the newest entry of team_a) is not a change still applied
    assert select_entry(entries, "team_a", 0) == first
    lines = target_history(entries, "team_a")
    assert [(line.entry["kind"], line.index) for line in lines] == [("outcome", None), ("apply", 0)]
    with pytest.raises(RollbackError, match="no index 1"):
        select_entry(entries, "team_a", 1)
    # by id: a clear refusal
    with pytest.raises(RollbackError, match="monitoring outcome record; nothing to roll back"):
        select_entry(entries, "team_a", entry_id=str(outcome["id"]))
    # and the rollback of the apply entry still works with the outcome recorded after it
    texts = {WF: (repo / WF).read_text(encoding="utf-8")}
    plan = plan_rollback(entries, "team_a", texts, now=NOW)
    assert plan.reverted == first
    assert "k1: 1\n" in plan.files[0].new_text


def test_listings_show_the_outcome_as_a_record(tmp_path: Path, realised: RealisedChange) -> None:
    repo, (first, _, outcome) = _repo_with_outcome(tmp_path, realised)
    entries = read_history(repo)
    table = format_history("team_a", entries)
    row = next(line for line in table.splitlines() if str(outcome["id"]) in line)
    assert row.split()[0] == "-"  # no index: not a change to roll back
    assert " outcome " in row
    assert "not an A/B test" in row
    (view_outcome, view_apply) = [line.view for line in history_view(entries, [], "team_a")]
    assert view_outcome["kind"] == "outcome"
    assert view_outcome["index"] is None
    assert view_outcome["improvement_percentage"] == 0.0
    assert "recorded before/after the merge" in view_outcome["improvement_basis"]
    assert "not an A/B result" in view_outcome["improvement_basis"]
    assert str(first["id"]) in view_outcome["improvement_basis"]
    assert view_outcome["realised"] == outcome["realised"]
    assert view_apply["id"] == first["id"]
    assert view_apply["index"] == 0
