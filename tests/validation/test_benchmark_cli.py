"""`autotune benchmark` end to end: the benchmark command is a real process (a small script
simulating a workflow whose duration follows its team formation, so the effect is known)."""

from __future__ import annotations

import contextlib
import io
import json
import math
import shlex
import shutil
import sys
from collections import Counter
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


def _demo_with_one_metrics_file(tmp_path: Path) -> tuple[Path, Path]:
    """The demo repository with only the review team's own metrics file."""
    repo = Path(shutil.copytree(DEMO, tmp_path / "demo"))
    shutil.rmtree(repo / "metrics" / "runs")
    (repo / "metrics" / "teams" / "research_team.jsonl").unlink()
    return repo, repo / "metrics" / "teams" / "review_team.json"


def _count_by_configuration(metrics: Path) -> tuple[Counter[str], Counter[str]]:
    """Straight from the file: per git_sha, the review_team records with a boolean outcome
    and a positive duration, and those with an outcome but no usable duration."""
    timed: Counter[str] = Counter()
    untimed: Counter[str] = Counter()
    for record in json.loads(metrics.read_text(encoding="utf-8")):
        if not isinstance(record, dict) or record.get("team_id") != "review_team":
            continue
        if not isinstance(record.get("success"), bool):
            continue
        duration = record.get("duration_seconds")
        ok = isinstance(duration, int | float) and math.isfinite(duration) and duration > 0
        (timed if ok else untimed)[record["git_sha"]] += 1
    return timed, untimed


def test_recorded_comparison_on_the_demo_is_labelled_recorded(tmp_path: Path) -> None:
    repo, metrics = _demo_with_one_metrics_file(tmp_path)
    code, out, _ = _run(
        "benchmark", "--repo", str(repo), "--recorded", "--target", "review_team",
        "--list-configs",
    )  # fmt: skip
    assert code == 0
    configs = [line.split("\t")[0] for line in out.splitlines()]
    assert len(configs) == 2
    before, after = configs
    code, out, _ = _run(
        "benchmark", "--repo", str(repo), "--recorded", "--target", "review_team",
        "--before-config", before, "--after-config", after, "--format", "json",
    )  # fmt: skip
    assert code == 0
    result = json.loads(out)
    assert result["evidence"] == "recorded"
    assert any("review_team" in r for r in result["reasons"])
    timed, untimed = _count_by_configuration(metrics)
    assert set(timed) == {before, after}
    duration = next(m for m in result["metrics"] if m["metric"] == "duration")
    assert (duration["n_control"], duration["n_variant"]) == (timed[before], timed[after])
    success = result["success"]
    assert (success["n_control"], success["n_variant"]) == (timed[before], timed[after])
    # the records with an outcome but no usable duration are said, per arm
    for arm, name in (("control", before), ("variant", after)):
        said = [
            n for n in result["run_notes"] if n.startswith(f"{arm}: ") and "no usable duration" in n
        ]
        if untimed[name]:
            assert said[0].startswith(f"{arm}: {untimed[name]} recorded run(s) with an outcome")
        else:
            assert said == []
    assert sum(untimed.values()) > 0  # the demo has one: the test can see the note


def test_dry_run_prints_commands_a_shell_reads_back_as_the_argv(tmp_path: Path) -> None:
    repo = _repo(tmp_path, runs=2)
    cmd = json.dumps([sys.executable, "-S", str(SIMULATOR), "{workflow}", "--task", "{input}"])
    (repo / ".autotune.yml").write_text(
        f"ab_test:\n  command: {cmd}\n  runs_per_arm: 2\n", encoding="utf-8"
    )
    argv = [
        "benchmark", "--repo", str(repo), "--before", str(repo / "sequential.yaml"),
        "--after", str(repo / "parallel.yaml"), "--dry-run", "--input", "two words; $(rm -rf x)",
    ]  # fmt: skip
    code, text, _ = _run(*argv)
    assert code == 0
    code, out, _ = _run(*argv, "--format", "json")
    assert code == 0
    runs = json.loads(out)["runs"]
    printed = [line for line in text.splitlines() if line.startswith("  ")]
    assert len(printed) == len(runs) == 4
    for line, run in zip(printed, runs, strict=True):
        trial, arm, command = line.split(maxsplit=2)
        assert (int(trial), arm) == (run["trial"], run["arm"])
        assert shlex.split(command) == run["argv"]
        assert run["argv"][-1] == "two words; $(rm -rf x)"
    assert "'two words; $(rm -rf x)'" in text


def test_records_that_cannot_be_used_are_said_in_the_table_and_json(tmp_path: Path) -> None:
    repo = _repo(tmp_path, runs=3)
    script = tmp_path / "bad_records.py"
    script.write_text(
        "import json, os\n"
        "if os.environ['AUTOTUNE_ARM'] == 'control':\n"
        "    with open(os.environ['AUTOTUNE_RESULT'], 'w') as out:\n"
        "        json.dump({'duraton_seconds': 5, 'success': True}, out)\n"
        "else:\n"
        "    print(json.dumps({'duration_seconds': 'abc'}))\n",
        encoding="utf-8",
    )
    cmd = json.dumps([sys.executable, "-S", str(script), "{workflow}"])
    (repo / ".autotune.yml").write_text(
        f"ab_test:\n  command: {cmd}\n  runs_per_arm: 3\n", encoding="utf-8"
    )
    flags = ["--before", str(repo / "sequential.yaml"), "--after", str(repo / "parallel.yaml")]
    code, text, _ = _run("benchmark", "--repo", str(repo), *flags)
    assert code == 0
    code, out, _ = _run("benchmark", "--repo", str(repo), *flags, "--format", "json")
    assert code == 0
    notes = json.loads(out)["run_notes"]
    control = (
        "control: 3 runs' records were not used (AUTOTUNE_RESULT: no team_id, run_id, "
        "node_metrics, duration or workflow_run: not a run record); their wall time counts"
    )
    assert control in notes
    (variant,) = [n for n in notes if n.startswith("variant: 3 runs' records were not used")]
    assert "(last stdout line: bad field: " in variant
    assert variant.endswith("; their wall time counts")
    assert control in text
    assert variant in text
