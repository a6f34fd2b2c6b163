"""Tests of the two arms' success rates: is the variant's rate worse by more than a margin, or
shown no worse than that (non-inferiority)?

Two one-sided questions, with ``margin`` m ≥ 0 (points of success rate, as a fraction):

* **harm** (:func:`success_worse_pvalue`): H0 p_variant ≥ p_control − m, H1 p_variant <
  p_control − m — the variant loses more than m (the guardrail is *shown violated*);
* **non-inferiority** (:func:`success_noninferior_pvalue`): H0 p_variant ≤ p_control − m,
  H1 p_variant > p_control − m — the variant is *shown* to lose less than m. This is the harm
  test with the arms swapped and the margin negated (H1 p_v − p_c > −m).

Both are one test of H1 p_a − p_b > δ for a signed δ ∈ (−1, 1) (arms a, b; harm: a = control,
b = variant, δ = m; non-inferiority: a = variant, b = control, δ = −m), computed by:

* ``δ == 0``: Boschloo's test (``scipy.stats.boschloo_exact``; Fisher's p-value as the
  ordering statistic), uniformly more powerful than Fisher's exact test;
* ``δ ≠ 0``: the exact unconditional test of Chan (1998, Stat. Med. 17:1403): the
  Farrington-Manning score statistic Z = (p̂_a − p̂_b − δ) / √(p̃_a(1 − p̃_a)/n_a +
  p̃_b(1 − p̃_b)/n_b), with p̃ the maximum-likelihood rates restricted to p_a − p_b = δ (closed
  form of Farrington & Manning 1990), orders all (n_a + 1)(n_b + 1) tables; the p-value is the
  maximum over the H0 boundary p_a = p_b + δ of P(Z ≥ Z_observed). As in Chan's paper the
  maximum is taken on the boundary (where it lies for this statistic when its rejection
  regions are Barnard-convex, Röhmel & Mansmann 1999). The maximisation evaluates a grid of
  :data:`GRID_POINTS` rates and refines the best few with a bounded scalar search.

Exact tests are unconditional: the p-value is the largest probability, over the unknown
success rate (the nuisance parameter), of a table at least as extreme as the observed one, so
the test holds its level for every true rate. Their cost grows with the table: above
``n_a · n_b >`` :data:`EXACT_TABLE_LIMIT` (about 316 runs per arm; there Boschloo takes about
0.5 s and Chan 0.2 s on a 2-CPU machine, and both grow faster than n²) the **asymptotic
Farrington-Manning score test** is used instead: p = 1 − Φ(Z) with the same statistic (for
δ = 0 it is the pooled two-proportion z test). :func:`success_test_kind` says which one a
table gets. Results are memoised by table and margin.
"""

from __future__ import annotations

import math
from functools import lru_cache
from typing import Literal

import numpy as np
from scipy import optimize, stats  # type: ignore[import-untyped]

from autotune_bot.validation.statistics import FloatArray

__all__ = [
    "EXACT_TABLE_LIMIT",
    "GRID_POINTS",
    "SuccessTest",
    "chan_pvalue",
    "farrington_manning_pvalue",
    "farrington_manning_z",
    "restricted_rates",
    "success_noninferior_pvalue",
    "success_test_kind",
    "success_worse_pvalue",
]

#: ``boschloo``: exact, margin 0; ``chan-farrington-manning``: exact, margin > 0;
#: ``farrington-manning-asymptotic``: the score test's normal approximation (large tables).
SuccessTest = Literal["boschloo", "chan-farrington-manning", "farrington-manning-asymptotic"]

#: Exact tests while ``n_control · n_variant`` is at most this; above, the asymptotic test.
EXACT_TABLE_LIMIT = 100_000
GRID_POINTS = 1001
_REFINED = 3  # grid maxima refined by a bounded search
_TIE = 1e-9  # tables whose statistic is within this of the observed one count as "as extreme"


def success_test_kind(n_control: int, n_variant: int, margin: float) -> SuccessTest:
    """Which test :func:`success_worse_pvalue` and :func:`success_noninferior_pvalue` use."""
    if n_control * n_variant > EXACT_TABLE_LIMIT:
        return "farrington-manning-asymptotic"
    return "boschloo" if margin == 0 else "chan-farrington-manning"


@lru_cache(maxsize=16384)
def success_worse_pvalue(
    successes_control: int,
    n_control: int,
    successes_variant: int,
    n_variant: int,
    margin: float,
) -> float:
    """p-value of H1: p_variant < p_control − margin (memoised; see :func:`success_test_kind`)."""
    _check(successes_control, n_control, successes_variant, n_variant, margin)
    return _one_sided(successes_control, n_control, successes_variant, n_variant, margin)


@lru_cache(maxsize=16384)
def success_noninferior_pvalue(
    successes_control: int,
    n_control: int,
    successes_variant: int,
    n_variant: int,
    margin: float,
) -> float:
    """p-value of H1: p_variant > p_control − margin (non-inferiority; memoised)."""
    _check(successes_control, n_control, successes_variant, n_variant, margin)
    return _one_sided(successes_variant, n_variant, successes_control, n_control, -margin)


