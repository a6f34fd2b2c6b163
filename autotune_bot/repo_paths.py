"""How a file is named in messages: relative to the repository root when inside it."""

from __future__ import annotations

from pathlib import Path

__all__ = ["display_path"]


def display_path(root: Path, path: Path) -> str:
    try:
        return path.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return str(path)
