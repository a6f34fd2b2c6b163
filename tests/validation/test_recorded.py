"""Recorded evidence: the runs of two configurations picked out of the metrics store."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest

from autotune_bot.errors import UsageError
from autotune_bot.metrics.ingest import ingest_files
from autotune_bot.validation.evidence import EVIDENCE_LABELS, evidence_label
from autotune_bot.validation.recorded import (
    configurations_of,
    recorded_runs,
    without_duration_notes,
)


def _store(tmp_path: Path, records: list[dict[str, object]]):  # type: ignore[no-untyped-def]
    path = tmp_path / "runs.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    return ingest_files([(path, "runs.jsonl")]).store


def _run(cfg: str | None, ts: float, dur: float, ok: bool | None, cost: float | None = None):  # type: ignore[no-untyped-def]
    rec: dict[str, object] = {"workflow_id": "wf", "timestamp": ts, "duration_seconds": dur}
    if ok is not None:
        rec["success"] = ok
    if cfg is not None:
        rec["config_fingerprint"] = cfg
    if cost is not None:
        rec["cost_usd"] = cost
    rec["node_metrics"] = {"a": {"duration": dur, "success": bool(ok)}}
    return rec


def test_runs_of_each_configuration_in_time_order(tmp_path: Path) -> None:
    store = _store(
        tmp_path,
        [
            _run("old", 1_700_000_100, 12.0, True, 0.5),
            _run("old", 1_700_000_000, 10.0, False, 0.4),
            _run("new", 1_700_000_300, 7.0, True),
            _run(None, 1_700_000_400, 99.0, True),
            _run("new", 1_700_000_200, 6.0, None),  # success unknown: left out, counted
        ],
    )
    assert configurations_of(store, "wf", "workflow") == {"old": 2, "new": 2}
    cmp = recorded_runs(store, "wf", "workflow", "old", "new")
    assert [r.duration_seconds for r in cmp.control] == [10.0, 12.0]
    assert [r.success for r in cmp.control] == [False, True]
    assert [r.cost_usd for r in cmp.control] == [0.4, 0.5]
    assert [r.duration_seconds for r in cmp.variant] == [7.0]
    assert cmp.variant[0].cost_usd is None
    assert {r.arm for r in cmp.control} == {"control"}
    assert cmp.variant[0].arm == "variant"
    assert all(r.source == "recorded" for r in (*cmp.control, *cmp.variant))
    assert cmp.skipped_unknown_outcome == 1


def test_unknown_configuration_lists_what_is_recorded(tmp_path: Path) -> None:
    store = _store(tmp_path, [_run("old", 1.0, 1.0, True), _run("new", 2.0, 1.0, True)])
    with pytest.raises(UsageError) as err:
        recorded_runs(store, "wf", "workflow", "old", "newer")
    assert "--after-config" in str(err.value)
    assert "old (1 records)" in str(err.value)
    assert "new (1 records)" in str(err.value)


def test_target_without_configuration_ids_is_refused(tmp_path: Path) -> None:
    store = _store(tmp_path, [_run(None, 1.0, 1.0, True)])
    with pytest.raises(UsageError, match="config_fingerprint or git_sha"):
        recorded_runs(store, "wf", "workflow", "a", "b")
    with pytest.raises(UsageError):
        recorded_runs(store, "no_such_workflow", "workflow", "a", "b")


def test_demo_team_has_two_recorded_configurations() -> None:
    demo = Path(__file__).resolve().parents[2] / "examples" / "demo-repo"
    paths = sorted((demo / "metrics" / "teams").glob("review_team*"))
    store = ingest_files([(p, p.name) for p in paths]).store
    configs = configurations_of(store, "review_team", "team")
    assert len(configs) == 2
    before, after = configs
    cmp = recorded_runs(store, "review_team", "team", before, after)
    counted = (
        len(cmp.control)
        + len(cmp.variant)
        + len(cmp.control_without_duration)
        + len(cmp.variant_without_duration)
        + cmp.skipped_unknown_outcome
    )
    assert counted == configs[before] + configs[after]
    assert len(cmp.control) > 0
    assert len(cmp.variant) > 0


def test_every_evidence_kind_has_a_label() -> None:
    assert set(EVIDENCE_LABELS) == {"measured", "recorded", "simulated"}
    assert "not an A/B result" in evidence_label("simulated")
    assert "drift" in evidence_label("recorded")


def _no_duration(cfg: str, ts: float, ok: bool) -> dict[str, object]:
    """A run whose outcome was recorded but not its duration (e.g. one that failed early)."""
    return {
        "workflow_id": "wf",
        "timestamp": ts,
        "success": ok,
        "config_fingerprint": cfg,
        "node_metrics": {"a": {"success": ok}},
    }


def test_failures_without_a_duration_are_kept_apart_and_said(tmp_path: Path) -> None:
    store = _store(
        tmp_path,
        [
            _run("old", 1.0, 10.0, True),
            _no_duration("old", 2.0, False),
            _no_duration("old", 3.0, False),
            _no_duration("old", 4.0, True),
            _run("old", 5.0, 12.0, False),
            _run("new", 6.0, 7.0, True),
            _no_duration("new", 7.0, False),
            _run("new", 8.0, 6.0, None),  # outcome unknown: left out, counted
        ],
    )
    cmp = recorded_runs(store, "wf", "workflow", "old", "new")
    assert [(r.duration_seconds, r.success) for r in cmp.control] == [(10.0, True), (12.0, False)]
    assert [r.success for r in cmp.control_without_duration] == [False, False, True]
    assert all(math.isnan(r.duration_seconds) for r in cmp.control_without_duration)
    assert {r.arm for r in cmp.control_without_duration} == {"control"}
    assert [r.success for r in cmp.variant_without_duration] == [False]
    assert cmp.variant_without_duration[0].arm == "variant"
    assert cmp.failed_without_duration == 3
    assert cmp.skipped_unknown_outcome == 1
    assert without_duration_notes(cmp) == (
        "control: 3 recorded run(s) with an outcome but no usable duration (2 failed) are left out "
        "of this comparison, success rate included",
        "variant: 1 recorded run(s) with an outcome but no usable duration (1 failed) are left out "
        "of this comparison, success rate included",
    )
