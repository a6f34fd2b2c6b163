"""How a file is named in messages: relative to the repository root when inside it."""

from __future__ import annotations

import os
from pathlib import Path

__all__ = ["display_path"]


def display_path(root: Path, path: Path) -> str:
    """``path`` relative to the repository ``root`` with ``/`` separators, when inside it.

    The path itself is not resolved: a symlinked file keeps the name it has in the
    repository.
    """
    absolute = Path(os.path.abspath(path))
    try:
        return absolute.relative_to(root.resolve()).as_posix()
    except ValueError:
        return absolute.as_posix()
