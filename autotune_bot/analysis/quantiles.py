"""Sample quantiles with distribution-free confidence intervals (math and numpy, no scipy).

:func:`quantile_estimate` gives numpy's linearly interpolated sample quantile together with an
interval between two order statistics whose ranks come from the binomial distribution, so it
covers the true quantile with at least the requested confidence for any continuous
distribution. :func:`quantile_needed_n` is the smallest sample size for which both ends of that
interval exist. Invalid arguments (``q`` or ``confidence`` outside (0, 1), unsorted or NaN
values) raise ``ValueError``: they are programming errors, not user input.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Protocol

import numpy as np
import numpy.typing as npt

from autotune_bot.analysis.distributions import (
    as_floats,
    binomial_cdf,
    binomial_sf,
    check_open_probability,
)

__all__ = ["QuantileEstimate", "quantile_estimate", "quantile_needed_n"]


@dataclass(frozen=True)
class QuantileEstimate:
    """Sample quantile ``q`` of ``n`` values and a distribution-free interval for it.

    ``supported`` is False when ``n`` is below ``needed_n``, the smallest sample with a
    two-sided interval at this confidence; the missing end is then ±inf and ``note`` says so.
    """

    q: float
    n: int
    estimate: float
    low: float
    high: float
    confidence: float
    supported: bool
    needed_n: int
    note: str


def quantile_needed_n(q: float, confidence: float = 0.95) -> int:
    """Smallest n with a two-sided order-statistic interval for quantile ``q``.

    Needs P[all n values below the q-quantile] = qⁿ ≤ α/2 and (1 − q)ⁿ ≤ α/2, α = 1 − confidence.
    """
    check_open_probability(q, "q")
    check_open_probability(confidence, "confidence")
    half_alpha = (1.0 - confidence) / 2.0
    base = max(q, 1.0 - q)
    n = max(1, math.ceil(math.log(half_alpha) / math.log(base)))
    while n > 1 and base ** (n - 1) <= half_alpha:
        n -= 1
    while base**n > half_alpha:
        n += 1
    return n


def quantile_estimate(
    sorted_values: npt.ArrayLike, q: float, confidence: float = 0.95
) -> QuantileEstimate:
    """Sample quantile (numpy's linear interpolation) with an order-statistic interval.

    ``sorted_values`` must be sorted ascending and free of NaN. The interval [x₍ₗ₎, x₍ᵤ₎]
    takes the ranks l, u with P[B < l] ≤ α/2 and P[B ≥ u] ≤ α/2 for B ~ Binomial(n, q), so
    it covers the true quantile with probability ≥ confidence for any continuous
    distribution. It is widened to contain the point estimate if needed. A side with no such
    rank is ±inf and the result is ``supported=False``.
    """
    values = as_floats(sorted_values)
    needed = quantile_needed_n(q, confidence)
    n = values.size
    if n and bool(np.any(np.diff(values) < 0)):
        raise ValueError("sorted_values must be sorted ascending")
    label = f"{confidence * 100:g}% interval on p{q * 100:g}"
    if n == 0:
        note = f"no observations for a {label} (needs n ≥ {needed})"
        return QuantileEstimate(
            q, 0, math.nan, -math.inf, math.inf, confidence, False, needed, note
        )
    estimate = float(np.quantile(values, q))
    half_alpha = (1.0 - confidence) / 2.0
    # l - 1 = largest j with P[B ≤ j] ≤ α/2; u = smallest j with P[B ≥ j] ≤ α/2.
    below, above = _order_statistic_ranks(n, q, half_alpha)
    low = min(float(values[below]), estimate) if below is not None else -math.inf
    high = max(float(values[above - 1]), estimate) if above is not None else math.inf
    if below is not None and above is not None:
        note = f"{label} from order statistics {below + 1} and {above} of {n}"
        return QuantileEstimate(q, n, estimate, low, high, confidence, True, needed, note)
    note = f"n={n} is too small for a {label} (needs n ≥ {needed})"
    return QuantileEstimate(q, n, estimate, low, high, confidence, False, needed, note)


def _order_statistic_ranks(n: int, q: float, half_alpha: float) -> tuple[int | None, int | None]:
    """(l − 1, u): l − 1 = largest j with P[B ≤ j] ≤ α/2 and u = smallest j with P[B ≥ j] ≤
    α/2, B ~ Binomial(n, q); None where no such rank exists.

    For large n the binomial pmf is computed over a window of ±10 standard deviations around
    n·q with numpy (the pmf recurrence from an exact log-space start); the mass outside the
    window is below 1e-20 and is added exactly. Small n use an exact bisection.
    """
    sd = math.sqrt(n * q * (1.0 - q))
    if sd < 30.0:
        below = _last_true(lambda j: binomial_cdf(j, n, q) <= half_alpha, 0, n - 1)
        above = _first_true(lambda j: binomial_sf(j, n, q) <= half_alpha, 1, n)
        return below, above
    lo = max(0, int(n * q - 10.0 * sd))
    hi = min(n, int(n * q + 10.0 * sd) + 1)
    j = np.arange(lo, hi, dtype=np.float64)
    log_start = (
        math.lgamma(n + 1.0)
        - math.lgamma(lo + 1.0)
        - math.lgamma(n - lo + 1.0)
        + lo * math.log(q)
        + (n - lo) * math.log1p(-q)
    )
    steps = np.log((n - j[:-1]) / (j[:-1] + 1.0)) + math.log(q / (1.0 - q))
    log_pmf = log_start + np.concatenate(([0.0], np.cumsum(steps)))
    pmf = np.exp(log_pmf)
    below_window = binomial_cdf(lo - 1, n, q)
    cdf = below_window + np.cumsum(pmf)  # P[B ≤ j] for j in [lo, hi)
    sf = 1.0 - np.concatenate(([below_window], cdf[:-1]))  # P[B ≥ j]
    ok_below = np.flatnonzero(cdf <= half_alpha)
    ok_above = np.flatnonzero(sf <= half_alpha)
    if ok_below.size == 0 or ok_above.size == 0:  # outside the window: exact search
        below = _last_true(lambda k: binomial_cdf(k, n, q) <= half_alpha, 0, n - 1)
        above = _first_true(lambda k: binomial_sf(k, n, q) <= half_alpha, 1, n)
        return below, above
    return lo + int(ok_below[-1]), lo + int(ok_above[0])


class _IntPredicate(Protocol):
    def __call__(self, j: int, /) -> bool: ...


def _last_true(predicate: _IntPredicate, lo: int, hi: int) -> int | None:
    """Largest j in [lo, hi] with predicate(j), for a predicate true then false."""
    if not predicate(lo):
        return None
    while lo < hi:
        mid = (lo + hi + 1) // 2
        lo, hi = (mid, hi) if predicate(mid) else (lo, mid - 1)
    return lo


def _first_true(predicate: _IntPredicate, lo: int, hi: int) -> int | None:
    """Smallest j in [lo, hi] with predicate(j), for a predicate false then true."""
    if not predicate(hi):
        return None
    while lo < hi:
        mid = (lo + hi) // 2
        lo, hi = (lo, mid) if predicate(mid) else (mid + 1, hi)
    return lo
