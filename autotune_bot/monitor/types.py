"""The values the post-merge monitor passes around (pure data, no behaviour beyond checks).

A merged optimization is watched on the recorded runs of its tuning target: the runs before
the merge (the *baseline*) and the runs after it (*post-merge*), each a :class:`RunSeries`.
The statistics (:mod:`autotune_bot.monitor.decide`) turn the two into a
:class:`MonitorDecision`: ``holding`` (watching, nothing found yet), ``confirmed`` (the
watched number of runs passed without a regression), ``regressed`` (a calibrated detector
fired), or ``not_monitored`` (the data cannot support a decision; the notes say why).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal

__all__ = [
    "DetectorResult",
    "MonitorDecision",
    "Outcome",
    "RealisedChange",
    "RunSeries",
]

Outcome = Literal["holding", "confirmed", "regressed", "not_monitored"]


@dataclass(frozen=True)
class RunSeries:
    """One period's recorded runs of a target, oldest first. ``durations`` and ``costs`` hold
    NaN where a run recorded none; ``successes`` is every run's outcome."""

    durations: tuple[float, ...]
    successes: tuple[bool, ...]
    costs: tuple[float, ...]

    def __post_init__(self) -> None:
        if not (len(self.durations) == len(self.successes) == len(self.costs)):
            raise ValueError("durations, successes and costs must have one value per run")

    def __len__(self) -> int:
        return len(self.successes)

    @property
    def timed(self) -> int:
        """How many runs recorded a usable (finite, positive) duration."""
        return sum(1 for d in self.durations if math.isfinite(d) and d > 0)

    @property
    def costed(self) -> int:
        """How many runs recorded a usable (finite, positive) cost."""
        return sum(1 for c in self.costs if math.isfinite(c) and c > 0)


@dataclass(frozen=True)
class DetectorResult:
    """What one detector says about the post-merge runs so far."""

    name: str  # the registry key: "duration", "tail", "failures", "cost"
    rule: str  # the regression it watches for, in plain words
    applicable: bool  # False: the data cannot feed it (``note`` says why)
    statistic: float  # the largest value of its decision statistic so far (NaN if n/a)
    threshold: float  # the calibrated value that signals a regression (NaN if n/a)
    alpha: float  # its share of the false-alarm budget over the horizon
    alarm_at: int | None  # the post-merge run (1-based) at which it crossed, else None
    note: str = ""

    @property
    def alarmed(self) -> bool:
        return self.alarm_at is not None


@dataclass(frozen=True)
class RealisedChange:
    """Before/after figures from recorded runs (not interleaved: drift between the periods is
    not cancelled the way an A/B test cancels it)."""

    duration_ratio: float | None  # post/baseline ratio of geometric mean durations
    duration_ratio_ci: tuple[float, float] | None  # its 95 % interval
    success_before: float | None
    success_after: float | None
    cost_ratio: float | None
    baseline_runs: int
    post_runs: int

    @property
    def duration_percent(self) -> float | None:
        """How much faster (positive) or slower (negative) the runs got, in percent."""
        if self.duration_ratio is None:
            return None
        return (1.0 - self.duration_ratio) * 100.0


@dataclass(frozen=True)
class MonitorDecision:
    outcome: Outcome
    baseline_runs: int
    post_runs: int
    horizon: int  # post-merge runs watched; the false-alarm budget holds over them
    false_alarm_rate: float  # the whole budget, shared by the applicable detectors
    detectors: tuple[DetectorResult, ...]
    realised: RealisedChange | None
    notes: tuple[str, ...] = ()

    @property
    def triggers(self) -> tuple[DetectorResult, ...]:
        """The detectors that fired, earliest first."""
        fired = [d for d in self.detectors if d.alarm_at is not None]
        return tuple(sorted(fired, key=lambda d: (d.alarm_at or 0, d.name)))
