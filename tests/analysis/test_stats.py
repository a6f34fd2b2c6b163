"""Known-answer and property tests for the scipy-free statistics modules.

scipy is the oracle here; the modules under test must not import it.
"""

from __future__ import annotations

import ast
import math
import types
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats as sps  # type: ignore[import-untyped]

from autotune_bot.analysis import distributions, quantiles, stats

DF_VALUES = [1.0, 1.5, 2.0, 3.0, 3.5, 4.0, 10.0, 30.0, 1000.0, 1e5, 1e6]
P_VALUES = [1e-10, 1e-4, 0.01, 0.025, 0.1, 0.3, 0.7, 0.9, 0.975, 0.999, 1 - 1e-10]

ALLOWED_ROOTS = {"__future__", "math", "dataclasses", "statistics", "typing", "numpy"}
ALLOWED_PROJECT_IMPORTS: dict[types.ModuleType, set[str]] = {
    stats: {"autotune_bot.analysis.distributions", "autotune_bot.analysis.quantiles"},
    quantiles: {"autotune_bot.analysis.distributions"},
    distributions: set(),
}


def _imported_modules(module: types.ModuleType) -> set[str]:
    assert module.__file__ is not None
    tree = ast.parse(Path(module.__file__).read_text(encoding="utf-8"))
    imported: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            imported.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            imported.add("." * node.level + (node.module or ""))
    return imported


@pytest.mark.parametrize("module", list(ALLOWED_PROJECT_IMPORTS), ids=lambda m: m.__name__)
def test_module_imports_no_scipy(module: types.ModuleType) -> None:
    imported = _imported_modules(module)
    project = {name for name in imported if name.startswith(("autotune_bot", "."))}
    assert project <= ALLOWED_PROJECT_IMPORTS[module]
    assert {name.split(".")[0] for name in imported - project} <= ALLOWED_ROOTS


def test_stats_reexports_the_distribution_functions() -> None:
    moved = set(distributions.__all__) - {"check_open_probability", "as_floats"}
    assert moved <= set(stats.__all__)
    for name in moved:
        assert getattr(stats, name) is getattr(distributions, name)
    assert all(hasattr(stats, name) for name in stats.__all__)


def test_stats_reexports_the_quantile_estimates() -> None:
    assert set(quantiles.__all__) == {"QuantileEstimate", "quantile_estimate", "quantile_needed_n"}
    assert set(quantiles.__all__) <= set(stats.__all__)
    for name in quantiles.__all__:
        assert getattr(stats, name) is getattr(quantiles, name)


# --- normal -------------------------------------------------------------------------------


@pytest.mark.parametrize("p", [1e-300, 1e-10, 1e-5, 0.025, 0.4, 0.5, 0.975, 1 - 1e-10])
def test_normal_quantile_matches_scipy(p: float) -> None:
    assert stats.normal_quantile(p) == pytest.approx(sps.norm.ppf(p), rel=1e-12, abs=1e-15)


@pytest.mark.parametrize("x", [-38.0, -8.0, -1.5, 0.0, 0.3, 2.0, 9.0])
def test_normal_cdf_and_sf_match_scipy_in_both_tails(x: float) -> None:
    assert stats.normal_cdf(x) == pytest.approx(sps.norm.cdf(x), rel=1e-13)
    assert stats.normal_sf(x) == pytest.approx(sps.norm.sf(x), rel=1e-13)


@pytest.mark.parametrize("p", [0.0, 1.0, -0.1, math.nan])
def test_normal_quantile_rejects_probabilities_outside_open_unit_interval(p: float) -> None:
    with pytest.raises(ValueError, match="p must be in"):
        stats.normal_quantile(p)


# --- Student t ----------------------------------------------------------------------------


@pytest.mark.parametrize("df", DF_VALUES)
def test_t_quantile_matches_scipy(df: float) -> None:
    for p in P_VALUES:
        expected = sps.t.ppf(p, df)
        assert stats.t_quantile(p, df) == pytest.approx(expected, rel=1e-8), (p, df)


