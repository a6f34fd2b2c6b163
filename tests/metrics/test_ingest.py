"""End-to-end ingestion: dirty files in, columns and a located problem count out."""

from __future__ import annotations

import gc
import gzip
import json
import math
import re
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from autotune_bot.errors import MetricsError
from autotune_bot.metrics import reader
from autotune_bot.metrics.ingest import IngestResult, ingest_files
from autotune_bot.metrics.problems import PROBLEM_KINDS, ProblemLog

# Problems that mean a value never became a record (everything else is about a record read).
SKIPPED = ("malformed_json", "truncated", "not_an_object", "bad_field_type")


def team(n: int, **fields: Any) -> dict[str, Any]:
    rec: dict[str, Any] = {
        "team_id": "review",
        "formation": "parallel",
        "success": True,
        "duration_seconds": 10.0 + n,
        "start_time": f"2026-01-01T10:00:{n:02d}Z",
        "member_metrics": {
            "security": {
                "success": True,
                "duration_seconds": 1.0 + n,
                "tool_calls": [{"name": "grep", "args_hash": f"h{n}"}, {"name": "read"}],
            }
        },
    }
    rec.update(fields)
    return rec


def workflow_run(n: int) -> dict[str, Any]:
    return {
        "run_id": f"r{n}",
        "workflow_id": "research",
        "success": True,
        "duration": 30.0,
        "node_metrics": {"analyze": {"duration": 20.0}, "fetch": {"duration": 2.0}},
    }


# One entry per top-level value: (value, or raw text; the problem it causes, if any).
DIRTY: list[tuple[Any, str | None]] = [
    (team(0), None),
    (team(1, duration_seconds=math.nan), "nan_value"),
    (team(2, duration_seconds=math.inf), "nan_value"),
    (team(3, duration_seconds=-4.0), "negative_duration"),
    (team(4, duration_seconds=0), "zero_duration"),
    ({k: v for k, v in team(5).items() if k != "duration_seconds"}, "missing_duration"),
    (team(6, success=None), "missing_success"),
    (team(0), "duplicate"),
    ('{"team_id": "broken", "success": tru, "duration_seconds": 1.0}', "malformed_json"),
    ([1, 2, 3], "not_an_object"),
    (team(7, duration_seconds="slow"), "bad_field_type"),
    ({"hello": "world"}, "unknown_shape"),
    (team(8, member_metrics={"m": {"success": True, "duration_seconds": -1.0}}), "member_problem"),
    (team(9, start_time="yesterday"), "bad_timestamp"),
    (workflow_run(1), None),
    (workflow_run(1), "duplicate"),
    (team(10), None),
    (team(11, LAST=True), "truncated"),
]
EXPECTED_COUNTS = {
    "nan_value": 2,
    "negative_duration": 1,
    "zero_duration": 1,
    "missing_duration": 1,
    "missing_success": 1,
    "duplicate": 2,
    "malformed_json": 1,
    "not_an_object": 1,
    "bad_field_type": 1,
    "unknown_shape": 1,
    "member_problem": 1,
    "bad_timestamp": 1,
    "truncated": 1,
}


def as_text(value: Any, indent: int | None = None) -> str:
    return value if isinstance(value, str) else json.dumps(value, indent=indent)


def dirty_jsonl() -> tuple[str, list[int]]:
    """The DIRTY values as JSON Lines (a blank line inside, the last line cut short)."""
    lines = [as_text(value) for value, _ in DIRTY]
    lines.insert(len(lines) - 1, "")
    starts = [n for n, text in enumerate(lines, 1) if text]
    text = "\n".join(lines)
    return text[: text.rindex('"LAST"')], starts


