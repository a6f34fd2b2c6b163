"""The realised change, checked against an independent computation with scipy."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import stats  # type: ignore[import-untyped]

from autotune_bot.monitor.realised import realised_change
from autotune_bot.monitor.types import RunSeries

NAN = math.nan


def test_ratio_interval_rates_and_cost_match_scipy() -> None:
    rng = np.random.default_rng(12)
    d0, d1 = np.exp(rng.normal(1.0, 0.5, 40)), np.exp(rng.normal(0.8, 0.3, 25))
    c0, c1 = np.exp(rng.normal(0.0, 0.4, 40)), np.exp(rng.normal(0.2, 0.4, 25))
    s0, s1 = rng.random(40) < 0.9, rng.random(25) < 0.7
    before = RunSeries(tuple(d0.tolist()), tuple(s0.tolist()), tuple(c0.tolist()))
    after = RunSeries(tuple(d1.tolist()), tuple(s1.tolist()), tuple(c1.tolist()))
    got = realised_change(before, after)
    welch = stats.ttest_ind(np.log(d1), np.log(d0), equal_var=False)
    low, high = welch.confidence_interval(0.95)
    assert got.duration_ratio == pytest.approx(stats.gmean(d1) / stats.gmean(d0))
    assert got.duration_ratio_ci == pytest.approx((math.exp(low), math.exp(high)))
    assert (got.success_before, got.success_after) == pytest.approx((s0.mean(), s1.mean()))
    assert got.cost_ratio == pytest.approx(stats.gmean(c1) / stats.gmean(c0))
    assert (got.baseline_runs, got.post_runs) == (40, 25)
    assert got.duration_percent == pytest.approx((1 - got.duration_ratio) * 100)


def test_runs_without_values_are_left_out_and_empty_sides_give_none() -> None:
    before = RunSeries((1.0, 4.0, NAN, 0.0), (True, False, True, True), (NAN,) * 4)
    after = RunSeries((2.0,), (False,), (NAN,))
    got = realised_change(before, after)
    assert got.duration_ratio == pytest.approx(2.0 / 2.0)  # geometric mean of 1 and 4 is 2
    assert got.duration_ratio_ci is None  # one run after the merge: no interval
    assert got.cost_ratio is None
    assert (got.success_before, got.success_after) == (0.75, 0.0)
    empty = realised_change(before, RunSeries((), (), ()))
    assert (empty.duration_ratio, empty.success_after, empty.post_runs) == (None, None, 0)
