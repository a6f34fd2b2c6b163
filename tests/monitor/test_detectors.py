"""The detector contract, checked on every entry of DETECTORS, and each detector's own rules."""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np
import pytest

from autotune_bot.monitor.detectors import DETECTORS, Detector, failure_rates
from autotune_bot.monitor.types import RunSeries

NAMES = list(DETECTORS)
NAN = math.nan
Pair = tuple[RunSeries, RunSeries]


@pytest.fixture
def rich(series: Callable[..., RunSeries]) -> Pair:
    """60 runs before and 40 after the merge, every one with a duration and a cost."""
    rng = np.random.default_rng(11)
    return series(rng, 60), series(rng, 40)


@pytest.mark.parametrize("name", NAMES)
def test_registry_entry_knows_its_name_and_rule(name: str) -> None:
    detector = DETECTORS[name]
    assert isinstance(detector, Detector)
    assert detector.name == name
    # the rule is shown to people in the status comment: one line, in words, no design refs
    assert "\n" not in detector.rule
    assert "seed" not in detector.rule
    assert any(word in detector.rule for word in ("slower", "failures", "expensive"))


@pytest.mark.parametrize("name", NAMES)
def test_applicable_on_full_data_and_not_on_a_short_baseline(name: str, rich: Pair) -> None:
    baseline, post = rich
    detector = DETECTORS[name]
    assert detector.why_not(baseline, post, 30) is None
    short = RunSeries(baseline.durations[:5], baseline.successes[:5], baseline.costs[:5])
    reason = detector.why_not(short, post, 30)
    assert reason is not None
    assert "\n" not in reason
    assert "30" in reason


@pytest.mark.parametrize("name", NAMES)
def test_scores_one_increment_per_usable_post_run(name: str, rich: Pair) -> None:
    baseline, post = rich
    scores = DETECTORS[name].scores(baseline, post)
    assert scores.values.ndim == 1
    assert scores.values.shape == scores.runs.shape
    assert len(scores.values) == len(post)  # every run of this data is usable
    assert np.all(np.isfinite(scores.values))
    assert scores.runs.tolist() == list(range(1, len(post) + 1))


@pytest.mark.parametrize("name", NAMES)
def test_null_simulation_shape_and_determinism(name: str, rich: Pair) -> None:
    baseline, _ = rich
    detector = DETECTORS[name]
    key = detector.null_key(baseline)
    assert hash(key) == hash(tuple(key))
    assert all(isinstance(v, int) for v in key)
    first = detector.simulate_null(key, 25, 300, np.random.default_rng(1))
    again = detector.simulate_null(key, 25, 300, np.random.default_rng(1))
    other = detector.simulate_null(key, 25, 300, np.random.default_rng(2))
    assert first.shape == (300, 25)
    assert np.all(np.isfinite(first))
    assert np.array_equal(first, again)
    assert not np.array_equal(first, other)


def test_runs_without_duration_are_skipped_but_count_as_failures(rich: Pair) -> None:
    baseline, _ = rich
    post = RunSeries((2.0, NAN, 0.0, 3.0), (True, False, True, False), (1.0, 1.0, 1.0, 1.0))
    for name in ("duration", "tail"):
        assert DETECTORS[name].scores(baseline, post).runs.tolist() == [1, 4]
    failures = DETECTORS["failures"].scores(baseline, post)
    q0, q1 = failure_rates(len(baseline), len(baseline) - sum(baseline.successes))
    hit = math.log(float(q1) / float(q0))
    assert failures.runs.tolist() == [1, 2, 3, 4]
    assert failures.values[1] == pytest.approx(hit)
    assert failures.values[3] == pytest.approx(hit)


def test_failure_rates_are_shrunk_and_doubled() -> None:
    q0, q1 = failure_rates(8, 2)  # (2 + 1) / (8 + 2) = 0.3; min(0.6, 0.65) = 0.6
    assert (float(q0), float(q1)) == pytest.approx((0.3, 0.6))
    q0, q1 = failure_rates(8, 6)  # 0.7; min(1.4, 0.85) = 0.85
    assert (float(q0), float(q1)) == pytest.approx((0.7, 0.85))
    baseline = RunSeries((1.0,) * 8, (True,) * 6 + (False,) * 2, (NAN,) * 8)
    post = RunSeries((1.0, 1.0), (False, True), (NAN, NAN))
    got = DETECTORS["failures"].scores(baseline, post).values
    assert got.tolist() == pytest.approx([math.log(2.0), math.log(0.4 / 0.7)])


def test_duration_scores_are_clipped_log_zscores() -> None:
    durations = (1.0, 2.0, 4.0, 8.0)
    baseline = RunSeries(durations, (True,) * 4, (NAN,) * 4)
    post = RunSeries((4.0, 1e9), (True, True), (NAN, NAN))
    logs = [math.log(d) for d in durations]
    mean = sum(logs) / 4
    sd = math.sqrt(sum((v - mean) ** 2 for v in logs) / 3)
    expected = [(math.log(4.0) - mean) / sd - 0.25, 4.0 - 0.25]
    assert DETECTORS["duration"].scores(baseline, post).values.tolist() == pytest.approx(expected)


def test_tail_counts_runs_above_the_baseline_p95() -> None:
    baseline = RunSeries(tuple(float(v) for v in range(1, 21)), (True,) * 20, (NAN,) * 20)
    post = RunSeries((19.0, 19.5, 30.0), (True,) * 3, (NAN,) * 3)  # P95 of 1..20 = 19.05
    got = DETECTORS["tail"].scores(baseline, post).values
    assert got.tolist() == pytest.approx([math.log(0.8 / 0.95), math.log(4.0), math.log(4.0)])


def test_constant_baseline_durations_cannot_feed_the_duration_detector() -> None:
    baseline = RunSeries((5.0,) * 40, (True,) * 40, (NAN,) * 40)
    reason = DETECTORS["duration"].why_not(baseline, baseline, 30)
    assert reason is not None
    assert "same duration" in reason


def test_cost_takes_part_according_to_the_baseline_only(
    series: Callable[..., RunSeries],
) -> None:
    rng = np.random.default_rng(4)
    with_cost = series(rng, 50)
    no_cost = series(rng, 50, cost_scale=None)
    cost = DETECTORS["cost"]
    assert cost.why_not(with_cost, with_cost, 30) is None
    before = cost.why_not(no_cost, with_cost, 30)
    assert "0 of 50 runs before the merge record a cost" in str(before)
    # the budget split must not change from one run to the next: post-merge runs without a
    # cost do not take the detector out, they only give it nothing to add up
    assert cost.why_not(with_cost, no_cost, 30) is None
    assert cost.scores(with_cost, no_cost).values.size == 0
    empty = RunSeries((), (), ())
    assert cost.why_not(with_cost, empty, 30) is None  # nothing after the merge yet
