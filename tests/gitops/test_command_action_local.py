"""`autotune action` on an ``issue_comment`` event with the local forge, end to end on a real
git repository whose autotune proposal was merged with a real merge commit: the payload names
the draft (``issue.draft``), replies are the draft's comment files, a rollback opens a local
revert branch and draft; outside GitHub Actions the local user counts as a maintainer, inside
it write commands are refused."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from autotune_bot.cli import main
from autotune_bot.commands.plan import reply_state
from autotune_bot.forge.local import LocalForge
from autotune_bot.gitops.marker import parse_marker
from autotune_bot.gitops.types import ForgeComment
from tests.gitops.monitor_repo import BRANCH, DRAFT, REVERT, branch_refs, merged_repo
from tests.repo_helpers import git

_PREFIXES = ("GITHUB_", "INPUT_", "RUNNER_", "ACTIONS_")


def _action(
    repo: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    body: str,
    *,
    comment_id: int = 501,
    in_actions: bool = False,
) -> tuple[int, list[str]]:
    """`autotune action` with ``forge: local`` on a comment event about the merged draft."""
    payload = {
        "action": "created",
        "issue": {"number": 1, "draft": DRAFT, "pull_request": {"url": "x"}},
        "comment": {"id": comment_id, "body": body, "user": {"login": "lee", "type": "User"}},
    }
    event = repo.parent / f"event-{comment_id}.json"
    event.write_text(json.dumps(payload), encoding="utf-8")
    for name in list(os.environ):
        if name.startswith(_PREFIXES):
            monkeypatch.delenv(name)
    monkeypatch.chdir(repo)
    monkeypatch.setenv("INPUT_FORGE", "local")
    monkeypatch.setenv("GITHUB_EVENT_NAME", "issue_comment")
    monkeypatch.setenv("GITHUB_EVENT_PATH", str(event))
    if in_actions:
        monkeypatch.setenv("GITHUB_ACTIONS", "true")
    code = main(["action"])
    out = capsys.readouterr().out
    return code, [line for line in out.splitlines() if line.startswith("::")]


def _replies(repo: Path, comment_id: int) -> list[ForgeComment]:
    comments = LocalForge(repo).list_comments(DRAFT)
    return [c for c in comments if (reply_state(c.body) or ("", False))[0] == str(comment_id)]


def test_status_on_the_merged_draft_lists_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    repo = merged_repo(tmp_path, monkeypatch)
    refs = branch_refs(repo)
    code, lines = _action(repo, monkeypatch, capsys, "/autotune status")
    assert code == 0, lines
    [reply] = _replies(repo, 501)
    assert reply.author is None  # written by the bot into the outbox
    assert "Merged proposals (newest first):" in reply.body
    assert f"| `{DRAFT}` | `code_review/review_team` | not checked yet |" in reply.body
    assert "No open autotune proposal." in reply.body
    assert reply_state(reply.body) == ("501", True)
    assert branch_refs(repo) == refs  # status changes no branch
    assert _action(repo, monkeypatch, capsys, "/autotune status")[0] == 0
    assert len(LocalForge(repo).list_comments(DRAFT)) == 1  # answered once


def test_rollback_on_the_merged_draft_opens_one_local_revert(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    repo = merged_repo(tmp_path, monkeypatch)
    merge = git(repo, "rev-parse", "HEAD").strip()
    code, lines = _action(repo, monkeypatch, capsys, "/autotune rollback")
    assert code == 0, lines
    assert any("treated as a maintainer" in line for line in lines)
    # a real revert of the merge on main, plus one history line
    assert git(repo, "rev-parse", f"{REVERT}^").strip() == merge
    workflow = "workflows/code_review.yaml"
    assert git(repo, "show", f"{REVERT}:{workflow}") == git(repo, "show", f"{merge}^1:{workflow}")
    before = git(repo, "show", "main:.autotune/history.jsonl").splitlines()
    after = git(repo, "show", f"{REVERT}:.autotune/history.jsonl").splitlines()
    assert after[:-1] == before
    entry = json.loads(after[-1])
    assert (entry["kind"], entry["mode"]) == ("rollback", "command")
    assert entry["reverts"] == json.loads(before[-1])["id"]
    [revert] = [p for p in LocalForge(repo).list_proposals() if p.kind == "revert"]
    assert (revert.branch, revert.state) == (REVERT, "open")
    meta = parse_marker(revert.body)
    assert meta is not None
    assert meta["reverts"]["ref"] == DRAFT
    assert "lee" in revert.body  # who asked
    [reply] = _replies(repo, 501)
    assert f"Revert of `{DRAFT}`: opened" in reply.body
    assert reply_state(reply.body) == ("501", True)
    # the same event again: nothing new
    refs, comments = branch_refs(repo), LocalForge(repo).list_comments(DRAFT)
    assert _action(repo, monkeypatch, capsys, "/autotune rollback")[0] == 0
    assert branch_refs(repo) == refs
    assert LocalForge(repo).list_comments(DRAFT) == comments
    assert BRANCH in refs


def test_inside_github_actions_a_local_rollback_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    repo = merged_repo(tmp_path, monkeypatch)
    refs = branch_refs(repo)
    code, lines = _action(repo, monkeypatch, capsys, "/autotune rollback", in_actions=True)
    assert code == 0, lines  # a refusal is an answer
    [reply] = _replies(repo, 501)
    assert "needs write access" in reply.body
    assert branch_refs(repo) == refs
    assert any("role cannot be checked" in line for line in lines)


def test_a_payload_without_the_draft_is_an_error_naming_the_field(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    repo = merged_repo(tmp_path, monkeypatch)
    event = tmp_path / "event.json"
    payload = {
        "action": "created",
        "issue": {"number": 1},
        "comment": {"id": 7, "body": "/autotune status", "user": {"login": "lee"}},
    }
    event.write_text(json.dumps(payload), encoding="utf-8")
    for name in list(os.environ):
        if name.startswith(_PREFIXES):
            monkeypatch.delenv(name)
    monkeypatch.chdir(repo)
    monkeypatch.setenv("INPUT_FORGE", "local")
    monkeypatch.setenv("GITHUB_EVENT_NAME", "issue_comment")
    monkeypatch.setenv("GITHUB_EVENT_PATH", str(event))
    assert main(["action"]) == 2  # the run stopped
    [error] = [line for line in capsys.readouterr().out.splitlines() if line.startswith("::error")]
    assert "event.issue.draft" in error
    assert LocalForge(repo).list_comments(DRAFT) == []
