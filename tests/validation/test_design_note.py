"""The pre-run design warning, with the spread estimated from recorded runs."""

from __future__ import annotations

import json
import math
import statistics
from pathlib import Path

import pytest

from autotune_bot.metrics.columns import MetricsStore
from autotune_bot.metrics.ingest import ingest_files
from autotune_bot.settings.proposals import ABTestSettings
from autotune_bot.validation.design_check import check_design
from autotune_bot.validation.design_note import design_notes, patch_targets, planning_spread

DURATIONS = [10.0, 12.0, 9.0, 15.0, 11.0, 30.0, 8.0, 13.0, 10.5, 20.0, 9.5, 14.0]


def _store(tmp_path: Path, durations: list[float], config: str = "c1") -> MetricsStore:
    path = tmp_path / "runs.jsonl"
    lines = [
        json.dumps(
            {
                "workflow_id": "wf",
                "config_fingerprint": config,
                "timestamp": 1_700_000_000 + i,
                "duration_seconds": d,
                "success": True,
                "node_metrics": {"a": {"duration": d, "success": True}},
            }
        )
        for i, d in enumerate(durations)
    ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return ingest_files([(path, "runs.jsonl")]).store


def test_spread_is_the_standard_deviation_of_log_durations(tmp_path: Path) -> None:
    store = _store(tmp_path, DURATIONS)
    expected = statistics.stdev(math.log(d) for d in DURATIONS)
    assert planning_spread(store, "wf", "workflow") == pytest.approx(expected, rel=1e-12)
    assert planning_spread(store, "other", "workflow") is None
    few = _store(tmp_path, DURATIONS[:5])
    assert planning_spread(few, "wf", "workflow") is None  # too few records to plan on


def test_a_small_test_is_warned_about_with_the_design_checks_own_figures(tmp_path: Path) -> None:
    store = _store(tmp_path, DURATIONS)
    ab = ABTestSettings(runs_per_arm=10, max_total_runs=200)
    (note,) = design_notes(ab, [("wf", "workflow")], store)
    sigma = statistics.stdev(math.log(d) for d in DURATIONS)
    check = check_design(10, alpha=0.05, min_improvement=0.05, sigma=sigma, paired=False)
    assert check.warning is not None
    assert note == f"{check.warning}; σ estimated from the recorded runs"


def test_no_warning_for_paired_designs_or_unknown_spreads(tmp_path: Path) -> None:
    store = _store(tmp_path, DURATIONS)
    paired = ABTestSettings(runs_per_arm=10, inputs=("a", "b"), command="run {workflow} {input}")
    assert design_notes(paired, [("wf", "workflow")], store) == ()
    assert design_notes(ABTestSettings(), [("nobody", "team")], store) == ()


def test_suggestion_targets_become_target_kinds() -> None:
    pairs = [("team", "review_team"), ("workflow", "wf"), ("team", "review_team")]
    assert patch_targets(pairs) == [("review_team", "team"), ("wf", "workflow")]
