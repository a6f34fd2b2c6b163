"""Seeded random draws: log-normal durations, start times in the window, outlier indexes."""

from __future__ import annotations

import math
import random
from datetime import datetime

from .fields import after, r2
from .parameters import OUTLIER_RATE, WINDOW_DAYS, WINDOW_START


def lognormal(rng: random.Random, median: float, sigma: float) -> float:
    return rng.lognormvariate(math.log(median), sigma)


def times(rng: random.Random, n: int, lo_days: float, hi_days: float) -> list[datetime]:
    """``n`` sorted start times between ``lo_days`` and ``hi_days`` into the window."""
    lo, hi = lo_days * 86400, min(hi_days * 86400, WINDOW_DAYS * 86400 - 3 * 3600)
    return sorted(after(WINDOW_START, r2(rng.uniform(lo, hi))) for _ in range(n))


def outliers(rng: random.Random, n: int) -> set[int]:
    """Exactly ``OUTLIER_RATE`` of ``n`` executions hang (the indexes of those that do)."""
    return set(rng.sample(range(n), round(n * OUTLIER_RATE)))
