"""`autotune benchmark` end to end: the benchmark command is a real process (a small script
simulating a workflow whose duration follows its team formation, so the effect is known)."""

from __future__ import annotations

import contextlib
import io
import json
import sys
from pathlib import Path

import pytest

from autotune_bot.cli import main

ROOT = Path(__file__).resolve().parents[2]
SIMULATOR = ROOT / "tests" / "data" / "ab" / "simulate_run.py"
WORKFLOW = ROOT / "examples" / "demo-repo" / "workflows" / "code_review.yaml"
DEMO = ROOT / "examples" / "demo-repo"


def _repo(tmp_path: Path, *, runs: int = 12, extra: str = "") -> Path:
    text = WORKFLOW.read_text(encoding="utf-8")
    assert "team_formation: sequential" in text
    for name, formation in (
        ("sequential", "sequential"),
        ("parallel", "parallel"),
        ("hierarchical", "hierarchical"),
    ):
        (tmp_path / f"{name}.yaml").write_text(
            text.replace("team_formation: sequential", f"team_formation: {formation}"),
            encoding="utf-8",
        )
    command = json.dumps([sys.executable, "-S", str(SIMULATOR), "{workflow}"])
    (tmp_path / ".autotune.yml").write_text(
        f"ab_test:\n  command: {command}\n  runs_per_arm: {runs}\n{extra}", encoding="utf-8"
    )
    return tmp_path


def _run(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(list(argv))
    return code, out.getvalue(), err.getvalue()


def _json(repo: Path, before: str, after: str, *more: str) -> dict[str, object]:
    code, out, _ = _run(
        "benchmark",
        "--repo",
        str(repo),
        "--before",
        str(repo / before),
        "--after",
        str(repo / after),
        "--format",
        "json",
        *more,
    )
    assert code == 0
    result: dict[str, object] = json.loads(out)
    return result


@pytest.mark.parametrize(
    ("after", "status"),
    [("parallel.yaml", "passed"), ("hierarchical.yaml", "failed"), ("sequential.yaml", None)],
)
def test_real_runs_give_the_true_verdict(tmp_path: Path, after: str, status: str | None) -> None:
    repo = _repo(tmp_path)
    result = _json(repo, "sequential.yaml", after)
    assert result["evidence"] == "measured"
    if status is None:  # no change: neither a pass nor a failure may be claimed
        assert result["status"] == "inconclusive"
    else:
        assert result["status"] == status


def test_forty_percent_improvement_is_estimated_with_an_interval(tmp_path: Path) -> None:
    repo = _repo(tmp_path)
    code, out, err = _run(
        "benchmark", "--repo", str(repo), "--before", str(repo / "sequential.yaml"),
        "--after", str(repo / "parallel.yaml"),
    )  # fmt: skip
    assert code == 0
    assert "PASSED" in out
    assert "measured" in out
    assert "12/12" in out  # n per arm
    assert "A/B runs 24/24" in err  # progress on stderr
    data = _json(repo, "sequential.yaml", "parallel.yaml")
    duration = next(m for m in data["metrics"] if m["metric"] == "duration")  # type: ignore[attr-defined]
    interval = duration["interval"]
    assert interval["low"] < 0.6 < interval["high"]  # the simulator's true ratio is 1.2 / 2.0


def test_paired_runs_with_inputs(tmp_path: Path) -> None:
    repo = _repo(tmp_path)
    cmd = json.dumps([sys.executable, "-S", str(SIMULATOR), "{workflow}", "{input}"])
    (repo / ".autotune.yml").write_text(
        f"ab_test:\n  command: {cmd}\n  runs_per_arm: 10\n  inputs: [a, b, c, d, e]\n",
        encoding="utf-8",
    )
    result = _json(repo, "sequential.yaml", "parallel.yaml")
    assert result["paired"] is True
    assert result["status"] == "passed"


def test_dry_run_runs_nothing(tmp_path: Path) -> None:
    repo = _repo(tmp_path, runs=3)
    code, out, err = _run(
        "benchmark", "--repo", str(repo), "--before", str(repo / "sequential.yaml"),
        "--after", str(repo / "parallel.yaml"), "--dry-run",
    )  # fmt: skip
    assert code == 0
    assert "6 runs would be made" in out
    assert "<copy of" in out
    assert err == ""  # no progress: nothing ran


def test_flags_override_settings_and_bad_values_name_the_flag(tmp_path: Path) -> None:
    repo = _repo(tmp_path, runs=3)
    result = _json(repo, "sequential.yaml", "parallel.yaml", "--runs", "5", "--method", "rank")
    assert result["method"] == "rank"
    assert [m["n_control"] for m in result["metrics"]] == [5, 5]  # type: ignore[attr-defined]
    code, _, err = _run(
        "benchmark", "--repo", str(repo), "--before", str(repo / "sequential.yaml"),
        "--after", str(repo / "parallel.yaml"), "--runs", "500",
    )  # fmt: skip
    assert code == 2
    assert err.startswith("autotune: error: --runs: ")
    code, _, err = _run("benchmark", "--repo", str(repo), "--before", str(repo / "nope.yaml"))
    assert code == 2
    assert "--before" in err


def test_recorded_comparison_on_the_demo_is_labelled_recorded(tmp_path: Path) -> None:
    code, out, _ = _run(
        "benchmark", "--repo", str(DEMO), "--recorded", "--target", "review_team",
        "--list-configs",
    )  # fmt: skip
    assert code == 0
    configs = [line.split("\t")[0] for line in out.splitlines()]
    assert len(configs) == 2
    code, out, _ = _run(
        "benchmark", "--repo", str(DEMO), "--recorded", "--target", "review_team",
        "--before-config", configs[0], "--after-config", configs[1], "--format", "json",
    )  # fmt: skip
    assert code == 0
    result = json.loads(out)
    assert result["evidence"] == "recorded"
    assert result["status"] in ("passed", "failed", "inconclusive")
    assert any("review_team" in r for r in result["reasons"])
