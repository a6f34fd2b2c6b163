"""Threshold calibration: determinism, caching, and the alarm rate on fresh no-change data."""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np
import pytest

from autotune_bot.monitor import calibrate
from autotune_bot.monitor.cusum import cusum, first_crossing
from autotune_bot.monitor.detectors import DETECTORS
from autotune_bot.monitor.types import RunSeries

Maker = Callable[..., RunSeries]
HORIZON, BASELINE, ALPHA, PATHS, SIMULATIONS = 200, 50, 0.05, 1000, 4000


def alarms(name: str, baseline: RunSeries, post: RunSeries, seed: int = 0) -> int | None:
    detector = DETECTORS[name]
    h = calibrate.threshold(name, detector.null_key(baseline), HORIZON, ALPHA, SIMULATIONS, seed)
    return first_crossing(cusum(detector.scores(baseline, post).values), h)


def test_thresholds_are_deterministic_cached_and_seeded() -> None:
    calibrate.threshold.cache_clear()
    first = calibrate.threshold("duration", (50,), 100, 0.01, 1000, 7)
    assert calibrate.threshold("duration", (50,), 100, 0.01, 1000, 7) == first
    assert calibrate.threshold.cache_info().hits == 1
    calibrate.threshold.cache_clear()
    assert calibrate.threshold("duration", (50,), 100, 0.01, 1000, 7) == first
    assert calibrate.threshold("duration", (50,), 100, 0.01, 1000, 8) != first


def test_threshold_rank_is_an_upper_confidence_bound() -> None:
    from scipy import stats  # type: ignore[import-untyped]

    r = calibrate.threshold_rank(4000, 0.0125)
    assert stats.binom.sf(r - 1, 4000, 1 - 0.0125) <= 1 - calibrate.CONFIDENCE
    assert stats.binom.sf(r - 2, 4000, 1 - 0.0125) > 1 - calibrate.CONFIDENCE
    assert 4000 * (1 - 0.0125) < r < 4000


def test_smaller_alpha_or_longer_horizon_raise_the_threshold() -> None:
    base = calibrate.threshold("tail", (50,), 100, 0.05, 2000, 0)
    assert calibrate.threshold("tail", (50,), 100, 0.01, 2000, 0) > base
    assert calibrate.threshold("tail", (50,), 400, 0.05, 2000, 0) > base


def test_bad_inputs_are_refused() -> None:
    with pytest.raises(ValueError, match="alpha"):
        calibrate.threshold("tail", (50,), 100, 0.0, 2000, 0)
    with pytest.raises(ValueError, match="horizon"):
        calibrate.null_maxima("tail", (50,), 0, 2000, 0)


def _gamma_series(rng: np.random.Generator, n: int, scale: float = 1.0) -> RunSeries:
    d = scale * rng.gamma(2.0, 3.0, n)  # not log-normal: the tail detector needs no shape
    return RunSeries(tuple(d.tolist()), (True,) * n, (math.nan,) * n)


@pytest.mark.parametrize("name", ["duration", "tail", "failures", "cost"])
def test_alarm_rate_on_fresh_no_change_data_is_at_most_about_alpha(
    name: str, series: Maker
) -> None:
    # Fresh data, not the calibration's stream; log-normal with another median and spread
    # than the calibration's N(0, 1) logs (the z-scores do not depend on them).
    rng = np.random.default_rng([2026, len(name)])
    fired = 0
    for _ in range(PATHS):
        if name == "tail":
            baseline, post = _gamma_series(rng, BASELINE), _gamma_series(rng, HORIZON)
        else:
            baseline = series(rng, BASELINE, scale=40.0, sigma=0.8, cost_scale=0.3)
            post = series(rng, HORIZON, scale=40.0, sigma=0.8, cost_scale=0.3)
        fired += alarms(name, baseline, post) is not None
    rate = fired / PATHS
    # 3 binomial SEs of this estimate, plus the calibration's own MC error (4,000 paths)
    tolerance = 3 * math.sqrt(ALPHA * (1 - ALPHA) * (1 / PATHS + 1 / SIMULATIONS))
    assert rate <= ALPHA + tolerance
    if name != "failures":  # its null is conservative by design (see detectors.py)
        # the threshold leaves this share of the calibration paths above it (the margin)
        kept = (SIMULATIONS - calibrate.threshold_rank(SIMULATIONS, ALPHA)) / SIMULATIONS
        assert rate >= kept - tolerance


def test_a_planted_twofold_slowdown_is_detected(series: Maker) -> None:
    rng = np.random.default_rng(99)
    delays = []
    for _ in range(200):
        baseline = series(rng, BASELINE)
        post = series(rng, HORIZON, scale=2.0)
        crossed = alarms("duration", baseline, post)
        delays.append(HORIZON + 1 if crossed is None else crossed + 1)
    # log 2 / σ 0.5 ≈ 1.39 SDs per run against a reference of 0.25: the CUSUM climbs by
    # about 1.1 per run, so any threshold below 2 × 25 is crossed well within the horizon
    assert max(delays) <= HORIZON
    assert float(np.median(delays)) < 50
