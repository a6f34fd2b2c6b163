"""A candidate's simulation against the current one: relative changes with paired intervals.

Both simulations replay the same recorded executions, so execution k of one and execution k
of the other share everything the candidate does not change. The bootstrap therefore
resamples execution indexes *jointly*: each resample draws n executions with replacement and
recomputes both configurations' metrics on that same draw, and the percentile interval of the
change is taken over the resamples. Variation common to both (a slow day, a hard input)
cancels out instead of widening the interval.
"""

from __future__ import annotations

from typing import Literal

import numpy as np
import numpy.typing as npt

from autotune_bot.model.simulated import Simulated
from autotune_bot.tuning.suggestion import Estimate, MetricChange

__all__ = ["compare", "paired_positions"]

F64 = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.intp]
BoolArray = npt.NDArray[np.bool_]

_CHUNK = 2_000_000  # resampled cells computed at once


def paired_positions(current: Simulated, candidate: Simulated) -> tuple[IntArray, IntArray]:
    """Positions in each simulation of the executions both replayed, aligned."""
    if np.array_equal(current.executions, candidate.executions):
        every = np.arange(current.executions.size)
        return every, every
    common = np.intersect1d(current.executions, candidate.executions)
    a = np.flatnonzero(np.isin(current.executions, common))
    b = np.flatnonzero(np.isin(candidate.executions, common))
    if np.array_equal(current.executions[a], candidate.executions[b]):
        return a, b
    _, first_a = np.unique(current.executions, return_index=True)
    _, first_b = np.unique(candidate.executions, return_index=True)
    keep_a = first_a[np.isin(current.executions[first_a], common)]
    keep_b = first_b[np.isin(candidate.executions[first_b], common)]
    return keep_a, keep_b


def compare(
    current: Simulated,
    candidate: Simulated,
    rng: np.random.Generator,
    confidence: float = 0.95,
    n_boot: int = 2000,
) -> Estimate:
    """Relative change of duration and cost per successful run, and the difference in
    success rate, from ``current`` to ``candidate``, each with a paired bootstrap interval
    at ``confidence`` (``n_boot`` resamples drawn from ``rng``)."""
    a, b = paired_positions(current, candidate)
    n = int(np.unique(current.executions[a]).size)
    notes = tuple(dict.fromkeys((*candidate.notes, *current.notes)))
    if a.size == 0:
        return Estimate("not estimated: no recorded execution in common", 0, notes=notes)
    draws = _draws(rng, a.size, n_boot)
    ok0, ok1 = current.success[a], candidate.success[b]
    duration = _ratio_change(
        "duration", current.duration[a], ok0, candidate.duration[b], ok1, draws, confidence
    )
    c0, c1 = current.cost[a], candidate.cost[b]
    priced = np.isfinite(c0) & np.isfinite(c1)
    cost = None
    if priced.any():
        sub = _draws(rng, int(priced.sum()), n_boot)
        cost = _ratio_change(
            "cost", c0[priced], ok0[priced], c1[priced], ok1[priced], sub, confidence
        )
        if not priced.all():
            notes += (f"cost from the {int(priced.sum())} of {a.size} executions with a cost",)
    success = _rate_change(ok0, ok1, draws, confidence)
    if not ok1.any():
        notes += ("the candidate succeeds in no replayed execution: no duration or cost per run",)
    return Estimate(
        basis=f"simulated from {n} {candidate.basis}",
        n=n,
        duration=duration,
        cost=cost,
        success=success,
        notes=notes,
    )


def _draws(rng: np.random.Generator, n: int, n_boot: int) -> list[IntArray]:
    per_chunk = max(1, _CHUNK // max(n, 1))
    out = []
    left = n_boot
    while left > 0:
        k = min(per_chunk, left)
        out.append(rng.integers(0, n, size=(k, n)))
        left -= k
    return out


def _ratio(values: F64, ok: BoolArray, draws: list[IntArray]) -> F64:
    parts = []
    for idx in draws:
        wins = ok[idx].sum(axis=1).astype(float)
        total = values[idx].sum(axis=1)
        parts.append(np.divide(total, wins, out=np.full(total.shape, np.nan), where=wins > 0))
    return np.concatenate(parts)


def _interval(samples: F64, confidence: float) -> tuple[float, float] | None:
    """Percentile interval; None when over 10% of the resamples are undefined."""
    finite = samples[np.isfinite(samples)]
    if finite.size < 0.9 * samples.size or finite.size == 0:
        return None
    tail = (1.0 - confidence) / 2.0
    low, high = np.quantile(finite, [tail, 1.0 - tail])
    return float(low), float(high)


def _ratio_change(
    metric: Literal["duration", "cost"],
    v0: F64,
    ok0: BoolArray,
    v1: F64,
    ok1: BoolArray,
    draws: list[IntArray],
    confidence: float,
) -> MetricChange | None:
    """Per-successful-run value of both, and the relative change; None when either has no
    success or the current total is not positive."""
    w0, w1 = int(ok0.sum()), int(ok1.sum())
    if w0 == 0 or w1 == 0 or float(v0.sum()) <= 0:
        return None
    now, then = float(v0.sum()) / w0, float(v1.sum()) / w1
    boot = _ratio(v1, ok1, draws) / _ratio(v0, ok0, draws) - 1.0
    return MetricChange(metric, now, then, _interval(boot, confidence), then / now - 1.0)


def _rate_change(
    ok0: BoolArray, ok1: BoolArray, draws: list[IntArray], confidence: float
) -> MetricChange:
    r0, r1 = float(ok0.mean()), float(ok1.mean())
    boot = np.concatenate([ok1[idx].mean(axis=1) - ok0[idx].mean(axis=1) for idx in draws])
    return MetricChange("success_rate", r0, r1, _interval(boot, confidence), r1 - r0)
