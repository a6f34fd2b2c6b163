"""The analyzer on the bundled demo repository finds exactly what was planted there."""

from __future__ import annotations

from pathlib import Path

import pytest

from autotune_bot.analysis.analyzer import AnalysisReport, analyze
from autotune_bot.repository import load_inputs

DEMO = Path(__file__).resolve().parents[1] / "examples" / "demo-repo"


@pytest.fixture(scope="module")
def report() -> AnalysisReport:
    inputs = load_inputs(DEMO)
    assert inputs.workflow_errors == ()
    data = inputs.metrics
    return analyze(data.store, data.problems, inputs.workflows, inputs.settings)


def _found(report: AnalysisReport) -> set[tuple[str, str, str | None]]:
    return {(i.target, i.bottleneck, i.component) for i in report.all_insights()}


def test_planted_team_bottlenecks_are_found(report: AnalysisReport) -> None:
    found = _found(report)
    assert ("review_team", "slow_execution", None) in found
    assert ("review_team", "suboptimal_formation_sequential", None) in found
    assert ("review_team", "oversized_team", "docs") in found
    assert ("research_team", "high_latency_outliers", None) in found
    assert ("research_team", "low_success_rate", None) in found
    assert ("research_team", "excessive_tool_usage", None) in found


def test_planted_workflow_bottlenecks_are_found(report: AnalysisReport) -> None:
    found = {(t, b) for t, b, _ in _found(report)}
    for bottleneck in (
        "unreliable_node",
        "expensive_tool",
        "missing_caching",
        "redundant_operation",
        "unused_output",
        "parallelizable_nodes",
        "dominant_node",
    ):
        assert ("deep_research", bottleneck) in found, bottleneck
    components = {(b, c) for t, b, c in _found(report) if t == "deep_research"}
    assert ("unreliable_node", "legacy_enrich") in components
    assert ("unused_output", "legacy_enrich") in components
    assert ("parallelizable_nodes", "fetch_papers") in components
    assert ("dominant_node", "research_team") in components


def test_healthy_places_stay_quiet(report: AnalysisReport) -> None:
    release = next(w for w in report.workflows if w.name == "release_notes")
    assert release.insights == ()
    review = next(t for t in report.teams if t.team_id == "review_team")
    # the formation is what is slow; its members are reliable, so no low-success finding
    assert "low_success_rate" not in {i.bottleneck for i in review.insights}
    research = next(t for t in report.teams if t.team_id == "research_team")
    assert not any(i.bottleneck.startswith("oversized") for i in research.insights)


def test_history_is_reported_separately(report: AnalysisReport) -> None:
    review = next(t for t in report.teams if t.team_id == "review_team")
    assert len(review.older) == 1
    assert review.older[0].formations == {"parallel": review.older[0].runs}
    assert set(review.profile.formations) == {"sequential"}
    slow = next(i for i in review.insights if i.bottleneck == "slow_execution")
    assert slow.evidence.baseline_source.startswith("history: configuration")


def test_dirty_lines_are_counted_with_locations(report: AnalysisReport) -> None:
    log = report.problems
    assert log.counts["duplicate"] == 3
    assert log.counts["truncated"] == 1
    assert log.counts["malformed_json"] == 1
    for examples in log.examples.values():
        for problem in examples:
            assert problem.path.startswith("metrics/")
            assert problem.line is not None
            assert problem.line >= 1
    [ghost] = report.unknown_teams
    assert ghost.team_id == "ghost_team"
    assert sum(ghost.records.values()) == 2
    assert all(f.startswith("metrics/") for f in ghost.records)
