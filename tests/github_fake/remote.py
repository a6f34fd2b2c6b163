"""A bare git repository playing the GitHub remote, read and written with real ``git``.

The fake GitHub answers branch, ref and compare queries (and pull request head shas) from
the bare repository the code under test pushes to. The helpers at the bottom build such a
repository and add commits to it the way a push by a person (or the bot) would, for test
set-up; they write objects and refs directly with git plumbing, which is much faster than
cloning and pushing.
"""

from __future__ import annotations

import os
import subprocess
import tempfile
from collections.abc import Mapping
from pathlib import Path

from tests.github_fake.objects import CommitFacts

__all__ = ["BareRemote", "files_of", "init_bare_remote", "push_commit"]

_FORMAT = "%H%x00%T%x00%P%x00%an%x00%ae%x00%aI%x00%cn%x00%ce%x00%cI%x00%B"
# Fixed dates and no user configuration: the same set-up gives the same shas.
_ENV = {
    "GIT_CONFIG_GLOBAL": os.devnull,
    "GIT_CONFIG_NOSYSTEM": "1",
    "GIT_AUTHOR_DATE": "2026-01-05T10:00:00Z",
    "GIT_COMMITTER_DATE": "2026-01-05T10:00:00Z",
}


def _git(
    *args: str,
    cwd: Path,
    check: bool = True,
    env: Mapping[str, str] | None = None,
    stdin: str | None = None,
) -> str:
    done = subprocess.run(
        ["git", *args],
        cwd=cwd,
        env={**os.environ, **_ENV, **(env or {})},
        input=stdin,
        capture_output=True,
        text=True,
        check=False,
    )
    if check and done.returncode != 0:
        raise RuntimeError(f"git {' '.join(args)} failed: {done.stderr.strip()}")
    return done.stdout if done.returncode == 0 else ""


class BareRemote:
    """Read access to a bare repository: branches, refs, commits and comparisons."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def default_branch(self) -> str:
        return _git("symbolic-ref", "--short", "HEAD", cwd=self.path).strip()

    def resolve(self, revision: str) -> str | None:
        out = _git(
            "rev-parse", "--verify", "--quiet", f"{revision}^{{commit}}", cwd=self.path, check=False
        )
        return out.strip() or None

    def branch_sha(self, branch: str) -> str | None:
        return self.resolve(f"refs/heads/{branch}")

    def branches(self) -> dict[str, str]:
        """Every branch and its commit (one ``git`` call)."""
        pairs = self.matching_refs("heads/")
        return {name.removeprefix("refs/heads/"): sha for name, sha in pairs}

    def matching_refs(self, prefix: str) -> list[tuple[str, str]]:
        """``(refname, sha)`` of every ref whose name starts with ``refs/<prefix>``."""
        out = _git("for-each-ref", "--format=%(refname) %(objectname)", "refs/", cwd=self.path)
        pairs = [tuple(line.split(" ", 1)) for line in out.splitlines() if line]
        return [(name, sha) for name, sha in pairs if name.startswith(f"refs/{prefix}")]

    def commit(self, sha: str) -> CommitFacts:
        out = _git("show", "-s", f"--format={_FORMAT}", sha, cwd=self.path)
        fields = out.split("\x00")
        return CommitFacts(
            sha=fields[0],
            tree=fields[1],
            parents=tuple(fields[2].split()),
            author_name=fields[3],
            author_email=fields[4],
            author_date=_utc(fields[5]),
            committer_name=fields[6],
            committer_email=fields[7],
            committer_date=_utc(fields[8]),
            message=fields[9].rstrip("\n"),
        )

    def merge_base(self, base: str, head: str) -> str | None:
        return _git("merge-base", base, head, cwd=self.path, check=False).strip() or None

    def commits_between(self, base: str, head: str) -> list[str]:
        """Shas reachable from ``head`` but not ``base``, oldest first."""
        out = _git("rev-list", "--reverse", f"{base}..{head}", cwd=self.path)
        return out.split()

    def count_between(self, base: str, head: str) -> int:
        return int(_git("rev-list", "--count", f"{base}..{head}", cwd=self.path).strip())


def _utc(iso: str) -> str:
    return iso.replace("+00:00", "Z")


def files_of(directory: Path) -> dict[str, str]:
    """Every text file under ``directory`` (relative POSIX path -> text), e.g. to seed a
    remote with an example repository: ``init_bare_remote(path, files_of(example))``."""
    return {
        path.relative_to(directory).as_posix(): path.read_text(encoding="utf-8")
        for path in sorted(directory.rglob("*"))
        if path.is_file() and ".git" not in path.relative_to(directory).parts
    }


def init_bare_remote(path: Path, files: Mapping[str, str], *, branch: str = "main") -> Path:
    """A bare repository at ``path`` whose ``branch`` holds one commit with ``files``."""
    path.mkdir(parents=True)
    # No template: no sample hooks to copy (and delete again).
    _git("init", "--bare", "--quiet", "--template=", f"--initial-branch={branch}", ".", cwd=path)
    push_commit(path, branch, files, message="Initial commit", create=True)
    return path


def push_commit(
    remote: Path,
    branch: str,
    files: Mapping[str, str],
    *,
    message: str = "Change",
    author_name: str = "A Person",
    author_email: str = "person@example.com",
    start: str | None = None,
    create: bool = False,
    force: bool = False,
) -> str:
    """Commit ``files`` on ``branch`` (or on ``start``, replacing the branch) and update the
    branch in ``remote``, as a push would; the new sha. ``force`` allows dropping commits
    of the branch (a forced push); otherwise the update must be a fast-forward."""
    ref = f"refs/heads/{branch}"
    remote_repo = BareRemote(remote)
    old = remote_repo.resolve(ref)
    base = start if start is not None else (None if create else branch)
    parent = remote_repo.resolve(base) if base is not None else None
    if base is not None and parent is None:
        raise RuntimeError(f"no such revision in the remote: {base}")
    if old is not None and not force and old != parent:
        fast_forward = parent is not None and remote_repo.merge_base(old, parent) == old
        if not fast_forward:
            raise RuntimeError(f"push to {branch} rejected: not a fast-forward")
    with tempfile.TemporaryDirectory() as scratch:
        env = {"GIT_INDEX_FILE": str(Path(scratch) / "index")}
        if parent is not None:
            _git("read-tree", parent, cwd=remote, env=env)
        names = list(files)
        paths = []
        for number, name in enumerate(names):
            path = Path(scratch) / f"blob{number}"
            path.write_text(files[name], encoding="utf-8")
            paths.append(str(path))
        if names:
            blobs = _git("hash-object", "-w", *paths, cwd=remote).split()
            entries = "".join(
                f"100644 {blob}\t{name}\n" for blob, name in zip(blobs, names, strict=True)
            )
            _git("update-index", "--add", "--index-info", cwd=remote, env=env, stdin=entries)
        tree = _git("write-tree", cwd=remote, env=env).strip()
        identity = {
            "GIT_AUTHOR_NAME": author_name,
            "GIT_AUTHOR_EMAIL": author_email,
            "GIT_COMMITTER_NAME": author_name,
            "GIT_COMMITTER_EMAIL": author_email,
        }
        parents = ["-p", parent] if parent is not None else []
        commit = _git("commit-tree", tree, *parents, "-m", message, cwd=remote, env=identity)
        sha = commit.strip()
        _git("update-ref", ref, sha, old or "0" * 40, cwd=remote)
        return sha
