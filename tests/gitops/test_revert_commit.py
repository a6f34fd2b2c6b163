"""The revert commit on real repositories: git revert of merges and squashes, the history
kept and appended, the patch fallback, shallow clones, and the caller's checkout untouched."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest

from autotune_bot.gitops.git import GitError, GitIdentity
from autotune_bot.gitops.revert_commit import RevertCommit, revert_commit
from tests.gitops.git_fixtures import BOT, Remote, commit, git, make_remote

FLOW = "workflows/flow.yml"
HISTORY = ".autotune/history.jsonl"
BRANCH = "autotune/flow/team"
IDENTITY = GitIdentity(*BOT)
WHEN = datetime(2026, 1, 5, 12, 30, tzinfo=timezone(timedelta(hours=1)))
FIRST = '{"id": "h1", "kind": "apply"}\n'
TUNED = '{"id": "h2", "kind": "apply"}\n'
ROLLBACK = '{"id": "h3", "kind": "rollback", "reverts": "h2"}'


@dataclass
class Setup:
    remote: Remote
    before: str  # the workflow text before the proposal
    merge: str

    @property
    def work(self) -> Path:
        return self.remote.work


pytestmark = pytest.mark.usefixtures("isolated_git")  # no machine git configuration


def _text(repo: Path, rev: str, path: str) -> str:
    return git(repo, "show", f"{rev}:{path}") + "\n"


def _proposal_branch(work: Path, prefix: str = "") -> None:
    git(work, "checkout", "-q", "-b", BRANCH)
    history = (work / prefix / HISTORY).read_text()
    files = {
        f"{prefix}{FLOW}": "name: flow\nversion: tuned\n",
        f"{prefix}{HISTORY}": history + TUNED,
    }
    commit(work, files, "autotune: tune flow/team", who=BOT)
    git(work, "checkout", "-q", "main")


def _merged(tmp_path: Path, *, squash: bool = False, prefix: str = "") -> Setup:
    """main: history, a proposal merged (``--no-ff`` or squashed), a later README change."""
    remote = make_remote(tmp_path)
    work = remote.work
    if prefix:
        start = {f"{prefix}{FLOW}": "name: flow\nversion: 2\n", f"{prefix}README.md": "sub\n"}
        commit(work, start, "project in a subdirectory")
    commit(work, {f"{prefix}{HISTORY}": FIRST}, "history")
    before = (work / prefix / FLOW).read_text()
    _proposal_branch(work, prefix)
    commit(work, {"README.md": "meanwhile\n"}, "meanwhile on main")
    if squash:
        git(work, "merge", "-q", "--squash", BRANCH)
        git(work, "commit", "-q", "-m", "Tune flow/team (#7)")
    else:
        git(work, "merge", "-q", "--no-ff", "-m", "Merge pull request #7", BRANCH)
    merge = git(work, "rev-parse", "HEAD")
    commit(work, {"README.md": "later\n"}, "later on main")
    return Setup(remote, before, merge)


@dataclass(frozen=True)
class Checkout:
    head: str
    branch: str
    status: str
    worktrees: str


def _checkout(repo: Path) -> Checkout:
    return Checkout(
        git(repo, "rev-parse", "HEAD"),
        git(repo, "symbolic-ref", "-q", "HEAD"),
        git(repo, "status", "--porcelain", "--untracked-files=all"),
        git(repo, "worktree", "list", "--porcelain"),
    )


@contextmanager
def _unchanged(repo: Path) -> Iterator[None]:
    """The block leaves the caller's HEAD, branch, status and worktrees as they were."""
    before = _checkout(repo)
    yield
    assert _checkout(repo) == before
    assert len(git(repo, "worktree", "list").splitlines()) == 1


def _revert(
    repo: Path, setup: Setup, *, fallback: Mapping[str, str] | None = None, **extra: Any
) -> RevertCommit:
    """``revert_commit`` of the setup's merge on ``repo``'s HEAD; ``extra`` overrides."""
    arguments: dict[str, Any] = {
        "base_sha": git(repo, "rev-parse", "HEAD"),
        "merge_sha": setup.merge,
        "identity": IDENTITY,
        "message": "Revert flow/team: duration regressed\n\nReverts #7.",
        "history_path": HISTORY,
        "history_append": ROLLBACK,
        "fallback_files": fallback,
        "when": WHEN,
    }
    return revert_commit(repo, **(arguments | extra))


