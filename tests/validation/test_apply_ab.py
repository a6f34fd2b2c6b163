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


# A runner whose parallel formation hits a provider rate limit: side by side the members wait
# for each other's quota, so parallel runs take 1.5 × as long as sequential ones (log-normal
# noise, sigma 0.15, seeded by arm and trial). The performance model, which replays the
# recorded traces, predicts the opposite: only real runs can show the change is a regression.
THROTTLED = """\
import json, math, os, random, re, sys
text = open(sys.argv[1], encoding="utf-8").read()
found = re.search(r"^\\s*team_formation:\\s*(\\w+)", text, re.MULTILINE)
base = {"sequential": 2.0, "parallel": 3.0}[found.group(1)]
rng = random.Random(os.environ["AUTOTUNE_ARM"] + "/" + os.environ["AUTOTUNE_TRIAL"])
record = {"duration_seconds": base * math.exp(rng.gauss(0.0, 0.15)), "success": True}
with open(os.environ["AUTOTUNE_RESULT"], "w", encoding="utf-8") as out:
    json.dump(record, out)
"""


def test_a_change_the_runs_show_worse_is_not_applied(tmp_path: Path) -> None:
    repo = make_repo(tmp_path)
    runner = tmp_path / "throttled_runner.py"
    runner.write_text(THROTTLED, encoding="utf-8")
    command = json.dumps([sys.executable, "-S", str(runner), "{workflow}"])
    with (repo / ".autotune.yml").open("a", encoding="utf-8") as out:
        out.write(f"\nab_test:\n  command: {command}\n  runs_per_arm: 12\n")
    before = snapshot(repo)
    code, out, err = _apply(repo, "--team-id", "review_team")
    assert code == 0, err
    assert "+        team_formation: parallel\n" in out  # what was proposed
    assert "workflows/code_review.yaml: A/B failed: not applied" in out
    assert "Nothing applied: no change passed its A/B test." in out
    assert snapshot(repo) == before  # neither the workflow nor the history changed
