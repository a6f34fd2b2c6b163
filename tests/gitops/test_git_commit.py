"""Committing whole files on a base commit without touching the working tree or index."""

from __future__ import annotations

import hashlib
import subprocess
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest

from autotune_bot.gitops.commit_files import blob_id, commit_files, files_match
from autotune_bot.gitops.git import GitError, GitIdentity
from tests.gitops.git_fixtures import BOT, checkout_clone, commit, git, make_remote

pytestmark = pytest.mark.usefixtures("isolated_git")

IDENTITY = GitIdentity(*BOT)


def _state(repo: Path) -> tuple[dict[str, bytes], bytes, str, str]:
    """Working tree bytes, index bytes, status and HEAD: everything the commit must not touch."""
    files = {
        p.relative_to(repo).as_posix(): p.read_bytes()
        for p in sorted(repo.rglob("*"))
        if p.is_file() and p.relative_to(repo).parts[0] != ".git"
    }
    index = (repo / ".git" / "index").read_bytes()
    status = git(repo, "status", "--porcelain=v1", "--untracked-files=all")
    return files, index, status, git(repo, "symbolic-ref", "HEAD") + git(repo, "rev-parse", "HEAD")


def test_dirty_working_tree_and_index_stay_untouched(tmp_path: Path) -> None:
    clone = checkout_clone(make_remote(tmp_path), tmp_path)
    (clone / "README.md").write_text("edited, not staged\n")
    (clone / "notes.txt").write_text("untracked\n")
    (clone / "staged.txt").write_text("staged\n")
    git(clone, "add", "staged.txt")
    before = _state(clone)
    base = git(clone, "rev-parse", "HEAD")
    sha = commit_files(
        clone, base, {"workflows/flow.yml": "name: flow\nversion: 99\n"}, "tune", IDENTITY
    )
    assert _state(clone) == before
    assert git(clone, "rev-parse", f"{sha}^") == base
    assert git(clone, "diff", "--name-only", base, sha) == "workflows/flow.yml"
    assert git(clone, "show", f"{sha}:workflows/flow.yml") == "name: flow\nversion: 99"
    assert git(clone, "log", "-1", "--format=%an <%ae>|%cn <%ce>|%B", sha) == (
        f"{BOT[0]} <{BOT[1]}>|{BOT[0]} <{BOT[1]}>|tune"
    )


def test_bytes_are_stored_exactly_despite_eol_settings(tmp_path: Path) -> None:
    remote = make_remote(tmp_path)
    commit(remote.work, {".gitattributes": "* text=auto eol=crlf\n"}, "attributes")
    remote.push("main")
    clone = checkout_clone(remote, tmp_path)
    git(clone, "config", "core.autocrlf", "true")
    git(clone, "config", "core.safecrlf", "true")
    contents: dict[str, str | bytes] = {
        "crlf.yml": "a: 1\r\nb: 2\r\n",
        "mixed.yml": "a: 1\nb: 2\r\nno-final-newline",
        "unicode.md": "Größe → 5 µs\n",
        "raw.bin": b"\x00\xff\r\n\x1a",
        "deep/new/dir/file.jsonl": '{"k": 1}\n',
    }
    sha = commit_files(clone, git(clone, "rev-parse", "HEAD"), contents, "bytes", IDENTITY)
    for path, content in contents.items():
        expected = content.encode() if isinstance(content, str) else content
        stored = _blob(clone, f"{sha}:{path}")
        assert stored == expected, path
    assert files_match(clone, sha, contents)
    assert not files_match(clone, sha, {"crlf.yml": "a: 1\nb: 2\n"})
    assert not files_match(clone, sha, {"absent.yml": ""})


def _blob(repo: Path, spec: str) -> bytes:
    return subprocess.run(
        ["git", "cat-file", "blob", spec], cwd=repo, capture_output=True, check=True
    ).stdout


