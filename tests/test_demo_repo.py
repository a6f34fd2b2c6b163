"""The bundled demo repository: reproducible, and holding exactly what its README promises.

The metrics are read back with nothing but ``json`` and ``gzip``, so these checks do not
depend on the bot's own loaders.
"""

from __future__ import annotations

import gzip
import importlib.util
import json
import math
import statistics
import sys
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from autotune_bot.settings.loader import parse_settings_text
from autotune_bot.yaml_source import load_yaml

ROOT = Path(__file__).resolve().parents[1]
DEMO = ROOT / "examples" / "demo-repo"
GENERATOR = ROOT / "examples" / "generate_demo.py"

REVIEW = "metrics/teams/review_team.json"
RESEARCH = "metrics/teams/research_team.jsonl"
CODE_REVIEW = "metrics/runs/code_review.jsonl"
RELEASE = "metrics/runs/release_notes.json"


def _load_generator() -> ModuleType:
    spec = importlib.util.spec_from_file_location("generate_demo", GENERATOR)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while being created
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def gen() -> ModuleType:
    return _load_generator()


@pytest.fixture(scope="module")
def demo(gen: ModuleType) -> Any:
    return gen.build_demo()


def _text(relative: str) -> str:
    raw = (DEMO / relative).read_bytes()
    return (gzip.decompress(raw) if relative.endswith(".gz") else raw).decode()


def _lines(relative: str) -> list[str]:
    return _text(relative).split("\n")


def _deep_files() -> list[str]:
    return sorted(
        p.relative_to(DEMO).as_posix() for p in (DEMO / "metrics" / "runs").glob("*.jsonl.gz")
    )


def _payload(relative: str, content: bytes) -> bytes:
    return gzip.decompress(content) if relative.endswith(".gz") else content


def _dirty_lines(demo: Any) -> set[tuple[str, int]]:
    return {(d.path, d.line) for d in demo.dirty}


# --- reproducibility -------------------------------------------------------------------


def test_committed_demo_equals_a_fresh_generation(demo: Any) -> None:
    committed = {p.relative_to(DEMO).as_posix() for p in DEMO.rglob("*") if p.is_file()}
    assert committed == set(demo.files)
    for relative, content in demo.files.items():
        committed_content = (DEMO / relative).read_bytes()
        assert _payload(relative, committed_content) == _payload(relative, content), relative


def test_generation_is_deterministic(gen: ModuleType, demo: Any) -> None:
    again = gen.build_demo()
    assert again.files.keys() == demo.files.keys()
    for relative, content in demo.files.items():
        assert _payload(relative, again.files[relative]) == _payload(relative, content)


def test_check_mode_accepts_the_committed_tree(gen: ModuleType) -> None:
    assert gen.main(["--check"]) == 0


def test_check_mode_reports_drift(gen: ModuleType, demo: Any, tmp_path: Path) -> None:
    expected, actual = tmp_path / "expected", tmp_path / "actual"
    gen.write(expected, demo.files)
    gen.write(actual, demo.files)
    assert gen.differences(expected, actual) == []
    (actual / ".autotune.yml").write_text("version: 1\n")
    (actual / "workflows" / "research.yaml").unlink()
    (actual / "metrics" / "stray.json").write_text("[]\n")
    assert gen.differences(expected, actual) == [
        "missing: workflows/research.yaml",
        "not generated: metrics/stray.json",
        "differs: .autotune.yml",
    ]


def test_demo_stays_small() -> None:
    total = sum(p.stat().st_size for p in DEMO.rglob("*") if p.is_file())
    assert total < 4_000_000


# --- workflows and settings ------------------------------------------------------------


def test_settings_use_exactly_the_agreed_keys() -> None:
    settings = load_yaml(_text(".autotune.yml"), ".autotune.yml")
    assert settings == {
        "version": 1,
        "baselines": {"release_team": {"duration_seconds": 240, "success_rate": 0.9}},
        "constraints": {"min_success_rate": 0.85},
        "analysis": {"min_samples": 20},
    }


def test_settings_pass_the_settings_loader() -> None:
    settings = parse_settings_text(_text(".autotune.yml"), ".autotune.yml")
    baseline = settings.baselines["release_team"]
    assert (baseline.duration_seconds, baseline.success_rate) == (240, 0.9)


