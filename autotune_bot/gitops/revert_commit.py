"""The commit of a revert proposal: a real ``git revert`` of a merge, on top of the base.

:func:`revert_commit` makes one commit whose parent is the base commit and returns its id
(no branch moves; the caller points a branch at it or pushes it):

1. When the clone lacks the merge commit or one of its parents (a shallow clone), they
   are fetched from ``remote`` first (``git fetch --depth=2 <remote> <merge>``; without
   ``--depth`` in a full clone), the token sent as an HTTP header
   (:func:`~autotune_bot.gitops.git_remote.http_auth`). No ref is written.
2. A temporary worktree is checked out, detached, at the base commit, and
   ``git revert --no-commit`` of the merge runs there (``-m 1`` for a merge commit with two
   or more parents: the change is undone relative to the base branch's side). Hooks are
   off (an empty ``core.hooksPath``) and ``rerere`` is not consulted.
3. The history file gets the base's text back (the revert would take out the merged
   proposal's line: the history is append-only) plus ``history_append`` as its last line;
   a conflict in the history file alone is resolved that way too.
4. The bot identity commits the resulting tree (author and committer, dated ``when``),
   without hooks or signing. The message gets a paragraph saying how the commit was made
   (the returned ``note``), so the commit says which method was used.

When ``git revert`` conflicts elsewhere (later commits changed the same lines), the
worktree is abandoned and, given ``fallback_files`` (the full texts the workflow files
get), the commit is made from those on the base instead: method ``"patch"``, a minimal edit
back to the recorded configuration. Without them, a :class:`GitError` names the conflicting
files (after ``fallback_problem``, the reason there are none, when given). A revert that
changes nothing but the history (the change is undone on the base already) is a
:class:`NothingToRevertError`.

Paths (``history_path`` and the keys of ``fallback_files``) are tree paths, relative to
the top of the work tree, as :func:`~autotune_bot.gitops.commit_files.commit_files` takes
them: when ``repo`` is a subdirectory of its work tree, the caller prefixes them with its
place there (:func:`~autotune_bot.gitops.git_refs.repo_prefix`). The temporary worktree
is always removed, also on errors; the caller's work tree, index and checked-out branch
are never touched.
"""

from __future__ import annotations

import re
import shutil
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Literal

from autotune_bot.gitops.commit_files import (
    check_repo_path,
    commit_files,
    commit_tree,
    files_match,
    tree_entries,
)
from autotune_bot.gitops.git import GitError, GitIdentity, git_lines, git_text, run_git
from autotune_bot.gitops.git_refs import blob_at, is_shallow, rev_parse, zero_oid
from autotune_bot.gitops.git_remote import access_error, http_auth

__all__ = ["NothingToRevertError", "RevertCommit", "revert_commit"]

_NETWORK_TIMEOUT = 600.0
_TRAILER = re.compile(r"[A-Za-z0-9][A-Za-z0-9-]*: \S")


class NothingToRevertError(GitError):
    """The change is undone on the base already: the revert would change nothing."""


@dataclass(frozen=True)
class RevertCommit:
    """The revert commit made, and how: ``"git revert"`` or ``"patch"`` (with the reason)."""

    sha: str
    method: Literal["git revert", "patch"]
    note: str