def test_executable_bit_is_kept_and_other_files_untouched(tmp_path: Path) -> None:
    remote = make_remote(tmp_path)
    commit(remote.work, {"run.sh": "#!/bin/sh\n"}, "script")
    git(remote.work, "update-index", "--chmod=+x", "run.sh")
    git(remote.work, "commit", "-q", "-m", "executable")
    remote.push("main")
    clone = checkout_clone(remote, tmp_path)
    base = git(clone, "rev-parse", "HEAD")
    sha = commit_files(clone, base, {"run.sh": "#!/bin/sh\necho hi\n"}, "edit", IDENTITY)
    assert git(clone, "ls-tree", sha, "run.sh").split()[0] == "100755"
    base_tree = git(clone, "ls-tree", "-r", base).splitlines()
    new_tree = git(clone, "ls-tree", "-r", sha).splitlines()
    assert [e for e in base_tree if not e.endswith("\trun.sh")] == [
        e for e in new_tree if not e.endswith("\trun.sh")
    ]


def test_fixed_dates_make_the_commit_reproducible(tmp_path: Path) -> None:
    clone = checkout_clone(make_remote(tmp_path), tmp_path)
    base = git(clone, "rev-parse", "HEAD")
    when = datetime(2026, 3, 1, 12, 30, tzinfo=timezone(timedelta(hours=-5, minutes=-30)))
    one = commit_files(clone, base, {"a.txt": "x\n"}, "same", IDENTITY, when=when)
    two = commit_files(clone, base, {"a.txt": "x\n"}, "same", IDENTITY, when=when)
    assert one == two
    assert git(clone, "log", "-1", "--format=%at %ai|%ct", one) == (
        f"{int(when.timestamp())} 2026-03-01 12:30:00 -0530|{int(when.timestamp())}"
    )
    with pytest.raises(GitError, match="timezone"):
        commit_files(clone, base, {"a.txt": "x\n"}, "m", IDENTITY, when=datetime(2026, 1, 1))
    later = commit_files(
        clone, base, {"a.txt": "x\n"}, "same", IDENTITY, when=when.astimezone(UTC) + timedelta(1)
    )
    assert later != one


@pytest.mark.parametrize(
    "path", ["/etc/passwd", "../out.txt", "a/../../b", ".git/config", "a//b", "dir/", "./a", "a\\b"]
)
def test_paths_outside_the_tree_are_refused(tmp_path: Path, path: str) -> None:
    # refused before git is asked anything: no repository needed
    with pytest.raises(GitError, match="repository-relative"):
        commit_files(tmp_path, "0" * 40, {path: "x"}, "m", IDENTITY)


def test_a_directory_in_the_base_cannot_be_overwritten(tmp_path: Path) -> None:
    remote = make_remote(tmp_path)
    base = git(remote.work, "rev-parse", "HEAD")
    with pytest.raises(GitError, match="not a regular file"):
        commit_files(remote.work, base, {"workflows": "x"}, "m", IDENTITY)


@pytest.mark.parametrize("fmt", ["sha1", "sha256"])
def test_blob_id_agrees_with_git_hash_object(tmp_path: Path, fmt: str) -> None:
    repo = tmp_path / fmt
    repo.mkdir()
    git(repo, "init", "-q", f"--object-format={fmt}")
    for data in (b"", b"a: 1\r\n", "µ\n".encode(), b"\x00" * 1000):
        expected = git(repo, "hash-object", "--stdin", stdin=data)
        assert blob_id(data, "sha256" if fmt == "sha256" else "sha1") == expected
    # and, independently of git, the textbook SHA-1 of the empty blob
    assert blob_id(b"", "sha1") == "e69de29bb2d1d6434b8b29ae775ad8c2e48c5391"
    assert hashlib.sha1(b"blob 0\0").hexdigest() == "e69de29bb2d1d6434b8b29ae775ad8c2e48c5391"


def test_sha256_repository_commit(tmp_path: Path) -> None:
    repo = tmp_path / "r"
    repo.mkdir()
    git(repo, "init", "-q", "--object-format=sha256", "-b", "main")
    base = commit(repo, {"a.yml": "a: 1\n"}, "first")
    sha = commit_files(repo, base, {"a.yml": "a: 2\r\n"}, "second", IDENTITY)
    assert len(sha) == 64
    assert files_match(repo, sha, {"a.yml": "a: 2\r\n"})
    assert _blob(repo, f"{sha}:a.yml") == b"a: 2\r\n"
