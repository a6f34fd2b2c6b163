"""Reading and moving refs: the default branch, the base commit, local proposal branches.

Works in the clone ``actions/checkout`` makes (depth 1, one branch, checked out or
detached, no git identity) as well as in an ordinary local repository. Moving a branch
always names the value it is expected to have (``update-ref`` with the old value), and a
branch checked out in any worktree of the repository is never moved.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from autotune_bot.gitops.git import GitError, HttpAuth, git_text, run_git

__all__ = [
    "BaseRef",
    "ObjectFormat",
    "blob_at",
    "check_branch_name",
    "checked_out_branches",
    "current_branch",
    "default_branch",
    "delete_branch",
    "is_ancestor",
    "is_shallow",
    "local_ref",
    "object_format",
    "remote_default_branch",
    "repo_prefix",
    "resolve_base",
    "rev_parse",
    "text_at",
    "tracking_ref",
    "update_branch",
    "zero_oid",
]

ObjectFormat = Literal["sha1", "sha256"]
_NETWORK_TIMEOUT = 300.0


@dataclass(frozen=True)
class BaseRef:
    """The branch proposals are made against, the ref that holds it here, and its commit."""

    branch: str  # "main"
    ref: str  # "refs/remotes/origin/main" (with a remote) or "refs/heads/main"
    sha: str


def local_ref(branch: str) -> str:
    """The full name of a local branch: ``refs/heads/<branch>``."""
    return f"refs/heads/{branch}"


def tracking_ref(remote: str, branch: str) -> str:
    """Where a fetched branch of ``remote`` is kept: ``refs/remotes/<remote>/<branch>``."""
    return f"refs/remotes/{remote}/{branch}"


def check_branch_name(repo: Path, branch: str) -> None:
    """Raise :class:`GitError` unless ``branch`` is a valid, plain branch name."""
    if not branch or branch.startswith("-") or branch in {"HEAD", "@"}:
        raise GitError(f"not a usable branch name: {branch!r}")
    done = run_git(repo, ["check-ref-format", local_ref(branch)], ok_codes=(0, 1))
    if done.returncode != 0:
        raise GitError(f"not a valid branch name: {branch!r}")


def object_format(repo: Path) -> ObjectFormat:
    """The repository's hash function: ``sha1`` (usual) or ``sha256``."""
    found = git_text(repo, ["rev-parse", "--show-object-format"])
    if found not in ("sha1", "sha256"):
        raise GitError(f"unknown object format {found!r}")
    return "sha256" if found == "sha256" else "sha1"


def zero_oid(repo: Path) -> str:
    """The all-zero object id git uses for "this ref must not exist"."""
    return "0" * (64 if object_format(repo) == "sha256" else 40)


def rev_parse(repo: Path, rev: str) -> str | None:
    """The commit ``rev`` names, or None when it does not exist."""
    done = run_git(
        repo,
        ["rev-parse", "--verify", "--quiet", "--end-of-options", f"{rev}^{{commit}}"],
        ok_codes=(0, 1),
    )
    text = done.stdout.decode("ascii", errors="replace").strip()
    return text if done.returncode == 0 and text else None


def blob_at(repo: Path, commit: str, path: str) -> bytes | None:
    """The bytes of ``path`` (from the work tree's top level) in ``commit``, None when the
    commit has no such file."""
    done = run_git(repo, ["cat-file", "blob", f"{commit}:{path}"], ok_codes=(0, 128))
    return done.stdout if done.returncode == 0 else None


def text_at(repo: Path, commit: str, path: str) -> str | None:
    """:func:`blob_at` as text (UTF-8; undecodable bytes replaced)."""
    data = blob_at(repo, commit, path)
    return data.decode("utf-8", errors="replace") if data is not None else None


def is_shallow(repo: Path) -> bool:
    """Whether the repository's history is cut off (a ``--depth`` clone)."""
    return git_text(repo, ["rev-parse", "--is-shallow-repository"]) == "true"


def is_ancestor(repo: Path, ancestor: str, descendant: str) -> bool:
    """Whether ``ancestor`` is reachable from ``descendant`` (a commit is its own ancestor)."""
    done = run_git(repo, ["merge-base", "--is-ancestor", ancestor, descendant], ok_codes=(0, 1))
    return done.returncode == 0


