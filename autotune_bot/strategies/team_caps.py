"""Limits derived from recorded usage: caps that successful runs fit under, and whether
failures pile up at an existing limit.

A cap covers the successful runs' usage plus headroom: with no cut allowed it rests on the
largest successful value (the distribution-free upper bound of a high quantile never lies
above it); when a small share may be cut, on the upper confidence bound of the matching
quantile. Failures "pile up" at a limit when runs that reached it fail significantly more
often than runs that stayed below it (Newcombe interval of the difference above 0).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from autotune_bot.analysis import stats

__all__ = ["LimitHits", "UsageCap", "ceil_to", "limit_hits", "nice_ceil", "usage_cap"]

F64 = npt.NDArray[np.float64]
Mask = npt.NDArray[np.bool_]

_NICE_STEPS = ((20.0, 1.0), (100.0, 5.0), (500.0, 10.0), (2000.0, 50.0))


def ceil_to(value: float, step: float) -> float:
    """``value`` rounded up to a multiple of ``step`` (tolerant of float noise)."""
    return step * math.ceil(value / step - 1e-9)


def nice_ceil(value: float) -> int:
    """``value`` rounded up to a readable integer: to 1 up to 20, to 5 up to 100, to 10 up
    to 500, to 50 up to 2000, to 100 beyond."""
    for limit, step in _NICE_STEPS:
        if value <= limit:
            return max(1, int(ceil_to(value, step)))
    return int(ceil_to(value, 100.0))


@dataclass(frozen=True)
class UsageCap:
    """A cap on usage from successful runs: ``value`` = ``base`` × (1 + headroom), rounded."""

    n: int  # successful runs with a recorded value
    mean: float
    minimum: float
    maximum: float
    quantile: stats.QuantileEstimate  # the upper quantile the cap is judged against
    base: float  # the usage the cap is built on
    headroom: float
    value: int
    cut: int  # successful runs that used more than ``value``

    @property
    def cut_share(self) -> float:
        return self.cut / self.n


def usage_cap(
    values: F64, headroom: float, max_cut_share: float, confidence: float
) -> UsageCap | None:
    """The cap for the successful runs' ``values`` (None when none is finite).

    With ``max_cut_share`` 0 the base is the largest value and the 99th percentile is
    reported; otherwise the base is the upper confidence bound of the (1 − max_cut_share)
    quantile, or the largest value when the sample is too small for that bound.
    """
    clean = np.sort(values[np.isfinite(values)])
    if clean.size == 0:
        return None
    q = 0.99 if max_cut_share <= 0.0 else min(0.99, max(0.5, 1.0 - max_cut_share))
    estimate = stats.quantile_estimate(clean, q, confidence)
    maximum = float(clean[-1])
    bounded = max_cut_share > 0.0 and math.isfinite(estimate.high)
    base = estimate.high if bounded else maximum
    value = nice_ceil(base * (1.0 + headroom))
    return UsageCap(
        n=int(clean.size),
        mean=float(clean.mean()),
        minimum=float(clean[0]),
        maximum=maximum,
        quantile=estimate,
        base=base,
        headroom=headroom,
        value=value,
        cut=int(np.count_nonzero(clean > value)),
    )


@dataclass(frozen=True)
class LimitHits:
    """Outcomes of runs that reached a limit against runs that stayed below it."""

    limit: float
    at_limit: int
    failed_at_limit: int
    below: int
    failed_below: int
    difference: stats.Interval  # failure rate at the limit − failure rate below it

    def piles_up(self, min_failures: int) -> bool:
        """Enough failures at the limit, and significantly more often than below it."""
        return self.failed_at_limit >= min_failures and self.difference.low > 0.0


def limit_hits(
    usage: F64, success: npt.NDArray[np.int8], limit: float, confidence: float
) -> LimitHits:
    """Compare runs whose ``usage`` reached ``limit`` with the others (runs with an unknown
    outcome or usage are left out)."""
    known = (success >= 0) & np.isfinite(usage)
    reached: Mask = known & (usage >= limit)
    below: Mask = known & (usage < limit)
    failed = success == 0
    at_n, below_n = int(reached.sum()), int(below.sum())
    at_failed, below_failed = int((reached & failed).sum()), int((below & failed).sum())
    return LimitHits(
        limit=limit,
        at_limit=at_n,
        failed_at_limit=at_failed,
        below=below_n,
        failed_below=below_failed,
        difference=stats.newcombe_difference(at_failed, at_n, below_failed, below_n, confidence),
    )