def test_ci_example_uses_the_action_and_lives_outside_workflows() -> None:
    ci = load_yaml(_text(".github/workflows/autotune.yml"), "autotune.yml")
    steps = ci["jobs"]["autotune"]["steps"]
    action = next(s for s in steps if s.get("uses") == "autotune-bot/autotune-bot@v0")
    assert action["with"]["github_token"] == "${{ secrets.GITHUB_TOKEN }}"
    assert "schedule" in ci["on"]
    assert sorted(p.name for p in (DEMO / "workflows").iterdir()) == [
        "code_review.yaml",
        "release_notes.yml",
        "research.yaml",
    ]


def test_code_review_team_is_sequential_with_independent_members() -> None:
    doc = load_yaml(_text("workflows/code_review.yaml"), "code_review.yaml")
    nodes = {n["id"]: n for n in doc["workflows"]["code_review"]["nodes"]}
    assert list(nodes) == [
        "fetch_diff",
        "static_checks",
        "review_team",
        "summarize",
        "post_comment",
    ]
    team = nodes["review_team"]
    assert (team["team_formation"], team["total_tool_budget"], team["timeout_seconds"]) == (
        "sequential",
        120,
        900,
    )
    members = team["members"]
    assert [m["id"] for m in members] == ["security", "performance", "style", "docs"]
    names = {m["id"] for m in members} | {w for m in members for w in m["role"].split()}
    for member in members:
        assert "input_from" not in member
        assert {"role", "goal", "tool_budget", "tools"} <= set(member)
        others = names - {member["id"], *member["role"].split()}
        assert not [w for w in others if w in member["goal"].lower()], member["id"]
    assert nodes["summarize"]["llm_config"]["model_hint"] == "claude-3-opus"
    assert "{{lint_report}}" in nodes["summarize"]["goal"]


def test_research_workflow_plants_its_graph_problems() -> None:
    text = _text("workflows/research.yaml")
    nodes = {
        n["id"]: n for n in load_yaml(text, "research.yaml")["workflows"]["deep_research"]["nodes"]
    }
    assert nodes["fetch_papers"]["input_mapping"]["plan"] == "$ctx.plan"
    assert "{{plan}}" in nodes["fetch_news"]["goal"]
    assert nodes["legacy_enrich"]["output"] == "enrichment"
    assert text.count("enrichment") == 1  # written, never read
    assert dict(nodes["route"]["branches"]) == {True: "deep_dive", False: "quick_summary"}
    assert nodes["checks"]["parallel_nodes"] == ["fact_check", "citation_check"]
    assert nodes["checks"]["join_strategy"] == "all"
    team = nodes["research_team"]
    assert (team["team_formation"], len(team["members"]), team["max_iterations"]) == (
        "consensus",
        5,
        30,
    )
    assert nodes["report"]["llm_config"]["model_hint"] == "gpt-4o"
    assert "${API_KEY}" in text
    assert "{% if" in text


def test_release_workflow_uses_the_singular_dialect() -> None:
    text = _text("workflows/release_notes.yml")
    assert text.startswith("---\n")
    flow = load_yaml(text, "release_notes.yml")["workflow"]
    assert flow["name"] == "release_notes"
    kinds = [n.get("type") for n in flow["nodes"]]
    assert kinds[0] == "start"
    assert kinds[-1] == "end"
    assert {"from": "release_team", "to": "publish_notes"} in flow["edges"]
    team = next(n for n in flow["nodes"] if n["id"] == "release_team")["team"]
    assert team["formation"] == "hierarchical"
    managers = [m["id"] for m in team["members"] if m.get("is_manager")]
    assert managers == ["editor"]
    assert all(m["reports_to"] == "editor" for m in team["members"] if m["id"] != "editor")


# --- metrics: counts and shapes --------------------------------------------------------


def test_review_team_file_is_a_json_array_of_team_records(demo: Any) -> None:
    records = json.loads(_text(REVIEW))
    dicts = [r for r in records if isinstance(r, dict)]
    assert len(records) == 603
    assert len(dicts) == 602
    assert {r["team_id"] for r in dicts} == {"review_team"}
    assert Counter(r["formation"] for r in dicts) == {"parallel": 150, "sequential": 452}
    for record in dicts:
        assert list(record["member_metrics"]) == ["security", "performance", "style", "docs"]
        assert record["git_sha"]
        assert record["start_time"].endswith("Z")


def test_research_team_file_is_json_lines_of_consensus_records() -> None:
    lines = _lines(RESEARCH)
    assert lines[-1] == ""
    assert len(lines) == 807
    records = [json.loads(line) for line in lines[:-1]]
    assert Counter(r["team_id"] for r in records) == {"research_team": 804, "ghost_team": 2}
    for record in records:
        assert record["formation"] == "consensus"
        assert 1 <= record["consensus_rounds"] <= 6
        assert len(record["member_metrics"]) == 5
    calls = [
        c for r in records for m in r["member_metrics"].values() for c in m.get("tool_calls", [])
    ]
    assert calls
    assert set(calls[0]) == {"name", "args_hash", "duration_seconds", "cached"}


