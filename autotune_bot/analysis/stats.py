"""Small-sample estimates for the analyzer, written on math and numpy only (no scipy).

Interval estimates for proportions, differences of proportions, means, geometric means,
ratios and quantiles, an exact one-sided binomial test, a log-scale tail test and Spearman's
rho. The distribution functions they rest on live in
:mod:`autotune_bot.analysis.distributions` and are re-exported here. Inputs are float arrays
(anything numpy accepts); results are floats or frozen dataclasses. Invalid arguments
(probabilities outside (0, 1), negative counts, …) raise ``ValueError``: they are
programming errors, not user input.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal, Protocol

import numpy as np
import numpy.typing as npt

from autotune_bot.analysis.distributions import (
    binomial_cdf,
    binomial_sf,
    check_open_probability,
    normal_cdf,
    normal_quantile,
    normal_sf,
    t_cdf,
    t_quantile,
)

__all__ = [
    "Interval",
    "QuantileEstimate",
    "TailShare",
    "binomial_cdf",
    "binomial_sf",
    "log_mean_interval",
    "log_ratio_interval",
    "log_tail_share",
    "mean_interval",
    "newcombe_difference",
    "normal_cdf",
    "normal_quantile",
    "normal_sf",
    "one_sided_binomial_pvalue",
    "quantile_estimate",
    "quantile_needed_n",
    "spearman_rho",
    "t_cdf",
    "t_quantile",
    "wilson_interval",
]

_MAD_TO_SIGMA = 1.482602218505602  # 1 / Φ⁻¹(0.75): MAD of a normal sample → its σ


@dataclass(frozen=True)
class Interval:
    """A point estimate with a two-sided confidence interval at ``confidence``."""

    estimate: float
    low: float
    high: float
    confidence: float


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


@dataclass(frozen=True)
class TailShare:
    """How many values lie beyond the far fence of their logs, against a log-normal.

    ``far_fence_log`` is Q3 + 3·IQR of the logs (``far_fence`` in original units);
    ``expected_share`` is what a log-normal with median ``log_median`` and the MAD-based
    ``robust_sigma`` puts beyond it; ``p_value`` is the exact binomial P[X ≥ count_beyond].
    """

    n: int
    log_median: float
    robust_sigma: float
    far_fence_log: float
    far_fence: float
    count_beyond: int
    share_beyond: float
    expected_share: float
    p_value: float


# --- binomial test -------------------------------------------------------------------------


def one_sided_binomial_pvalue(
    k: int, n: int, p0: float, alternative: Literal["greater", "less"] = "greater"
) -> float:
    """Exact one-sided p-value for k successes in n trials against H0: p = p0.

    ``"greater"`` returns P[X ≥ k], ``"less"`` returns P[X ≤ k].
    """
    if not 0 <= k <= n:
        raise ValueError(f"k must be in [0, n], got k={k}, n={n}")
    if alternative == "greater":
        return binomial_sf(k, n, p0)
    if alternative == "less":
        return binomial_cdf(k, n, p0)
    raise ValueError(f"alternative must be 'greater' or 'less', got {alternative!r}")


# --- proportions ---------------------------------------------------------------------------


def wilson_interval(successes: int, n: int, confidence: float = 0.95) -> Interval:
    """Wilson score interval for a proportion; estimate = successes / n.

    n = 0 gives a NaN estimate and the uninformative interval [0, 1].
    """
    _check_confidence(confidence)
    if not 0 <= successes <= n:
        raise ValueError(f"successes must be in [0, n], got {successes} of {n}")
    if n == 0:
        return Interval(math.nan, 0.0, 1.0, confidence)
    z = normal_quantile(0.5 + confidence / 2.0)
    share = successes / n
    shrink = 1.0 + z * z / n
    centre = (share + z * z / (2.0 * n)) / shrink
    half = z / shrink * math.sqrt(share * (1.0 - share) / n + z * z / (4.0 * n * n))
    low = 0.0 if successes == 0 else max(0.0, centre - half)
    high = 1.0 if successes == n else min(1.0, centre + half)
    return Interval(share, min(low, share), max(high, share), confidence)


def newcombe_difference(s1: int, n1: int, s2: int, n2: int, confidence: float = 0.95) -> Interval:
    """p1 − p2 with Newcombe's (1998) hybrid Wilson score interval, method 10.

    An empty sample gives a NaN estimate and the uninformative interval [−1, 1].
    """
    first = wilson_interval(s1, n1, confidence)
    second = wilson_interval(s2, n2, confidence)
    if n1 == 0 or n2 == 0:
        return Interval(math.nan, -1.0, 1.0, confidence)
    p1, p2 = first.estimate, second.estimate
    difference = p1 - p2
    low = difference - math.hypot(p1 - first.low, second.high - p2)
    high = difference + math.hypot(first.high - p1, p2 - second.low)
    return Interval(difference, max(-1.0, low), min(1.0, high), confidence)


# --- quantiles -----------------------------------------------------------------------------


def quantile_needed_n(q: float, confidence: float = 0.95) -> int:
    """Smallest n with a two-sided order-statistic interval for quantile ``q``.

    Needs P[all n values below the q-quantile] = qⁿ ≤ α/2 and (1 − q)ⁿ ≤ α/2, α = 1 − confidence.
    """
    check_open_probability(q, "q")
    half_alpha = (1.0 - _check_confidence(confidence)) / 2.0
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
    values = _as_floats(sorted_values)
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


# --- means on the raw and log scale --------------------------------------------------------


def mean_interval(values: npt.ArrayLike, confidence: float = 0.95) -> Interval:
    """Arithmetic mean with a Student-t interval; n < 2 gives NaN bounds (n = 0: NaN mean)."""
    data = _as_floats(values)
    _check_confidence(confidence)
    if data.size == 0:
        return Interval(math.nan, math.nan, math.nan, confidence)
    mean = float(np.mean(data))
    if data.size < 2:
        return Interval(mean, math.nan, math.nan, confidence)
    se = float(np.std(data, ddof=1)) / math.sqrt(data.size)
    half = t_quantile(0.5 + confidence / 2.0, data.size - 1.0) * se
    return Interval(mean, mean - half, mean + half, confidence)


def log_mean_interval(values: npt.ArrayLike, confidence: float = 0.95) -> Interval:
    """Geometric mean with the exponentiated t-interval of the mean of the logs.

    Every value must be > 0 (durations, costs); otherwise ``ValueError``.
    """
    on_logs = mean_interval(_positive_logs(values, "values"), confidence)
    return Interval(
        math.exp(on_logs.estimate), math.exp(on_logs.low), math.exp(on_logs.high), confidence
    )


def log_ratio_interval(a: npt.ArrayLike, b: npt.ArrayLike, confidence: float = 0.95) -> Interval:
    """Ratio of geometric means a / b with a Welch t-interval on the log values.

    Values must be > 0. Degrees of freedom by Welch–Satterthwaite; either sample with fewer
    than two values gives NaN bounds; zero spread in both gives a zero-width interval.
    """
    log_a, log_b = _positive_logs(a, "a"), _positive_logs(b, "b")
    _check_confidence(confidence)
    if log_a.size == 0 or log_b.size == 0:
        return Interval(math.nan, math.nan, math.nan, confidence)
    difference = float(np.mean(log_a) - np.mean(log_b))
    if log_a.size < 2 or log_b.size < 2:
        return Interval(math.exp(difference), math.nan, math.nan, confidence)
    var_a = float(np.var(log_a, ddof=1)) / log_a.size
    var_b = float(np.var(log_b, ddof=1)) / log_b.size
    half = 0.0
    if var_a + var_b > 0.0:
        df = (var_a + var_b) ** 2 / (var_a**2 / (log_a.size - 1) + var_b**2 / (log_b.size - 1))
        half = t_quantile(0.5 + confidence / 2.0, df) * math.sqrt(var_a + var_b)
    return Interval(
        math.exp(difference), math.exp(difference - half), math.exp(difference + half), confidence
    )


# --- tails and ranks -----------------------------------------------------------------------


def log_tail_share(values: npt.ArrayLike) -> TailShare:
    """Share of values beyond Tukey's far fence of the logs, tested against a log-normal.

    Values must be > 0. The fence is Q3 + 3·IQR of the logs; the reference share is
    P[Z > (fence − median) / σ] with σ = 1.4826·MAD of the logs. The p-value is the exact
    binomial probability of at least the observed count at that share (1.0 when σ = 0 and
    nothing lies beyond). No values: NaN statistics and counts of zero.
    """
    logs = np.sort(_positive_logs(values, "values"))
    n = int(logs.size)
    if n == 0:
        return TailShare(0, math.nan, math.nan, math.nan, math.nan, 0, math.nan, math.nan, math.nan)
    median = float(np.median(logs))
    sigma = _MAD_TO_SIGMA * float(np.median(np.abs(logs - median)))
    q1, q3 = (float(v) for v in np.quantile(logs, [0.25, 0.75]))
    fence = q3 + 3.0 * (q3 - q1)
    count = int(np.count_nonzero(logs > fence))
    expected = normal_sf((fence - median) / sigma) if sigma > 0.0 else 0.0
    p_value = one_sided_binomial_pvalue(count, n, expected, "greater")
    return TailShare(n, median, sigma, fence, math.exp(fence), count, count / n, expected, p_value)


def spearman_rho(x: npt.ArrayLike, y: npt.ArrayLike) -> float:
    """Spearman's rank correlation with average ranks for ties.

    NaN when fewer than two pairs or when either variable is constant.
    """
    xs, ys = _as_floats(x), _as_floats(y)
    if xs.shape != ys.shape:
        raise ValueError(f"x and y differ in length: {xs.size} and {ys.size}")
    if xs.size < 2:
        return math.nan
    rx = _average_ranks(xs) - (xs.size + 1) / 2.0
    ry = _average_ranks(ys) - (ys.size + 1) / 2.0
    denominator = math.sqrt(float(np.dot(rx, rx)) * float(np.dot(ry, ry)))
    if denominator == 0.0:
        return math.nan
    return max(-1.0, min(1.0, float(np.dot(rx, ry)) / denominator))


def _average_ranks(values: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
    order = np.argsort(values, kind="stable")
    ordered = values[order]
    starts = np.flatnonzero(np.r_[True, ordered[1:] != ordered[:-1]])
    ends = np.r_[starts[1:], values.size]
    ranks = np.empty(values.size)
    ranks[order] = np.repeat((starts + ends + 1) / 2.0, ends - starts)
    return ranks


# --- argument checks -----------------------------------------------------------------------


class _IntPredicate(Protocol):
    def __call__(self, j: int, /) -> bool: ...


def _as_floats(values: npt.ArrayLike) -> npt.NDArray[np.float64]:
    data = np.asarray(values, dtype=np.float64).ravel()
    if bool(np.any(np.isnan(data))):
        raise ValueError("values contain NaN")
    return data


def _positive_logs(values: npt.ArrayLike, name: str) -> npt.NDArray[np.float64]:
    data = _as_floats(values)
    if bool(np.any(data <= 0.0)):
        raise ValueError(f"{name} must all be > 0 for a log-scale statistic")
    return np.log(data)


def _check_confidence(confidence: float) -> float:
    check_open_probability(confidence, "confidence")
    return confidence