def _facts(repo: Path, sha: str) -> tuple[str, ...]:
    fields = "%P|%an|%ae|%cn|%ce|%at|%ct|%s"
    return tuple(git(repo, "show", "-s", f"--format={fields}", sha).split("|"))


def _changed(repo: Path, base: str, sha: str) -> list[str]:
    return git(repo, "diff", "--name-only", base, sha).splitlines()


def test_two_parent_merge_is_reverted_with_mainline_and_history_appended(
    tmp_path: Path,
) -> None:
    setup = _merged(tmp_path)
    work = setup.work
    assert len(git(work, "rev-list", "--parents", "-n", "1", setup.merge).split()) == 3
    (work / "README.md").write_text("uncommitted edit\n")
    (work / "notes.txt").write_text("untracked\n")
    (work / FLOW).write_text("name: flow\nversion: staged\n")
    git(work, "add", FLOW)
    base = git(work, "rev-parse", "HEAD")

    with _unchanged(work):
        made = _revert(work, setup)

    assert made.method == "git revert"
    assert made.note == f"git revert -m 1 {setup.merge[:12]} on {base[:12]}"
    stamp = str(int(WHEN.timestamp()))
    assert _facts(work, made.sha) == (
        base,
        *BOT,
        *BOT,
        stamp,
        stamp,
        "Revert flow/team: duration regressed",
    )
    assert _text(work, made.sha, FLOW) == setup.before
    assert _text(work, made.sha, HISTORY) == FIRST + TUNED + ROLLBACK + "\n"
    assert sorted(_changed(work, base, made.sha)) == [HISTORY, FLOW]
    assert git(work, "show", "-s", "--format=%ci", made.sha).endswith("+0100")


def test_single_parent_squash_is_reverted(tmp_path: Path) -> None:
    setup = _merged(tmp_path, squash=True)
    work = setup.work
    assert len(git(work, "rev-list", "--parents", "-n", "1", setup.merge).split()) == 2
    with _unchanged(work):
        made = _revert(work, setup)
    assert (made.method, made.note.split()[:3]) == (
        "git revert",
        ["git", "revert", setup.merge[:12]],
    )
    assert _text(work, made.sha, FLOW) == setup.before
    assert _text(work, made.sha, HISTORY) == FIRST + TUNED + ROLLBACK + "\n"


def test_later_history_lines_do_not_stop_the_revert(tmp_path: Path) -> None:
    setup = _merged(tmp_path)
    work = setup.work
    later = '{"id": "h9", "kind": "apply"}\n'
    commit(work, {HISTORY: FIRST + TUNED + later}, "another proposal merged", who=BOT)
    with _unchanged(work):
        made = _revert(work, setup)
    assert made.method == "git revert"
    assert _text(work, made.sha, HISTORY) == FIRST + TUNED + later + ROLLBACK + "\n"
    assert _text(work, made.sha, FLOW) == setup.before


def test_conflict_falls_back_to_the_patch(tmp_path: Path) -> None:
    setup = _merged(tmp_path)
    work = setup.work
    commit(work, {FLOW: "name: flow\nversion: edited by hand\n"}, "hand edit")
    base = git(work, "rev-parse", "HEAD")
    with _unchanged(work):
        made = _revert(work, setup, fallback={FLOW: setup.before})
    assert made.method == "patch"
    assert FLOW in made.note
    assert "conflicts" in made.note
    assert _facts(work, made.sha)[:5] == (base, *BOT, *BOT)
    assert _text(work, made.sha, FLOW) == setup.before
    assert _text(work, made.sha, HISTORY) == FIRST + TUNED + ROLLBACK + "\n"
    assert sorted(_changed(work, base, made.sha)) == [HISTORY, FLOW]


def test_conflict_without_fallback_names_the_files(tmp_path: Path) -> None:
    setup = _merged(tmp_path)
    work = setup.work
    commit(work, {FLOW: "name: flow\nversion: edited by hand\n"}, "hand edit")
    with _unchanged(work), pytest.raises(GitError, match=f"conflicts .* in {FLOW}; no patch"):
        _revert(work, setup)
    assert "revert" not in git(work, "status")  # no revert left in progress here


