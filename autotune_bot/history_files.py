"""The ``files`` of a history entry, checked before a rollback reads or writes through them.

The history is text in the repository: anyone with write access to it (a pull request, a hand
edit) decides what it says, and a rollback writes the files it names. So every ``files[N]`` of
an entry must be an object whose

* ``path`` is a path relative to the repository root, written with ``/``: not empty, not
  absolute (no leading ``/``, no drive letter), without ``..`` components, backslashes, NUL
  characters or a ``.git`` component;
* ``diff`` is a unified diff of that one file (empty for none).

Pure. Whether a path that passes these rules still resolves inside the repository once
symbolic links are followed is a question about the disk:
:func:`autotune_bot.workspace.inside_repository`.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import PureWindowsPath
from typing import Any

from autotune_bot.patch.hunks import DiffFormatError, parse_diff

__all__ = ["file_problem", "path_problem"]


def path_problem(name: str) -> str | None:
    """Why ``name`` is not a safe repository-relative path, or None when it is."""
    if not name:
        return "empty path"
    if "\\" in name:
        return f"{name!r} contains a backslash; paths in the history use '/'"
    if "\0" in name:
        return f"{name!r} contains a NUL character"
    if name.startswith("/") or PureWindowsPath(name).drive:
        return f"{name!r} is absolute; paths in the history are relative to the repository root"
    parts = name.split("/")
    if ".." in parts:
        return f"{name!r} has a '..' component: it would leave the repository"
    if any(part.lower() == ".git" for part in parts):
        return f"{name!r} is inside .git, which is not a workflow file"
    return None


def _diff_problem(diff: str) -> str | None:
    if not diff:
        return None
    try:
        parsed = parse_diff(diff)
    except DiffFormatError as err:
        return f"unreadable diff: diff line {err.line}: {err.message}"
    if len(parsed) != 1:
        return f"a diff of {len(parsed)} files; one expected"
    return None


def file_problem(files: Sequence[Any]) -> tuple[str, str] | None:
    """The first problem of an entry's ``files`` as (field, message), e.g.
    ``("files[1].path", "'../x' has a '..' component: ...")``; None when there is none."""
    for n, item in enumerate(files):
        if not isinstance(item, dict):
            return f"files[{n}]", f"bad or missing value ({item!r}); an object expected"
        path, diff = item.get("path"), item.get("diff")
        if not isinstance(path, str):
            return f"files[{n}].path", f"bad or missing value ({path!r}); a string expected"
        problem = path_problem(path)
        if problem is not None:
            return f"files[{n}].path", problem
        if not isinstance(diff, str):
            return f"files[{n}].diff", f"bad or missing value ({diff!r}); a string expected"
        problem = _diff_problem(diff)
        if problem is not None:
            return f"files[{n}].diff", problem
    return None
