"""write_patches: patched files are written atomically (temporary file, then a rename), keep
their mode, and a file changed on disk since it was read stops the whole batch."""

from __future__ import annotations

import os
import stat
from dataclasses import dataclass
from pathlib import Path

import pytest

from autotune_bot.errors import AutotuneError
from autotune_bot.workspace import OutsideRepositoryError, StaleFileError, write_patches


@dataclass(frozen=True)
class Patch:
    path: str
    old_text: str
    new_text: str


OLD_A = "workflows:\n  a:\n    nodes: []\n"
NEW_A = "workflows:\n  a:\n    nodes: [x]\n"
OLD_B = "# b\r\nworkflows: {}\r\n"  # CRLF line endings are kept byte for byte
NEW_B = "# b\r\nworkflows: {b: {}}\r\n"


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    (tmp_path / "workflows").mkdir()
    (tmp_path / "workflows" / "a.yaml").write_bytes(OLD_A.encode())
    (tmp_path / "workflows" / "b.yaml").write_bytes(OLD_B.encode())
    return tmp_path


def _listing(directory: Path) -> list[str]:
    return sorted(p.name for p in directory.iterdir())


def test_writes_every_patch(repo: Path) -> None:
    patches = [Patch("workflows/a.yaml", OLD_A, NEW_A), Patch("workflows/b.yaml", OLD_B, NEW_B)]
    assert write_patches(repo, patches) == ["workflows/a.yaml", "workflows/b.yaml"]
    assert (repo / "workflows" / "a.yaml").read_bytes() == NEW_A.encode()
    assert (repo / "workflows" / "b.yaml").read_bytes() == NEW_B.encode()
    assert _listing(repo / "workflows") == ["a.yaml", "b.yaml"]  # no temporary file left


def test_absolute_path_inside_the_repository(repo: Path) -> None:
    target = repo / "workflows" / "a.yaml"
    write_patches(repo, [Patch(str(target), OLD_A, NEW_A)])
    assert target.read_text(encoding="utf-8") == NEW_A


def _outside(tmp_path: Path) -> Path:
    elsewhere = tmp_path.parent / f"{tmp_path.name}-elsewhere"
    elsewhere.mkdir()
    (elsewhere / "a.yaml").write_bytes(OLD_A.encode())
    return elsewhere


@pytest.mark.parametrize("how", ["dotdot", "absolute", "linked folder", "linked file"])
def test_files_outside_the_repository_are_never_written(repo: Path, how: str) -> None:
    elsewhere = _outside(repo)
    name = {
        "dotdot": f"../{elsewhere.name}/a.yaml",
        "absolute": str(elsewhere / "a.yaml"),
        "linked folder": "linked/a.yaml",
        "linked file": "workflows/c.yaml",
    }[how]
    (repo / "linked").symlink_to(elsewhere, target_is_directory=True)
    (repo / "workflows" / "c.yaml").symlink_to(elsewhere / "a.yaml")
    patches = [Patch("workflows/a.yaml", OLD_A, NEW_A), Patch(name, OLD_A, NEW_A)]
    with pytest.raises(OutsideRepositoryError) as info:
        write_patches(repo, patches)
    assert str(info.value).startswith(f"{name}: resolves outside the repository")
    assert (elsewhere / "a.yaml").read_bytes() == OLD_A.encode()
    assert (repo / "workflows" / "a.yaml").read_bytes() == OLD_A.encode()  # nothing written


@pytest.mark.parametrize("mode", [0o640, 0o755, 0o600])
def test_keeps_the_file_mode(repo: Path, mode: int) -> None:
    target = repo / "workflows" / "a.yaml"
    target.chmod(mode)
    write_patches(repo, [Patch("workflows/a.yaml", OLD_A, NEW_A)])
    assert stat.S_IMODE(target.stat().st_mode) == mode
    assert target.read_text(encoding="utf-8") == NEW_A


def test_file_changed_on_disk_stops_everything(repo: Path) -> None:
    (repo / "workflows" / "b.yaml").write_bytes(b"# edited by someone\n")
    patches = [Patch("workflows/a.yaml", OLD_A, NEW_A), Patch("workflows/b.yaml", OLD_B, NEW_B)]
    with pytest.raises(StaleFileError) as info:
        write_patches(repo, patches)
    assert isinstance(info.value, AutotuneError)
    assert str(info.value).startswith("workflows/b.yaml: changed on disk since it was read")
    # nothing was written, not even the file that was still as read
    assert (repo / "workflows" / "a.yaml").read_bytes() == OLD_A.encode()
    assert (repo / "workflows" / "b.yaml").read_bytes() == b"# edited by someone\n"
    assert _listing(repo / "workflows") == ["a.yaml", "b.yaml"]


def test_a_failed_write_leaves_the_old_file_and_no_temporary(
    repo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def fail(src: str, dst: str) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", fail)
    with pytest.raises(OSError, match="disk full"):
        write_patches(repo, [Patch("workflows/a.yaml", OLD_A, NEW_A)])
    assert (repo / "workflows" / "a.yaml").read_bytes() == OLD_A.encode()
    assert _listing(repo / "workflows") == ["a.yaml", "b.yaml"]


def test_the_new_text_is_moved_into_place(repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The target is only ever replaced by a rename of a complete file beside it."""
    seen: list[tuple[str, str, bytes]] = []
    real = os.replace

    def spy(src: str, dst: str) -> None:
        seen.append((os.path.dirname(src), os.fspath(dst), Path(src).read_bytes()))
        real(src, dst)

    monkeypatch.setattr(os, "replace", spy)
    write_patches(repo, [Patch("workflows/a.yaml", OLD_A, NEW_A)])
    target = repo / "workflows" / "a.yaml"
    assert seen == [(str(target.parent), str(target), NEW_A.encode())]


def test_deleted_file_is_stale(repo: Path) -> None:
    (repo / "workflows" / "a.yaml").unlink()
    with pytest.raises(StaleFileError):
        write_patches(repo, [Patch("workflows/a.yaml", OLD_A, NEW_A)])