def test_nothing_to_revert_is_an_error(tmp_path: Path) -> None:
    setup = _merged(tmp_path)
    work = setup.work
    git(work, "revert", "--no-edit", "-m", "1", setup.merge)  # reverted by hand already
    with _unchanged(work), pytest.raises(GitError, match="nothing to revert"):
        _revert(work, setup)


def test_patch_that_changes_nothing_is_an_error(tmp_path: Path) -> None:
    setup = _merged(tmp_path)
    work = setup.work
    commit(work, {FLOW: setup.before.replace("version", "version ")}, "hand edit")
    base = git(work, "rev-parse", "HEAD")
    with pytest.raises(GitError, match="holds the recorded configuration"):
        _revert(work, setup, fallback={FLOW: _text(work, base, FLOW)})


def test_shallow_clone_fetches_the_merge_and_its_parents(tmp_path: Path) -> None:
    setup = _merged(tmp_path)
    setup.remote.push("main")
    clone = tmp_path / "clone"
    git(tmp_path, "clone", "-q", "--depth", "1", setup.remote.url, str(clone))
    assert git(clone, "rev-parse", "--is-shallow-repository") == "true"
    with pytest.raises(GitError, match="no remote is given"):
        _revert(clone, setup)
    with _unchanged(clone):
        made = _revert(clone, setup, remote="origin")
    assert made.method == "git revert"
    assert "-m 1" in made.note
    assert _text(clone, made.sha, FLOW) == setup.before
    assert _text(clone, made.sha, HISTORY) == FIRST + TUNED + ROLLBACK + "\n"
    assert git(clone, "rev-parse", "--is-shallow-repository") == "true"  # still shallow


def test_repository_in_a_subdirectory(tmp_path: Path) -> None:
    prefix = "services/agents/"
    setup = _merged(tmp_path, prefix=prefix)
    work = setup.work
    sub = work / prefix
    with _unchanged(work):  # tree paths: the caller prefixes them with the subdirectory
        made = _revert(sub, setup, history_path=prefix + HISTORY)
    assert _text(work, made.sha, prefix + FLOW) == setup.before
    assert _text(work, made.sha, prefix + HISTORY) == FIRST + TUNED + ROLLBACK + "\n"
    assert git(work, "ls-tree", "--name-only", made.sha, HISTORY) == ""
    commit(work, {prefix + FLOW: "name: flow\nversion: by hand\n"}, "hand edit")
    patched = _revert(
        sub, setup, history_path=prefix + HISTORY, fallback={prefix + FLOW: setup.before}
    )
    assert patched.method == "patch"
    assert f"conflicts in {prefix}{FLOW}" in patched.note
    assert _text(work, patched.sha, prefix + FLOW) == setup.before
    assert _text(work, patched.sha, FLOW) == _text(work, "HEAD", FLOW)  # the top level's own


def test_bad_arguments_are_refused_before_any_git_work(tmp_path: Path) -> None:
    setup = _merged(tmp_path)
    work = setup.work
    with pytest.raises(GitError, match="exactly one line"):
        _revert(work, setup, history_append="a\nb")
    with pytest.raises(GitError, match="timezone"):
        _revert(work, setup, when=datetime(2026, 1, 5))
    with pytest.raises(GitError, match="must not hold the history file"):
        _revert(work, setup, fallback={HISTORY: ""})
    with pytest.raises(GitError, match="not a repository-relative"):
        _revert(work, setup, fallback={"../outside": ""})
    assert len(git(work, "worktree", "list").splitlines()) == 1


def test_no_hook_runs(tmp_path: Path) -> None:
    setup = _merged(tmp_path)
    work = setup.work
    ran = tmp_path / "hook-ran"
    hooks = work / ".git" / "hooks"
    hooks.mkdir(exist_ok=True)
    for name in (
        "post-checkout",
        "pre-commit",
        "commit-msg",
        "post-commit",
        "reference-transaction",
    ):
        hook = hooks / name
        hook.write_text(f"#!/bin/sh\necho {name} >> '{ran}'\n")
        hook.chmod(0o755)
    made = _revert(work, setup)
    assert not ran.exists()
    assert made.method == "git revert"