def dirty_pretty_array() -> tuple[str, list[int]]:
    """The DIRTY values as an indent=2 array (the last record cut short)."""
    parts = [as_text(value, indent=2) for value, _ in DIRTY]
    text = "[\n" + ",\n".join("  " + part.replace("\n", "\n  ") for part in parts) + "\n]\n"
    starts = [n for n, line in enumerate(text.splitlines(), 1) if re.match(r"  [^ }\]]", line)]
    assert len(starts) == len(DIRTY)
    return text[: text.rindex('"LAST"')], starts


def ingest(*files: tuple[Path, str], **kwargs: Any) -> IngestResult:
    result = ingest_files(list(files), **kwargs)
    assert gc.isenabled()
    return result


def locations(result: IngestResult, kind: str) -> list[tuple[str, int | None]]:
    return sorted((p.path, p.line) for p in result.problems.examples.get(kind, []))


def expected_locations(display: str, starts: list[int]) -> dict[str, list[tuple[str, int]]]:
    found: dict[str, list[tuple[str, int]]] = {}
    for (_, kind), line in zip(DIRTY, starts, strict=True):
        if kind is not None:
            found.setdefault(kind, []).append((display, line))
    return found


def check_dirty(result: IngestResult, display: str, starts: list[int]) -> None:
    problems = result.problems
    assert dict(problems.counts) == EXPECTED_COUNTS
    assert set(problems.counts) <= set(PROBLEM_KINDS)
    for kind, where in expected_locations(display, starts).items():
        assert locations(result, kind) == where, kind
    store = result.store
    # Every value is either read as a record or counted as skipped, never both.
    skipped = sum(problems.counts[kind] for kind in SKIPPED)
    assert store.records_read + skipped == len(DIRTY)
    # Records read become rows unless they repeat an earlier one or have no known shape.
    dropped = problems.counts["duplicate"] + problems.counts["unknown_shape"]
    assert len(store.teams) + len(store.runs) == store.records_read - dropped
    assert len(store.teams) == 10
    assert len(store.runs) == 1
    assert len(store.nodes) == 2
    assert len(store.members) == len(store.teams)
    assert len(store.tool_calls) == 2 * (len(store.members) - 1)  # all but one with 2 calls
    assert problems.per_file == {display: problems.total}
    # Good records around bad ones keep their values.
    durations = store.teams.duration
    assert durations[0] == 10.0
    assert durations[-1] == 20.0
    assert np.isnan(durations[1:6]).all()
    assert store.teams.success.tolist().count(-1) == 1


def test_dirty_json_lines(tmp_path: Path) -> None:
    text, starts = dirty_jsonl()
    path = tmp_path / "runs.jsonl"
    path.write_text(text)
    check_dirty(ingest((path, "metrics/runs.jsonl")), "metrics/runs.jsonl", starts)


@pytest.mark.parametrize("block", [None, 50, 700])
def test_dirty_pretty_array_reports_the_line_where_each_record_starts(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, block: int | None
) -> None:
    if block is not None:
        monkeypatch.setattr(reader, "BLOCK_SIZE", block)
        monkeypatch.setattr(reader, "_CANDIDATE_WINDOW", block)
    text, starts = dirty_pretty_array()
    path = tmp_path / "runs.json"
    path.write_bytes(gzip.compress(text.encode()))
    check_dirty(ingest((path, "runs.json")), "runs.json", starts)


