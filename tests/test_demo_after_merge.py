"""``scripts/demo after-merge``: the demo's whole loop, from proposal to merge to revert.

The script runs on a scratch copy in a temporary ``AUTOTUNE_DEMO_DIR`` with the package already
installed in ``.venv`` (``AUTOTUNE_DEMO_SKIP_INSTALL=1``); the scratch repository is then read
back with git. The simulated runs come from ``examples/after_merge_runs.py``, also checked here
on its own: seeded, shaped like the team's records, and as slow as asked.
"""

from __future__ import annotations

import importlib.util
import json
import os
import shutil
import statistics
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from autotune_bot.gitops.marker import parse_marker
from autotune_bot.monitor.decide import MonitorConfig
from autotune_bot.monitor.status import StatusRecord, parse_status

ROOT = Path(__file__).resolve().parents[1]
DEMO_SCRIPT = ROOT / "scripts" / "demo"
GENERATOR = ROOT / "examples" / "after_merge_runs.py"
TEAM_FILE = ROOT / "examples" / "demo-repo" / "metrics" / "teams" / "review_team.json"
PROPOSAL = "autotune/code_review/review_team"
WORKFLOW = "workflows/code_review.yaml"
AFTER = "metrics/teams/review_team-after-merge.json"

pytestmark = pytest.mark.skipif(
    not (ROOT / ".venv" / "bin" / "autotune").exists() or shutil.which("git") is None,
    reason="needs the package installed in .venv (scripts/bootstrap) and git",
)


def git(repo: Path, *args: str) -> str:
    done = subprocess.run(["git", *args], cwd=repo, capture_output=True, text=True, check=True)
    return done.stdout