def test_t_quantile_known_closed_forms() -> None:
    # df = 1 is Cauchy: quantile = tan(π(p − 1/2)); textbook 97.5 % point for df = 10 is 2.228.
    assert stats.t_quantile(0.75, 1.0) == pytest.approx(1.0, rel=1e-14)
    assert stats.t_quantile(1e-100, 1.0) == pytest.approx(-1.0 / (math.pi * 1e-100), rel=1e-12)
    assert round(stats.t_quantile(0.975, 10.0), 3) == 2.228
    assert stats.t_quantile(0.5, 7.0) == 0.0
    assert stats.t_quantile(0.975, math.inf) == pytest.approx(1.959963984540054, rel=1e-14)


def test_t_quantile_far_tail_follows_the_power_law() -> None:
    # For df = 3, P[T > t] = (2√3 / π) t⁻³ (1 + O(t⁻²)); scipy itself is inaccurate out here.
    expected = (2.0 * math.sqrt(3.0) / (math.pi * 1e-200)) ** (1.0 / 3.0)
    assert stats.t_quantile(1e-200, 3.0) == pytest.approx(-expected, rel=1e-10)


def test_t_quantile_is_exact_near_the_centre_for_df_4() -> None:
    # Closed-form cdf for df = 4: 1/2 + (3/8) t/√(1+t²/4) (1 − t²/(12 (1+t²/4))).
    t = stats.t_quantile(0.5001, 4.0)
    u = 1.0 + t * t / 4.0
    cdf = 0.5 + 3.0 / 8.0 * t / math.sqrt(u) * (1.0 - t * t / (12.0 * u))
    assert cdf == pytest.approx(0.5001, abs=1e-16)


@pytest.mark.parametrize("df", DF_VALUES)
def test_t_cdf_matches_scipy(df: float) -> None:
    for x in [-50.0, -6.0, -2.0, -0.5, 0.0, 0.7, 3.0, 12.0]:
        assert stats.t_cdf(x, df) == pytest.approx(sps.t.cdf(x, df), rel=1e-9), (x, df)


def test_t_cdf_edge_values() -> None:
    assert stats.t_cdf(math.inf, 3.0) == 1.0
    assert stats.t_cdf(-math.inf, 3.0) == 0.0
    assert math.isnan(stats.t_cdf(math.nan, 3.0))
    assert stats.t_cdf(1.0, math.inf) == pytest.approx(stats.normal_cdf(1.0))
    assert stats.t_cdf(1e-8, 1.0) == pytest.approx(0.5 + math.atan(1e-8) / math.pi, rel=1e-15)
    with pytest.raises(ValueError, match="degrees of freedom"):
        stats.t_cdf(1.0, 0.0)


@settings(max_examples=60, deadline=None)
@given(
    p=st.floats(min_value=1e-12, max_value=1 - 1e-12),
    df=st.floats(min_value=1.0, max_value=5e5),
)
def test_t_quantile_inverts_t_cdf(p: float, df: float) -> None:
    assert stats.t_cdf(stats.t_quantile(p, df), df) == pytest.approx(p, rel=1e-9, abs=1e-15)


