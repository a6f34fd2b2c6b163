"""Default branch, base commit and local branch moves in checkout-style clones."""

from __future__ import annotations

from pathlib import Path

import pytest

from autotune_bot.gitops.git import GitError
from autotune_bot.gitops.git_refs import (
    check_branch_name,
    checked_out_branches,
    current_branch,
    default_branch,
    delete_branch,
    is_shallow,
    repo_prefix,
    resolve_base,
    rev_parse,
    update_branch,
)
from tests.gitops.git_fixtures import checkout_clone, git, make_remote

pytestmark = pytest.mark.usefixtures("isolated_git")


def test_checkout_clone_on_the_default_branch(tmp_path: Path) -> None:
    remote = make_remote(tmp_path, default="trunk")
    clone = checkout_clone(remote, tmp_path)
    assert is_shallow(clone)
    assert current_branch(clone) == "trunk"
    assert default_branch(clone, "origin") == "trunk"
    assert default_branch(clone) == "trunk"
    base = resolve_base(clone, "trunk", "origin")
    assert base.ref == "refs/remotes/origin/trunk"
    assert base.sha == remote.sha("refs/heads/trunk")
    local = resolve_base(clone, "trunk")
    assert (local.ref, local.sha) == ("refs/heads/trunk", base.sha)


def test_detached_clone_without_remote_head_asks_the_remote(tmp_path: Path) -> None:
    remote = make_remote(tmp_path, default="trunk")
    clone = checkout_clone(remote, tmp_path, detached=True)
    # actions/checkout fetches into a fresh repository: there is no refs/remotes/origin/HEAD.
    git(clone, "symbolic-ref", "--delete", "refs/remotes/origin/HEAD")
    assert current_branch(clone) is None
    assert default_branch(clone, "origin") == "trunk"
    with pytest.raises(GitError, match="detached"):
        default_branch(clone)


def test_missing_base_is_reported(tmp_path: Path) -> None:
    clone = checkout_clone(make_remote(tmp_path), tmp_path)
    with pytest.raises(GitError, match="'develop' not found"):
        resolve_base(clone, "develop", "origin")


def test_update_branch_checks_the_old_value(tmp_path: Path) -> None:
    remote = make_remote(tmp_path)
    repo = remote.work
    first, second = git(repo, "rev-parse", "HEAD~1"), git(repo, "rev-parse", "HEAD")
    update_branch(repo, "autotune/flow/team", first, None)
    assert rev_parse(repo, "refs/heads/autotune/flow/team") == first
    with pytest.raises(GitError):  # must not exist yet
        update_branch(repo, "autotune/flow/team", second, None)
    with pytest.raises(GitError):  # stale expectation
        update_branch(repo, "autotune/flow/team", second, second)
    assert rev_parse(repo, "refs/heads/autotune/flow/team") == first
    update_branch(repo, "autotune/flow/team", second, first)
    assert rev_parse(repo, "refs/heads/autotune/flow/team") == second
    with pytest.raises(GitError):
        delete_branch(repo, "autotune/flow/team", first)
    delete_branch(repo, "autotune/flow/team", second)
    assert rev_parse(repo, "refs/heads/autotune/flow/team") is None


def test_checked_out_branch_is_never_moved(tmp_path: Path) -> None:
    remote = make_remote(tmp_path)
    repo = remote.work
    head, older = git(repo, "rev-parse", "HEAD"), git(repo, "rev-parse", "HEAD~1")
    with pytest.raises(GitError, match="checked out in the worktree"):
        update_branch(repo, "main", older, head)
    with pytest.raises(GitError, match="checked out in the worktree"):
        delete_branch(repo, "main", head)
    assert git(repo, "rev-parse", "HEAD") == head


def test_a_branch_checked_out_in_another_worktree_is_never_moved(tmp_path: Path) -> None:
    repo = make_remote(tmp_path).work
    head, older = git(repo, "rev-parse", "HEAD"), git(repo, "rev-parse", "HEAD~1")
    update_branch(repo, "autotune/flow/team", head, None)
    other = tmp_path / "second worktree"
    git(repo, "worktree", "add", "-q", str(other), "autotune/flow/team")
    assert checked_out_branches(repo) == {
        "main": str(repo.resolve()),
        "autotune/flow/team": str(other.resolve()),
    }
    assert checked_out_branches(other) == checked_out_branches(repo)
    with pytest.raises(GitError, match=r"checked out in the worktree .*second worktree"):
        update_branch(repo, "autotune/flow/team", older, head)
    with pytest.raises(GitError, match="checked out in the worktree"):
        delete_branch(repo, "autotune/flow/team", head)
    assert rev_parse(repo, "refs/heads/autotune/flow/team") == head
    git(repo, "worktree", "remove", str(other))
    update_branch(repo, "autotune/flow/team", older, head)  # free again
    assert rev_parse(repo, "refs/heads/autotune/flow/team") == older


def test_repo_prefix_is_the_place_in_the_work_tree(tmp_path: Path) -> None:
    repo = make_remote(tmp_path).work
    assert repo_prefix(repo) == ""
    (repo / "services" / "agents").mkdir(parents=True)
    assert repo_prefix(repo / "services" / "agents") == "services/agents/"


@pytest.mark.parametrize("name", ["", "-x", "HEAD", "a..b", "a b", "a/", "x.lock", "a~1"])
def test_bad_branch_names_are_refused(tmp_path: Path, name: str) -> None:
    with pytest.raises(GitError):
        check_branch_name(tmp_path, name)