def test_run_files_hold_the_expected_shapes() -> None:
    review_runs = _lines(CODE_REVIEW)
    assert len(review_runs) == 302
    assert review_runs[-1] != ""
    combined = [json.loads(line) for i, line in enumerate(review_runs[:-1], 1) if i != 113]
    assert len(combined) == 300
    assert all(r["workflow_run"]["workflow_id"] == "code_review" for r in combined)
    assert all(t["team_id"] == "review_team" for r in combined for t in r["team_executions"])
    deep = [json.loads(line) for path in _deep_files() for line in _lines(path) if line]
    assert len(_deep_files()) == 3
    assert len(deep) == 1201
    assert {r["workflow_id"] for r in deep} == {"deep_research"}
    release = json.loads(_text(RELEASE))
    assert len(release) == 300
    assert all("node_metrics" in r for r in release)


def test_timestamps_cover_thirty_days_ending_on_the_fixed_date() -> None:
    stamps = [r["start_time"] for r in json.loads(_text(REVIEW)) if isinstance(r, dict)]
    stamps += [r["timestamp"] for r in json.loads(_text(RELEASE))]
    assert min(stamps) >= "2026-10-02T00:00:00Z"
    assert max(stamps) < "2026-11-01T00:00:00Z"


# --- dirty lines -----------------------------------------------------------------------


def _is_dirty(kind: str, line: str, previous: str) -> bool:
    checks: dict[str, Callable[[], bool]] = {
        "negative duration": lambda: json.loads(line)["duration_seconds"] < 0,
        "null success": lambda: json.loads(line)["success"] is None,
        "list record": lambda: isinstance(json.loads(line), list),
        "NaN duration": lambda: math.isnan(json.loads(line)["duration_seconds"]),
        "duplicate": lambda: line == previous,
        "unknown team": lambda: json.loads(line)["team_id"] == "ghost_team",
        "zero duration": lambda: json.loads(line)["duration"] == 0.0,
    }
    if kind in checks:
        return checks[kind]()
    try:
        json.loads(line)
    except json.JSONDecodeError:
        return kind in {"garbage", "truncated"}
    return False


def test_every_planted_dirty_line_is_where_the_manifest_says(demo: Any) -> None:
    kinds = Counter(d.kind for d in demo.dirty)
    assert kinds == {
        "negative duration": 1,
        "null success": 1,
        "list record": 1,
        "NaN duration": 1,
        "duplicate": 3,
        "unknown team": 2,
        "garbage": 1,
        "truncated": 1,
        "zero duration": 1,
    }
    for dirty in demo.dirty:
        lines = _lines(dirty.path)
        line = lines[dirty.line - 1].rstrip(",")
        assert _is_dirty(dirty.kind, line, lines[dirty.line - 2].rstrip(",")), dirty
    truncated = next(d for d in demo.dirty if d.kind == "truncated")
    assert truncated.line == len(_lines(truncated.path))
    assert not _text(truncated.path).endswith("\n")


def test_no_other_line_is_dirty(demo: Any) -> None:
    planted = _dirty_lines(demo)
    for path in [REVIEW, RESEARCH, CODE_REVIEW, RELEASE, *_deep_files()]:
        seen: set[str] = set()
        for number, line in enumerate(_lines(path), 1):
            body = line.rstrip(",")
            if (path, number) in planted or body in {"", "[", "]"}:
                continue
            record = json.loads(body)
            assert isinstance(record, dict), (path, number)
            assert body not in seen, (path, number)
            seen.add(body)
            run = record.get("workflow_run", record)
            duration = run.get("duration_seconds", run.get("duration"))
            assert duration > 0
            assert math.isfinite(duration)
            assert run["success"] in (True, False)


def test_readme_lists_every_dirty_line(demo: Any) -> None:
    readme = _text("README.md")
    for dirty in demo.dirty:
        assert f"`{dirty.path}:{dirty.line}`" in readme


# --- planted bottlenecks, measured with the standard library ---------------------------