# --- binomial -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("n", "p"), [(1, 0.5), (10, 0.3), (50, 0.01), (1000, 0.5), (10**5, 0.999), (10**6, 0.3)]
)
def test_binomial_cdf_and_sf_match_scipy(n: int, p: float) -> None:
    sd = math.sqrt(n * p * (1 - p))
    ks = {0, 1, n // 3, int(n * p) - 1, int(n * p), int(n * p + 4 * sd) + 1, n - 1, n}
    for k in sorted(k for k in ks if k >= 0):
        assert stats.binomial_cdf(k, n, p) == pytest.approx(sps.binom.cdf(k, n, p), rel=1e-7)
        assert stats.binomial_sf(k, n, p) == pytest.approx(sps.binom.sf(k - 1, n, p), rel=1e-7)


def test_binomial_small_case_by_hand() -> None:
    exact = sum(math.comb(10, j) * 0.3**j * 0.7 ** (10 - j) for j in range(4))
    assert stats.binomial_cdf(3, 10, 0.3) == pytest.approx(exact, rel=1e-14)
    assert stats.binomial_sf(4, 10, 0.3) == pytest.approx(1.0 - exact, rel=1e-14)
    assert stats.binomial_sf(10, 10, 0.5) == pytest.approx(2.0**-10, rel=1e-14)


def test_binomial_degenerate_arguments() -> None:
    assert stats.binomial_cdf(-1, 5, 0.5) == 0.0
    assert stats.binomial_cdf(5, 5, 0.5) == 1.0
    assert stats.binomial_cdf(0, 5, 0.0) == 1.0
    assert stats.binomial_cdf(4, 5, 1.0) == 0.0
    assert stats.binomial_sf(0, 5, 0.5) == 1.0
    assert stats.binomial_sf(6, 5, 0.5) == 0.0
    assert stats.binomial_sf(1, 5, 0.0) == 0.0
    assert stats.binomial_sf(5, 5, 1.0) == 1.0
    with pytest.raises(ValueError, match="0 ≤ p ≤ 1"):
        stats.binomial_cdf(1, 5, 1.5)


def test_binomial_far_tails_keep_relative_accuracy() -> None:
    cases = [(503_000, 10**6, 0.5), (60, 100, 0.1), (2_000, 10**4, 0.1)]  # ~6, 17, 33 sd out
    for k, n, p in cases:
        expected = sps.binom.sf(k - 1, n, p)
        assert 0.0 < expected < 1e-8
        assert stats.binomial_sf(k, n, p) == pytest.approx(expected, rel=1e-7)
    assert stats.binomial_cdf(400, 10**4, 0.1) == pytest.approx(
        sps.binom.cdf(400, 10**4, 0.1), rel=1e-9
    )


@pytest.mark.parametrize(("k", "n", "p0"), [(7, 20, 0.2), (0, 30, 0.05), (45, 50, 0.8)])
def test_one_sided_binomial_pvalue_matches_scipy(k: int, n: int, p0: float) -> None:
    for alternative in ("greater", "less"):
        expected = sps.binomtest(k, n, p0, alternative=alternative).pvalue
        got = stats.one_sided_binomial_pvalue(k, n, p0, alternative)
        assert got == pytest.approx(expected, rel=1e-10)


def test_one_sided_binomial_pvalue_rejects_bad_arguments() -> None:
    with pytest.raises(ValueError, match="alternative"):
        stats.one_sided_binomial_pvalue(1, 5, 0.5, "two-sided")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match=r"k must be in \[0, n\]"):
        stats.one_sided_binomial_pvalue(6, 5, 0.5)


# --- proportions --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("s", "n", "low", "high"),
    [
        (81, 263, 0.2553, 0.3662),  # Newcombe (1998), single proportion, method 3
        (15, 148, 0.0624, 0.1605),
        (0, 10, 0.0, 0.2775),
        (10, 10, 0.7225, 1.0),
    ],
)
def test_wilson_interval_textbook_values(s: int, n: int, low: float, high: float) -> None:
    interval = stats.wilson_interval(s, n)
    assert interval.estimate == pytest.approx(s / n)
    assert (round(interval.low, 4), round(interval.high, 4)) == (low, high)
    scipy_ci = sps.binomtest(s, n).proportion_ci(confidence_level=0.95, method="wilson")
    assert interval.low == pytest.approx(scipy_ci.low, abs=1e-12)
    assert interval.high == pytest.approx(scipy_ci.high, abs=1e-12)


def test_wilson_interval_of_no_trials_is_uninformative() -> None:
    interval = stats.wilson_interval(0, 0)
    assert math.isnan(interval.estimate)
    assert (interval.low, interval.high) == (0.0, 1.0)


