"""History entries written in the earlier format, before kinds, rollbacks, descriptions and
per-file diffs existed: the fields they lack, filled in as those entries meant them. (An entry
without an ``id`` gets the one its content hashes to: :func:`autotune_bot.history.entry_id`.)
Pure.
"""

from __future__ import annotations

from typing import Any

from autotune_bot.patch.hunks import parse_diff

__all__ = ["upgrade_entry"]


def upgrade_entry(entry: dict[str, Any], source: str) -> dict[str, Any]:
    """``entry`` with the fields of the current format it lacks: an apply entry reverting
    nothing, without configs, described as its optimisation was, its ``diff`` the change of
    the diff's first file. ``source`` names the history file in the :class:`PatchError`
    raised for a diff that cannot be read."""
    entry = dict(entry)
    entry.setdefault("kind", "apply")
    entry.setdefault("reverts", None)
    entry.setdefault("configs", [])
    if "description" not in entry:
        optimization = entry.get("optimization")
        found = optimization.get("description") if isinstance(optimization, dict) else None
        entry["description"] = found if isinstance(found, str) else ""
    if "files" not in entry and isinstance(entry.get("diff"), str):
        parsed = parse_diff(entry["diff"], source)
        entry["files"] = [{"path": f.new_path, "diff": entry["diff"]} for f in parsed[:1]]
    return entry
