"""Exact unconditional success-rate tests: scipy's documented example, a brute-force
re-computation, agreement with Barnard's pooled-Z test as the margin vanishes, and the size."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import optimize, stats  # type: ignore[import-untyped]

from autotune_bot.validation.exact_binomial import (
    chan_pvalue,
    farrington_manning_z,
    restricted_rates,
    success_worse_pvalue,
)


def test_boschloo_matches_scipys_documented_example() -> None:
    # scipy.stats.boschloo_exact docs: 74 of 117 professors vs 31 of 63 scientists very
    # satisfied, alternative "greater" (professors higher) → p-value 0.0355. Here the control
    # is the professors and H1 "variant (scientists) lower".
    # The docs print 4 digits; the brute-force supremum below gives 0.035564.
    assert success_worse_pvalue(74, 117, 31, 63, 0.0) == pytest.approx(0.0355, abs=1e-4)


def test_boschloo_matches_a_brute_force_computation() -> None:
    # Fisher's one-sided p-value orders the tables; the p-value is the largest probability of
    # a table at least as extreme, over a fine grid of common success rates.
    nc, nv, xc_obs, xv_obs = 30, 25, 27, 17
    xc = np.arange(nc + 1)[:, None]
    xv = np.arange(nv + 1)[None, :]
    fisher = stats.hypergeom.sf(xc - 1, nc + nv, xc + xv, nc)  # P(control successes ≥ xc)
    region = (fisher <= fisher[xc_obs, xv_obs] * (1 + 1e-12)).astype(float)
    grid = np.linspace(0.0, 1.0, 4001)
    pmf_c = stats.binom.pmf(np.arange(nc + 1)[None, :], nc, grid[:, None])
    pmf_v = stats.binom.pmf(np.arange(nv + 1)[None, :], nv, grid[:, None])
    brute = float(np.einsum("gi,ij,gj->g", pmf_c, region, pmf_v).max())
    assert success_worse_pvalue(xc_obs, nc, xv_obs, nv, 0.0) == pytest.approx(brute, abs=1e-6)


def _numeric_restricted_mle(xc: int, nc: int, xv: int, nv: int, margin: float) -> float:
    """p_v maximising the likelihood on p_c = p_v + margin (numerically)."""

    def nll(pv: float) -> float:
        pc = pv + margin
        terms = [(xc, pc), (nc - xc, 1 - pc), (xv, pv), (nv - xv, 1 - pv)]
        return -sum(k * math.log(max(p, 1e-300)) for k, p in terms if k)

    found = optimize.minimize_scalar(
        nll, bounds=(0.0, 1.0 - margin), method="bounded", options={"xatol": 1e-12}
    )
    return float(found.x)


@pytest.mark.parametrize(
    ("xc", "nc", "xv", "nv", "margin"),
    [(18, 20, 15, 20, 0.02), (5, 10, 9, 12, 0.05), (10, 10, 0, 10, 0.3), (7, 9, 8, 11, 0.2)],
)
def test_restricted_rates_maximise_the_likelihood(
    xc: int, nc: int, xv: int, nv: int, margin: float
) -> None:
    pc, pv = restricted_rates(np.array(xc / nc), np.array(xv / nv), nc, nv, margin)
    assert float(pc) - float(pv) == pytest.approx(margin)
    assert float(pv) == pytest.approx(_numeric_restricted_mle(xc, nc, xv, nv, margin), abs=1e-6)


def _brute_force(xc_obs: int, nc: int, xv_obs: int, nv: int, margin: float) -> float:
    """Chan's p-value the slow way: loops, a numeric MLE per table, a fine grid of rates."""
    z = {}
    for xc in range(nc + 1):
        for xv in range(nv + 1):
            pv = _numeric_restricted_mle(xc, nc, xv, nv, margin)
            pc = pv + margin
            var = pc * (1 - pc) / nc + pv * (1 - pv) / nv
            z[xc, xv] = (xc / nc - xv / nv - margin) / math.sqrt(var)
    observed = z[xc_obs, xv_obs]
    grid = np.linspace(0.0, 1.0 - margin, 20001)
    total = np.zeros_like(grid)
    for (xc, xv), value in z.items():
        if value >= observed - 1e-6:
            total += stats.binom.pmf(xc, nc, grid + margin) * stats.binom.pmf(xv, nv, grid)
    return float(total.max())