def test_newcombe_difference_reproduces_the_paper_example() -> None:
    # Newcombe (1998), two independent proportions, example (a), method 10: 0.0524 to 0.3339.
    interval = stats.newcombe_difference(56, 70, 48, 80, 0.95)
    assert interval.estimate == pytest.approx(56 / 70 - 48 / 80)
    assert (round(interval.low, 4), round(interval.high, 4)) == (0.0524, 0.3339)
    mirrored = stats.newcombe_difference(48, 80, 56, 70, 0.95)
    assert mirrored.low == pytest.approx(-interval.high)
    assert mirrored.high == pytest.approx(-interval.low)


def test_newcombe_difference_with_an_empty_arm_is_uninformative() -> None:
    interval = stats.newcombe_difference(3, 10, 0, 0)
    assert math.isnan(interval.estimate)
    assert (interval.low, interval.high) == (-1.0, 1.0)


@settings(max_examples=150, deadline=None)
@given(
    data=st.data(),
    n=st.integers(min_value=1, max_value=10_000),
    confidence=st.floats(min_value=0.5, max_value=0.999),
)
def test_wilson_interval_contains_estimate_within_unit_interval(
    data: st.DataObject, n: int, confidence: float
) -> None:
    s = data.draw(st.integers(min_value=0, max_value=n))
    interval = stats.wilson_interval(s, n, confidence)
    assert 0.0 <= interval.low <= interval.estimate <= interval.high <= 1.0


@settings(max_examples=150, deadline=None)
@given(
    n1=st.integers(min_value=1, max_value=500),
    n2=st.integers(min_value=1, max_value=500),
    f1=st.floats(min_value=0.0, max_value=1.0),
    f2=st.floats(min_value=0.0, max_value=1.0),
)
def test_newcombe_difference_contains_estimate_within_bounds(
    n1: int, n2: int, f1: float, f2: float
) -> None:
    interval = stats.newcombe_difference(round(f1 * n1), n1, round(f2 * n2), n2, 0.95)
    assert -1.0 <= interval.low <= interval.estimate <= interval.high <= 1.0


# --- quantiles ----------------------------------------------------------------------------


def test_quantile_too_few_observations_for_p99() -> None:
    result = stats.quantile_estimate(np.arange(50.0), 0.99)
    assert not result.supported
    assert result.high == math.inf
    assert result.estimate == pytest.approx(np.quantile(np.arange(50.0), 0.99))
    assert result.needed_n == 368
    assert result.note == "n=50 is too small for a 95% interval on p99 (needs n ≥ 368)"


@pytest.mark.parametrize(("q", "confidence"), [(0.99, 0.95), (0.95, 0.95), (0.5, 0.9), (0.1, 0.99)])
def test_needed_n_is_the_smallest_n_meeting_the_definition(q: float, confidence: float) -> None:
    needed = stats.quantile_needed_n(q, confidence)
    half_alpha = (1 - confidence) / 2
    tail = max(q, 1 - q)
    assert tail**needed <= half_alpha < tail ** (needed - 1)
    assert stats.quantile_estimate(np.arange(float(needed)), q, confidence).supported
    assert not stats.quantile_estimate(np.arange(needed - 1.0), q, confidence).supported


def test_low_quantile_with_few_observations_has_no_lower_bound() -> None:
    result = stats.quantile_estimate(np.arange(50.0), 0.01)
    assert not result.supported
    assert result.low == -math.inf
    assert math.isfinite(result.high)


def test_median_interval_uses_the_classic_order_statistics() -> None:
    # n = 20: P[B ≤ 5] = P[B ≥ 15] = 0.0207 for B ~ Bin(20, 1/2), so [x₍₆₎, x₍₁₅₎].
    values = np.arange(1.0, 21.0)
    result = stats.quantile_estimate(values, 0.5)
    assert result.supported
    assert (result.low, result.high) == (6.0, 15.0)
    coverage = sps.binom.cdf(14, 20, 0.5) - sps.binom.cdf(5, 20, 0.5)
    assert coverage >= 0.95
    # One rank tighter on either side would fall below 95 %.
    assert sps.binom.cdf(14, 20, 0.5) - sps.binom.cdf(6, 20, 0.5) < 0.95


