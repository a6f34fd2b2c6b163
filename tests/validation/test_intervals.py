"""Hodges-Lehmann and t intervals, and the exact rank null distributions behind them."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import stats  # type: ignore[import-untyped]

from autotune_bot.validation import intervals
from autotune_bot.validation.intervals import (
    hodges_lehmann,
    rank_sum_null_cdf,
    signed_rank_null_cdf,
    t_interval,
)


def test_rank_sum_distribution_textbook_critical_value() -> None:
    # Mann-Whitney tables: n1 = n2 = 10, one-sided α = 0.05 → reject for U ≤ 27
    cdf = rank_sum_null_cdf(10, 10)
    assert cdf[27] <= 0.05 < cdf[28]
    assert cdf[0] == pytest.approx(1 / math.comb(20, 10))
    assert cdf[-1] == pytest.approx(1.0)


def test_signed_rank_distribution_textbook_critical_value() -> None:
    # Wilcoxon signed-rank tables: n = 10, one-sided α = 0.05 → reject for T ≤ 10;
    # 43 of the 2¹⁰ sign patterns give T+ ≤ 10
    cdf = signed_rank_null_cdf(10)
    assert cdf[10] == pytest.approx(43 / 1024)
    assert cdf[11] > 0.05
    assert cdf[0] == pytest.approx(1 / 1024)


@pytest.mark.parametrize(("m", "n"), [(3, 7), (10, 10), (12, 30), (7, 4)])
def test_rank_sum_distribution_matches_scipys_exact_test(m: int, n: int) -> None:
    rng = np.random.default_rng(m * 100 + n)
    for _ in range(5):
        x, y = rng.normal(size=m), rng.normal(size=n)
        res = stats.mannwhitneyu(x, y, method="exact", alternative="less")  # P(U ≤ u)
        assert rank_sum_null_cdf(m, n)[int(res.statistic)] == pytest.approx(res.pvalue)


def test_signed_rank_distribution_matches_scipys_exact_test() -> None:
    rng = np.random.default_rng(5)
    for n in (5, 15, 30):
        d = rng.normal(size=n)
        res = stats.wilcoxon(d, alternative="less", method="exact")  # P(T+ ≤ t)
        assert signed_rank_null_cdf(n)[int(res.statistic)] == pytest.approx(res.pvalue)


def test_normal_approximation_beyond_the_exact_limits(monkeypatch: pytest.MonkeyPatch) -> None:
    exact_u, exact_t = rank_sum_null_cdf(30, 30), signed_rank_null_cdf(40)
    monkeypatch.setattr(intervals, "EXACT_RANK_SUM_CELLS", 100)
    monkeypatch.setattr(intervals, "EXACT_SIGNED_RANK_PAIRS", 10)
    rank_sum_null_cdf.cache_clear()
    signed_rank_null_cdf.cache_clear()
    try:
        approx_u, approx_t = rank_sum_null_cdf(30, 30), signed_rank_null_cdf(40)
    finally:
        rank_sum_null_cdf.cache_clear()
        signed_rank_null_cdf.cache_clear()
    assert approx_u.shape == exact_u.shape
    assert approx_t.shape == exact_t.shape
    assert np.max(np.abs(approx_u - exact_u)) < 0.005
    assert np.max(np.abs(approx_t - exact_t)) < 0.005


def test_hodges_lehmann_estimates_by_hand() -> None:
    # unpaired: differences 2, 4, 1, 3 → median 2.5
    hl = hodges_lehmann(np.array([0.0, 1.0]), np.array([2.0, 4.0]), paired=False, confidence=0.9)
    assert hl.estimate == 2.5
    assert (hl.low, hl.high) == (-math.inf, math.inf)  # 2 + 2 runs cannot give 90 %
    # paired: differences 1, 2, 4 → Walsh averages 1, 1.5, 2, 2.5, 3, 4 → median 2.25
    hl = hodges_lehmann(np.zeros(3), np.array([1.0, 2.0, 4.0]), paired=True, confidence=0.9)
    assert hl.estimate == 2.25


def test_hodges_lehmann_interval_inverts_the_exact_rank_sum_test() -> None:
    rng = np.random.default_rng(3)
    lc, lv = rng.normal(0, 0.5, 10), rng.normal(-0.3, 0.5, 10)
    hl = hodges_lehmann(lc, lv, paired=False, confidence=0.9)
    eps = 1e-9

    def p(shift: float, alternative: str) -> float:
        return float(
            stats.mannwhitneyu(lv, lc + shift, method="exact", alternative=alternative).pvalue
        )

    # just above the upper bound the one-sided 5 % test rejects "shift ≥ Δ", just below it not
    assert p(hl.high + eps, "less") <= 0.05 < p(hl.high - eps, "less")
    assert p(hl.low - eps, "greater") <= 0.05 < p(hl.low + eps, "greater")


def test_paired_hodges_lehmann_interval_inverts_the_exact_signed_rank_test() -> None:
    rng = np.random.default_rng(4)
    lc = rng.normal(0, 1, 12)
    lv = lc + rng.normal(-0.2, 0.3, 12)
    hl = hodges_lehmann(lc, lv, paired=True, confidence=0.9)
    eps = 1e-9

    def p(shift: float, alternative: str) -> float:
        return float(
            stats.wilcoxon(lv - lc - shift, method="exact", alternative=alternative).pvalue
        )

    assert p(hl.high + eps, "less") <= 0.05 < p(hl.high - eps, "less")
    assert p(hl.low - eps, "greater") <= 0.05 < p(hl.low + eps, "greater")


def test_t_intervals_match_scipy() -> None:
    rng = np.random.default_rng(8)
    lc, lv = rng.normal(0, 0.5, 9), rng.normal(-0.2, 0.8, 14)
    got = t_interval(lc, lv, paired=False, confidence=0.9)
    want = stats.ttest_ind(lv, lc, equal_var=False).confidence_interval(0.9)
    assert (got.low, got.high) == pytest.approx((want.low, want.high))
    assert got.estimate == pytest.approx(np.mean(lv) - np.mean(lc))
    got = t_interval(lc, lv[:9], paired=True, confidence=0.8)
    want = stats.ttest_rel(lv[:9], lc).confidence_interval(0.8)
    assert (got.low, got.high) == pytest.approx((want.low, want.high))


def test_confidence_must_be_a_probability() -> None:
    with pytest.raises(ValueError, match="confidence"):
        t_interval(np.zeros(3), np.ones(3), paired=False, confidence=1.0)