def revert_commit(
    repo: Path,
    *,
    base_sha: str,
    merge_sha: str,
    identity: GitIdentity,
    message: str,
    history_path: str,
    history_append: str,
    fallback_files: Mapping[str, str] | None,
    when: datetime,
    remote: str | None = None,
    token: str | None = None,
    fallback_problem: str = "",
) -> RevertCommit:
    """Commit the revert of ``merge_sha`` on ``base_sha`` (see the module docstring)."""
    line = _checked(message, when, history_path, history_append, fallback_files)
    base = rev_parse(repo, base_sha)
    if base is None:
        raise GitError(f"base commit {base_sha} not found")
    _ensure_present(repo, merge_sha, remote, token)
    merge = rev_parse(repo, merge_sha)
    assert merge is not None  # _ensure_present raised otherwise
    parents = git_lines(repo, ["rev-list", "--parents", "-n", "1", merge])[0].split()[1:]
    if not parents:
        raise GitError(f"commit {merge[:12]} has no parent: there is nothing to revert it to")
    kept = blob_at(repo, base, history_path)  # None: the base has no history file
    old = kept or b""
    text = old + (b"\n" if old and not old.endswith(b"\n") else b"") + line.encode() + b"\n"
    how = f"git revert{' -m 1' if len(parents) > 1 else ''} {merge[:12]}"
    with tempfile.TemporaryDirectory(prefix="autotune-revert-") as scratch:
        tree_dir, hooks = Path(scratch) / "tree", Path(scratch) / "hooks"
        hooks.mkdir()
        quiet = ["-c", f"core.hooksPath={hooks}", "-c", "rerere.enabled=false"]
        run_git(repo, [*quiet, "worktree", "add", "--quiet", "--detach", str(tree_dir), base])
        try:
            conflicts = _revert(tree_dir, quiet, merge, len(parents) > 1, identity, history_path)
            if not conflicts:
                if _tree_with(tree_dir, repo, base, history_path, kept) == _tree_of(repo, base):
                    raise NothingToRevertError(
                        f"nothing to revert: {merge[:12]} is already undone on {base[:12]}"
                    )
                tree = _tree_with(tree_dir, repo, base, history_path, text)
                note = f"{how} on {base[:12]}"
                sha = commit_tree(repo, base, tree, _saying(message, note), identity, when=when)
                return RevertCommit(sha, "git revert", note)
        finally:
            _remove_worktree(repo, tree_dir)
    shown = ", ".join(conflicts)
    if fallback_files is None:
        if fallback_problem:
            raise GitError(f"{fallback_problem} ({how} conflicts on {base[:12]} in {shown})")
        raise GitError(f"{how} conflicts on {base[:12]} in {shown}; no patch to fall back to")
    files = dict(fallback_files)
    if files_match(repo, base, files):
        raise NothingToRevertError(
            f"nothing to revert: {base[:12]} holds the recorded configuration"
        )
    note = f"{how} conflicts in {shown}; a minimal edit back to the recorded configuration instead"
    changed: dict[str, str | bytes] = {**files, history_path: text}
    sha = commit_files(repo, base, changed, _saying(message, note), identity, when=when)
    return RevertCommit(sha, "patch", note)


def _saying(message: str, note: str) -> str:
    """``message`` with a paragraph saying how the commit was made (before a closing block
    of ``Key: value`` trailer lines, which stays last)."""
    text = message.rstrip("\n")
    head, _, last = text.rpartition("\n\n")
    said = f"Made by {note}."
    if head and all(_TRAILER.match(line) for line in last.split("\n")):
        return f"{head}\n\n{said}\n\n{last}\n"
    return f"{text}\n\n{said}\n"


def _checked(
    message: str,
    when: datetime,
    history_path: str,
    history_append: str,
    fallback_files: Mapping[str, str] | None,
) -> str:
    """The history line to append, once the arguments are found usable."""
    if not message.strip():
        raise GitError("a revert commit needs a message")
    if when.utcoffset() is None:
        raise GitError("the revert commit date must carry a timezone")
    line = history_append.removesuffix("\n")
    if not line.strip() or "\n" in line:
        raise GitError("history_append must be exactly one line")
    check_repo_path(history_path)
    for path in fallback_files or {}:
        check_repo_path(path)
        if path == history_path:
            raise GitError(f"fallback_files must not hold the history file {history_path}")
    return line


