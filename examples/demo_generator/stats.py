"""Summary statistics over plain sequences of numbers."""

from __future__ import annotations

import math
import statistics
from collections.abc import Iterable, Sequence


def quantile(values: Sequence[float], q: float) -> float:
    """Nearest-rank quantile."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(q * len(ordered)) - 1)]


def mean(values: Iterable[float]) -> float:
    return statistics.fmean(values)


def median(values: Iterable[float]) -> float:
    return statistics.median(values)


def rate(flags: Iterable[bool]) -> float:
    items = list(flags)
    return sum(items) / len(items)