def test_quantile_interval_coverage_by_simulation() -> None:
    rng = np.random.default_rng(20261201)
    trials, hits = 2000, 0
    true_p90 = -math.log(0.1)  # exponential(1)
    for _ in range(trials):
        result = stats.quantile_estimate(np.sort(rng.exponential(size=60)), 0.9)
        hits += result.low <= true_p90 <= result.high
    # Guaranteed coverage ≥ 95 %; allow three standard errors of simulation noise.
    assert hits / trials >= 0.95 - 3 * math.sqrt(0.05 * 0.95 / trials)


def test_quantile_estimate_rejects_unsorted_and_handles_empty() -> None:
    with pytest.raises(ValueError, match="sorted"):
        stats.quantile_estimate(np.array([3.0, 1.0, 2.0]), 0.5)
    empty = stats.quantile_estimate(np.array([]), 0.5)
    assert math.isnan(empty.estimate)
    assert not empty.supported
    assert (empty.low, empty.high) == (-math.inf, math.inf)


@settings(max_examples=80, deadline=None)
@given(
    values=st.lists(st.floats(-1e6, 1e6), min_size=1, max_size=300),
    q=st.floats(min_value=0.01, max_value=0.99),
)
def test_quantile_interval_contains_estimate(values: list[float], q: float) -> None:
    result = stats.quantile_estimate(np.sort(np.array(values)), q)
    assert result.low <= result.estimate <= result.high


@pytest.mark.parametrize("n", [2000, 3000, 54321, 100000])
@pytest.mark.parametrize("q", [0.5, 0.95, 0.99])
def test_windowed_order_statistic_ranks_equal_exact_bisection(n: int, q: float) -> None:
    half = 0.025
    cdf, sf = distributions.binomial_cdf, distributions.binomial_sf
    exact_below = quantiles._last_true(lambda j: cdf(j, n, q) <= half, 0, n - 1)
    exact_above = quantiles._first_true(lambda j: sf(j, n, q) <= half, 1, n)
    assert quantiles._order_statistic_ranks(n, q, half) == (exact_below, exact_above)


# --- means --------------------------------------------------------------------------------


def test_mean_interval_matches_scipy_t_interval() -> None:
    values = np.random.default_rng(7).normal(10.0, 3.0, size=17)
    interval = stats.mean_interval(values, 0.9)
    expected = sps.ttest_1samp(values, 0.0).confidence_interval(0.9)
    assert interval.estimate == pytest.approx(values.mean())
    assert (interval.low, interval.high) == pytest.approx((expected.low, expected.high), rel=1e-12)


def test_mean_interval_small_samples_have_nan_bounds() -> None:
    single = stats.mean_interval(np.array([4.0]))
    assert single.estimate == 4.0
    assert math.isnan(single.low)
    assert math.isnan(single.high)
    assert math.isnan(stats.mean_interval(np.array([])).estimate)


def test_log_mean_interval_is_the_geometric_mean() -> None:
    values = np.random.default_rng(8).lognormal(1.0, 0.7, size=25)
    interval = stats.log_mean_interval(values)
    expected = np.exp(sps.ttest_1samp(np.log(values), 0.0).confidence_interval(0.95))
    assert interval.estimate == pytest.approx(sps.gmean(values), rel=1e-12)
    assert (interval.low, interval.high) == pytest.approx(tuple(expected), rel=1e-12)
    with pytest.raises(ValueError, match="> 0"):
        stats.log_mean_interval(np.array([1.0, 0.0, 2.0]))


@pytest.mark.parametrize(("n_a", "n_b", "confidence"), [(15, 23, 0.95), (2, 40, 0.9), (8, 8, 0.99)])
def test_log_ratio_interval_equals_welch_on_logs(n_a: int, n_b: int, confidence: float) -> None:
    rng = np.random.default_rng(n_a * 100 + n_b)
    a = rng.lognormal(0.0, 0.5, size=n_a)
    b = rng.lognormal(0.2, 0.9, size=n_b)
    interval = stats.log_ratio_interval(a, b, confidence)
    welch = sps.ttest_ind(np.log(a), np.log(b), equal_var=False)
    low, high = np.exp(welch.confidence_interval(confidence))
    assert interval.estimate == pytest.approx(sps.gmean(a) / sps.gmean(b), rel=1e-12)
    assert (interval.low, interval.high) == pytest.approx((low, high), rel=1e-10)