def _generator() -> ModuleType:
    spec = importlib.util.spec_from_file_location("after_merge_runs", GENERATOR)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def _run_demo(where: Path, *flags: str) -> tuple[Path, str]:
    env = {**os.environ, "AUTOTUNE_DEMO_DIR": str(where), "AUTOTUNE_DEMO_SKIP_INSTALL": "1"}
    env.pop("GITHUB_ACTIONS", None)
    done = subprocess.run(
        [str(DEMO_SCRIPT), "after-merge", *flags],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    return where / "demo-repo", done.stdout


def _merge(repo: Path) -> tuple[str, str, str]:
    """The merge commit on main and its two parents."""
    sha, first, second = git(repo, "log", "--merges", "-1", "--format=%H %P", "main").split()
    return sha, first, second


def _status(repo: Path) -> StatusRecord:
    comments = sorted((repo / ".autotune" / "outbox").glob("*.comments/*.json"))
    assert len(comments) == 1, comments
    body = json.loads(comments[0].read_text(encoding="utf-8"))["body"]
    status = parse_status(body)
    assert status is not None, body
    assert f"**{status.outcome}**" in body
    return status


def _revert_branches(repo: Path) -> list[str]:
    listed = git(repo, "branch", "--list", "autotune/revert/*", "--format=%(refname:short)")
    return listed.split()


@pytest.fixture(scope="module")
def regressed(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    return _run_demo(tmp_path_factory.mktemp("after-merge"))


@pytest.fixture(scope="module")
def unchanged(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    return _run_demo(tmp_path_factory.mktemp("after-merge-no-change"), "--no-change")


def test_the_proposal_is_merged_and_the_simulated_runs_committed_on_main(
    regressed: tuple[Path, str],
) -> None:
    repo, _ = regressed
    merge, before, proposal = _merge(repo)
    assert proposal == git(repo, "rev-parse", PROPOSAL).strip()
    assert git(repo, "rev-parse", "main^").strip() == merge
    assert git(repo, "show", "--format=", "--name-only", "main").split() == [AFTER]
    runs = json.loads((repo / AFTER).read_text(encoding="utf-8"))
    merged_at = datetime.fromisoformat(git(repo, "log", "-1", "--format=%cI", merge).strip())
    assert runs
    assert {r["git_sha"] for r in runs} == {merge}
    assert all(datetime.fromisoformat(r["start_time"]) > merged_at for r in runs)
    assert git(repo, "show", f"{before}:{WORKFLOW}") != git(repo, "show", f"{merge}:{WORKFLOW}")


def test_a_slowdown_gets_one_revert_branch_that_undoes_the_merge(
    regressed: tuple[Path, str],
) -> None:
    repo, out = regressed
    merge, before, _ = _merge(repo)
    branches = _revert_branches(repo)
    assert len(branches) == 1, branches
    revert = branches[0]
    assert git(repo, "rev-parse", f"{revert}^").strip() == git(repo, "rev-parse", "main").strip()
    assert git(repo, "show", f"{revert}:{WORKFLOW}") == git(repo, "show", f"{before}:{WORKFLOW}")
    assert merge in git(repo, "log", "-1", "--format=%B", revert)
    assert f"Revert branch {revert} (git show --stat):" in out
    assert WORKFLOW in out.split(f"Revert branch {revert}")[1]

    drafts = sorted((repo / ".autotune" / "outbox").glob("autotune__revert__*.md"))
    assert len(drafts) == 1, drafts
    meta = parse_marker(drafts[0].read_text(encoding="utf-8"))
    assert meta is not None
    assert meta["kind"] == "revert"
    assert meta["branch"] == revert
    assert meta["reverts"]["merge_sha"] == merge
    assert f"Revert pull request draft: .autotune/outbox/{drafts[0].name}" in out

    status = _status(repo)
    assert status.outcome == "regressed"
    assert status.merge_sha == merge
    assert status.revert is not None
    assert status.revert.ref == drafts[0].stem + ".md"
    assert "**regressed**" in out


def test_no_change_is_confirmed_after_the_horizon_without_a_revert(
    unchanged: tuple[Path, str],
) -> None:
    repo, out = unchanged
    assert _revert_branches(repo) == []
    assert not list((repo / ".autotune" / "outbox").glob("autotune__revert__*.md"))
    status = _status(repo)
    horizon = MonitorConfig().horizon
    assert status.outcome == "confirmed"
    assert status.post_runs == horizon
    assert status.revert is None
    assert "Revert branches: (none)" in out


def test_the_generator_is_seeded_and_scales_the_baseline_durations() -> None:
    gen = _generator()
    records = gen.load_records(TEAM_FILE)
    merged_at = datetime(2026, 11, 1, 9, tzinfo=UTC)
    base = gen.baseline(records, merged_at, 200)
    members = ["security", "performance", "style"]

    def runs(factor: float, seed: int) -> list[dict[str, Any]]:
        return list(
            gen.simulate(
                base,
                merged_at=merged_at,
                git_sha="c" * 40,
                formation="parallel",
                members=members,
                factor=factor,
                count=400,
                seed=seed,
            )
        )

    slow = runs(2.0, gen.SEED)
    assert slow == runs(2.0, gen.SEED)
    assert slow != runs(2.0, gen.SEED + 1)
    assert all(set(r) >= set(base[-1]) - {"error_type"} for r in slow)
    assert all(list(r["member_metrics"]) == members for r in slow)
    typical = statistics.median(r["duration_seconds"] for r in base)
    for factor, sample in ((2.0, slow), (1.0, runs(1.0, gen.SEED))):
        ratio = statistics.median(r["duration_seconds"] for r in sample) / typical
        assert ratio == pytest.approx(factor, rel=0.1)


def test_the_merge_is_dated_after_the_newest_recorded_run() -> None:
    gen = _generator()
    records = gen.load_records(TEAM_FILE)
    newest = max(
        datetime.fromisoformat(r["start_time"]) + timedelta(seconds=r["duration_seconds"])
        for r in records
    )
    early = gen.merge_time(records, datetime(2020, 1, 1, tzinfo=UTC))
    assert newest < early
    late = datetime(2030, 1, 1, tzinfo=UTC)
    assert gen.merge_time(records, late) == late
