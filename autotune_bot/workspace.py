"""Edge: write patched workflow files into the working tree.

A file is only replaced when it still holds exactly the text the patch was computed from
(otherwise someone edited it meanwhile and the patch would overwrite their work); the new text
is written to a temporary file beside it and moved into place, keeping the file's mode.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Protocol

from autotune_bot.errors import AutotuneError

__all__ = ["StaleFileError", "write_patches"]


class StaleFileError(AutotuneError):
    """A file changed on disk after it was read; nothing was written to it."""


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
    """Write every patch; raises :class:`StaleFileError` before writing anything if a file
    no longer holds the text its patch was computed from. Returns the paths written."""
    targets = []
    for patch in patches:
        target = Path(patch.path) if Path(patch.path).is_absolute() else root / patch.path
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