def test_log_ratio_interval_degenerate_samples() -> None:
    one = stats.log_ratio_interval(np.array([2.0]), np.array([1.0, 3.0]))
    assert math.isnan(one.low)
    assert math.isnan(one.high)
    assert one.estimate == pytest.approx(2.0 / math.sqrt(3.0))
    flat = stats.log_ratio_interval(np.array([4.0, 4.0]), np.array([2.0, 2.0, 2.0]))
    assert (flat.estimate, flat.low, flat.high) == pytest.approx((2.0, 2.0, 2.0))


# --- tails and ranks ----------------------------------------------------------------------


def test_log_tail_share_statistics_match_their_definitions() -> None:
    values = np.random.default_rng(11).lognormal(0.5, 0.6, size=400)
    result = stats.log_tail_share(values)
    logs = np.log(values)
    q1, q3 = np.quantile(logs, [0.25, 0.75])
    fence = q3 + 3 * (q3 - q1)
    sigma = sps.median_abs_deviation(logs, scale="normal")
    expected_share = sps.norm.sf((fence - np.median(logs)) / sigma)
    assert result.n == 400
    assert result.far_fence_log == pytest.approx(fence)
    assert result.far_fence == pytest.approx(math.exp(fence))
    assert result.robust_sigma == pytest.approx(sigma, rel=1e-12)
    assert result.expected_share == pytest.approx(expected_share, rel=1e-9)
    assert result.count_beyond == int(np.sum(logs > fence))


def test_log_tail_share_lognormal_without_outliers_is_unremarkable() -> None:
    values = np.random.default_rng(12).lognormal(0.0, 0.8, size=500)
    result = stats.log_tail_share(values)
    assert result.share_beyond <= 0.01
    assert result.p_value > 0.05


def test_log_tail_share_detects_planted_outliers() -> None:
    rng = np.random.default_rng(13)
    values = rng.lognormal(0.0, 0.5, size=400)
    values[:20] *= 20.0  # 5 % retry storms
    result = stats.log_tail_share(values)
    assert result.count_beyond >= 15
    assert result.share_beyond == pytest.approx(result.count_beyond / 400)
    expected_p = sps.binom.sf(result.count_beyond - 1, 400, result.expected_share)
    assert result.p_value == pytest.approx(expected_p, rel=1e-8)
    assert result.p_value < 1e-6


def test_log_tail_share_empty_and_invalid() -> None:
    empty = stats.log_tail_share(np.array([]))
    assert empty.n == 0
    assert empty.count_beyond == 0
    assert math.isnan(empty.p_value)
    with pytest.raises(ValueError, match="> 0"):
        stats.log_tail_share(np.array([1.0, -2.0]))


def test_spearman_rho_with_ties_matches_scipy() -> None:
    rng = np.random.default_rng(14)
    x = rng.integers(0, 5, size=40).astype(float)
    y = x + rng.integers(0, 3, size=40)
    assert stats.spearman_rho(x, y) == pytest.approx(sps.spearmanr(x, y).statistic, rel=1e-12)
    assert stats.spearman_rho([1, 2, 3], [3, 2, 1]) == pytest.approx(-1.0)


def test_spearman_rho_degenerate_inputs() -> None:
    assert math.isnan(stats.spearman_rho([1.0, 1.0, 1.0], [1.0, 2.0, 3.0]))
    assert math.isnan(stats.spearman_rho([1.0], [2.0]))
    with pytest.raises(ValueError, match="differ in length"):
        stats.spearman_rho([1.0, 2.0], [1.0, 2.0, 3.0])