def test_review_team_plants_match_the_readme(demo: Any) -> None:
    planted = _dirty_lines(demo)
    teams = [
        json.loads(line.rstrip(","))
        for number, line in enumerate(_lines(REVIEW), 1)
        if line.startswith("{") and (REVIEW, number) not in planted
    ]
    assert len(teams) == 600
    current = [t for t in teams if t["formation"] == "sequential"]
    old = [t for t in teams if t["formation"] == "parallel"]

    def over_max(team: dict[str, Any]) -> float:
        longest = max(float(m["duration_seconds"]) for m in team["member_metrics"].values())
        return float(team["duration_seconds"]) / longest

    assert statistics.median(map(over_max, current)) > 3.2
    assert statistics.median(map(over_max, old)) < 1.2
    docs = [t["member_metrics"]["docs"] for t in teams]
    docs_failure = sum(not d["success"] for d in docs) / len(docs)
    assert 0.3 < docs_failure < 0.5
    assert {d["tool_calls_used"] for d in docs} <= {0, 1}
    by_docs = {
        ok: statistics.fmean(
            t["success"] for t, d in zip(teams, docs, strict=True) if d["success"] is ok
        )
        for ok in (True, False)
    }
    assert abs(by_docs[True] - by_docs[False]) < 0.03
    ok_calls = [t["total_tool_calls"] for t in teams if t["success"]]
    assert min(ok_calls) >= 20
    assert max(ok_calls) <= 45
    readme = _text("README.md")
    assert f"fails {docs_failure:.1%} of executions" in " ".join(readme.split())


def test_research_team_plants() -> None:
    records = [json.loads(line) for line in _lines(RESEARCH) if line]
    teams = list({json.dumps(r): r for r in records if r["team_id"] == "research_team"}.values())
    teams = [t for t in teams if math.isfinite(t["duration_seconds"])]
    assert len(teams) == 800
    success = statistics.fmean(t["success"] for t in teams)
    assert 0.65 < success < 0.8
    median = statistics.median(t["duration_seconds"] for t in teams)
    slow = [t["duration_seconds"] / median for t in teams if t["duration_seconds"] >= 5 * median]
    assert len(slow) == 48
    assert min(slow) > 7.5
    assert max(slow) < 1200 / median
    per_member = statistics.fmean(
        m["tool_calls_used"] for t in teams for m in t["member_metrics"].values()
    )
    assert 20 < per_member < 28
    readme = " ".join(_text("README.md").split())
    assert f"{success:.1%} in `research_team.jsonl`" in readme


def test_deep_research_plants() -> None:
    runs = [json.loads(line) for path in _deep_files() for line in _lines(path) if line]
    runs = [r for r in runs if r["duration"] > 0]
    assert len(runs) == 1200
    web = sum(
        t["cost"]
        for r in runs
        for node in r["node_metrics"].values()
        for name, t in node.get("tools", {}).items()
        if name == "web_search"
    )
    assert 0.35 < web / sum(r["cost"] for r in runs) < 0.45
    both = [r["node_metrics"] for r in runs if "fetch_news" in r["node_metrics"]]
    repeated = 0
    for nodes in both:
        papers = {
            c["args_hash"] for c in nodes["fetch_papers"]["tool_calls"] if c["name"] == "web_search"
        }
        news = {c["args_hash"] for c in nodes["fetch_news"]["tool_calls"]}
        repeated += bool(papers & news)
        assert not any(c["cached"] for c in nodes["fetch_news"]["tool_calls"])
    assert 0.6 < repeated / len(both) < 0.8
    enrich = [
        r["node_metrics"]["legacy_enrich"] for r in runs if "legacy_enrich" in r["node_metrics"]
    ]
    assert 0.45 < statistics.fmean(e["success"] for e in enrich) < 0.65
    for run in runs:
        nodes = run["node_metrics"]
        if "route" in nodes:
            assert ("deep_dive" in nodes) != ("quick_summary" in nodes)
    report = [r["node_metrics"]["report"] for r in runs if "report" in r["node_metrics"]]
    assert statistics.fmean(n["input_tokens"] for n in report) < 1000
    assert {n["model"] for n in report} == {"gpt-4o"}


def test_release_notes_are_healthy() -> None:
    runs = json.loads(_text(RELEASE))
    team = [r["node_metrics"]["release_team"] for r in runs if "release_team" in r["node_metrics"]]
    flow = load_yaml(_text("workflows/release_notes.yml"), "release_notes.yml")["workflow"]
    timeout = next(n for n in flow["nodes"] if n["id"] == "release_team")["team"]["timeout_seconds"]
    durations = [n["duration"] for n in team]
    assert statistics.fmean(n["success"] for n in team) >= 0.9
    assert statistics.fmean(durations) < 240
    assert max(durations) < timeout
    assert max(durations) < 1.5 * statistics.median(durations)  # no outliers
