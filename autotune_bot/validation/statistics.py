"""Comparing two arms' durations or costs on the log scale (pure functions on numpy/scipy.stats).

A ratio is always *variant / control*, and lower is better (durations, costs). Tests compare
log values, so the ratio is that of geometric means (t tests) or a shift of the log
distribution (rank tests), and a relative margin becomes a shift by ``log(margin)``:

* ``ratio_pvalue(..., ratio=0.95, alternative="less")`` tests H0: ratio ≥ 0.95 against
  H1: ratio < 0.95 — the "at least 5 % better" margin test;
* ``ratio=1, alternative="greater"`` tests H1: ratio > 1 — "the variant is worse";
* ``ratio=1 + tolerance, alternative="greater"`` is a guardrail's harm test (rejecting means
  the variant is worse by more than the tolerance: the guardrail is shown violated), and
  ``alternative="less"`` at the same ratio its non-inferiority test (rejecting shows the
  variant within the tolerance).

Unpaired: one-sided Welch t test on logs, or Mann-Whitney U on logs. Paired (the two runs of
one trial): one-sample t test on per-pair log ratios, or the Wilcoxon signed-rank test. When
several pairs ran the same task input they are not independent (they share the input's
effect): :func:`cluster_means` averages each arm's logs per input first, so the paired tests
see one log ratio per distinct input (the mean of its pairs' log ratios).

Every test works along the last axis, so a batch of experiments (rows) is tested at once; a
1-D input gives a 0-d array. Each row is tested exactly as it would be on its own (the
choice between exact and asymptotic rank distributions is made per row), which is what lets a
simulation use the batch path for the decision that :func:`decide` takes one at a time.

Rules for awkward data:

* values ≤ 0 (a 0 s duration, a $0 cost) have no logarithm: :func:`log_values` replaces each
  by half the smallest positive value of both arms (per row). That keeps the order of all
  values, so rank tests are unaffected apart from ties, but the t test's result then depends on
  the chosen floor: callers report how many values were floored.
* a test that cannot be computed (all values equal, zero variance with no difference) gives
  p = 1: no evidence either way. Zero variance with a difference gives p = 0 or 1 by its sign.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Literal

import numpy as np
import numpy.typing as npt
from scipy import stats  # type: ignore[import-untyped]

__all__ = [
    "EXACT_RANK_SUM_LIMIT",
    "EXACT_SIGNED_RANK_LIMIT",
    "Alternative",
    "FloatArray",
    "Method",
    "cluster_means",
    "holm",
    "log_values",
    "ratio_pvalue",
]

FloatArray = npt.NDArray[np.float64]
Method = Literal["t", "rank"]
Alternative = Literal["less", "greater"]

#: Mann-Whitney U uses its exact null distribution when a row has no ties and
#: ``n_control * n_variant`` is at most this; otherwise the normal approximation with tie and
#: continuity corrections.
EXACT_RANK_SUM_LIMIT = 2500
#: The signed-rank test is exact for rows of at most this many pairs without zeros or ties
#: (scipy's own limit); otherwise the normal approximation (zeros dropped, corrected for ties).
EXACT_SIGNED_RANK_LIMIT = 50


def log_values(
    control: npt.ArrayLike, variant: npt.ArrayLike
) -> tuple[FloatArray, FloatArray, int]:
    """Natural logs of both arms' values (last axis = runs) and how many values were floored.

    A value ≤ 0 is replaced by half the smallest positive value of both arms in its row.
    Raises ``ValueError`` for non-finite values or a row without any positive value.
    """
    c = np.asarray(control, dtype=np.float64)
    v = np.asarray(variant, dtype=np.float64)
    if not (np.all(np.isfinite(c)) and np.all(np.isfinite(v))):
        raise ValueError("values must be finite")
    smallest = np.minimum(
        np.min(np.where(c > 0, c, np.inf), axis=-1), np.min(np.where(v > 0, v, np.inf), axis=-1)
    )
    if not np.all(np.isfinite(smallest)):
        raise ValueError("no positive value to take the logarithm of")
    log_floor = (np.log(smallest) - math.log(2.0))[..., np.newaxis]  # no underflow to 0
    floored = int(np.count_nonzero(c <= 0) + np.count_nonzero(v <= 0))
    lc = np.where(c > 0, np.log(np.where(c > 0, c, 1.0)), log_floor)
    lv = np.where(v > 0, np.log(np.where(v > 0, v, 1.0)), log_floor)
    return lc, lv, floored


def cluster_means(values: npt.ArrayLike, clusters: Sequence[int]) -> FloatArray:
    """Mean of ``values`` (last axis = pairs) per cluster: ``clusters[i]`` ∈ 0..k−1 is pair i's.

    Returns the last axis shortened to k (cluster order); every cluster must occur.
    """
    x = np.asarray(values, dtype=np.float64)
    labels = np.asarray(clusters, dtype=np.intp)
    if labels.shape != x.shape[-1:]:
        raise ValueError("one cluster label per value along the last axis")
    k = int(labels.max()) + 1 if len(labels) else 0
    counts = np.bincount(labels, minlength=k)
    if np.any(counts == 0):
        raise ValueError("cluster labels must be 0..k−1, each used")
    weights = np.zeros((len(labels), k))
    weights[np.arange(len(labels)), labels] = 1.0 / counts[labels]
    # a sum of values each scaled first, so extreme finite logs cannot overflow
    return np.asarray(x @ weights, dtype=np.float64)


def ratio_pvalue(
    log_control: npt.ArrayLike,
    log_variant: npt.ArrayLike,
    *,
    ratio: float,
    alternative: Alternative,
    method: Method,
    paired: bool,
) -> FloatArray:
    """One-sided p-value about R = variant / control (last axis = runs).

    ``alternative="less"``: H0 R ≥ ``ratio``, H1 R < ``ratio``; ``"greater"``: H0 R ≤ ``ratio``,
    H1 R > ``ratio``. With ``paired`` both arms must have the same length, and position i of
    one arm is paired with position i of the other.
    """
    if not ratio > 0:
        raise ValueError(f"ratio must be positive, got {ratio}")
    lc = np.asarray(log_control, dtype=np.float64)
    lv = np.asarray(log_variant, dtype=np.float64)
    if lc.shape[-1] < 2 or lv.shape[-1] < 2:
        raise ValueError("each arm needs at least 2 runs")
    shift = math.log(ratio)
    if paired:
        if lc.shape != lv.shape:
            raise ValueError("paired arms must have the same shape")
        d = lv - lc - shift
        if method == "t":
            return _one_sample_t(d, alternative)
        return _signed_rank(d, alternative)
    if method == "t":
        return _welch_t(lv, lc + shift, alternative)
    return _rank_sum(lv, lc + shift, alternative)


def holm(pvalues: Sequence[float]) -> tuple[float, ...]:
    """Holm's step-down adjusted p-values, in the input's order.

    Sorted ascending, the i-th smallest (1-based) becomes ``max_{j ≤ i} min(1, (m − j + 1)·p_(j))``;
    a hypothesis is rejected at level α when its adjusted p-value is below α.
    """
    m = len(pvalues)
    order = sorted(range(m), key=lambda i: pvalues[i])
    adjusted = [0.0] * m
    running = 0.0
    for rank, i in enumerate(order):
        running = max(running, min(1.0, (m - rank) * pvalues[i]))
        adjusted[i] = running
    return tuple(adjusted)


# --- the tests ------------------------------------------------------------------------------


def _t_pvalue(
    diff: FloatArray, se: FloatArray, df: FloatArray, alternative: Alternative
) -> FloatArray:
    """p-value of t = diff / se; se = 0 decides by the sign of diff (0 → p = 1)."""
    positive = se > 0
    t = np.divide(diff, se, out=np.zeros_like(diff), where=positive)
    safe_df = np.where(positive, df, 1.0)
    p = stats.t.cdf(t, safe_df) if alternative == "less" else stats.t.sf(t, safe_df)
    toward_h1 = diff < 0 if alternative == "less" else diff > 0
    degenerate = np.where(toward_h1, 0.0, 1.0)
    return np.asarray(np.where(positive, p, degenerate), dtype=np.float64)


def _welch_t(x: FloatArray, y: FloatArray, alternative: Alternative) -> FloatArray:
    """Welch's t test of mean(x) − mean(y), along the last axis."""
    nx, ny = x.shape[-1], y.shape[-1]
    vx = np.var(x, axis=-1, ddof=1) / nx
    vy = np.var(y, axis=-1, ddof=1) / ny
    se2 = vx + vy
    se = np.sqrt(se2)
    with np.errstate(divide="ignore", invalid="ignore"):
        df = se2**2 / (vx**2 / (nx - 1) + vy**2 / (ny - 1))
    diff = np.mean(x, axis=-1) - np.mean(y, axis=-1)
    return _t_pvalue(diff, se, df, alternative)


