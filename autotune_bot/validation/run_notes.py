"""What the runs of an A/B test say about themselves: where their figures came from, which
reported records were not used (so their wall time counts instead), and why the failed ones
failed, summarised per arm so a reader can tell a broken command or record from a slow
workflow. Pure."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

from autotune_bot.validation.run_record import wall_time_reasons
from autotune_bot.validation.runs import RunResult

__all__ = ["run_notes"]

_SOURCES = {
    "result_file": "AUTOTUNE_RESULT record",
    "stdout": "record on stdout",
    "wall_time": "wall time and exit status (no usable record)",
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


def _counted(reasons: Counter[str]) -> str:
    """``reason`` alone, or ``2 × reason; 1 × other`` (the most common few)."""
    common = reasons.most_common()
    if len(common) == 1:
        return common[0][0]
    shown = "; ".join(f"{count} × {why}" for why, count in common[:_MOST_REASONS])
    more = len(common) - _MOST_REASONS
    return shown + (f"; and {more} other reasons" if more > 0 else "")


def _wall_time_lines(name: str, runs: Sequence[RunResult]) -> list[str]:
    """The runs whose record was not used at all, and those whose record was used but its
    duration was not: in both the measured wall time stands in."""
    unused: Counter[str] = Counter()
    no_duration: Counter[str] = Counter()
    for run in runs:
        reasons = wall_time_reasons(run.note)
        if not reasons or run.timed_out:
            continue
        target = unused if run.source == "wall_time" else no_duration
        target[reasons[0]] += 1
    lines = []
    for found, what in (
        (unused, ("run's record was not used", "runs' records were not used")),
        (
            no_duration,
            ("run's record gave no usable duration", "runs' records gave no usable duration"),
        ),
    ):
        count = sum(found.values())
        if count:
            phrase = what[0] if count == 1 else what[1]
            whose = "its" if count == 1 else "their"
            lines.append(f"{name}: {count} {phrase} ({_counted(found)}); {whose} wall time counts")
    return lines


def _arm(name: str, runs: Sequence[RunResult]) -> list[str]:
    if not runs:
        return []
    sources = Counter(_SOURCES[r.source] for r in runs)
    lines = [
        f"{name}: figures from "
        + ", ".join(f"{count} × {source}" for source, count in sorted(sources.items()))
    ]
    lines += _wall_time_lines(name, runs)
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
    """Per arm: one line on the runs' sources; one per kind of record the wall time replaced
    (not used at all, or used without its duration), with the reasons; one on failures."""
    return (*_arm("control", control), *_arm("variant", variant))
