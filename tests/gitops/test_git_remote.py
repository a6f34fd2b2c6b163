"""Fetching proposal branches into a shallow checkout and pushing them back safely."""

from __future__ import annotations

from pathlib import Path

import pytest

from autotune_bot.gitops.branch_facts import branch_facts
from autotune_bot.gitops.commit_files import commit_files
from autotune_bot.gitops.git import GitError, GitIdentity
from autotune_bot.gitops.git_refs import is_shallow, resolve_base, rev_parse
from autotune_bot.gitops.git_remote import PushRejected, fetch_for_proposals, push_branch
from tests.gitops.git_fixtures import (
    BOT,
    HUMAN,
    Remote,
    checkout_clone,
    commit,
    git,
    make_remote,
)

pytestmark = pytest.mark.usefixtures("isolated_git")

IDENTITY = GitIdentity(*BOT)
TUNED = {"workflows/flow.yml": "name: flow\nversion: tuned\n"}


def _branch_on(remote: Remote, branch: str, start: str, *, human: bool = False) -> str:
    """Create ``branch`` on the remote: one bot commit on ``start`` (plus a human one)."""
    work = remote.work
    git(work, "checkout", "-q", "-b", branch, start)
    sha = commit(work, TUNED, "autotune: tune", BOT)
    if human:
        sha = commit(work, {"workflows/flow.yml": "name: flow\nversion: by hand\n"}, "fix", HUMAN)
    git(work, "checkout", "-q", "main")
    remote.push(branch)
    return sha


def _facts(clone: Path, branch: str, base: str) -> tuple[int, bool]:
    facts = branch_facts(clone, f"refs/remotes/origin/{branch}", base, IDENTITY, TUNED)
    return facts.foreign_commits, facts.up_to_date_with_base


def test_shallow_clone_learns_which_commits_are_on_each_branch(tmp_path: Path) -> None:
    remote = make_remote(tmp_path, commits=30)
    old = _branch_on(remote, "autotune/flow/old", "main~20")  # further back than one step
    _branch_on(remote, "autotune/flow/near", "main~1")
    _branch_on(remote, "autotune/flow/edited", "main~4", human=True)
    _branch_on(remote, "feature/other", "main~2")
    clone = checkout_clone(remote, tmp_path)
    found = fetch_for_proposals(clone, "origin", "main", "autotune/")
    assert set(found) == {"autotune/flow/old", "autotune/flow/near", "autotune/flow/edited"}
    assert found["autotune/flow/old"] == old
    assert rev_parse(clone, "refs/remotes/origin/feature/other") is None
    base = resolve_base(clone, "main", "origin").sha
    assert _facts(clone, "autotune/flow/old", base) == (0, False)
    assert _facts(clone, "autotune/flow/near", base) == (0, False)
    assert _facts(clone, "autotune/flow/edited", base) == (1, False)
    # the fork point is known: what main changed since the branch left it
    old_facts = branch_facts(clone, "refs/remotes/origin/autotune/flow/old", base, IDENTITY, TUNED)
    assert old_facts.base_changed_files == frozenset({"workflows/flow.yml", "README.md"})
    assert old_facts.content_matches


def test_without_deepening_base_history_would_look_like_branch_commits(tmp_path: Path) -> None:
    """The failure fetch_for_proposals avoids: a naive shallow fetch miscounts."""
    remote = make_remote(tmp_path, commits=8)
    _branch_on(remote, "autotune/flow/old", "main~5")
    naive = checkout_clone(remote, tmp_path)
    git(
        naive,
        "fetch",
        "-q",
        "--depth=2",
        "origin",
        "+refs/heads/autotune/*:refs/remotes/origin/autotune/*",
    )
    base = git(naive, "rev-parse", "origin/main")
    assert _facts(naive, "autotune/flow/old", base)[0] > 0
    fetch_for_proposals(naive, "origin", "main", "autotune/")
    assert _facts(naive, "autotune/flow/old", base) == (0, False)


def test_deepens_only_as_far_as_needed(tmp_path: Path) -> None:
    remote = make_remote(tmp_path, commits=60)
    _branch_on(remote, "autotune/flow/near", "main~2")
    clone = checkout_clone(remote, tmp_path)
    fetch_for_proposals(clone, "origin", "main", "autotune/")
    assert is_shallow(clone)
    assert int(git(clone, "rev-list", "--count", "origin/main")) < 60
    assert _facts(clone, "autotune/flow/near", git(clone, "rev-parse", "origin/main")) == (0, False)


def test_merged_branch_has_no_commits_of_its_own(tmp_path: Path) -> None:
    remote = make_remote(tmp_path, commits=5)
    _branch_on(remote, "autotune/flow/done", "main")
    git(remote.work, "merge", "-q", "--no-ff", "-m", "merge", "autotune/flow/done", who=HUMAN)
    commit(remote.work, {"README.md": "after\n"}, "after the merge")
    remote.push("main")
    clone = checkout_clone(remote, tmp_path)
    fetch_for_proposals(clone, "origin", "main", "autotune/")
    base = git(clone, "rev-parse", "origin/main")
    assert _facts(clone, "autotune/flow/done", base) == (0, False)


