"""Whatever the records look like, analysis finishes and its JSON report is finite."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from autotune_bot.analysis.analyzer import analyze
from autotune_bot.metrics.ingest import ingest_files
from autotune_bot.report.json_report import report_to_json
from autotune_bot.report.terminal import render_report
from autotune_bot.settings import Settings
from autotune_bot.workflow.loader import parse_workflow_text

WORKFLOW = """
workflows:
  flow:
    nodes:
      - id: fetch
        type: compute
        output: raw
      - id: crew
        type: team
        team_formation: sequential
        members:
          - {id: a, role: worker, goal: "do a"}
          - {id: b, role: worker, goal: "do b"}
      - id: summarize
        goal: "use {{raw}}"
"""

numbers = st.one_of(
    st.none(),
    st.floats(allow_nan=True, allow_infinity=True, width=32),
    st.integers(min_value=-5, max_value=500),
)
flags = st.one_of(st.none(), st.booleans())
times = st.one_of(
    st.none(),
    st.sampled_from(["2026-01-01T00:00:00Z", "2026-02-01T10:00:00+00:00", "bad"]),
)
members = st.dictionaries(
    st.sampled_from(["a", "b", "c"]),
    st.fixed_dictionaries(
        {"success": flags, "duration_seconds": numbers, "tool_calls_used": numbers}
    ),
    max_size=3,
)
team_records = st.fixed_dictionaries(
    {
        "team_id": st.sampled_from(["crew", "other"]),
        "success": flags,
        "duration_seconds": numbers,
        "total_tool_calls": numbers,
        "member_count": numbers,
        "consensus_rounds": numbers,
        "start_time": times,
        "git_sha": st.sampled_from(["s1", "s2", None]),
        "member_metrics": members,
    }
)
node_entries = st.fixed_dictionaries(
    {
        "duration": numbers,
        "success": flags,
        "cost": numbers,
        "input_tokens": numbers,
        "tools": st.dictionaries(
            st.sampled_from(["search", "read"]),
            st.fixed_dictionaries({"count": numbers, "cost": numbers}),
            max_size=2,
        ),
    }
)
run_records = st.fixed_dictionaries(
    {
        "workflow_id": st.just("flow"),
        "run_id": st.one_of(st.none(), st.text(max_size=3)),
        "success": flags,
        "duration": numbers,
        "cost": numbers,
        "timestamp": times,
        "node_metrics": st.dictionaries(
            st.sampled_from(["fetch", "crew", "summarize"]), node_entries, max_size=3
        ),
    }
)


def _finite(value: Any) -> bool:
    if isinstance(value, float):
        return math.isfinite(value)
    if isinstance(value, dict):
        return all(_finite(v) for v in value.values())
    if isinstance(value, list):
        return all(_finite(v) for v in value)
    return True


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(
    records=st.lists(st.one_of(team_records, run_records), max_size=60),
    min_samples=st.integers(min_value=1, max_value=5),
)
def test_analysis_never_crashes(
    tmp_path: Path, records: list[dict[str, Any]], min_samples: int
) -> None:
    path = tmp_path / "metrics.jsonl"
    path.write_text("\n".join(json.dumps(r) for r in records) + "\n")
    ingested = ingest_files([(path, "metrics.jsonl")], parallel=False)
    workflows = [parse_workflow_text(WORKFLOW, "workflows/flow.yaml")]
    config = Settings.model_validate({"analysis": {"min_samples": min_samples}})
    report = analyze(ingested.store, ingested.problems, workflows, config)
    as_json = report_to_json(report, None)
    assert _finite(as_json)
    json.dumps(as_json, allow_nan=False)
    assert render_report(report).startswith("=")
    for insight in report.all_insights():
        assert 0.0 <= insight.severity <= 1.0
