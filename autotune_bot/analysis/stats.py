"""Small-sample estimates for the analyzer, written on math and numpy only (no scipy).

Interval estimates for proportions, differences of proportions, means, geometric means and
ratios, an exact one-sided binomial test, a log-scale tail test and Spearman's rho. The
distribution functions they rest on live in :mod:`autotune_bot.analysis.distributions` and
the quantile estimates in :mod:`autotune_bot.analysis.quantiles`; both are re-exported here.
Inputs are float arrays (anything numpy accepts); results are floats or frozen dataclasses.
Invalid arguments (probabilities outside (0, 1), negative counts, …) raise ``ValueError``:
they are programming errors, not user input.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal

import numpy as np
import numpy.typing as npt

from autotune_bot.analysis.distributions import (
    as_floats,
    binomial_cdf,
    binomial_sf,
    check_open_probability,
    normal_cdf,
    normal_quantile,
    normal_sf,
    t_cdf,
    t_quantile,
)
from autotune_bot.analysis.quantiles import (
    QuantileEstimate,
    quantile_estimate,
    quantile_needed_n,
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


# --- means on the raw and log scale --------------------------------------------------------


def mean_interval(values: npt.ArrayLike, confidence: float = 0.95) -> Interval:
    """Arithmetic mean with a Student-t interval; n < 2 gives NaN bounds (n = 0: NaN mean)."""
    data = as_floats(values)
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
    xs, ys = as_floats(x), as_floats(y)
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


def _positive_logs(values: npt.ArrayLike, name: str) -> npt.NDArray[np.float64]:
    data = as_floats(values)
    if bool(np.any(data <= 0.0)):
        raise ValueError(f"{name} must all be > 0 for a log-scale statistic")
    return np.log(data)


def _check_confidence(confidence: float) -> float:
    check_open_probability(confidence, "confidence")
    return confidence
