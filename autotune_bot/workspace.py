"""Edge: write patched workflow files into the working tree.

Only files inside the repository are written: a path that resolves outside it, symbolic links
followed (``../x``, an absolute path elsewhere, a folder that is a link to elsewhere), is
refused before anything is written. A file is only replaced when it still holds exactly the
text the patch was computed from (otherwise someone edited it meanwhile and the patch would
overwrite their work); the new text is written to a temporary file beside it and moved into
place, keeping the file's mode.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Protocol

from autotune_bot.errors import AutotuneError, InputError

__all__ = ["OutsideRepositoryError", "StaleFileError", "inside_repository", "write_patches"]


class StaleFileError(AutotuneError):
    """A file changed on disk after it was read; nothing was written to it."""


class OutsideRepositoryError(InputError):
    """A file to write resolves outside the repository; nothing was written."""


def inside_repository(root: Path, name: str) -> bool:
    """Whether ``name`` (relative to ``root``, or absolute) names a file inside the
    repository ``root`` once both are resolved, symbolic links followed."""
    try:
        base = root.resolve()
        target = (base / name).resolve()
    except (OSError, ValueError, RuntimeError):  # a NUL byte, a symbolic-link loop
        return False
    return target != base and target.is_relative_to(base)


class TextPatch(Protocol):
    @property
    def path(self) -> str: ...
    @property
    def old_text(self) -> str: ...
    @property
    def new_text(self) -> str: ...


def _replace(target: Path, text: str) -> None:
    mode = target.stat().st_mode & 0o7777
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", dir=target.parent)
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(text.encode("utf-8"))
        os.chmod(tmp, mode)
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_patches(root: Path, patches: Sequence[TextPatch]) -> list[str]:
    """Write every patch into the repository ``root``; raises
    :class:`OutsideRepositoryError` or :class:`StaleFileError` before writing anything if a
    file resolves outside ``root`` or no longer holds the text its patch was computed from.
    Returns the paths written."""
    targets = []
    for patch in patches:
        if not inside_repository(root, patch.path):
            raise OutsideRepositoryError(
                "resolves outside the repository (symbolic links followed); nothing was written",
                path=patch.path,
            )
        target = root / patch.path
        try:
            on_disk = target.read_bytes().decode("utf-8")
        except (OSError, UnicodeDecodeError):
            on_disk = None
        if on_disk != patch.old_text:
            raise StaleFileError(f"{patch.path}: changed on disk since it was read; not written")
        targets.append((target, patch))
    for target, patch in targets:
        _replace(target, patch.new_text)
    return [patch.path for _, patch in targets]
