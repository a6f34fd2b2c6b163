"""The JSON report has the documented shape (docs/analysis-json.md) on real data."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import pytest

from autotune_bot.analysis.analyzer import analyze
from autotune_bot.report.json_report import SCHEMA_VERSION, report_to_json
from autotune_bot.repository import load_inputs

DEMO = Path(__file__).resolve().parents[1] / "examples" / "demo-repo"

INSIGHT_KEYS = {
    "bottleneck",
    "scope",
    "target",
    "component",
    "severity",
    "current_value",
    "baseline_value",
    "unit",
    "message",
    "recommendation",
    "location",
    "affected",
    "evidence",
}
EVIDENCE_KEYS = {"n", "interval", "interval_of", "confidence", "baseline_source", "details"}
DISTRIBUTION_KEYS = {"n", "mean", "mean_interval", "p50", "p95", "p99", "min", "max"}


@pytest.fixture(scope="module")
def report() -> dict[str, Any]:
    inputs = load_inputs(DEMO)
    data = inputs.metrics
    built = analyze(data.store, data.problems, inputs.workflows, inputs.settings)
    # through a real JSON round trip, as a consumer would read it
    parsed: dict[str, Any] = json.loads(json.dumps(report_to_json(built, inputs.settings_path)))
    return parsed


def _numbers(value: Any) -> list[float]:
    if isinstance(value, bool):
        return []
    if isinstance(value, int | float):
        return [float(value)]
    if isinstance(value, dict):
        return [x for v in value.values() for x in _numbers(v)]
    if isinstance(value, list):
        return [x for v in value for x in _numbers(v)]
    return []


def test_top_level(report: dict[str, Any]) -> None:
    assert report["schema_version"] == SCHEMA_VERSION
    assert set(report) == {
        "schema_version",
        "tool",
        "inputs",
        "data_problems",
        "unknown_teams",
        "teams",
        "workflows",
    }
    assert report["inputs"]["settings"] == ".autotune.yml"
    assert report["data_problems"]["total"] == sum(report["data_problems"]["by_kind"].values())


def test_every_number_is_finite(report: dict[str, Any]) -> None:
    assert all(math.isfinite(x) for x in _numbers(report))


def test_insights_have_every_documented_field(report: dict[str, Any]) -> None:
    insights = [i for t in report["teams"] for i in t["insights"]]
    insights += [i for w in report["workflows"] for i in w["insights"]]
    assert len(insights) >= 15
    for insight in insights:
        assert set(insight) == INSIGHT_KEYS
        assert set(insight["evidence"]) == EVIDENCE_KEYS
        assert 0.0 <= insight["severity"] <= 1.0
        assert insight["scope"] in ("team", "workflow")
        assert insight["evidence"]["n"] >= 0
        assert insight["message"]
        assert insight["recommendation"]
        if insight["location"] is not None:
            path, line = insight["location"].rsplit(":", 1)
            assert (DEMO / path).is_file()
            assert int(line) >= 1


def test_profiles_have_distributions(report: dict[str, Any]) -> None:
    review = next(t for t in report["teams"] if t["team_id"] == "review_team")
    duration = review["profile"]["duration_s"]
    assert set(duration) == DISTRIBUTION_KEYS
    assert duration["p50"]["supported"] is True
    assert duration["p50"]["low"] <= duration["p50"]["estimate"] <= duration["p50"]["high"]
    assert review["selection"]["older"][0]["formations"] == {"parallel": 225}
    for node in next(w for w in report["workflows"] if w["name"] == "deep_research")["nodes"]:
        assert 0.0 <= node["success_rate"]["estimate"] <= 1.0
