"""A simulation summarised: per-successful-run duration and cost, success rate, intervals.

Duration and cost are charged per *successful* run: total duration (cost) of all runs
divided by the number of successes, so a configuration that fails more pays for its failed
attempts. Intervals: Wilson for the success rate; for the ratios, the normal interval of a
ratio estimator (delta method), which needs no random numbers.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from autotune_bot.analysis import stats
from autotune_bot.model.simulated import Simulated

__all__ = ["Prediction", "outcome", "per_success"]

F64 = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]


@dataclass(frozen=True)
class Prediction:
    """Predicted behaviour of one configuration. Costs are NaN (intervals None) when no
    replayed execution has a recorded cost."""

    n: int  # replayed executions (with repeats, as sampled)
    successes: int
    success_rate: float
    success_interval: tuple[float, float]
    duration_per_success: float  # seconds: total duration / successes
    duration_interval: tuple[float, float] | None
    cost_per_success: float  # USD: total cost / successes, over executions with a cost
    cost_interval: tuple[float, float] | None
    cost_n: int  # executions with a recorded cost
    mean_duration: float  # over all executions
    p50_duration: float
    p95_duration: float
    confidence: float
    basis: str
    notes: tuple[str, ...]


def per_success(values: F64, success: BoolArray) -> float:
    """Sum of ``values`` / number of successes (NaN without a success)."""
    wins = int(success.sum())
    return float(values.sum()) / wins if wins else math.nan


def _ratio_interval(
    values: F64, success: BoolArray, confidence: float
) -> tuple[float, float] | None:
    n = values.size
    wins = float(success.sum())
    if n < 2 or wins == 0:
        return None
    ratio = float(values.sum()) / wins
    residual = values - ratio * success
    se = math.sqrt(float((residual**2).sum()) / (n * (n - 1))) / (wins / n)
    z = stats.normal_quantile(0.5 + confidence / 2.0)
    return ratio - z * se, ratio + z * se


def outcome(simulated: Simulated, confidence: float = 0.95) -> Prediction:
    """Summarise a simulation (see the module docstring for the definitions)."""
    d, ok = simulated.duration, simulated.success
    priced = np.isfinite(simulated.cost)
    cost, cost_ok = simulated.cost[priced], ok[priced]
    wins = int(ok.sum())
    wilson = stats.wilson_interval(wins, int(ok.size), confidence)
    return Prediction(
        n=int(ok.size),
        successes=wins,
        success_rate=wins / ok.size if ok.size else math.nan,
        success_interval=(wilson.low, wilson.high),
        duration_per_success=per_success(d, ok),
        duration_interval=_ratio_interval(d, ok, confidence),
        cost_per_success=per_success(cost, cost_ok) if cost.size else math.nan,
        cost_interval=_ratio_interval(cost, cost_ok, confidence),
        cost_n=int(cost.size),
        mean_duration=float(d.mean()) if d.size else math.nan,
        p50_duration=float(np.quantile(d, 0.5)) if d.size else math.nan,
        p95_duration=float(np.quantile(d, 0.95)) if d.size else math.nan,
        confidence=confidence,
        basis=simulated.basis,
        notes=simulated.notes,
    )
