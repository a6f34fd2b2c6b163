"""Exact unconditional success-rate tests: scipy's documented example, a brute-force
re-computation, agreement with Barnard's pooled-Z test as the margin vanishes, and the size."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import optimize, stats  # type: ignore[import-untyped]

from autotune_bot.validation.exact_binomial import (
    EXACT_TABLE_LIMIT,
    chan_pvalue,
    farrington_manning_pvalue,
    farrington_manning_z,
    restricted_rates,
    success_noninferior_pvalue,
    success_test_kind,
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
        nll,
        bounds=(max(0.0, -margin), min(1.0, 1.0 - margin)),
        method="bounded",
        options={"xatol": 1e-12},
    )
    return float(found.x)


@pytest.mark.parametrize(
    ("xc", "nc", "xv", "nv", "margin"),
    [
        (18, 20, 15, 20, 0.02),
        (5, 10, 9, 12, 0.05),
        (10, 10, 0, 10, 0.3),
        (7, 9, 8, 11, 0.2),
        (15, 20, 18, 20, -0.02),  # negative: the non-inferiority direction
        (0, 9, 8, 11, -0.2),
        (7, 9, 8, 11, -0.6),
    ],
)
def test_restricted_rates_maximise_the_likelihood(
    xc: int, nc: int, xv: int, nv: int, margin: float
) -> None:
    pc, pv = restricted_rates(np.array(xc / nc), np.array(xv / nv), nc, nv, margin)
    assert float(pc) - float(pv) == pytest.approx(margin)
    assert float(pv) == pytest.approx(_numeric_restricted_mle(xc, nc, xv, nv, margin), abs=1e-6)


def _brute_force(xc_obs: int, nc: int, xv_obs: int, nv: int, margin: float) -> float:
    """Chan's p-value the slow way: loops, a numeric MLE per table, a fine grid of rates
    (first arm "c", second "v"; H1 p_c − p_v > margin, margin of either sign)."""
    z = {}
    for xc in range(nc + 1):
        for xv in range(nv + 1):
            pv = _numeric_restricted_mle(xc, nc, xv, nv, margin)
            pc = pv + margin
            var = pc * (1 - pc) / nc + pv * (1 - pv) / nv
            z[xc, xv] = (xc / nc - xv / nv - margin) / math.sqrt(var)
    observed = z[xc_obs, xv_obs]
    grid = np.linspace(max(0.0, -margin), min(1.0, 1.0 - margin), 20001)
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
    ("xc", "nc", "xv", "nv", "margin"),
    [(8, 8, 8, 8, 0.1), (7, 8, 8, 9, 0.05), (5, 7, 6, 6, 0.2), (9, 9, 9, 9, 0.02)],
)
def test_noninferiority_is_the_swapped_test_with_a_negated_margin(
    xc: int, nc: int, xv: int, nv: int, margin: float
) -> None:
    # H1 p_v > p_c − margin ⟺ p_v − p_c > −margin: the variant first, margin negated
    assert success_noninferior_pvalue(xc, nc, xv, nv, margin) == pytest.approx(
        _brute_force(xv, nv, xc, nc, -margin), abs=1e-6
    )


def test_noninferiority_with_no_margin_is_boschloo_the_other_way() -> None:
    table = [[17, 12], [3, 8]]  # variant 17/20, control 12/20; H1: variant higher
    expected = stats.boschloo_exact(table, alternative="greater").pvalue
    assert success_noninferior_pvalue(12, 20, 17, 20, 0.0) == pytest.approx(expected, abs=1e-6)


def test_a_two_point_noninferiority_needs_hundreds_of_runs() -> None:
    # all runs succeed in both arms: not shown at 50 per arm, shown at 300 (asymptotic there)
    assert success_noninferior_pvalue(50, 50, 50, 50, 0.02) > 0.3
    assert success_noninferior_pvalue(300, 300, 300, 300, 0.02) < 0.05


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


@pytest.mark.parametrize("margin", [0.0, 0.1])
def test_the_noninferiority_test_keeps_its_level(margin: float) -> None:
    # H0: p_v ≤ p_c − margin; on its boundary and inside it
    n, alpha = 9, 0.05
    rejected = np.array(
        [
            [success_noninferior_pvalue(xc, n, xv, n, margin) <= alpha for xv in range(n + 1)]
            for xc in range(n + 1)
        ],
        dtype=float,
    )
    k = np.arange(n + 1)
    for pv in np.linspace(0.0, 1.0 - margin, 41):
        for gap in (margin, margin + 0.05):
            if pv + gap <= 1:
                size = stats.binom.pmf(k, n, pv + gap) @ rejected @ stats.binom.pmf(k, n, pv)
                assert size <= alpha + 1e-9


def test_the_asymptotic_score_test_by_hand() -> None:
    # margin 0: the pooled two-proportion z test, z = (p̂c − p̂v) / √(p̄(1 − p̄)(1/nc + 1/nv))
    pooled = (300 + 280) / 700
    z = (300 / 350 - 280 / 350) / math.sqrt(pooled * (1 - pooled) * (2 / 350))
    assert farrington_manning_pvalue(300, 350, 280, 350, 0.0) == pytest.approx(
        stats.norm.sf(z), rel=1e-9
    )
    # margin 0.02: the restricted MLE found numerically, then 1 − Φ(Z)
    pv = _numeric_restricted_mle(300, 350, 280, 350, 0.02)
    pc = pv + 0.02
    z = (300 / 350 - 280 / 350 - 0.02) / math.sqrt(pc * (1 - pc) / 350 + pv * (1 - pv) / 350)
    assert farrington_manning_pvalue(300, 350, 280, 350, 0.02) == pytest.approx(
        stats.norm.sf(z), rel=1e-6
    )


def test_large_tables_switch_to_the_asymptotic_test() -> None:
    below, above = 316, 317  # 316² = 99,856 ≤ 100,000 < 317²
    assert below * below <= EXACT_TABLE_LIMIT < above * above
    assert success_test_kind(below, below, 0.02) == "chan-farrington-manning"
    assert success_test_kind(below, below, 0.0) == "boschloo"
    assert success_test_kind(above, above, 0.0) == "farrington-manning-asymptotic"
    assert success_worse_pvalue(300, below, 288, below, 0.02) == chan_pvalue(
        300, below, 288, below, 0.02
    )
    assert success_worse_pvalue(300, above, 288, above, 0.02) == farrington_manning_pvalue(
        300, above, 288, above, 0.02
    )
    assert success_noninferior_pvalue(300, above, 295, above, 0.02) == (
        farrington_manning_pvalue(295, above, 300, above, -0.02)
    )


@pytest.mark.parametrize(("xc", "xv"), [(300, 288), (300, 285), (290, 275), (250, 232)])
def test_exact_and_asymptotic_agree_near_the_switch(xc: int, xv: int) -> None:
    # at n = 316 per arm both can be computed: they differ by a few thousandths to hundredths
    # (the exact test is the more conservative); in both directions
    n = 316
    exact = chan_pvalue(xc, n, xv, n, 0.02)
    asymptotic = farrington_manning_pvalue(xc, n, xv, n, 0.02)
    assert asymptotic <= exact + 1e-9
    assert exact - asymptotic < 0.02
    exact = chan_pvalue(xv, n, xc, n, -0.02)
    asymptotic = farrington_manning_pvalue(xv, n, xc, n, -0.02)
    assert abs(exact - asymptotic) < 0.035


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
    # H0 of non-inferiority with margin 1 holds only at p_c = 1, p_v = 0
    assert success_noninferior_pvalue(10, 10, 0, 10, 1.0) == 1.0
    assert success_noninferior_pvalue(10, 10, 1, 10, 1.0) == 0.0
    with pytest.raises(ValueError, match="count"):
        success_worse_pvalue(11, 10, 0, 10, 0.0)
    with pytest.raises(ValueError, match="margin"):
        success_worse_pvalue(1, 10, 0, 10, -0.1)
    z = farrington_manning_z(np.array([0.0, 5.0]), 5, np.array([0.0, 5.0]), 5, 0.0)
    assert z.tolist() == [0.0, 0.0]  # all failures / all successes: no evidence
