"""Detector thresholds calibrated by seeded simulation of no-change paths.

A detector's threshold h is chosen so that, when nothing changed, its CUSUM stays at or below
h over the whole horizon with probability at least 1 − α_i. That probability has no usable
closed form once the baseline's parameters are estimated from a few dozen runs, so it is
simulated: ``simulations`` null paths of ``horizon`` runs, each with its own simulated
baseline of the actual size (the detector's :meth:`~Detector.simulate_null`), so the noise of
estimating the baseline is part of the null.

h is an order statistic of the N paths' largest CUSUM values, chosen as a distribution-free
upper confidence bound of the true (1 − α_i) quantile rather than the empirical quantile
itself: with N = 4,000 and α_i = 0.0125 the empirical quantile's true false-alarm
probability scatters by about ±14 % (relative) from one seed to the next, which over four
detectors could push the whole rate past the budget. The rank r is the smallest with
P(Binomial(N, 1 − α_i) ≥ r) ≤ 1 − CONFIDENCE, so with probability at least CONFIDENCE over
the simulation the threshold X_(r) alarms with probability at most α_i on a no-change path
(ties only lower it, since the alarm rule is "S_t > h"). At N = 4,000 and α_i = 0.0125 this
lets 38 of the 4,000 paths lie above h instead of 50; more simulations narrow the gap.

Deterministic: the generator is seeded with (``seed``, the detector's name), so the same
inputs give the same threshold on every machine and call; results are cached in-process
(:func:`functools.lru_cache`) keyed by all inputs.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np

from autotune_bot.monitor.cusum import path_max
from autotune_bot.monitor.detectors import DETECTORS, NullKey

__all__ = ["CONFIDENCE", "null_maxima", "threshold", "threshold_rank"]

CONFIDENCE = 0.95  # that a threshold's false-alarm probability is at most its share


def null_maxima(name: str, key: NullKey, horizon: int, simulations: int, seed: int) -> np.ndarray:
    """The largest CUSUM value of each simulated no-change path (one per simulation)."""
    if horizon < 1 or simulations < 1:
        raise ValueError("horizon and simulations must be at least 1")
    rng = np.random.default_rng([seed, *name.encode()])
    increments = DETECTORS[name].simulate_null(key, horizon, simulations, rng)
    return path_max(increments)


@lru_cache(maxsize=512)
def threshold(
    name: str, key: NullKey, horizon: int, alpha: float, simulations: int, seed: int
) -> float:
    """Detector ``name``'s threshold for false-alarm probability ``alpha`` over ``horizon``."""
    if not 0.0 < alpha < 1.0:
        raise ValueError(f"alpha must be strictly between 0 and 1 (got {alpha})")
    maxima = np.sort(null_maxima(name, key, horizon, simulations, seed))
    return float(maxima[threshold_rank(simulations, alpha) - 1])


@lru_cache(maxsize=64)
def threshold_rank(simulations: int, alpha: float) -> int:
    """The 1-based rank r of the threshold among ``simulations`` sorted null maxima: the
    smallest with P(Binomial(simulations, 1 − alpha) ≥ r) ≤ 1 − CONFIDENCE (capped at the
    largest)."""
    from scipy import stats  # type: ignore[import-untyped]  # load on use

    r = int(stats.binom.ppf(CONFIDENCE, simulations, 1.0 - alpha)) + 1
    return min(r, simulations)
