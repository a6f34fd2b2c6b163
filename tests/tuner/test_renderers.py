"""The suggestion renderers: the JSON form (schema_version, NaN as null, every suggestion with
changes, estimate and evidence) and the text form (exact changes, "not validated")."""

from __future__ import annotations

import dataclasses
import json
import math
from typing import Any

from autotune_bot.report.suggestions_json import SCHEMA_VERSION, plain, plan_to_json
from autotune_bot.report.suggestions_text import render_plan, render_suggestion

from .conftest import DemoTuning, make_plan, make_suggestion


def _all_suggestions(doc: dict[str, Any]) -> list[dict[str, Any]]:
    out = []
    for target in doc["targets"]:
        out += target["suggestions"]
        if target["best"] is not None:
            out.append(target["best"])
    return out


def test_json_of_the_demo_plan(demo: DemoTuning) -> None:
    doc = plan_to_json(demo.plan)
    assert doc["schema_version"] == SCHEMA_VERSION == 1
    assert doc["tool"].startswith("autotune-bot ")
    assert [(t["scope"], t["target"]) for t in doc["targets"]] == [t.key for t in demo.plan.targets]
    text = json.dumps(doc, allow_nan=False)  # strict JSON: no NaN or infinity anywhere
    assert json.loads(text) == doc
    suggestions = _all_suggestions(doc)
    assert len(suggestions) == len(demo.plan.suggestions()) + 2  # plus the two bests
    for s in suggestions:
        assert s["changes"], s["description"]
        for change in s["changes"]:
            assert set(change) == {"file", "node", "field", "line", "old", "new", "edit"}
            assert isinstance(change["line"], int)
            assert change["line"] >= 1
            assert change["edit"]["op"] in ("SetValue", "RemoveKey", "RemoveItem", "InsertItem")
        estimate = s["estimate"]
        assert estimate["validated"] is False
        assert estimate["basis"]
        assert estimate["n"] > 0
        assert s["evidence"]
        assert all(isinstance(e, str) and e for e in s["evidence"])
        assert s["candidate"] is not None


def test_json_names_the_planted_changes(demo: DemoTuning) -> None:
    doc = plan_to_json(demo.plan)
    (review,) = [t for t in doc["targets"] if t["target"] == "review_team"]
    formation = review["suggestions"][0]
    assert formation["type"] == "formation_selection"
    assert formation["changes"][0] | {"edit": None} == {
        "file": "workflows/code_review.yaml",
        "node": "review_team",
        "field": "team_formation",
        "line": 40,
        "old": "sequential",
        "new": "parallel",
        "edit": None,
    }
    assert formation["candidate"]["members"] == ["security", "performance", "style", "docs"]
    assert review["search"]["algorithm"] == "hill_climbing"
    assert review["search"]["shipped"]["formation"] == "parallel"
    (flow,) = [t for t in doc["targets"] if t["target"] == "deep_research"]
    assert flow["best"]["candidate"]["removed"] == ["legacy_enrich"]


def test_nan_becomes_null() -> None:
    s = make_suggestion("alpha", improvement=math.nan)
    doc = plan_to_json(make_plan([("alpha", [s], None)]))
    (out,) = doc["targets"][0]["suggestions"]
    assert out["expected_improvement_percent"] is None
    assert out["estimate"]["cost_per_success"]["predicted"] is None
    assert out["estimate"]["cost_per_success"]["interval"] is None
    assert out["estimate"]["duration_per_success"]["interval"] == [-0.3, -0.1]
    assert out["estimate"]["success_rate"] is None
    json.dumps(doc, allow_nan=False)


def test_plain_values() -> None:
    assert plain((1, (2.0, math.inf))) == [1, [2.0, None]]
    assert plain(frozenset({"b", "a"})) == ["a", "b"]
    assert plain({1: math.nan}) == {"1": None}
    assert plain(0.12345678912) == 0.123457


def test_suggestion_without_estimate() -> None:
    s = dataclasses.replace(make_suggestion("alpha"), estimate=None, changes=(), evidence=())
    doc = plan_to_json(make_plan([("alpha", [s], None)]))
    out = doc["targets"][0]["suggestions"][0]
    assert out["estimate"] is None
    assert out["changes"] == []
    assert out["evidence"] == []
    assert "   Estimate: not estimated" in render_suggestion(1, s)


def test_text_of_the_demo_plan(demo: DemoTuning) -> None:
    text = render_plan(demo.plan)
    assert "not validated" in text
    assert "none is an A/B result" in text
    assert "Team: review_team  (workflows/code_review.yaml:38)" in text
    assert (
        "workflows/code_review.yaml:40 review_team.team_formation: 'sequential' → 'parallel'"
        in text
    )
    assert "workflows/code_review.yaml:68 review_team.members[docs]: remove" in text
    assert "workflows/research.yaml:55 nodes[legacy_enrich]: remove" in text
    assert (
        "workflows/research.yaml:167 report.llm_config.model_hint: 'gpt-4o' → 'gpt-4o-mini'" in text
    )
    for target in demo.plan.targets:
        if target.best is not None:  # the search's best is shown after the suggestions
            assert target.best.description in text
            assert text.index(target.best.description) > text.index(f": {target.target}  (")
    assert "Note: team ghost_team: no team node in any workflow file" in text
    workflow = text.split("Workflow: code_review")[1].split("Workflow: deep_research")[0]
    assert "No change worth proposing." in workflow
    assert f"Generated {len(demo.plan.suggestions())} suggestion(s)." in text


def test_text_of_one_suggestion() -> None:
    s = make_suggestion("alpha", description="Go parallel", improvement=12.34, confidence=0.87)
    lines = render_suggestion(3, s)
    assert lines[0].startswith("3. ")
    assert lines[0].endswith("Go parallel")
    assert "   Expected:   +12.3% on the objective" in lines
    assert "   Confidence: 0.87   Risk: low (0.30)" in lines
    assert "     - workflows/x.yaml:5 alpha.team_formation: 'sequential' → 'parallel'" in lines
    assert any("not validated" in line for line in lines)
    assert "     - It was slow (12.0 s)." in lines
    short = render_suggestion(3, s, details=False)
    assert short == lines[:4]
    unknown = dataclasses.replace(s, expected_improvement=math.nan)
    assert "   Expected:   not estimated" in render_suggestion(1, unknown)
