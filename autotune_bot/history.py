"""Edge: the optimisation history of a repository, `.autotune/history.jsonl`.

One JSON object per line, appended when `autotune apply` changes the working tree: when, which
target, what was applied (type, description, exact changes), the estimate it rested on (never an
A/B result unless one was measured: ``validation_status`` says which), and the unified diff that
was applied, so the change can be reviewed or reverted (``git apply -R``). Building an entry is
pure (:func:`history_entry`); only :func:`append_history` and :func:`read_history` touch files.
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

from autotune_bot.errors import InputError
from autotune_bot.report.suggestions_json import suggestion_to_json
from autotune_bot.tuning.suggestion import OptimizationSuggestion

__all__ = ["HISTORY_FILE", "append_history", "history_entry", "read_history"]

HISTORY_FILE = Path(".autotune") / "history.jsonl"


def history_entry(
    suggestions: Sequence[OptimizationSuggestion],
    diff: str,
    *,
    now: datetime,
    mode: str,
) -> dict[str, Any]:
    """The history record of one file's change (``mode``: "auto", "interactive", ...)."""
    # Estimated effects of several suggestions are not additive: one figure only for one.
    improvement: float | None = None
    if len(suggestions) == 1 and math.isfinite(suggestions[0].expected_improvement):
        improvement = suggestions[0].expected_improvement
    validated = all(s.estimate is not None and s.estimate.validated for s in suggestions)
    return {
        "timestamp": now.isoformat(),
        "targets": sorted({s.target for s in suggestions}),
        "mode": mode,
        "optimization": {
            "description": "; ".join(s.description for s in suggestions),
            "suggestions": [suggestion_to_json(s) for s in suggestions],
        },
        "improvement_percentage": improvement,
        "improvement_basis": "estimated from recorded traces" if not validated else "A/B test",
        "validation_status": "passed" if validated else "not_validated",
        "diff": diff,
    }


def append_history(root: Path, entries: Sequence[dict[str, Any]]) -> Path:
    path = root / HISTORY_FILE
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a", encoding="utf-8") as out:
        for entry in entries:
            out.write(json.dumps(entry, sort_keys=True, allow_nan=False) + "\n")
    return path


def read_history(root: Path, target: str | None = None) -> list[dict[str, Any]]:
    """Entries, newest first (optionally only one target's)."""
    path = root / HISTORY_FILE
    if not path.is_file():
        return []
    entries: list[dict[str, Any]] = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            entry = json.loads(line)
        except json.JSONDecodeError as err:
            raise InputError(
                f"not a JSON object: {err.msg}", path=str(HISTORY_FILE), line=number
            ) from err
        if not isinstance(entry, dict):
            raise InputError("not a JSON object", path=str(HISTORY_FILE), line=number)
        if target is None or target in entry.get("targets", ()):
            entries.append(entry)
    return entries[::-1]