def current_branch(repo: Path) -> str | None:
    """The checked-out branch, or None when HEAD is detached."""
    done = run_git(repo, ["symbolic-ref", "--quiet", "--short", "HEAD"], ok_codes=(0, 1))
    name = done.stdout.decode("utf-8", errors="replace").strip()
    return name if done.returncode == 0 and name else None


def remote_default_branch(repo: Path, remote: str, *, auth: HttpAuth | None = None) -> str:
    """The default branch of ``remote``: its ``HEAD`` as known locally, else as it reports."""
    prefix = f"refs/remotes/{remote}/"
    done = run_git(repo, ["symbolic-ref", "--quiet", f"{prefix}HEAD"], ok_codes=(0, 1))
    known = done.stdout.decode("utf-8", errors="replace").strip()
    if done.returncode == 0 and known.startswith(prefix):
        return known.removeprefix(prefix)
    answer = git_text(
        repo, ["ls-remote", "--symref", remote, "HEAD"], auth=auth, timeout=_NETWORK_TIMEOUT
    )
    for line in answer.splitlines():
        target, _, name = line.partition("\t")
        if name == "HEAD" and target.startswith("ref: refs/heads/"):
            return target.removeprefix("ref: refs/heads/")
    raise GitError(f"remote {remote!r} does not report a default branch")


def default_branch(repo: Path, remote: str | None = None, *, auth: HttpAuth | None = None) -> str:
    """The branch proposals are made against.

    With a remote: the remote's default branch. Without one (a local repository): the
    checked-out branch.
    """
    if remote is not None:
        return remote_default_branch(repo, remote, auth=auth)
    branch = current_branch(repo)
    if branch is None:
        raise GitError("HEAD is detached and no remote is given: cannot tell the default branch")
    return branch


def resolve_base(repo: Path, branch: str, remote: str | None = None) -> BaseRef:
    """The base branch's commit: the remote-tracking ref with a remote, else the local branch.

    With a remote, fetch first (:func:`autotune_bot.gitops.git_remote.fetch_for_proposals`):
    a detached checkout has no tracking ref until then.
    """
    ref = tracking_ref(remote, branch) if remote is not None else local_ref(branch)
    sha = rev_parse(repo, ref)
    if sha is None:
        raise GitError(f"base branch {branch!r} not found here ({ref} does not exist)")
    return BaseRef(branch, ref, sha)


def update_branch(repo: Path, branch: str, sha: str, expected_old: str | None) -> None:
    """Point the local branch ``branch`` at ``sha``, if it still is at ``expected_old``.

    ``expected_old=None`` means the branch must not exist yet. The checked-out branch is
    never moved (that would leave the working tree out of step with it).
    """
    check_branch_name(repo, branch)
    _refuse_checked_out(repo, branch)
    old = expected_old if expected_old is not None else zero_oid(repo)
    run_git(
        repo,
        ["update-ref", "-m", "autotune: update proposal branch", local_ref(branch), sha, old],
    )


def delete_branch(repo: Path, branch: str, expected_old: str) -> None:
    """Delete the local branch ``branch`` if it still is at ``expected_old``."""
    check_branch_name(repo, branch)
    _refuse_checked_out(repo, branch)
    run_git(repo, ["update-ref", "-d", local_ref(branch), expected_old])


def repo_prefix(repo: Path) -> str:
    """Where ``repo`` lies inside its work tree: ``""`` at the top level, else the relative
    directory with a trailing ``/`` (``"services/agents/"``), as git paths need it."""
    return git_text(repo, ["rev-parse", "--show-prefix"])


def checked_out_branches(repo: Path) -> dict[str, str]:
    """``branch -> worktree path`` of the branches checked out in any worktree of the
    repository (the main one and those of ``git worktree add``)."""
    out = run_git(repo, ["worktree", "list", "--porcelain", "-z"]).stdout
    found: dict[str, str] = {}
    path = ""
    for field in out.decode("utf-8", errors="surrogateescape").split("\0"):
        if field.startswith("worktree "):
            path = field.removeprefix("worktree ")
        elif field.startswith("branch refs/heads/"):
            found.setdefault(field.removeprefix("branch refs/heads/"), path)
    return found


def _refuse_checked_out(repo: Path, branch: str) -> None:
    where = checked_out_branches(repo).get(branch)
    if where is not None:
        raise GitError(f"refusing to move {branch!r}: it is checked out in the worktree {where}")
