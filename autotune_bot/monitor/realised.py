"""The realised change of a merged optimization, from the runs before and after its merge.

* duration: the ratio of geometric mean durations (after / before) over the runs that record
  a usable duration, with a 95 % interval from Welch's t on the logs (at least 2 runs on each
  side; the same interval the A/B validation reports);
* success: the share of successful runs before and after;
* cost: the ratio of geometric mean costs over the runs that record a cost.

The two periods are not interleaved, so drift between them (load, inputs, provider speed) is
part of these figures; they describe, they do not decide. Pure.
"""

from __future__ import annotations

import math

import numpy as np

from autotune_bot.monitor.cusum import FloatArray
from autotune_bot.monitor.types import RealisedChange, RunSeries

__all__ = ["CONFIDENCE", "realised_change"]

CONFIDENCE = 0.95


def _logs(values: tuple[float, ...]) -> FloatArray:
    x = np.asarray(values, dtype=np.float64)
    logs: FloatArray = np.log(x[np.isfinite(x) & (x > 0)])
    return logs


def _ratio(before: FloatArray, after: FloatArray) -> float | None:
    if before.size == 0 or after.size == 0:
        return None
    return math.exp(float(np.mean(after)) - float(np.mean(before)))


def _rate(successes: tuple[bool, ...]) -> float | None:
    return sum(successes) / len(successes) if successes else None


def realised_change(baseline: RunSeries, post: RunSeries) -> RealisedChange:
    """Before/after figures of ``post`` against ``baseline`` (None where a side has no data)."""
    from autotune_bot.validation.intervals import t_interval  # scipy: load on use

    before, after = _logs(baseline.durations), _logs(post.durations)
    interval: tuple[float, float] | None = None
    if before.size >= 2 and after.size >= 2:
        found = t_interval(before, after, paired=False, confidence=CONFIDENCE)
        interval = (math.exp(found.low), math.exp(found.high))
    return RealisedChange(
        duration_ratio=_ratio(before, after),
        duration_ratio_ci=interval,
        success_before=_rate(baseline.successes),
        success_after=_rate(post.successes),
        cost_ratio=_ratio(_logs(baseline.costs), _logs(post.costs)),
        baseline_runs=len(baseline),
        post_runs=len(post),
    )
