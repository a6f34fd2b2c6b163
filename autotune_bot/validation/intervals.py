"""Estimates and confidence intervals of the ratio variant / control, on the log scale.

Reported next to the tests, never gated on. Two kinds:

* ``t``: mean difference of the logs (ratio of geometric means) ± Student t quantile × standard
  error — Welch's standard error and degrees of freedom unpaired, the per-pair log ratios'
  standard error paired. Its (1 − 2α) interval lies below log(margin) exactly when the
  one-sided t test at α rejects.
* ``hodges-lehmann``: the median of all pairwise differences of logs (unpaired) or of the Walsh
  averages of the per-pair log ratios (paired), with the distribution-free interval between
  order statistics whose ranks come from the exact Mann-Whitney / Wilcoxon signed-rank null
  distributions (normal approximations beyond :data:`EXACT_RANK_SUM_CELLS` /
  :data:`EXACT_SIGNED_RANK_PAIRS`). With ties the coverage is approximate. When the samples
  are too small for the requested confidence, the interval is unbounded (−inf, inf).

Functions take 1-D arrays of log values and return a :class:`LogInterval` (log scale).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache
from typing import Literal

import numpy as np
from scipy import stats  # type: ignore[import-untyped]

from autotune_bot.validation.statistics import FloatArray

__all__ = [
    "EXACT_RANK_SUM_CELLS",
    "EXACT_SIGNED_RANK_PAIRS",
    "IntervalKind",
    "LogInterval",
    "hodges_lehmann",
    "rank_sum_null_cdf",
    "signed_rank_null_cdf",
    "t_interval",
]

IntervalKind = Literal["t", "hodges-lehmann"]

EXACT_RANK_SUM_CELLS = 10_000  # exact Mann-Whitney distribution while m·n ≤ this
EXACT_SIGNED_RANK_PAIRS = 400  # exact signed-rank distribution while n ≤ this


@dataclass(frozen=True)
class LogInterval:
    """Point estimate and two-sided interval of log(variant / control)."""

    estimate: float
    low: float  # may be -inf
    high: float  # may be inf
    confidence: float
    kind: IntervalKind


def t_interval(
    log_control: FloatArray, log_variant: FloatArray, *, paired: bool, confidence: float
) -> LogInterval:
    """Mean log ratio with a two-sided Student t interval (Welch unpaired)."""
    _check_confidence(confidence)
    if paired:
        d = log_variant - log_control
        n = len(d)
        diff = float(np.mean(d))
        se = float(np.std(d, ddof=1)) / math.sqrt(n)
        df = float(n - 1)
    else:
        nc, nv = len(log_control), len(log_variant)
        vc = float(np.var(log_control, ddof=1)) / nc
        vv = float(np.var(log_variant, ddof=1)) / nv
        diff = float(np.mean(log_variant) - np.mean(log_control))
        se = math.sqrt(vc + vv)
        df = (vc + vv) ** 2 / (vc**2 / (nc - 1) + vv**2 / (nv - 1)) if se > 0 else 1.0
    half = float(stats.t.ppf(0.5 + confidence / 2, df)) * se
    return LogInterval(diff, diff - half, diff + half, confidence, "t")


def hodges_lehmann(
    log_control: FloatArray, log_variant: FloatArray, *, paired: bool, confidence: float
) -> LogInterval:
    """Hodges-Lehmann shift of the logs with its distribution-free interval."""
    _check_confidence(confidence)
    tail = (1.0 - confidence) / 2
    if paired:
        d = log_variant - log_control
        i, j = np.triu_indices(len(d))
        candidates = np.sort((d[i] + d[j]) / 2)  # Walsh averages
        cdf = signed_rank_null_cdf(len(d))
    else:
        candidates = np.sort(np.subtract.outer(log_variant, log_control).ravel())
        cdf = rank_sum_null_cdf(len(log_control), len(log_variant))
    # k = 1 + the largest statistic value u with P(S ≤ u) ≤ tail; the interval is
    # [D_(k), D_(N+1-k)] (1-based order statistics) with coverage ≥ confidence.
    k = int(np.searchsorted(cdf, tail * (1 + 1e-9), side="right"))
    estimate = float(np.median(candidates))
    if k == 0:
        return LogInterval(estimate, -math.inf, math.inf, confidence, "hodges-lehmann")
    n = len(candidates)
    return LogInterval(
        estimate, float(candidates[k - 1]), float(candidates[n - k]), confidence, "hodges-lehmann"
    )


@lru_cache(maxsize=64)
def rank_sum_null_cdf(m: int, n: int) -> FloatArray:
    """P(U ≤ u), u = 0..m·n, for the Mann-Whitney statistic of samples of sizes m and n.

    Exact (no ties) by the recurrence c(i, j; u) = c(i−1, j; u−j) + c(i, j−1; u) — split on
    whether the largest observation belongs to the first sample — while m·n ≤
    :data:`EXACT_RANK_SUM_CELLS`; beyond, the normal approximation with continuity correction.
    """
    m, n = min(m, n), max(m, n)  # the distribution is symmetric in the sizes
    if m * n > EXACT_RANK_SUM_CELLS:
        u = np.arange(m * n + 1)
        sd = math.sqrt(m * n * (m + n + 1) / 12)
        return np.asarray(stats.norm.cdf((u + 0.5 - m * n / 2) / sd), dtype=np.float64)
    previous = [np.ones(1) for _ in range(n + 1)]  # i = 0: U is 0 whatever j
    for i in range(1, m + 1):
        current = [np.ones(1)]  # j = 0: U is 0
        for j in range(1, n + 1):
            counts = np.zeros(i * j + 1)
            above = previous[j]  # largest value in sample 1: it beats all j others
            counts[j : j + len(above)] += above
            below = current[j - 1]
            counts[: len(below)] += below
            current.append(counts)
        previous = current
    counts = previous[n]
    cdf: FloatArray = np.cumsum(counts) / counts.sum()
    cdf.setflags(write=False)
    return cdf


@lru_cache(maxsize=64)
def signed_rank_null_cdf(n: int) -> FloatArray:
    """P(T+ ≤ t), t = 0..n(n+1)/2, for the Wilcoxon signed-rank statistic of n pairs.

    Exact (no zeros, no ties): each rank i joins T+ with probability 1/2, so the probability
    vector is convolved with (δ_0 + δ_i)/2 for i = 1..n; beyond :data:`EXACT_SIGNED_RANK_PAIRS`
    pairs the normal approximation with continuity correction.
    """
    top = n * (n + 1) // 2
    if n > EXACT_SIGNED_RANK_PAIRS:
        t = np.arange(top + 1)
        sd = math.sqrt(n * (n + 1) * (2 * n + 1) / 24)
        return np.asarray(stats.norm.cdf((t + 0.5 - top / 2) / sd), dtype=np.float64)
    probabilities = np.ones(1)
    for i in range(1, n + 1):
        grown = np.zeros(len(probabilities) + i)
        grown[: len(probabilities)] += probabilities
        grown[i:] += probabilities
        probabilities = grown / 2
    cdf = np.cumsum(probabilities)
    cdf.setflags(write=False)
    return cdf


def _check_confidence(confidence: float) -> None:
    if not 0 < confidence < 1:
        raise ValueError(f"confidence must be in (0, 1), got {confidence}")
