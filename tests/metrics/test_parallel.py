"""Reading one large array file on two cores gives exactly the sequential result."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import numpy as np
import pytest

from autotune_bot.metrics import parallel
from autotune_bot.metrics.columns import MetricsStore
from autotune_bot.metrics.ingest import ingest_files


def _records(n: int) -> list[dict[str, object]]:
    out: list[dict[str, object]] = []
    for i in range(n):
        members = {
            f"m{k}": {
                "success": (i + k) % 7 != 0,
                "duration_seconds": 1.0 + (i * k) % 13,
                "tool_calls_used": k,
                "tool_calls": [
                    {"name": "grep", "args_hash": f"h{i % 5}", "cached": False},
                    {"name": "read", "args_hash": f"h{k}", "cached": True},
                ],
            }
            for k in range(3)
        }
        out.append(
            {
                "team_id": ["alpha", "beta"][i % 2],
                "success": i % 5 != 0,
                "duration_seconds": 10.0 + i % 17,
                "total_tool_calls": 3 + i % 4,
                "start_time": f"2026-01-01T00:{i // 60 % 60:02d}:{i % 60:02d}+00:00",
                "git_sha": "abc" if i < n // 3 else "def",
                "member_metrics": members,
            }
        )
    return out


def _assert_same(a: MetricsStore, b: MetricsStore) -> None:
    for table in ("teams", "members", "runs", "nodes", "tool_use", "tool_calls"):
        left, right = getattr(a, table), getattr(b, table)
        for field in dataclasses.fields(left):
            x, y = getattr(left, field.name), getattr(right, field.name)
            assert np.array_equal(x, y, equal_nan=True), (table, field.name)
    for names in ("team_names", "member_names", "config_names", "tool_names", "misc_names"):
        assert getattr(a, names).names == getattr(b, names).names
    assert a.records_read == b.records_read


@pytest.fixture
def small_threshold(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(parallel, "MIN_PARALLEL_BYTES", 1)


@pytest.mark.usefixtures("small_threshold")
@pytest.mark.parametrize("indent", [None, 2])
def test_two_halves_equal_one_pass(tmp_path: Path, indent: int | None) -> None:
    path = tmp_path / "teams.json"
    path.write_text(json.dumps(_records(900), indent=indent))
    assert parallel.find_cut(path) is not None
    split = parallel.read_in_two(path, "teams.json", None)
    assert split is not None
    whole = ingest_files([(path, "teams.json")], parallel=False)
    _assert_same(split, whole.store)
    via_ingest = ingest_files([(path, "teams.json")], parallel=True)
    _assert_same(via_ingest.store, whole.store)


@pytest.mark.usefixtures("small_threshold")
def test_early_worker_is_used_by_ingest(tmp_path: Path) -> None:
    path = tmp_path / "teams.json"
    path.write_text(json.dumps(_records(600)))
    pending = parallel.start(path, "teams.json", frozenset({"alpha"}), fraction=0.3)
    assert pending is not None
    result = ingest_files([(path, "teams.json")], member_teams=frozenset({"alpha"}), early=pending)
    whole = ingest_files([(path, "teams.json")], member_teams=frozenset({"alpha"}), parallel=False)
    _assert_same(result.store, whole.store)


@pytest.mark.usefixtures("small_threshold")
def test_dirty_file_falls_back_to_one_pass(tmp_path: Path) -> None:
    records = _records(400)
    records[350]["duration_seconds"] = -1.0  # a problem in the second half
    records.append(records[10])  # and a duplicate across the cut
    path = tmp_path / "teams.json"
    path.write_text(json.dumps(records))
    assert parallel.read_in_two(path, "teams.json", None) is None
    result = ingest_files([(path, "teams.json")], parallel=True)
    assert result.problems.counts["negative_duration"] == 1
    assert result.problems.counts["duplicate"] == 1
    assert result.store.records_read == 401


def test_small_files_are_not_split(tmp_path: Path) -> None:
    lines = tmp_path / "runs.jsonl"
    lines.write_text("\n".join(json.dumps(r) for r in _records(5)))
    assert parallel.find_cut(lines) is None


@pytest.mark.usefixtures("small_threshold")
def test_json_lines_halves_equal_one_pass(tmp_path: Path) -> None:
    path = tmp_path / "teams.jsonl"
    path.write_text("\n".join(json.dumps(r) for r in _records(700)) + "\n")
    cut = parallel.find_cut(path)
    assert cut is not None
    assert cut.first_end == cut.second_start
    assert path.read_bytes()[cut.first_end - 1 : cut.first_end] == b"\n"
    split = parallel.read_in_two(path, "teams.jsonl", None)
    assert split is not None
    whole = ingest_files([(path, "teams.jsonl")], parallel=False)
    _assert_same(split, whole.store)


@pytest.mark.usefixtures("small_threshold")
def test_no_fork_while_other_threads_run(tmp_path: Path) -> None:
    import threading

    path = tmp_path / "teams.json"
    path.write_text(json.dumps(_records(300)))
    release = threading.Event()
    other = threading.Thread(target=release.wait)
    other.start()
    try:
        assert parallel.start(path, "teams.json", None) is None
    finally:
        release.set()
        other.join()
    pending = parallel.start(path, "teams.json", None)
    assert pending is not None
    parallel.abandon(pending)


@pytest.mark.usefixtures("small_threshold")
def test_duplicate_across_the_cut_falls_back_to_one_pass(tmp_path: Path) -> None:
    # Two teams and two configs, so codes differ between the two processes: the duplicate
    # must still be recognised across the cut.
    records = _records(400)
    records.append(dict(records[10]))
    path = tmp_path / "teams.json"
    path.write_text(json.dumps(records))
    assert parallel.read_in_two(path, "teams.json", None) is None
    result = ingest_files([(path, "teams.json")], parallel=True)
    assert dict(result.problems.counts) == {"duplicate": 1}
    assert len(result.store.teams) == 400


@pytest.mark.usefixtures("small_threshold")
def test_ingest_uses_the_split_result(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from autotune_bot.metrics import ingest

    path = tmp_path / "teams.json"
    path.write_text(json.dumps(_records(500)))
    used: list[bool] = []
    real_finish = ingest.finish

    def watched(pending: parallel.Pending) -> object:
        store = real_finish(pending)
        used.append(store is not None)
        return store

    monkeypatch.setattr(ingest, "finish", watched)
    pending = parallel.start(path, "teams.json", None, fraction=0.42)
    assert pending is not None
    ingest_files([(path, "teams.json")], early=pending)
    assert used == [True]
