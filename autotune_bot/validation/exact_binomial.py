"""Exact unconditional tests that the variant's success rate is worse than the control's.

H0: p_variant ≥ p_control − margin, H1: p_variant < p_control − margin (the variant loses more
than ``margin`` of success rate). Exact and unconditional: the p-value is the largest
probability, over the unknown common success rate (the nuisance parameter), of a table at
least as extreme as the observed one, so the test holds its level for every true rate.

* ``margin == 0``: Boschloo's test (``scipy.stats.boschloo_exact``; Fisher's p-value as the
  ordering statistic), uniformly more powerful than Fisher's exact test.
* ``margin > 0``: the test of Chan (1998, Stat. Med. 17:1403): the Farrington-Manning score
  statistic Z = (p̂_c − p̂_v − margin) / √(p̃_c(1 − p̃_c)/n_c + p̃_v(1 − p̃_v)/n_v), with p̃ the
  maximum-likelihood rates restricted to p_c − p_v = margin (closed form of Farrington &
  Manning 1990), orders all (n_c + 1)(n_v + 1) tables; the p-value is the maximum over the H0
  boundary p_c = p_v + margin, p_v ∈ [0, 1 − margin], of P(Z ≥ Z_observed). As in Chan's paper
  the maximum is taken on the boundary (where it lies for this statistic when its rejection
  regions are Barnard-convex, Röhmel & Mansmann 1999). The maximisation evaluates a grid of
  :data:`GRID_POINTS` rates and refines the best few with a bounded scalar search.

Both are slow compared with the rest of a decision (milliseconds to tens of milliseconds),
so :func:`success_worse_pvalue` is memoised by table and margin.
"""

from __future__ import annotations

import math
from functools import lru_cache

import numpy as np
from scipy import optimize, stats  # type: ignore[import-untyped]

from autotune_bot.validation.statistics import FloatArray

__all__ = [
    "GRID_POINTS",
    "chan_pvalue",
    "farrington_manning_z",
    "restricted_rates",
    "success_worse_pvalue",
]

GRID_POINTS = 1001
_REFINED = 3  # grid maxima refined by a bounded search
_TIE = 1e-9  # tables whose statistic is within this of the observed one count as "as extreme"


@lru_cache(maxsize=16384)
def success_worse_pvalue(
    successes_control: int,
    n_control: int,
    successes_variant: int,
    n_variant: int,
    margin: float,
) -> float:
    """p-value of H1: p_variant < p_control − margin (exact, unconditional, memoised)."""
    _check_counts(successes_control, n_control)
    _check_counts(successes_variant, n_variant)
    if not margin >= 0:
        raise ValueError(f"margin must be ≥ 0, got {margin}")
    if margin >= 1:
        return 1.0  # no pair of rates differs by more than 1
    if margin == 0:
        table = [
            [successes_variant, successes_control],
            [n_variant - successes_variant, n_control - successes_control],
        ]
        p = float(stats.boschloo_exact(table, alternative="less", n=64).pvalue)
        return 1.0 if math.isnan(p) else min(1.0, max(0.0, p))
    return chan_pvalue(successes_control, n_control, successes_variant, n_variant, margin)


def restricted_rates(
    rate_control: FloatArray,
    rate_variant: FloatArray,
    n_control: int,
    n_variant: int,
    margin: float,
) -> tuple[FloatArray, FloatArray]:
    """Maximum-likelihood (p_c, p_v) under p_c − p_v = margin, given observed rates (vectorised).

    Farrington & Manning (1990): the root of a cubic, in trigonometric form.
    """
    theta = n_variant / n_control
    a = 1.0 + theta
    b = -(1.0 + theta + rate_control + theta * rate_variant + margin * (theta + 2.0))
    c = (
        margin**2
        + margin * (2.0 * rate_control + theta + 1.0)
        + rate_control
        + theta * rate_variant
    )
    d = -rate_control * margin * (1.0 + margin)
    v = b**3 / (27.0 * a**3) - b * c / (6.0 * a**2) + d / (2.0 * a)
    u = np.where(v >= 0, 1.0, -1.0) * np.sqrt(np.maximum(b**2 / (9.0 * a**2) - c / (3.0 * a), 0.0))
    cos_arg = np.divide(v, u**3, out=np.ones_like(v), where=u != 0)
    w = (math.pi + np.arccos(np.clip(cos_arg, -1.0, 1.0))) / 3.0
    p_c = np.clip(2.0 * u * np.cos(w) - b / (3.0 * a), margin, 1.0)
    return p_c, p_c - margin


def farrington_manning_z(
    successes_control: FloatArray,
    n_control: int,
    successes_variant: FloatArray,
    n_variant: int,
    margin: float,
) -> FloatArray:
    """Score statistic of H1 p_c − p_v > margin for arrays of tables (large = variant worse)."""
    rate_c = successes_control / n_control
    rate_v = successes_variant / n_variant
    p_c, p_v = restricted_rates(rate_c, rate_v, n_control, n_variant, margin)
    variance = p_c * (1.0 - p_c) / n_control + p_v * (1.0 - p_v) / n_variant
    excess = rate_c - rate_v - margin
    positive = variance > 0
    z = np.divide(excess, np.sqrt(np.where(positive, variance, 1.0)))
    degenerate = np.where(excess > 0, np.inf, np.where(excess < 0, -np.inf, 0.0))
    return np.asarray(np.where(positive, z, degenerate), dtype=np.float64)


def chan_pvalue(
    successes_control: int, n_control: int, successes_variant: int, n_variant: int, margin: float
) -> float:
    """Chan's exact unconditional p-value of H1: p_c − p_v > margin (0 < margin < 1)."""
    if not 0 < margin < 1:
        raise ValueError(f"margin must be in (0, 1), got {margin}")
    xc = np.arange(n_control + 1, dtype=np.float64)
    xv = np.arange(n_variant + 1, dtype=np.float64)
    z = farrington_manning_z(xc[:, None], n_control, xv[None, :], n_variant, margin)
    observed = float(z[successes_control, successes_variant])
    region = (z >= observed - _TIE * max(1.0, abs(observed))).astype(np.float64)

    def tail(p_variant: FloatArray) -> FloatArray:
        pmf_c = stats.binom.pmf(xc[None, :], n_control, (p_variant + margin)[:, None])
        pmf_v = stats.binom.pmf(xv[None, :], n_variant, p_variant[:, None])
        return np.asarray(np.einsum("gi,ij,gj->g", pmf_c, region, pmf_v), dtype=np.float64)

    grid = np.linspace(0.0, 1.0 - margin, GRID_POINTS)
    values = tail(grid)
    best = float(values.max())
    step = grid[1] - grid[0]
    for i in np.argsort(values)[-_REFINED:]:
        lo, hi = max(0.0, grid[i] - step), min(1.0 - margin, grid[i] + step)
        found = optimize.minimize_scalar(
            lambda p: -float(tail(np.array([p]))[0]),
            bounds=(lo, hi),
            method="bounded",
            options={"xatol": 1e-10},
        )
        best = max(best, -float(found.fun))
    return min(1.0, max(0.0, best))


def _check_counts(successes: int, n: int) -> None:
    if not 0 <= successes <= n or n < 1:
        raise ValueError(f"bad success count {successes} of {n}")