def test_branches_deleted_remotely_are_pruned_and_base_updates(tmp_path: Path) -> None:
    remote = make_remote(tmp_path)
    _branch_on(remote, "autotune/flow/a", "main")
    _branch_on(remote, "autotune/flow/b", "main")
    clone = checkout_clone(remote, tmp_path)
    assert set(fetch_for_proposals(clone, "origin", "main", "autotune/")) == {
        "autotune/flow/a",
        "autotune/flow/b",
    }
    git(remote.work, "push", "-q", "origin", "--delete", "autotune/flow/a")
    moved = commit(remote.work, {"README.md": "moved\n"}, "base moves")
    remote.push("main")
    assert set(fetch_for_proposals(clone, "origin", "main", "autotune/")) == {"autotune/flow/b"}
    assert rev_parse(clone, "refs/remotes/origin/autotune/flow/a") is None
    assert resolve_base(clone, "main", "origin").sha == moved
    assert git(clone, "rev-parse", "HEAD") != moved  # the checked-out branch did not move


def test_full_clone_stays_full(tmp_path: Path) -> None:
    remote = make_remote(tmp_path)
    _branch_on(remote, "autotune/flow/a", "main~1")
    clone = tmp_path / "full"
    git(tmp_path, "clone", "-q", remote.url, str(clone))
    fetch_for_proposals(clone, "origin", "main", "autotune/")
    assert not is_shallow(clone)
    assert _facts(clone, "autotune/flow/a", git(clone, "rev-parse", "origin/main")) == (0, False)


def test_no_proposal_branches_yet(tmp_path: Path) -> None:
    clone = checkout_clone(make_remote(tmp_path), tmp_path, detached=True)
    assert fetch_for_proposals(clone, "origin", "main", "autotune/") == {}


def _new_commit(clone: Path, text: str) -> str:
    base = resolve_base(clone, "main", "origin").sha
    return commit_files(clone, base, {"workflows/flow.yml": text}, "autotune: tune", IDENTITY)


def test_push_creates_branch_from_shallow_clone(tmp_path: Path) -> None:
    remote = make_remote(tmp_path)
    clone = checkout_clone(remote, tmp_path)
    sha = _new_commit(clone, "v: 1\n")
    push_branch(clone, "origin", "autotune/flow/team", sha, default_branch="main")
    assert remote.sha("refs/heads/autotune/flow/team") == sha
    assert rev_parse(clone, "refs/remotes/origin/autotune/flow/team") == sha
    assert git(remote.bare, "cat-file", "-p", f"{sha}:workflows/flow.yml") == "v: 1"


def test_push_to_default_branch_is_refused(tmp_path: Path) -> None:
    remote = make_remote(tmp_path)
    clone = checkout_clone(remote, tmp_path)
    before = remote.sha("refs/heads/main")
    sha = git(clone, "rev-parse", "HEAD")
    with pytest.raises(GitError, match="default branch"):
        push_branch(clone, "origin", "main", sha, default_branch="main")
    with pytest.raises(GitError, match="default branch"):
        push_branch(clone, "origin", "main", sha, default_branch="main", expected_remote_sha=before)
    assert remote.sha("refs/heads/main") == before


def test_rebuild_with_lease_replaces_a_bot_branch(tmp_path: Path) -> None:
    remote = make_remote(tmp_path)
    clone = checkout_clone(remote, tmp_path)
    first = _new_commit(clone, "v: 1\n")
    push_branch(clone, "origin", "autotune/flow/team", first, default_branch="main")
    rebuilt = _new_commit(clone, "v: 2\n")  # a sibling, not a descendant: not a fast-forward
    with pytest.raises(PushRejected, match="non-fast-forward"):
        push_branch(clone, "origin", "autotune/flow/team", rebuilt, default_branch="main")
    assert remote.sha("refs/heads/autotune/flow/team") == first
    push_branch(
        clone,
        "origin",
        "autotune/flow/team",
        rebuilt,
        default_branch="main",
        expected_remote_sha=first,
    )
    assert remote.sha("refs/heads/autotune/flow/team") == rebuilt


def test_lease_refuses_when_someone_pushed_meanwhile(tmp_path: Path) -> None:
    remote = make_remote(tmp_path)
    clone = checkout_clone(remote, tmp_path)
    first = _new_commit(clone, "v: 1\n")
    push_branch(clone, "origin", "autotune/flow/team", first, default_branch="main")
    # a human pushes to the branch after the bot looked at it
    git(remote.work, "fetch", "-q", "origin", "autotune/flow/team")
    git(remote.work, "checkout", "-q", "-b", "autotune/flow/team", "FETCH_HEAD")
    human = commit(remote.work, {"workflows/flow.yml": "v: hand\n"}, "by hand")
    git(remote.work, "checkout", "-q", "main")
    remote.push("autotune/flow/team")
    rebuilt = _new_commit(clone, "v: 2\n")
    with pytest.raises(PushRejected) as caught:
        push_branch(
            clone,
            "origin",
            "autotune/flow/team",
            rebuilt,
            default_branch="main",
            expected_remote_sha=first,
        )
    assert "stale info" in str(caught.value)
    assert remote.sha("refs/heads/autotune/flow/team") == human
    assert rev_parse(clone, "refs/remotes/origin/autotune/flow/team") == first