def _one_sample_t(d: FloatArray, alternative: Alternative) -> FloatArray:
    """One-sample t test of mean(d) against 0, along the last axis."""
    n = d.shape[-1]
    se = np.std(d, axis=-1, ddof=1) / math.sqrt(n)
    df = np.full(se.shape, float(n - 1))
    return _t_pvalue(np.mean(d, axis=-1), se, df, alternative)


def _has_ties(sorted_rows: FloatArray) -> npt.NDArray[np.bool_]:
    return np.asarray(np.any(np.diff(sorted_rows, axis=-1) == 0, axis=-1))


def _rank_sum(x: FloatArray, y: FloatArray, alternative: Alternative) -> FloatArray:
    """Mann-Whitney U test (H1 "less": x tends to be smaller than y), along the last axis."""
    batch = x.shape[:-1]
    x2, y2 = x.reshape(-1, x.shape[-1]), y.reshape(-1, y.shape[-1])
    both = np.sort(np.concatenate([x2, y2], axis=-1), axis=-1)
    constant = both[:, 0] == both[:, -1]
    exact = ~_has_ties(both) & (x2.shape[-1] * y2.shape[-1] <= EXACT_RANK_SUM_LIMIT)
    p = np.ones(len(both), dtype=np.float64)
    for mask, how in ((exact, "exact"), (~exact & ~constant, "asymptotic")):
        if np.any(mask):
            res = stats.mannwhitneyu(
                x2[mask], y2[mask], alternative=alternative, method=how, axis=-1
            )
            p[mask] = res.pvalue
    return p.reshape(batch)


def _signed_rank(d: FloatArray, alternative: Alternative) -> FloatArray:
    """Wilcoxon signed-rank test of d's location against 0, along the last axis.

    Zero differences are dropped (Wilcoxon's rule); a row of zeros only gives p = 1.
    """
    batch = d.shape[:-1]
    d2 = d.reshape(-1, d.shape[-1])
    zeros = np.any(d2 == 0, axis=-1)
    all_zero = np.all(d2 == 0, axis=-1)
    exact = ~zeros & ~_has_ties(np.sort(np.abs(d2), axis=-1))
    exact &= d2.shape[-1] <= EXACT_SIGNED_RANK_LIMIT
    p = np.ones(len(d2), dtype=np.float64)
    for mask, how in ((exact, "exact"), (~exact & ~all_zero, "asymptotic")):
        if np.any(mask):
            res = stats.wilcoxon(d2[mask], alternative=alternative, method=how, axis=-1)
            p[mask] = res.pvalue
    return p.reshape(batch)
