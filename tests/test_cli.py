"""The `autotune` command line, run in-process on real files."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from autotune_bot.cli import main

DEMO = Path(__file__).resolve().parents[1] / "examples" / "demo-repo"


def test_analyze_text_report(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["analyze", "--repo", str(DEMO)]) == 0
    out = capsys.readouterr().out
    assert "Performance Analysis" in out
    assert "Team: review_team" in out
    assert "Severity: [" in out
    assert "Suboptimal formation sequential" in out


def test_analyze_json_for_one_team(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    target = tmp_path / "report.json"
    code = main(
        [
            "analyze",
            "--repo",
            str(DEMO),
            "--team-id",
            "review_team",
            "--format",
            "json",
            "--output",
            str(target),
        ]
    )
    assert code == 0
    printed = json.loads(capsys.readouterr().out)
    assert printed == json.loads(target.read_text())
    assert printed["schema_version"] == 1
    assert [t["team_id"] for t in printed["teams"]] == ["review_team"]
    assert printed["workflows"] == []
    kinds = {i["bottleneck"] for i in printed["teams"][0]["insights"]}
    assert "suboptimal_formation_sequential" in kinds
    members = {m["member_id"] for m in printed["teams"][0]["profile"]["members"]}
    assert members == {"security", "performance", "style", "docs"}


def test_metrics_flag_reads_only_that_file(capsys: pytest.CaptureFixture[str]) -> None:
    metrics = DEMO / "metrics" / "teams" / "review_team.json"
    assert (
        main(["analyze", "--repo", str(DEMO), "--metrics", str(metrics), "--format", "json"]) == 0
    )
    printed = json.loads(capsys.readouterr().out)
    assert printed["inputs"]["files_read"] == ["metrics/teams/review_team.json"]
    # no workflow file was read, so the formation check says why it could not run
    review = printed["teams"][0]
    reasons = {u["analysis"]: u["reason"] for u in review["unsupported"]}
    assert "not found in any workflow" in reasons["suboptimal_formation"]


def test_unknown_team_is_a_one_line_error(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["analyze", "--repo", str(DEMO), "--team-id", "nope"]) == 2
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0
    assert "--team-id" in err
    assert "nope" in err
    assert "review_team" in err


def test_bad_workflow_is_reported_and_others_processed(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    repo = tmp_path / "repo"
    shutil.copytree(DEMO, repo)
    (repo / "workflows" / "broken.yaml").write_text("workflows:\n  x: [unclosed\n")
    assert main(["analyze", "--repo", str(repo)]) == 1
    captured = capsys.readouterr()
    assert "Team: review_team" in captured.out
    assert "workflows/broken.yaml:" in captured.err


def test_bad_settings_name_file_line_and_key(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / ".autotune.yml").write_text("version: 1\nanalysis:\n  min_sampels: 3\n")
    assert main(["validate", "--repo", str(tmp_path)]) == 1
    err = capsys.readouterr().err
    assert ".autotune.yml:3: analysis.min_sampels" in err
    assert "min_samples" in err
    assert main(["analyze", "--repo", str(tmp_path)]) == 2


def test_validate_ok_on_demo(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["validate", "--repo", str(DEMO)]) == 0
    assert "3 of 3 ok" in capsys.readouterr().out


def test_schema_is_json_schema(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["schema"]) == 0
    schema = json.loads(capsys.readouterr().out)
    assert "analysis" in schema["properties"]
    assert schema["title"]


def test_python_api_performance_analyzer() -> None:
    from autotune_bot import PerformanceAnalyzer, Settings

    metrics = DEMO / "metrics" / "teams" / "research_team.jsonl"
    alone = PerformanceAnalyzer()
    alone.load_metrics_from_file(metrics)
    insights = alone.analyze_team_workflow(team_id="research_team")
    # one team, no history, no declared rate: nothing to compare its success rate with
    assert {i.bottleneck for i in insights} == {"high_latency_outliers"}
    reasons = {u.analysis for u in alone.analyze().teams[0].unsupported}
    assert "low_success_rate" in reasons

    constrained = PerformanceAnalyzer(
        Settings.model_validate({"constraints": {"min_success_rate": 0.85}})
    )
    constrained.load_metrics_from_file(metrics)
    found = constrained.analyze_team_workflow(team_id="research_team")
    assert {i.bottleneck for i in found} == {"high_latency_outliers", "low_success_rate"}
    assert all(0.0 <= i.severity <= 1.0 for i in found)


def test_analyze_with_metrics_imports_no_heavy_modules(tmp_path: Path) -> None:
    import subprocess
    import sys

    metrics = DEMO / "metrics" / "teams" / "review_team.json"
    script = (
        "import sys\n"
        "from autotune_bot.cli import main\n"
        f"code = main(['analyze', '--repo', {str(tmp_path)!r}, '--metrics', {str(metrics)!r},"
        " '--format', 'json'])\n"
        "heavy = sorted(m for m in ('scipy', 'github', 'git', 'ruamel.yaml') if m in sys.modules)\n"
        "print('HEAVY', heavy, code, file=sys.stderr)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True
    )
    assert "HEAVY [] 0" in done.stderr


def test_workflow_flag_selects_its_teams_and_shows_nodes(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert (
        main(["analyze", "--repo", str(DEMO), "--workflow", "deep_research", "--format", "json"])
        == 0
    )
    printed = json.loads(capsys.readouterr().out)
    assert [t["team_id"] for t in printed["teams"]] == ["research_team"]
    assert [w["name"] for w in printed["workflows"]] == ["deep_research"]
    assert main(["analyze", "--repo", str(DEMO), "--workflow", "deep_research"]) == 0
    text = capsys.readouterr().out
    assert "tokens in/out" in text
    assert "legacy_enrich" in text


def test_two_core_command_equals_one_process(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from autotune_bot.metrics import parallel

    metrics = DEMO / "metrics" / "teams" / "review_team.json"
    args = ["analyze", "--repo", str(DEMO), "--metrics", str(metrics), "--format", "json"]
    monkeypatch.setattr(parallel, "ENABLED", False)
    assert main(args) == 0
    one_process = capsys.readouterr().out
    monkeypatch.setattr(parallel, "ENABLED", True)
    monkeypatch.setattr(parallel, "MIN_PARALLEL_BYTES", 1)
    started: list[bool] = []
    real_start = parallel.start

    def watched(*a: object, **k: object) -> object:
        pending = real_start(*a, **k)  # type: ignore[arg-type]
        started.append(pending is not None)
        return pending

    monkeypatch.setattr(parallel, "start", watched)
    assert main(args) == 0
    assert started == [True]
    # the demo file has dirty records: the split must fall back and give the same report
    assert capsys.readouterr().out == one_process
