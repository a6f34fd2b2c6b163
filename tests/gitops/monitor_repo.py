"""A real git repository for the local-forge monitoring tests: the example with monitoring
configured, `autotune run`'s proposal merged with a real merge commit at a fixed time, and runs
recorded after the merge (resampled from the example's own, slowed by a planted factor)."""

from __future__ import annotations

import contextlib
import io
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from autotune_bot.cli import main
from tests.gitops.example_files import FILES
from tests.gitops.monitor_data import post_merge_records, write_records
from tests.repo_helpers import git

BRANCH = "autotune/code_review/review_team"
DRAFT = "autotune__code_review__review_team.md"
REVERT = "autotune/revert/autotune__code_review__review_team"
MERGED_AT = datetime(2026, 11, 1, 12, 0, tzinfo=UTC)
MONITORED_AT = MERGED_AT + timedelta(days=30)  # after every run recorded after the merge
SETTINGS = "\nmonitoring: {horizon_runs: 40, min_runs: 30}\n"


def run_cli(repo: Path, *args: str) -> tuple[int, dict[str, object]]:
    """``autotune <args> --forge local --format json`` in-process: exit code and JSON report."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main([*args, "--repo", str(repo), "--forge", "local", "--format", "json"])
    assert not err.getvalue().strip() or code != 0, err.getvalue()
    return code, json.loads(out.getvalue())


def merged_repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The example at ``tmp_path/repo``; `autotune run`'s proposal merged at ``MERGED_AT``."""
    repo = tmp_path / "repo"
    for name, text in FILES.items():
        path = repo / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text + (SETTINGS if name == ".autotune.yml" else ""), encoding="utf-8")
    git(repo, "init", "-q", "-b", "main")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "example")
    code, _ = run_cli(repo, "run")
    assert code == 0
    assert git(repo, "rev-parse", "--verify", "-q", BRANCH).strip()
    stamp = MERGED_AT.strftime("%Y-%m-%dT%H:%M:%S+00:00")
    monkeypatch.setenv("GIT_COMMITTER_DATE", stamp)
    monkeypatch.setenv("GIT_AUTHOR_DATE", stamp)
    git(repo, "merge", "--no-ff", "-q", "-m", "Merge the autotune proposal", BRANCH)
    monkeypatch.delenv("GIT_COMMITTER_DATE")
    monkeypatch.delenv("GIT_AUTHOR_DATE")
    return repo


def post_merge(repo: Path, slowdown: float, runs: int = 36, seed: int = 20261101) -> None:
    """``runs`` runs after the merge under its configuration, durations times ``slowdown``."""
    merge = git(repo, "rev-parse", "HEAD").strip()
    records = post_merge_records(
        repo / "metrics/teams/review_team.json",
        after=MERGED_AT,
        runs=runs,
        slowdown=slowdown,
        seed=seed,
        config=merge,
    )
    write_records(repo / "metrics/teams/review_team_after.json", records)


def branch_refs(repo: Path) -> dict[str, str]:
    """Every local branch and the commit it points at."""
    out = git(repo, "for-each-ref", "--format=%(refname:short) %(objectname)", "refs/heads/")
    return dict(line.split() for line in out.splitlines())
