"""A merged local draft kept aside (renamed) when a new proposal of its branch opens keeps
its monitoring status: the next `autotune monitor` finds the status comment that moved with
it and writes nothing, instead of judging it again in a second comment."""

from __future__ import annotations

from pathlib import Path

import pytest

from autotune_bot.forge.local import LocalForge
from autotune_bot.gitops.commit_files import commit_files
from autotune_bot.gitops.git import GitIdentity
from autotune_bot.gitops.git_refs import update_branch
from autotune_bot.gitops.marker import render_marker
from autotune_bot.gitops.monitor_cycle import MonitorOptions, run_monitor
from autotune_bot.gitops.types import Proposal
from autotune_bot.monitor.status import parse_status
from tests.gitops.monitor_repo import BRANCH, DRAFT, MONITORED_AT, merged_repo, post_merge
from tests.repo_helpers import git

BOT = GitIdentity("autotune-bot", "autotune-bot@users.noreply.github.com")


def test_kept_merged_draft_keeps_its_final_status(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    repo = merged_repo(tmp_path, monkeypatch)
    post_merge(repo, slowdown=1.0, runs=40)
    forge = LocalForge(repo)
    now = MONITORED_AT
    first = run_monitor(MonitorOptions(repo, now), forge)
    assert [w.outcome for w in first.watched] == ["confirmed"]
    (merged,) = [p for p in forge.list_proposals() if p.state == "merged"]
    # confirmed: the next proposal of the same target moves the branch and takes the draft name
    head = git(repo, "rev-parse", BRANCH).strip()
    files = {"README.md": "tuned again\n"}
    sha = commit_files(repo, git(repo, "rev-parse", "main").strip(), files, "again", BOT)
    update_branch(repo, BRANCH, sha, head)
    meta = {**merged.metadata, "evidence_key": "newer"}
    again = Proposal(
        key=merged.key,
        branch=BRANCH,
        files=files,
        diff="",
        title="again",
        body=f"again\n\n{render_marker(meta)}\n",
        evidence_key="newer",
        validation_status="not_validated",
    )
    assert forge.open_proposal(again, "main").ref == DRAFT
    (kept,) = [p for p in forge.list_proposals() if p.state == "merged"]
    assert kept.ref != DRAFT
    comments = forge.list_comments(kept.ref)
    assert len(comments) == 1
    second = run_monitor(MonitorOptions(repo, now), forge)
    assert second.done == []
    assert [(w.ref, w.outcome) for w in second.watched] == [(kept.ref, "confirmed")]
    assert forge.list_comments(kept.ref) == comments
    status = parse_status(comments[0].body)
    assert status is not None
    assert status.outcome == "confirmed"