def test_unreadable_files_are_reported_and_the_others_still_read(tmp_path: Path) -> None:
    good = tmp_path / "good.jsonl"
    good.write_text("".join(json.dumps(team(n)) + "\n" for n in range(3)))
    corrupt = tmp_path / "corrupt.jsonl.gz"
    corrupt.write_bytes(b"\x1f\x8b\x08\x00" + bytes(range(256)) * 4)
    zipped = tmp_path / "zipped.json"
    zipped.write_bytes(gzip.compress(json.dumps([workflow_run(n) for n in range(2)]).encode()))
    result = ingest(
        (good, "good.jsonl"),
        (corrupt, "corrupt.jsonl.gz"),
        (tmp_path / "missing.json", "missing.json"),
        (zipped, "zipped.json"),
    )
    store = result.store
    assert len(store.teams) == 3
    assert len(store.runs) == 2
    assert store.records_read == 5
    assert [store.file_names.name(c) for c in store.teams.file] == ["good.jsonl"] * 3
    assert [store.file_names.name(c) for c in store.runs.file] == ["zipped.json"] * 2
    assert dict(result.problems.counts) == {"unreadable_file": 2}
    assert locations(result, "unreadable_file") == [
        ("corrupt.jsonl.gz", None),
        ("missing.json", None),
    ]
    assert all(isinstance(err, MetricsError) for err in result.unreadable)
    assert sorted(err.path or "" for err in result.unreadable) == [
        "corrupt.jsonl.gz",
        "missing.json",
    ]
    assert str(result.unreadable[0]).startswith("corrupt.jsonl.gz: cannot decompress")


def test_truncated_gzip_keeps_the_records_before_the_cut(tmp_path: Path) -> None:
    records = [team(n % 60, run_marker="x" * (n % 97), total_tool_calls=n) for n in range(300)]
    data = gzip.compress("".join(json.dumps(r) + "\n" for r in records).encode())
    path = tmp_path / "cut.jsonl.gz"
    path.write_bytes(data[: len(data) // 2])
    result = ingest((path, "cut.jsonl.gz"))
    read = result.store.records_read
    assert 0 < read < len(records)
    assert result.store.teams.tool_calls.tolist() == [float(n) for n in range(read)]
    assert dict(result.problems.counts) == {"truncated": 1}
    assert locations(result, "truncated") == [("cut.jsonl.gz", read + 1)]


def test_member_teams_keeps_every_team_row_but_only_listed_members(tmp_path: Path) -> None:
    records = [team(n, team_id=name) for n, name in enumerate(["a", "b", "a", "c"])]
    path = tmp_path / "m.json"
    path.write_text(json.dumps(records, indent=2))
    result = ingest((path, "m.json"), member_teams=frozenset({"a", "c"}))
    store = result.store
    assert [store.team_names.name(c) for c in store.teams.team] == ["a", "b", "a", "c"]
    assert store.members.team_row.tolist() == [0, 2, 3]
    assert sorted(set(store.tool_calls.owner_row.tolist())) == [0, 1, 2]
    everything = ingest((path, "m.json"))
    assert everything.store.members.team_row.tolist() == [0, 1, 2, 3]
    assert result.problems.total == everything.problems.total == 0


def test_a_record_repeated_in_another_file_is_a_duplicate(tmp_path: Path) -> None:
    first, second = tmp_path / "a.jsonl", tmp_path / "b.json"
    first.write_text(json.dumps(team(0)) + "\n" + json.dumps(team(1)) + "\n")
    text = json.dumps([team(2), team(1)], indent=2)
    second.write_text(text)
    result = ingest((first, "a.jsonl"), (second, "b.json"))
    assert len(result.store.teams) == 3
    second_start = text.splitlines().index("  {", 2) + 1
    assert locations(result, "duplicate") == [("b.json", second_start)]
    assert result.store.files_read == ("a.jsonl", "b.json")


def test_problems_go_into_a_given_log(tmp_path: Path) -> None:
    path = tmp_path / "m.jsonl"
    path.write_text(json.dumps(team(0, success=None)) + "\n")
    log = ProblemLog(keep=1)
    result = ingest((path, "m.jsonl"), problems=log)
    assert result.problems is log
    assert dict(log.counts) == {"missing_success": 1}
    assert log.examples["missing_success"][0].one_line().startswith("m.jsonl:1 (record #1)")


def test_no_files_gives_an_empty_store() -> None:
    result = ingest()
    assert result.store.records_read == 0
    assert len(result.store.teams) == 0
    assert result.problems.total == 0
    assert result.unreadable == ()