def _one_sided(x_a: int, n_a: int, x_b: int, n_b: int, delta: float) -> float:
    """p-value of H1: p_a − p_b > delta, delta ∈ (−1, 1) (≥ 1 or ≤ −1: trivially decided)."""
    if delta >= 1:
        return 1.0  # no pair of rates differs by more than 1
    if delta <= -1:
        return 0.0 if (x_a, x_b) != (0, n_b) else 1.0  # only p_a = 0, p_b = 1 is in H0
    if n_a * n_b > EXACT_TABLE_LIMIT:
        return farrington_manning_pvalue(x_a, n_a, x_b, n_b, delta)
    if delta == 0:
        table = [[x_b, x_a], [n_b - x_b, n_a - x_a]]
        p = float(stats.boschloo_exact(table, alternative="less", n=64).pvalue)
        return 1.0 if math.isnan(p) else min(1.0, max(0.0, p))
    return chan_pvalue(x_a, n_a, x_b, n_b, delta)


def farrington_manning_pvalue(x_a: int, n_a: int, x_b: int, n_b: int, delta: float) -> float:
    """Asymptotic p-value of H1: p_a − p_b > delta: 1 − Φ(Z) of the Farrington-Manning score."""
    z = float(farrington_manning_z(np.array(float(x_a)), n_a, np.array(float(x_b)), n_b, delta))
    return min(1.0, max(0.0, float(stats.norm.sf(z))))


def restricted_rates(
    rate_a: FloatArray,
    rate_b: FloatArray,
    n_a: int,
    n_b: int,
    delta: float,
) -> tuple[FloatArray, FloatArray]:
    """Maximum-likelihood (p_a, p_b) under p_a − p_b = delta, given observed rates (vectorised).

    Farrington & Manning (1990): the root of a cubic, in trigonometric form; ``delta`` may be
    negative.
    """
    theta = n_b / n_a
    a = 1.0 + theta
    b = -(1.0 + theta + rate_a + theta * rate_b + delta * (theta + 2.0))
    c = delta**2 + delta * (2.0 * rate_a + theta + 1.0) + rate_a + theta * rate_b
    d = -rate_a * delta * (1.0 + delta)
    v = b**3 / (27.0 * a**3) - b * c / (6.0 * a**2) + d / (2.0 * a)
    u = np.where(v >= 0, 1.0, -1.0) * np.sqrt(np.maximum(b**2 / (9.0 * a**2) - c / (3.0 * a), 0.0))
    cos_arg = np.divide(v, u**3, out=np.ones_like(v), where=u != 0)
    w = (math.pi + np.arccos(np.clip(cos_arg, -1.0, 1.0))) / 3.0
    p_a = np.clip(2.0 * u * np.cos(w) - b / (3.0 * a), max(delta, 0.0), min(1.0, 1.0 + delta))
    return p_a, p_a - delta


def farrington_manning_z(
    successes_a: FloatArray,
    n_a: int,
    successes_b: FloatArray,
    n_b: int,
    delta: float,
) -> FloatArray:
    """Score statistic of H1 p_a − p_b > delta for arrays of tables (large = evidence for H1)."""
    rate_a = successes_a / n_a
    rate_b = successes_b / n_b
    p_a, p_b = restricted_rates(rate_a, rate_b, n_a, n_b, delta)
    variance = p_a * (1.0 - p_a) / n_a + p_b * (1.0 - p_b) / n_b
    excess = rate_a - rate_b - delta
    positive = variance > 0
    z = np.divide(excess, np.sqrt(np.where(positive, variance, 1.0)))
    degenerate = np.where(excess > 0, np.inf, np.where(excess < 0, -np.inf, 0.0))
    return np.asarray(np.where(positive, z, degenerate), dtype=np.float64)


def chan_pvalue(x_a: int, n_a: int, x_b: int, n_b: int, delta: float) -> float:
    """Chan's exact unconditional p-value of H1: p_a − p_b > delta (0 < |delta| < 1)."""
    if not 0 < abs(delta) < 1:
        raise ValueError(f"delta must be in (−1, 0) or (0, 1), got {delta}")
    xa = np.arange(n_a + 1, dtype=np.float64)
    xb = np.arange(n_b + 1, dtype=np.float64)
    z = farrington_manning_z(xa[:, None], n_a, xb[None, :], n_b, delta)
    observed = float(z[x_a, x_b])
    region = (z >= observed - _TIE * max(1.0, abs(observed))).astype(np.float64)

    def tail(p_b: FloatArray) -> FloatArray:
        pmf_a = stats.binom.pmf(xa[None, :], n_a, np.clip(p_b + delta, 0.0, 1.0)[:, None])
        pmf_b = stats.binom.pmf(xb[None, :], n_b, p_b[:, None])
        return np.asarray(np.einsum("gi,ij,gj->g", pmf_a, region, pmf_b), dtype=np.float64)

    low, high = max(0.0, -delta), min(1.0, 1.0 - delta)  # the H0 boundary p_a = p_b + delta
    grid = np.linspace(low, high, GRID_POINTS)
    values = tail(grid)
    best = float(values.max())
    step = grid[1] - grid[0]
    for i in np.argsort(values)[-_REFINED:]:
        lo, hi = max(low, grid[i] - step), min(high, grid[i] + step)
        found = optimize.minimize_scalar(
            lambda p: -float(tail(np.array([p]))[0]),
            bounds=(lo, hi),
            method="bounded",
            options={"xatol": 1e-10},
        )
        best = max(best, -float(found.fun))
    return min(1.0, max(0.0, best))


def _check(x_c: int, n_c: int, x_v: int, n_v: int, margin: float) -> None:
    for successes, n in ((x_c, n_c), (x_v, n_v)):
        if not 0 <= successes <= n or n < 1:
            raise ValueError(f"bad success count {successes} of {n}")
    if not margin >= 0:
        raise ValueError(f"margin must be ≥ 0, got {margin}")
