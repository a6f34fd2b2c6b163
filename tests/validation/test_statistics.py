"""Log-scale margin tests and Holm's adjustment, checked by hand and against scipy's own tests."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from scipy import stats  # type: ignore[import-untyped]

from autotune_bot.validation.statistics import (
    Alternative,
    Method,
    cluster_means,
    holm,
    log_values,
    ratio_pvalue,
)


def logs(control: list[float], variant: list[float]) -> tuple[np.ndarray, np.ndarray]:
    lc, lv, floored = log_values(control, variant)
    assert floored == 0
    return lc, lv


# --- log_values -----------------------------------------------------------------------------


def test_values_at_or_below_zero_are_floored_at_half_the_smallest_positive_value() -> None:
    lc, lv, floored = log_values([0.0, 2.0, 4.0], [1.0, -3.0])
    assert floored == 2
    assert lc.tolist() == pytest.approx([math.log(0.5), math.log(2.0), math.log(4.0)])
    assert lv.tolist() == pytest.approx([0.0, math.log(0.5)])


def test_floor_is_taken_per_row() -> None:
    lc, _, floored = log_values([[0.0, 8.0], [0.0, 8.0]], [[4.0, 4.0], [2.0, 2.0]])
    assert floored == 2
    assert np.exp(lc[:, 0]).tolist() == pytest.approx([2.0, 1.0])


def test_no_positive_value_or_non_finite_values_are_rejected() -> None:
    with pytest.raises(ValueError, match="positive"):
        log_values([0.0, 0.0], [0.0, 0.0])
    with pytest.raises(ValueError, match="finite"):
        log_values([1.0, math.nan], [1.0, 2.0])


# --- cluster_means --------------------------------------------------------------------------


def test_cluster_means_by_hand() -> None:
    values = np.array([1.0, 2.0, 3.0, 4.0, 5.0, 10.0])
    assert cluster_means(values, [0, 1, 0, 1, 2, 2]).tolist() == [2.0, 3.0, 7.5]
    rows = np.array([[1.0, 3.0, 5.0], [2.0, 2.0, 8.0]])
    assert cluster_means(rows, [1, 1, 0]).tolist() == [[5.0, 2.0], [8.0, 2.0]]
    extreme = np.array([1.7e308, 1.7e308])  # a plain sum would overflow
    assert cluster_means(extreme, [0, 0]).tolist() == [1.7e308]
    with pytest.raises(ValueError, match="each used"):
        cluster_means(values, [0, 0, 2, 2, 2, 2])
    with pytest.raises(ValueError, match="one cluster label"):
        cluster_means(values, [0, 1])


def test_paired_tests_on_cluster_means_equal_scipy_on_per_input_means() -> None:
    rng = np.random.default_rng(11)
    lc, lv = rng.normal(0, 1, 12), rng.normal(-0.3, 1, 12)
    clusters = [i % 4 for i in range(12)]
    mc, mv = cluster_means(lc, clusters), cluster_means(lv, clusters)
    per_input = np.array([np.mean((lv - lc)[i::4]) for i in range(4)])
    p = float(ratio_pvalue(mc, mv, ratio=0.95, alternative="less", method="t", paired=True))
    expected = stats.ttest_1samp(per_input - math.log(0.95), 0.0, alternative="less").pvalue
    assert p == pytest.approx(expected)


# --- known answers --------------------------------------------------------------------------


def test_welch_on_logs_by_hand() -> None:
    # logs: control [0, 2], variant [1, 3]: both variances 2, se = √2, diff 1, t = 1/√2,
    # Welch df = (1 + 1)² / (1 + 1) = 2; for 2 df the t cdf is 1/2 + t / (2√(t² + 2)),
    # so P(T > 1/√2) = 1/2 − 1/(2√5).
    lc, lv = logs([1.0, math.exp(2)], [math.e, math.exp(3)])
    p = float(ratio_pvalue(lc, lv, ratio=1.0, alternative="greater", method="t", paired=False))
    assert p == pytest.approx(0.5 - 1 / (2 * math.sqrt(5)), rel=1e-9)


def test_exact_rank_sum_by_hand() -> None:
    # every variant value beats every (shifted) control value: P(U = max) = 1 / C(4, 2)
    lc, lv = logs([1.0, 2.0], [3.0, 4.0])
    p = float(ratio_pvalue(lc, lv, ratio=1.0, alternative="greater", method="rank", paired=False))
    assert p == pytest.approx(1 / 6)
    # the margin shifts the control: 2 × 1.6 = 3.2 now beats the variant's 3
    p = float(ratio_pvalue(lc, lv, ratio=1.6, alternative="greater", method="rank", paired=False))
    assert p == pytest.approx(2 / 6)


def test_exact_signed_rank_by_hand() -> None:
    # all 4 log ratios below log(0.95): T+ = 0, P(T+ ≤ 0) = 1/2⁴
    lc, lv = logs([1.0, 2.0, 3.0, 4.0], [0.5, 0.8, 2.0, 1.0])
    p = float(ratio_pvalue(lc, lv, ratio=0.95, alternative="less", method="rank", paired=True))
    assert p == pytest.approx(1 / 16)


def test_paired_t_by_hand() -> None:
    # log ratios minus log(margin): [−1, −3] → mean −2, sd √2, se 1, t = −2 with 1 df:
    # P(T < −2) = 1/2 − atan(2)/π (Cauchy)
    margin = 0.9
    lc, lv = logs([1.0, 1.0], [margin * math.exp(-1), margin * math.exp(-3)])
    p = float(ratio_pvalue(lc, lv, ratio=margin, alternative="less", method="t", paired=True))
    assert p == pytest.approx(0.5 - math.atan(2) / math.pi, rel=1e-9)


# --- against scipy's tests ------------------------------------------------------------------


@pytest.mark.parametrize("alternative", ["less", "greater"])
def test_agrees_with_scipy_tests_after_shifting_by_the_margin(alternative: Alternative) -> None:
    rng = np.random.default_rng(7)
    c = rng.lognormal(0.0, 0.6, 12)
    v = rng.lognormal(-0.2, 0.6, 15)
    lc, lv = logs(c.tolist(), v.tolist())
    shift = math.log(0.95)
    got = {
        (method, paired): float(
            ratio_pvalue(
                lc,
                lv[:12] if paired else lv,
                ratio=0.95,
                alternative=alternative,
                method=method,
                paired=paired,
            )
        )
        for method in ("t", "rank")
        for paired in (False, True)
    }
    assert got["t", False] == pytest.approx(
        stats.ttest_ind(lv, lc + shift, equal_var=False, alternative=alternative).pvalue
    )
    assert got["t", True] == pytest.approx(
        stats.ttest_rel(lv[:12], lc + shift, alternative=alternative).pvalue
    )
    assert got["rank", False] == pytest.approx(
        stats.mannwhitneyu(lv, lc + shift, alternative=alternative, method="exact").pvalue
    )
    assert got["rank", True] == pytest.approx(
        stats.wilcoxon(lv[:12] - lc - shift, alternative=alternative, method="exact").pvalue
    )


def test_ties_use_the_tie_corrected_normal_approximation() -> None:
    c, v = [1.0, 2.0, 2.0, 3.0, 5.0], [1.0, 1.0, 2.0, 2.0, 4.0]
    lc, lv = logs(c, v)
    p = float(ratio_pvalue(lc, lv, ratio=1.0, alternative="less", method="rank", paired=False))
    expected = stats.mannwhitneyu(lv, lc, alternative="less", method="asymptotic").pvalue
    assert p == pytest.approx(expected)
    assert p != pytest.approx(stats.mannwhitneyu(lv, lc, alternative="less", method="exact").pvalue)


def test_degenerate_samples() -> None:
    same = logs([2.0, 2.0, 2.0], [2.0, 2.0, 2.0])
    for method in ("t", "rank"):
        for paired in (False, True):
            p = ratio_pvalue(*same, ratio=1.0, alternative="less", method=method, paired=paired)
            assert float(p) == 1.0  # no evidence either way
    # zero variance with a real difference: decided by the sign
    lc, lv = logs([10.0, 10.0], [5.0, 5.0])
    assert (
        float(ratio_pvalue(lc, lv, ratio=0.95, alternative="less", method="t", paired=False)) == 0
    )
    assert (
        float(ratio_pvalue(lc, lv, ratio=1.0, alternative="greater", method="t", paired=True)) == 1
    )


def test_rejects_bad_arguments() -> None:
    lc, lv = logs([1.0, 2.0], [1.0, 2.0])
    with pytest.raises(ValueError, match="positive"):
        ratio_pvalue(lc, lv, ratio=0.0, alternative="less", method="t", paired=False)
    with pytest.raises(ValueError, match="2 runs"):
        ratio_pvalue(lc[:1], lv, ratio=1.0, alternative="less", method="t", paired=False)
    with pytest.raises(ValueError, match="same shape"):
        ratio_pvalue(lc, np.append(lv, 1.0), ratio=1.0, alternative="less", method="t", paired=True)


# --- batches --------------------------------------------------------------------------------


@pytest.mark.parametrize("method", ["t", "rank"])
@pytest.mark.parametrize("paired", [False, True])
def test_a_batch_gives_each_row_what_it_gets_alone(method: Method, paired: bool) -> None:
    rng = np.random.default_rng(11)
    lc = rng.normal(0.0, 0.5, (40, 9))
    lv = rng.normal(-0.1, 0.5, (40, 9))
    lv[3] = lc[3]  # paired differences all zero
    lv[4, :3] = lc[4, :3]  # some zero differences
    lc[5, 1] = lc[5, 2]  # ties
    lv[6, 0] = lc[6, 4] + math.log(0.95)  # a tie across arms after the shift
    batch = ratio_pvalue(
        lc,
        lv,
        ratio=0.95,
        alternative="less",
        method=method,
        paired=paired,
    )
    alone = [
        float(ratio_pvalue(c, v, ratio=0.95, alternative="less", method=method, paired=paired))
        for c, v in zip(lc, lv, strict=True)
    ]
    assert batch.shape == (40,)
    assert batch.tolist() == pytest.approx(alone, rel=1e-12)


# --- properties -----------------------------------------------------------------------------

samples = st.lists(st.floats(0.01, 1000.0), min_size=3, max_size=12)


@given(samples, samples, st.floats(0.5, 2.0))
@settings(max_examples=60, deadline=None)
def test_margin_equals_scaling_the_control(c: list[float], v: list[float], m: float) -> None:
    lc, lv, _ = log_values(c, v)
    lcs, lvs, _ = log_values([x * m for x in c], v)
    # Values within rounding error of each other are ties on one side and not on the other
    # (log(x * m) and log(x) + log(m) differ in the last bits), which switches the rank test
    # between its exact and tie-corrected forms: keep such near-ties out of this property.
    for shifted in (np.asarray(lc) + math.log(m), np.asarray(lcs)):
        gaps = np.diff(np.sort(np.concatenate([shifted, lv])))
        assume(not bool(np.any((gaps > 0) & (gaps <= 1e-9))))
    for method in ("t", "rank"):
        a = ratio_pvalue(lc, lv, ratio=m, alternative="less", method=method, paired=False)
        b = ratio_pvalue(lcs, lvs, ratio=1.0, alternative="less", method=method, paired=False)
        assert float(a) == pytest.approx(float(b), abs=1e-9)


@given(samples, samples)
@settings(max_examples=60, deadline=None)
def test_one_sided_t_p_values_are_complementary(c: list[float], v: list[float]) -> None:
    lc, lv, _ = log_values(c, v)
    less = float(ratio_pvalue(lc, lv, ratio=1.0, alternative="less", method="t", paired=False))
    more = float(ratio_pvalue(lc, lv, ratio=1.0, alternative="greater", method="t", paired=False))
    if np.ptp(lc) > 0 or np.ptp(lv) > 0:
        assert less + more == pytest.approx(1.0)


# --- Holm -----------------------------------------------------------------------------------


def test_holm_by_hand() -> None:
    # sorted 0.005, 0.01, 0.03, 0.04 → ×4, ×3, ×2, ×1 = 0.02, 0.03, 0.06, 0.04 → running max
    assert holm([0.01, 0.04, 0.03, 0.005]) == pytest.approx((0.03, 0.06, 0.06, 0.02))
    assert holm([0.6, 0.7]) == (1.0, 1.0)
    assert holm([0.2]) == (0.2,)
    assert holm([]) == ()