def _ensure_present(repo: Path, merge: str, remote: str | None, token: str | None) -> None:
    """Fetch the merge commit and its parents from ``remote`` when this clone lacks any."""
    if not _missing(repo, merge):
        return
    if remote is None:
        raise GitError(
            f"commit {merge} or its parents are not in this clone (a shallow clone?), "
            "and no remote is given to fetch them from"
        )
    args = ["fetch", "--quiet", "--no-tags", "--no-recurse-submodules", "--no-write-fetch-head"]
    if is_shallow(repo):
        args.append("--depth=2")
    try:
        run_git(
            repo,
            [*args, remote, merge],
            auth=http_auth(repo, remote, token),
            timeout=_NETWORK_TIMEOUT,
        )
    except GitError as err:
        raise access_error(err, repo, remote, "read") from None
    if _missing(repo, merge):
        raise GitError(f"commit {merge} or its parents are still missing after fetching them")


def _missing(repo: Path, merge: str) -> bool:
    """Whether the commit ``merge`` or one of its recorded parents is not here (a shallow
    clone cuts history at commits whose parents it does not have)."""
    done = run_git(repo, ["cat-file", "commit", merge], ok_codes=(0, 1, 128))
    if done.returncode != 0:
        return True
    header = done.stdout.split(b"\n\n", 1)[0].decode("ascii", errors="replace")
    parents = [line.split()[1] for line in header.split("\n") if line.startswith("parent ")]
    for parent in parents:
        if run_git(repo, ["cat-file", "-e", parent], ok_codes=(0, 1, 128)).returncode != 0:
            return True
    return bool(parents) and merge in _shallow_commits(repo)


def _shallow_commits(repo: Path) -> set[str]:
    if not is_shallow(repo):
        return set()
    path = Path(git_text(repo, ["rev-parse", "--path-format=absolute", "--git-path", "shallow"]))
    try:
        return set(path.read_text(encoding="ascii").split())
    except OSError:
        return set()


def _revert(
    tree_dir: Path,
    quiet: list[str],
    merge: str,
    mainline: bool,
    identity: GitIdentity,
    history: str,
) -> list[str]:
    """Run ``git revert --no-commit`` in the worktree; the conflicting paths (the history
    file left out: it is rewritten anyway), empty when it applied."""
    args = [*quiet, "revert", "--no-commit", *(["-m", "1"] if mainline else []), merge]
    done = run_git(tree_dir, args, identity=identity, ok_codes=(0, 1))
    if done.returncode == 0:
        return []
    unmerged = run_git(tree_dir, ["ls-files", "--unmerged", "-z"]).stdout.split(b"\0")
    paths = sorted(
        {rec.split(b"\t", 1)[1].decode("utf-8", "surrogateescape") for rec in unmerged if rec}
    )
    if not paths:
        raise GitError(f"git revert {merge[:12]} failed without naming a conflict")
    conflicts = [path for path in paths if path != history]
    if conflicts:
        run_git(tree_dir, [*quiet, "revert", "--abort"], ok_codes=(0, 1, 128))
    return conflicts


def _tree_with(tree_dir: Path, repo: Path, base: str, history: str, text: bytes | None) -> str:
    """The worktree's index with ``history`` set to ``text`` (None: no such file), written
    as a tree. Any conflict stages of the file are dropped first."""
    entries = f"0 {zero_oid(repo)}\t{history}\0"
    if text is not None:
        mode, _ = tree_entries(repo, base, [history]).get(history, ("100644", ""))
        blob = git_text(
            repo, ["hash-object", "-w", "-t", "blob", "--no-filters", "--stdin"], stdin=text
        )
        entries += f"{mode} {blob}\t{history}\0"
    run_git(tree_dir, ["update-index", "-z", "--index-info"], stdin=entries.encode("utf-8"))
    return git_text(tree_dir, ["write-tree"])


def _tree_of(repo: Path, commit: str) -> str:
    return git_text(repo, ["rev-parse", f"{commit}^{{tree}}"])


def _remove_worktree(repo: Path, tree_dir: Path) -> None:
    """Remove the temporary worktree; when git cannot, delete it and prune its record."""
    try:
        run_git(repo, ["worktree", "remove", "--force", str(tree_dir)])
    except GitError:
        shutil.rmtree(tree_dir, ignore_errors=True)
        run_git(repo, ["worktree", "prune"], ok_codes=(0, 1, 128))