@pytest.mark.parametrize(
    ("xc", "nc", "xv", "nv", "margin"),
    [(8, 8, 5, 8, 0.1), (7, 8, 6, 9, 0.05), (6, 7, 2, 6, 0.2), (9, 9, 9, 9, 0.02)],
)
def test_chan_matches_a_brute_force_computation(
    xc: int, nc: int, xv: int, nv: int, margin: float
) -> None:
    assert chan_pvalue(xc, nc, xv, nv, margin) == pytest.approx(
        _brute_force(xc, nc, xv, nv, margin), abs=1e-6
    )


@pytest.mark.parametrize(
    ("xc", "nc", "xv", "nv"),
    [(20, 20, 15, 20), (45, 50, 40, 50), (9, 10, 6, 10), (30, 40, 20, 35), (12, 15, 13, 25)],
)
def test_vanishing_margin_approaches_the_pooled_z_unconditional_test(
    xc: int, nc: int, xv: int, nv: int
) -> None:
    # With margin → 0 the Farrington-Manning statistic becomes the pooled Z statistic, i.e.
    # Barnard's exact test with pooled variance (scipy maximises over the nuisance differently).
    table = [[xv, xc], [nv - xv, nc - xc]]
    barnard = stats.barnard_exact(table, alternative="less", pooled=True).pvalue
    assert chan_pvalue(xc, nc, xv, nv, 1e-7) == pytest.approx(barnard, rel=1e-3, abs=1e-6)


@pytest.mark.parametrize("margin", [0.0, 0.1])
def test_the_test_keeps_its_level_on_and_inside_the_null(margin: float) -> None:
    n, alpha = 9, 0.05
    rejected = np.array(
        [
            [success_worse_pvalue(xc, n, xv, n, margin) <= alpha for xv in range(n + 1)]
            for xc in range(n + 1)
        ],
        dtype=float,
    )
    k = np.arange(n + 1)
    for pv in np.linspace(0.0, 1.0 - margin, 41):
        for gap in (margin, margin / 2):  # on the H0 boundary and inside H0
            size = stats.binom.pmf(k, n, pv + gap) @ rejected @ stats.binom.pmf(k, n, pv)
            assert size <= alpha + 1e-9


def test_direction_and_strength() -> None:
    # a clear drop is significant, no drop is not, and a larger margin needs more evidence
    assert success_worse_pvalue(20, 20, 10, 20, 0.02) < 0.01
    assert success_worse_pvalue(18, 20, 19, 20, 0.02) > 0.5
    assert success_worse_pvalue(20, 20, 14, 20, 0.02) < success_worse_pvalue(20, 20, 14, 20, 0.2)


def test_memoised_by_table_and_margin() -> None:
    first = success_worse_pvalue(33, 40, 27, 40, 0.03)
    hits = success_worse_pvalue.cache_info().hits
    assert success_worse_pvalue(33, 40, 27, 40, 0.03) == first
    assert success_worse_pvalue.cache_info().hits == hits + 1


def test_edge_cases() -> None:
    assert success_worse_pvalue(10, 10, 0, 10, 1.0) == 1.0  # no rates differ by more than 1
    with pytest.raises(ValueError, match="count"):
        success_worse_pvalue(11, 10, 0, 10, 0.0)
    with pytest.raises(ValueError, match="margin"):
        success_worse_pvalue(1, 10, 0, 10, -0.1)
    z = farrington_manning_z(np.array([0.0, 5.0]), 5, np.array([0.0, 5.0]), 5, 0.0)
    assert z.tolist() == [0.0, 0.0]  # all failures / all successes: no evidence
