"""`autotune monitor` with the local forge, end to end on a real git repository: a proposal is
merged with a real merge commit, runs recorded after the merge are twice as slow, and the
monitor opens exactly one revert (a real revert of the merge plus one history entry); a rerun
does nothing; runs as fast as before open nothing."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from autotune_bot.forge.local import LocalForge
from autotune_bot.gitops.marker import parse_marker
from autotune_bot.gitops.monitor_cycle import MonitorOptions, run_monitor
from autotune_bot.monitor.status import parse_status
from tests.gitops.monitor_repo import (
    DRAFT,
    MONITORED_AT,
    REVERT,
    branch_refs,
    merged_repo,
    post_merge,
    run_cli,
)
from tests.repo_helpers import git


def test_planted_slowdown_opens_exactly_one_revert(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    repo = merged_repo(tmp_path, monkeypatch)
    merge = git(repo, "rev-parse", "HEAD").strip()
    post_merge(repo, slowdown=2.0)
    code, report = run_cli(repo, "monitor")
    assert code == 0, report
    assert [(d["action"], d["ref"]) for d in report["done"]] == [  # type: ignore[index]
        ("opened", DRAFT),
        ("commented", DRAFT),
    ]
    assert report["watched"][0]["outcome"] == "regressed"  # type: ignore[index]
    # the revert branch: one bot commit on main that undoes the merge and appends history
    assert git(repo, "rev-list", "--count", f"main..{REVERT}").strip() == "1"
    assert git(repo, "rev-parse", f"{REVERT}^").strip() == merge
    workflow = "workflows/code_review.yaml"
    assert git(repo, "show", f"{REVERT}:{workflow}") == git(repo, "show", f"{merge}^1:{workflow}")
    before = git(repo, "show", "main:.autotune/history.jsonl").splitlines()
    after = git(repo, "show", f"{REVERT}:.autotune/history.jsonl").splitlines()
    assert after[:-1] == before
    entry = json.loads(after[-1])
    assert entry["kind"] == "rollback"
    assert entry["reverts"] == json.loads(before[-1])["id"]
    assert entry["mode"] == "monitor"
    assert entry["evidence"]["label"] == "recorded"
    # the draft of the revert and the status comment on the merged draft
    forge = LocalForge(repo)
    reverts = [p for p in forge.list_proposals() if p.kind == "revert"]
    assert [(p.branch, p.state) for p in reverts] == [(REVERT, "open")]
    meta = parse_marker(reverts[0].body)
    assert meta is not None
    assert meta["reverts"]["ref"] == DRAFT
    assert meta["reverts"]["merge_sha"] == merge
    comments = forge.list_comments(DRAFT)
    assert len(comments) == 1
    status = parse_status(comments[0].body)
    assert status is not None
    assert status.outcome == "regressed"
    assert status.revert is not None
    assert status.revert.ref == reverts[0].ref
    assert report["watched"][0]["revert"] == reverts[0].ref  # type: ignore[index]
    # a rerun changes nothing
    refs = branch_refs(repo)
    code, again = run_cli(repo, "monitor")
    assert code == 0
    assert again["done"] == []
    assert again["planned"] == []
    assert branch_refs(repo) == refs
    assert forge.list_comments(DRAFT) == comments
    # and `autotune run` does not propose the regressed change again meanwhile
    code, run = run_cli(repo, "run")
    assert code == 0
    assert [d["action"] for d in run["done"] if d["key"] == "code_review/review_team"] in (
        [],
        ["skipped"],
    )


def test_runs_as_fast_as_before_open_no_revert(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    repo = merged_repo(tmp_path, monkeypatch)
    post_merge(repo, slowdown=1.0, runs=20)
    code, report = run_cli(repo, "monitor")
    assert code == 0, report
    assert report["watched"][0]["outcome"] == "holding"  # type: ignore[index]
    assert [d["action"] for d in report["done"]] == ["commented"]  # type: ignore[index]
    assert REVERT not in branch_refs(repo)
    body = LocalForge(repo).list_comments(DRAFT)[0].body
    assert "**holding** — 20 of 40 post-merge runs watched" in body
    # the key is held while it is watched
    code, run = run_cli(repo, "run")
    assert code == 0
    held = [d for d in run["done"] if d["key"] == "code_review/review_team"]  # type: ignore[union-attr]
    assert all(d["action"] == "skipped" for d in held)
    # enough runs: confirmed, still no revert
    post_merge(repo, slowdown=1.0, runs=40)
    code, report = run_cli(repo, "monitor")
    assert report["watched"][0]["outcome"] == "confirmed"  # type: ignore[index]
    assert REVERT not in branch_refs(repo)
    assert os.path.exists(repo / ".autotune/outbox")


def test_dry_run_plans_the_revert_and_writes_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    repo = merged_repo(tmp_path, monkeypatch)
    post_merge(repo, slowdown=2.0)
    refs = branch_refs(repo)
    code, report = run_cli(repo, "monitor", "--dry-run")
    assert code == 0
    planned = report["planned"]
    assert len(planned) == 2  # type: ignore[arg-type]
    assert REVERT in planned[0]  # type: ignore[index]
    assert report["done"] == []
    assert branch_refs(repo) == refs
    assert LocalForge(repo).list_comments(DRAFT) == []


def test_a_rollback_request_reverts_now_and_names_who_asked(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    repo = merged_repo(tmp_path, monkeypatch)
    post_merge(repo, slowdown=1.0, runs=5)
    forge = LocalForge(repo)
    now = MONITORED_AT
    wrong = run_monitor(
        MonitorOptions(repo, now, only_ref="nothing.md", requested_by="maintainer"), forge
    )
    assert wrong.errors == ["nothing.md: not an autotune proposal (no autotune marker found)"]
    assert wrong.done == []
    asked = run_monitor(MonitorOptions(repo, now, only_ref=DRAFT, requested_by="maintainer"), forge)
    assert [d.action for d in asked.done] == ["opened", "commented"]
    (revert,) = [p for p in forge.list_proposals() if p.kind == "revert"]
    assert "Requested by @" in revert.body
    assert "maintainer" in revert.body
    entry = json.loads(git(repo, "show", f"{REVERT}:.autotune/history.jsonl").splitlines()[-1])
    assert entry["mode"] == "command"
    again = run_monitor(MonitorOptions(repo, now, only_ref=DRAFT, requested_by="maintainer"), forge)
    assert again.done == []
    assert any("already open" in n for n in again.notes)
