"""`autotune apply --auto --ab-test` on the example repository: each file's change is run for
real (a simulator script standing in for the workflow runner) and only what passes is applied,
with the measured result in the history."""

from __future__ import annotations

import contextlib
import io
import json
import sys
from pathlib import Path

from autotune_bot.cli import main
from tests.repo_helpers import ROOT, changed, make_repo, snapshot

SIMULATOR = ROOT / "tests" / "data" / "ab" / "simulate_run.py"
HISTORY = ".autotune/history.jsonl"


def _repo(tmp_path: Path, ab: str = "") -> Path:
    repo = make_repo(tmp_path)
    command = json.dumps([sys.executable, "-S", str(SIMULATOR), "{workflow}"])
    with (repo / ".autotune.yml").open("a", encoding="utf-8") as out:
        out.write(f"\nab_test:\n  command: {command}\n  runs_per_arm: 12\n{ab}")
    return repo


def _apply(repo: Path, *more: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(["apply", "--repo", str(repo), "--auto", "--ab-test", *more])
    return code, out.getvalue(), err.getvalue()


def test_only_the_change_that_passes_is_applied(tmp_path: Path) -> None:
    repo = _repo(tmp_path)
    before = snapshot(repo)
    code, out, err = _apply(repo)
    assert code == 0, err
    # code_review: sequential → parallel, 40 % faster in the simulator: passes.
    # research: its consensus team keeps its formation, so the simulator sees no change.
    assert "workflows/code_review.yaml: A/B passed: applied" in out
    assert "workflows/research.yaml: A/B inconclusive: not applied" in out
    assert changed(before, snapshot(repo)) == {"workflows/code_review.yaml", HISTORY}
    assert "team_formation: parallel" in (repo / "workflows/code_review.yaml").read_text()
    entries = [json.loads(line) for line in (repo / HISTORY).read_text().splitlines()]
    assert len(entries) == 1
    entry = entries[0]
    assert entry["validation_status"] == "passed"
    assert entry["evidence"] == {
        "label": "measured",
        "basis": ["measured comparison of duration: 12 vs 12 runs"],
    }
    ratio = entry["validation"]["metrics"][0]["ratio"]
    assert 0.5 < ratio < 0.75  # the simulator's true ratio is 0.6
    assert abs(entry["improvement_percentage"] - (1 - ratio) * 100) < 1e-3
    assert entry["validation"]["status"] == "passed"
    assert entry["validation"]["metrics"][0]["n_control"] == 12
    assert "Estimates are simulated" not in out


def test_dry_run_runs_nothing_and_says_so(tmp_path: Path) -> None:
    repo = _repo(tmp_path)
    before = snapshot(repo)
    code, out, err = _apply(repo, "--dry-run")
    assert code == 0
    assert "A/B test not run (dry run)" in out
    assert "dry_run" in out
    assert "A/B runs" not in err
    assert snapshot(repo) == before


def test_a_spent_run_budget_leaves_the_next_file_untested(tmp_path: Path) -> None:
    repo = _repo(tmp_path, "  max_total_runs: 24\n")
    before = snapshot(repo)
    code, out, _ = _apply(repo)
    assert code == 0
    assert "workflows/code_review.yaml: A/B passed: applied" in out
    assert (
        "workflows/research.yaml: not tested: the A/B budget of this invocation is spent "
        "(ab_test.max_total_runs 24)" in out
    )
    assert changed(before, snapshot(repo)) == {"workflows/code_review.yaml", HISTORY}


def test_a_command_that_cannot_start_changes_nothing(tmp_path: Path) -> None:
    repo = make_repo(tmp_path)
    with (repo / ".autotune.yml").open("a", encoding="utf-8") as out:
        out.write("\nab_test:\n  command: no-such-runner-xyz {workflow}\n  runs_per_arm: 3\n")
    before = snapshot(repo)
    code, _, err = _apply(repo)
    assert code == 2
    assert "ab_test.command: cannot start 'no-such-runner-xyz'" in err
    assert snapshot(repo) == before
