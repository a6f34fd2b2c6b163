"""Real repositories for the git tests: a bare "remote" with history and the clone
``actions/checkout`` makes of it (depth 1, one branch, no git identity configured).

Test-side git commands run here with their own identity, independently of the code
under test.
"""

from __future__ import annotations

import atexit
import os
import shutil
import subprocess
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import pytest

HUMAN = ("Human Dev", "human@example.com")
BOT = ("autotune-bot", "autotune-bot@users.noreply.github.com")


def isolate_git(monkeypatch: pytest.MonkeyPatch, home: Path) -> Path:
    """No system or user git configuration and no identity in the environment.

    Returns the (empty) global configuration file, for tests that add to it.
    """
    home.mkdir(parents=True, exist_ok=True)
    config = home / "gitconfig"
    config.write_text("")
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", str(config))
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    for name in (
        "GIT_AUTHOR_NAME",
        "GIT_AUTHOR_EMAIL",
        "GIT_COMMITTER_NAME",
        "GIT_COMMITTER_EMAIL",
        "GIT_DIR",
        "GIT_INDEX_FILE",
        "GIT_CONFIG_COUNT",
        "EMAIL",
    ):
        monkeypatch.delenv(name, raising=False)
    return config


def git(repo: Path, *args: str, who: tuple[str, str] = HUMAN, stdin: bytes = b"") -> str:
    """Run git in ``repo`` as ``who`` (test side); return its output."""
    name, email = who
    env_identity = {
        "GIT_AUTHOR_NAME": name,
        "GIT_AUTHOR_EMAIL": email,
        "GIT_COMMITTER_NAME": name,
        "GIT_COMMITTER_EMAIL": email,
    }
    done = subprocess.run(
        ["git", *args],
        cwd=repo,
        input=stdin,
        capture_output=True,
        env={**os.environ, **env_identity},
        check=False,
    )
    if done.returncode != 0:
        raise AssertionError(f"git {' '.join(args)}: {done.stderr.decode()}")
    return done.stdout.decode().strip()


def commit(
    repo: Path, files: Mapping[str, str | bytes], message: str, who: tuple[str, str] = HUMAN
) -> str:
    """Write ``files`` into the working tree of ``repo``, commit them as ``who``."""
    for path, content in files.items():
        target = repo / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(content.encode() if isinstance(content, str) else content)
        git(repo, "add", "--", path)
    git(repo, "commit", "-q", "-m", message, who=who)
    return git(repo, "rev-parse", "HEAD")


@dataclass
class Remote:
    """A bare repository and a full working clone used to move it (the "other people")."""

    bare: Path
    work: Path

    @property
    def url(self) -> str:
        return self.bare.as_uri()

    def sha(self, ref: str) -> str | None:
        done = subprocess.run(
            ["git", "rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}"],
            cwd=self.bare,
            capture_output=True,
            text=True,
            check=False,
        )
        return done.stdout.strip() or None

    def push(self, *refspecs: str) -> None:
        git(self.work, "push", "-q", "--force", "origin", *refspecs)


_TEMPLATES: dict[tuple[int, str], Remote] = {}
_TEMPLATE_ROOT: list[Path] = []


def make_remote(where: Path, commits: int = 3, default: str = "main") -> Remote:
    """A bare remote whose ``default`` branch has ``commits`` human commits.

    Commit ``i`` sets ``workflows/flow.yml`` to ``version: i`` and ``README.md`` to ``r<i>``.
    Each shape is built once per test session (``git fast-import``) and copied.
    """
    key = (commits, default)
    if key not in _TEMPLATES:
        if not _TEMPLATE_ROOT:
            _TEMPLATE_ROOT.append(Path(tempfile.mkdtemp(prefix="autotune-git-templates-")))
            atexit.register(shutil.rmtree, _TEMPLATE_ROOT[0], True)
        _TEMPLATES[key] = _build_remote(
            _TEMPLATE_ROOT[0] / f"{commits}-{default}", commits, default
        )
    template = _TEMPLATES[key]
    where.mkdir(parents=True, exist_ok=True)
    remote = Remote(where / "remote.git", where / "upstream")
    shutil.copytree(template.bare, remote.bare, symlinks=True)
    shutil.copytree(template.work, remote.work, symlinks=True)
    git(remote.work, "remote", "set-url", "origin", remote.url)
    return remote


def _build_remote(where: Path, commits: int, default: str) -> Remote:
    work = where / "upstream"
    work.mkdir(parents=True)
    git(work, "init", "-q", "-b", default)
    stream: list[bytes] = []
    name, email = HUMAN
    for i in range(commits):
        stamp = f"{name} <{email}> {1_700_000_000 + 60 * i} +0000"
        message = f"change {i}\n".encode()
        stream += [
            f"commit refs/heads/{default}\nmark :{i + 1}\n".encode(),
            f"author {stamp}\ncommitter {stamp}\n".encode(),
            b"data %d\n%s" % (len(message), message),
            f"from :{i}\n".encode() if i else b"",
        ]
        for path, content in (
            ("workflows/flow.yml", f"name: flow\nversion: {i}\n"),
            ("README.md", f"r{i}\n"),
        ):
            data = content.encode()
            stream.append(
                f"M 100644 inline {path}\n".encode() + b"data %d\n%s\n" % (len(data), data)
            )
    git(work, "fast-import", "--quiet", stdin=b"".join(stream))
    git(work, "reset", "-q", "--hard", default)
    bare = where / "remote.git"
    git(where, "init", "-q", "--bare", "-b", default, str(bare))
    git(work, "remote", "add", "origin", bare.as_uri())
    git(work, "push", "-q", "origin", default)
    return Remote(bare, work)


def checkout_clone(remote: Remote, where: Path, *, detached: bool = False) -> Path:
    """What ``actions/checkout`` leaves: a depth-1 clone of the default branch only."""
    clone = where / "checkout"
    git(where, "clone", "-q", "--depth", "1", "--single-branch", remote.url, str(clone))
    if detached:
        git(clone, "checkout", "-q", "--detach")
    return clone
