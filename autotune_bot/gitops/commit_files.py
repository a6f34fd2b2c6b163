"""Making a commit of whole files on top of a base commit, without a working tree.

The bot never checks anything out: the blobs are written with ``hash-object``, a tree is
built in a temporary index (``GIT_INDEX_FILE``) from the base commit plus the new files,
and ``commit-tree`` makes the commit. The working tree, the repository's index and the
checked-out branch are untouched, and the bytes land exactly as given (no line-ending or
attribute filters).
"""

from __future__ import annotations

import hashlib
import tempfile
from collections.abc import Mapping
from datetime import datetime
from pathlib import Path, PurePosixPath

from autotune_bot.gitops.git import GitError, GitIdentity, git_text, run_git
from autotune_bot.gitops.git_refs import ObjectFormat, object_format

__all__ = [
    "FileContents",
    "blob_id",
    "check_repo_path",
    "commit_files",
    "commit_tree",
    "encode",
    "files_match",
    "tree_entries",
]

FileContents = Mapping[str, str | bytes]
_REGULAR = "100644"
_EXECUTABLE = "100755"


def encode(content: str | bytes) -> bytes:
    """The bytes a file's content is stored as: text as UTF-8, unchanged otherwise."""
    return content.encode("utf-8") if isinstance(content, str) else content


def blob_id(data: bytes, fmt: ObjectFormat) -> str:
    """The object id git gives a file with these bytes (``git hash-object``)."""
    digest = hashlib.sha256() if fmt == "sha256" else hashlib.sha1()
    digest.update(b"blob %d\0" % len(data))
    digest.update(data)
    return digest.hexdigest()


def check_repo_path(path: str) -> None:
    """Raise :class:`GitError` unless ``path`` is a plain relative path inside the repository."""
    parts = PurePosixPath(path).parts
    if (
        not path
        or path.startswith("/")
        or "\\" in path
        or "\0" in path
        or any(p in {"..", "."} for p in path.split("/"))
        or path.endswith("/")
        or "" in path.split("/")
        or parts[0].lower() == ".git"
    ):
        raise GitError(f"not a repository-relative file path: {path!r}")


def tree_entries(repo: Path, commit: str, paths: list[str]) -> dict[str, tuple[str, str]]:
    """``path -> (mode, object id)`` of those ``paths`` that exist in ``commit``'s tree."""
    if not paths:
        return {}
    out = run_git(repo, ["ls-tree", "-z", "--full-tree", commit, "--", *paths]).stdout
    entries: dict[str, tuple[str, str]] = {}
    for record in out.split(b"\0"):
        if not record:
            continue
        meta, _, name = record.partition(b"\t")
        mode, _kind, oid = meta.decode("ascii").split(" ")
        entries[name.decode("utf-8", errors="surrogateescape")] = (mode, oid)
    return entries


def commit_files(
    repo: Path,
    base_sha: str,
    files: FileContents,
    message: str,
    identity: GitIdentity,
    *,
    when: datetime | None = None,
) -> str:
    """Commit ``files`` (path -> full content) on top of ``base_sha``; return the commit id.

    Files not named keep their content from the base commit; a named file keeps its
    executable bit. No ref moves: point a branch at the result with
    :func:`~autotune_bot.gitops.git_refs.update_branch` or push it. ``when`` (timezone-aware)
    fixes the author and committer dates; without it git uses the current time.
    """
    if not files:
        raise GitError("nothing to commit: no files given")
    if not message.strip():
        raise GitError("a commit needs a message")
    if when is not None and when.utcoffset() is None:
        raise GitError("the commit date must carry a timezone")
    for path in files:
        check_repo_path(path)
    existing = tree_entries(repo, base_sha, list(files))
    lines: list[bytes] = []
    for path, content in files.items():
        mode, _ = existing.get(path, (_REGULAR, ""))
        if mode not in (_REGULAR, _EXECUTABLE):
            raise GitError(f"{path} is not a regular file in the base commit (mode {mode})")
        blob = git_text(
            repo,
            ["hash-object", "-w", "-t", "blob", "--no-filters", "--stdin"],
            stdin=encode(content),
        )
        lines.append(f"{mode} {blob}\t{path}".encode() + b"\0")
    with tempfile.TemporaryDirectory(prefix="autotune-index-") as scratch:
        index = {"GIT_INDEX_FILE": str(Path(scratch) / "index")}
        run_git(repo, ["read-tree", base_sha], env=index)
        run_git(repo, ["update-index", "-z", "--index-info"], stdin=b"".join(lines), env=index)
        tree = git_text(repo, ["write-tree"], env=index)
    return commit_tree(repo, base_sha, tree, message, identity, when=when)


def commit_tree(
    repo: Path,
    parent: str,
    tree: str,
    message: str,
    identity: GitIdentity,
    *,
    when: datetime | None = None,
) -> str:
    """One commit of ``tree`` on ``parent``, authored and committed by ``identity`` (no hooks,
    no signing); ``when`` (timezone-aware) fixes both dates. No ref moves."""
    text = message if message.endswith("\n") else message + "\n"
    return git_text(
        repo,
        ["commit-tree", "--no-gpg-sign", "-p", parent, "-F", "-", tree],
        identity=identity,
        stdin=text.encode("utf-8"),
        env=_dates(when),
    )


def files_match(repo: Path, commit: str, files: FileContents) -> bool:
    """Whether every file of ``files`` has exactly this content in ``commit``'s tree."""
    fmt = object_format(repo)
    entries = tree_entries(repo, commit, list(files))
    for path, content in files.items():
        mode, oid = entries.get(path, ("", ""))
        if mode not in (_REGULAR, _EXECUTABLE) or oid != blob_id(encode(content), fmt):
            return False
    return True


def _dates(when: datetime | None) -> dict[str, str]:
    if when is None:
        return {}
    offset = when.utcoffset()
    assert offset is not None
    minutes = int(offset.total_seconds()) // 60
    sign = "+" if minutes >= 0 else "-"
    stamp = f"{int(when.timestamp())} {sign}{abs(minutes) // 60:02d}{abs(minutes) % 60:02d}"
    return {"GIT_AUTHOR_DATE": stamp, "GIT_COMMITTER_DATE": stamp}
