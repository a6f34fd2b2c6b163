"""Splitting a target's recorded runs at the merge: baseline, post-merge, and what is left out."""

from __future__ import annotations

import json
import math
from datetime import UTC, datetime
from pathlib import Path

import numpy as np

from autotune_bot.metrics.columns import MetricsStore
from autotune_bot.metrics.ingest import ingest_files
from autotune_bot.monitor.split import MonitorTarget, monitor_target, same_config, split_runs

MERGED = datetime(2026, 11, 1, 12, 0, tzinfo=UTC)
T0 = MERGED.timestamp()
HEAD = "a1b2c3d4e5f6a7b8c9d0a1b2c3d4e5f6a7b8c9d0"


def _store(tmp_path: Path, records: list[dict[str, object]]) -> MetricsStore:
    path = tmp_path / "m.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    return ingest_files([(path, "m.jsonl")]).store


def _team(
    offset: float, dur: float, *, cfg: str | None = "old", ok: bool | None = True
) -> dict[str, object]:
    rec: dict[str, object] = {
        "team_id": "review_team",
        "workflow_id": "code_review",
        "duration_seconds": dur,
        "start_time": T0 + offset,
    }
    if ok is not None:
        rec["success"] = ok
    if cfg is not None:
        rec["config_fingerprint"] = cfg
    return rec


TEAM = MonitorTarget("team", "review_team")


def test_records_split_at_the_merge_oldest_first(tmp_path: Path) -> None:
    rng = np.random.default_rng(7)
    before = [float(x) for x in rng.uniform(10, 20, 12)]
    after = [float(x) for x in rng.uniform(30, 40, 5)]
    records = [_team(-1000.0 + 10 * i, d) for i, d in enumerate(before)]
    records += [_team(100.0 + 10 * i, d, cfg="new") for i, d in enumerate(after)]
    records = records[::-1]  # file order must not matter
    split = split_runs(_store(tmp_path, records), TEAM, MERGED, baseline_cap=100)
    assert list(split.baseline.durations) == before
    assert list(split.post.durations) == after
    assert split.notes == ()


def test_baseline_keeps_the_newest_runs_up_to_the_cap(tmp_path: Path) -> None:
    records = [_team(-100.0 * (i + 1), float(i + 1)) for i in range(10)]
    split = split_runs(_store(tmp_path, records), TEAM, MERGED, baseline_cap=4)
    # the newest four before the merge are offsets -400..-100, durations 4, 3, 2, 1
    assert list(split.baseline.durations) == [4.0, 3.0, 2.0, 1.0]


def test_old_configuration_after_the_merge_and_branch_runs_before_are_left_out(
    tmp_path: Path,
) -> None:
    records = [_team(-500.0 + i, 10.0) for i in range(6)]
    records += [_team(-50.0 + i, 5.0, cfg=HEAD[:10]) for i in range(3)]  # A/B runs of the branch
    records += [_team(10.0 + i, 11.0) for i in range(4)]  # old configuration still running
    records += [_team(50.0 + i, 6.0, cfg=HEAD) for i in range(2)]  # the merged configuration
    split = split_runs(
        _store(tmp_path, records), TEAM, MERGED, proposal_commits=(HEAD,), baseline_cap=50
    )
    assert list(split.baseline.durations) == [10.0] * 6
    assert list(split.post.durations) == [6.0, 6.0]
    joined = " ".join(split.notes)
    assert "3 run(s) before the merge" in joined
    assert "4 run(s) after the merge still ran a configuration seen before it" in joined


def test_records_without_timestamp_or_outcome_are_counted(tmp_path: Path) -> None:
    records = [_team(-10.0, 3.0), _team(10.0, 4.0, cfg="n"), _team(20.0, 5.0, cfg="n", ok=None)]
    no_time = _team(0.0, 9.0)
    del no_time["start_time"]
    records.append(no_time)
    split = split_runs(_store(tmp_path, records), TEAM, MERGED, baseline_cap=50)
    assert len(split.baseline) == 1
    assert len(split.post) == 1
    joined = " ".join(split.notes)
    assert "1 record(s) without a timestamp" in joined
    assert "1 record(s) without a recorded outcome" in joined


def test_workflow_scope_uses_whole_runs_and_unknown_target_says_so(tmp_path: Path) -> None:
    runs = [
        {"workflow_id": "wf", "timestamp": T0 + off, "duration_seconds": d, "success": ok,
         "config_fingerprint": cfg, "node_metrics": {"a": {"duration": d, "success": ok}}}
        for off, d, ok, cfg in [(-20, 8.0, True, "x"), (-10, 9.0, False, "x"), (30, 4.0, True, "y")]
    ]  # fmt: skip
    store = _store(tmp_path, runs)
    target = monitor_target({"scope": "node", "workflow": "wf", "target": "a"})
    assert target == MonitorTarget("workflow", "wf")
    split = split_runs(store, target, MERGED, baseline_cap=50)
    assert split.baseline.successes == (True, False)
    assert list(split.post.durations) == [4.0]
    assert all(math.isnan(c) for c in split.post.costs)
    missing = split_runs(store, MonitorTarget("workflow", "nope"), MERGED, baseline_cap=5)
    assert len(missing.baseline) == len(missing.post) == 0
    assert "no recorded runs of workflow nope" in missing.notes


def test_marker_targets_and_commit_matching() -> None:
    assert monitor_target({"scope": "team", "target": "t", "workflow": "w"}) == MonitorTarget(
        "team", "t"
    )
    assert monitor_target({"scope": "team"}) is None
    assert monitor_target({"scope": "weird", "workflow": "w"}) is None
    assert same_config(HEAD[:7], HEAD)
    assert same_config(HEAD.upper(), HEAD)
    assert not same_config(HEAD[:6], HEAD)  # too short to trust
    assert not same_config("cfg-1", HEAD)
