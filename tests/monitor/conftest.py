"""Seeded run series for the monitor tests (``series`` fixture)."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pytest

from autotune_bot.monitor.types import RunSeries


def lognormal_series(
    rng: np.random.Generator,
    n: int,
    *,
    scale: float = 1.0,
    sigma: float = 0.5,
    success: float = 0.9,
    cost_scale: float | None = 1.0,
) -> RunSeries:
    """n runs: log-normal durations (median ``scale``), Bernoulli successes, log-normal costs
    (median ``cost_scale``; none recorded when it is None)."""
    durations = scale * np.exp(sigma * rng.standard_normal(n))
    successes = rng.random(n) < success
    if cost_scale is None:
        costs = np.full(n, np.nan)
    else:
        costs = cost_scale * np.exp(sigma * rng.standard_normal(n))
    return RunSeries(
        tuple(durations.tolist()), tuple(bool(s) for s in successes), tuple(costs.tolist())
    )


SeriesMaker = Callable[..., RunSeries]


@pytest.fixture
def series() -> SeriesMaker:
    """:func:`lognormal_series`, for tests: ``series(rng, n, scale=…, success=…)``."""
    return lognormal_series
