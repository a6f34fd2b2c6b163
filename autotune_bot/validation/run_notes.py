"""What the runs of an A/B test say about themselves: where their figures came from and why
the failed ones failed, summarised per arm so a reader can tell a broken command from a slow
workflow. Pure."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

from autotune_bot.validation.runs import RunResult

__all__ = ["run_notes"]

_SOURCES = {
    "result_file": "AUTOTUNE_RESULT record",
    "stdout": "record on stdout",
    "wall_time": "wall time and exit status (no record)",
    "recorded": "recorded metrics",
}
_MOST_REASONS = 3


def _why(run: RunResult) -> str:
    if run.timed_out:
        return f"timed out after {run.duration_seconds:g} s"
    if run.note:
        return run.note
    if run.exit_code not in (None, 0):
        return f"exit status {run.exit_code}"
    return "the record says success: false"


def _arm(name: str, runs: Sequence[RunResult]) -> list[str]:
    if not runs:
        return []
    sources = Counter(_SOURCES[r.source] for r in runs)
    lines = [
        f"{name}: figures from "
        + ", ".join(f"{count} × {source}" for source, count in sorted(sources.items()))
    ]
    failed = [r for r in runs if not r.success]
    if failed:
        reasons = Counter(_why(r) for r in failed).most_common()
        shown = "; ".join(f"{count} × {why}" for why, count in reasons[:_MOST_REASONS])
        more = len(reasons) - _MOST_REASONS
        lines.append(
            f"{name}: {len(failed)} of {len(runs)} runs failed: {shown}"
            + (f"; and {more} other reasons" if more > 0 else "")
        )
    return lines


def run_notes(control: Sequence[RunResult], variant: Sequence[RunResult]) -> tuple[str, ...]:
    """One line per arm on the runs' sources, one more per arm with failures."""
    return (*_arm("control", control), *_arm("variant", variant))
