"""A change rolled back on request while it was still watched (``holding``) holds its key
back only until the revert is merged: after that the change is undone, so a new proposal of
the target may open (its status stays as it was when the revert was merged)."""

from __future__ import annotations

from pathlib import Path

import pytest

from autotune_bot.forge.local import LocalForge
from autotune_bot.gitops.monitor_cycle import MonitorOptions, run_monitor
from tests.gitops.monitor_repo import DRAFT, MONITORED_AT, REVERT, merged_repo, post_merge
from tests.repo_helpers import git

KEY = "code_review/review_team"


def test_a_merged_revert_of_a_holding_change_releases_its_key(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    repo = merged_repo(tmp_path, monkeypatch)
    post_merge(repo, slowdown=1.0, runs=5)
    forge = LocalForge(repo)
    now = MONITORED_AT
    asked = run_monitor(MonitorOptions(repo, now, only_ref=DRAFT, requested_by="maint"), forge)
    assert [d.action for d in asked.done] == ["opened", "commented"]
    watching = run_monitor(MonitorOptions(repo, now), forge)
    assert [w.outcome for w in watching.watched] == ["holding"]
    assert KEY in watching.held  # the revert is only proposed: still watched
    git(repo, "merge", "--no-ff", "-q", "-m", "Merge the revert", REVERT)
    after = run_monitor(MonitorOptions(repo, now), forge)
    (watched,) = after.watched
    assert watched.revert is not None
    assert after.held == {}
