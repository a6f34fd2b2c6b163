"""The `autotune rollback` command: list a target's history, or undo one of its changes.

Undoing edits the working tree only (no commit, as `apply`): the files are written atomically
and only if they still hold the text the rollback was computed from, then a rollback entry is
appended to `.autotune/history.jsonl`. The planning is :func:`autotune_bot.rollback.plan_rollback`.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

__all__ = ["add_parser", "format_history", "rollback_command"]


def add_parser(sub: Any, common: argparse.ArgumentParser) -> None:
    parser = sub.add_parser(
        "rollback",
        parents=[common],
        help="list or undo recorded optimisations of a target (working tree only, no commit)",
    )
    parser.add_argument(
        "--target",
        "--team-id",
        dest="target",
        required=True,
        metavar="NAME",
        help="team id or workflow name, as the history records it",
    )
    which = parser.add_mutually_exclusive_group()
    which.add_argument(
        "--index",
        type=int,
        default=0,
        metavar="N",
        help="which still-applied change to undo, 0 = the latest (default); see --list",
    )
    which.add_argument(
        "--id",
        dest="entry_id",
        default=None,
        metavar="ID",
        help="undo the history entry with this id (or a unique prefix of it)",
    )
    which.add_argument(
        "--list", action="store_true", help="print the target's history and change nothing"
    )
    parser.add_argument(
        "--dry-run", action="store_true", help="print the diff the rollback would apply"
    )


def _date(timestamp: str) -> str:
    try:
        when = datetime.fromisoformat(timestamp)
    except ValueError:
        return timestamp
    if when.utcoffset() is not None and when.utcoffset() == UTC.utcoffset(None):
        return when.strftime("%Y-%m-%d %H:%M:%S UTC")
    return when.isoformat(sep=" ", timespec="seconds")


def format_history(target: str, entries: Sequence[Mapping[str, Any]]) -> str:
    """The `--list` table of a target's history (``entries``: the whole history)."""
    from autotune_bot.history import HISTORY_FILE
    from autotune_bot.rollback import target_history

    rows = [("INDEX", "ID", "DATE", "KIND", "VALIDATION", "ROLLED BACK", "DESCRIPTION")]
    for line in target_history(entries, target):
        e = line.entry
        if e["kind"] == "rollback":
            undone = f"reverts {e['reverts']}"
        elif e["kind"] == "outcome":  # a monitoring record: it changed nothing to roll back
            undone = "-"
        else:
            undone = f"by {line.rolled_back_by}" if line.rolled_back_by else "no"
        rows.append(
            (
                "-" if line.index is None else str(line.index),
                str(e["id"]),
                _date(str(e["timestamp"])),
                str(e["kind"]),
                str(e.get("validation_status") or "-"),
                undone,
                " ".join(str(e.get("description", "")).split()),
            )
        )
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]) - 1)]
    out = [
        f"History of {target} in {HISTORY_FILE.as_posix()}, newest first "
        "(INDEX counts the changes still applied: rollback --index N)"
    ]
    for row in rows:
        cells = [cell.ljust(width) for cell, width in zip(row, widths, strict=False)]
        out.append("  ".join([*cells, row[-1]]).rstrip())
    return "\n".join(out) + "\n"


def rollback_command(args: argparse.Namespace) -> int:
    from autotune_bot.history import append_history, read_history, read_texts
    from autotune_bot.rollback import check_target, history_paths, plan_rollback
    from autotune_bot.workspace import write_patches

    entries = read_history(args.repo)
    if args.list:
        check_target(entries, args.target)
        sys.stdout.write(format_history(args.target, entries))
        return 0
    texts = read_texts(args.repo, history_paths(entries))
    plan = plan_rollback(
        entries,
        args.target,
        texts,
        now=datetime.now(UTC),
        index=args.index,
        entry_id=args.entry_id,
    )
    reverted = plan.reverted
    sys.stdout.write(plan.diff)
    others = [t for t in reverted["targets"] if t != args.target]
    if others:
        print(f"Entry {reverted['id']} also changed {', '.join(others)}: reverted as well.")
    what = f"{reverted['id']} ({reverted.get('description', '')})"
    if args.dry_run:
        print(
            f"Dry run: rolling back {what} would change {len(plan.files)} file(s); "
            "nothing was written."
        )
        return 0
    written = write_patches(args.repo, plan.files)
    where = append_history(args.repo, [plan.entry])
    print(
        f"Rolled back {what}: {len(written)} file(s) changed: {', '.join(written)} (working tree "
        f"only, not committed); history: {where.relative_to(args.repo).as_posix()} "
        f"(entry {plan.entry['id']})"
    )
    return 0
