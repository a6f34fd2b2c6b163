"""What one evaluation measured, and the objectives that turn it into a number to minimise.

An evaluation runs a configuration a few times and reports an :class:`Outcome`. An objective
compares an outcome with the *baseline* outcome (the current configuration, usually estimated
from recorded runs) and returns a :class:`Score`: a value (lower is better, 1.0 for an outcome
equal to the baseline under ``per_success`` and ``chebyshev``) and whether the outcome keeps the
guardrails.

* ``per_success`` (the default): ``w_d · D/D₀ + w_c · C/C₀`` where D and C are the duration and
  the cost *per successful run* (total over the runs / number of successes), i.e. what a retry
  policy really pays for one success. Guardrail: success ≥ success₀ − margin, plus optional
  absolute limits.
* ``weighted``: the design documents' ``0.4 · d/d₀ + 0.4 · c/c₀ + 0.2 · (1 − success)`` with the
  mean duration and cost *per run*. Supported for compatibility but **unsound**: a run that
  fails early is fast and cheap, so the sum can prefer configurations that fail most runs. It has
  no guardrail unless one is given.
* ``chebyshev``: augmented Chebyshev scalarisation ``max_i w_i f_i + ρ Σ_i w_i f_i`` over
  f = (D/D₀, C/C₀, 1 + success₀ − success), scaled so that the baseline scores 1. Unlike a
  weighted sum it can reach every Pareto-optimal trade-off by choosing the weights.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple, Protocol

import numpy as np
from numpy.typing import ArrayLike

__all__ = [
    "OBJECTIVES",
    "ChebyshevObjective",
    "Guardrail",
    "Objective",
    "Outcome",
    "PerSuccessObjective",
    "Score",
    "WeightedObjective",
    "make_objective",
]


@dataclass(frozen=True, slots=True)
class Outcome:
    """Aggregate of ``runs`` runs of one configuration.

    Stored as means per run so outcomes pool exactly (:meth:`pool`); the per-success figures
    are derived: total duration (cost) over the number of successful runs, infinite when no run
    succeeded.
    """

    runs: int
    success_rate: float
    duration_per_run: float  # mean wall time over all runs, failed ones included
    cost_per_run: float  # mean cost over all runs, failed ones included

    def __post_init__(self) -> None:
        if self.runs < 1:
            raise ValueError("an outcome needs at least one run")
        if not 0.0 <= self.success_rate <= 1.0:
            raise ValueError("success rate must be within [0, 1]")

    @property
    def successes(self) -> float:
        return self.success_rate * self.runs

    @property
    def duration_per_success(self) -> float:
        if self.success_rate <= 0.0:
            return math.inf
        return self.duration_per_run / self.success_rate

    @property
    def cost_per_success(self) -> float:
        if self.success_rate <= 0.0:
            return math.inf
        return self.cost_per_run / self.success_rate

    @classmethod
    def from_runs(cls, durations: ArrayLike, costs: ArrayLike, successes: ArrayLike) -> Outcome:
        """The outcome of individual runs (equal-length sequences)."""
        d = np.asarray(durations, dtype=float)
        c = np.asarray(costs, dtype=float)
        s = np.asarray(successes, dtype=bool)
        if not d.size or d.shape != c.shape or d.shape != s.shape:
            raise ValueError("durations, costs and successes must be equally long and non-empty")
        return cls(int(d.size), float(s.mean()), float(d.mean()), float(c.mean()))

    @staticmethod
    def pool(outcomes: Iterable[Outcome]) -> Outcome:
        """One outcome for all runs of several outcomes (run-weighted means)."""
        items = list(outcomes)
        if not items:
            raise ValueError("nothing to pool")
        runs = sum(o.runs for o in items)
        return Outcome(
            runs,
            min(1.0, sum(o.success_rate * o.runs for o in items) / runs),
            sum(o.duration_per_run * o.runs for o in items) / runs,
            sum(o.cost_per_run * o.runs for o in items) / runs,
        )


class Score(NamedTuple):
    value: float  # lower is better; may be infinite (no successful run)
    feasible: bool  # every guardrail holds


class Objective(Protocol):
    """Anything that scores an outcome against a fixed baseline."""

    @property
    def baseline(self) -> Outcome: ...

    def __call__(self, outcome: Outcome) -> Score: ...

    def slack(self, outcome: Outcome) -> float:
        """The guardrails' margin (≥ 0 when they hold, +inf without guardrails)."""
        ...


@dataclass(frozen=True, slots=True)
class Guardrail:
    """Constraints an outcome must keep, judged on the outcome's point estimates."""

    success_margin: float | None = 0.02  # success ≥ success₀ − margin (None: no relative check)
    min_success_rate: float | None = None
    max_cost_per_run: float | None = None

    def slack(self, outcome: Outcome, baseline: Outcome) -> float:
        """How comfortably the tightest constraint holds: ≥ 0 when all hold, +inf with none.

        Success constraints count in success-rate points; the cost ceiling as a share of it.
        """
        slacks = [math.inf]
        if self.success_margin is not None:
            slacks.append(outcome.success_rate - (baseline.success_rate - self.success_margin))
        if self.min_success_rate is not None:
            slacks.append(outcome.success_rate - self.min_success_rate)
        if self.max_cost_per_run is not None:
            limit = self.max_cost_per_run
            slacks.append((limit - outcome.cost_per_run) / limit if limit > 0 else -math.inf)
        return min(slacks)

    def holds(self, outcome: Outcome, baseline: Outcome) -> bool:
        return self.slack(outcome, baseline) >= -1e-12


def _ratio(value: float, reference: float) -> float:
    if math.isinf(value):
        return math.inf
    if reference <= 0.0 or math.isinf(reference):
        raise ValueError("baseline duration and cost must be positive and finite")
    return value / reference


def _check_weights(weights: Sequence[float]) -> None:
    if any(w < 0 or not math.isfinite(w) for w in weights) or sum(weights) <= 0:
        raise ValueError("objective weights must be non-negative, finite and not all zero")


@dataclass(frozen=True, slots=True)
class PerSuccessObjective:
    """Weighted duration and cost per successful run, relative to the baseline."""

    baseline: Outcome
    duration_weight: float = 0.5
    cost_weight: float = 0.5
    guardrail: Guardrail | None = Guardrail()

    def __post_init__(self) -> None:
        _check_weights((self.duration_weight, self.cost_weight))
        if self.baseline.success_rate <= 0:
            raise ValueError("the baseline has no successful run: per-success is undefined")

    def slack(self, outcome: Outcome) -> float:
        return math.inf if self.guardrail is None else self.guardrail.slack(outcome, self.baseline)

    def __call__(self, outcome: Outcome) -> Score:
        d = _ratio(outcome.duration_per_success, self.baseline.duration_per_success)
        c = _ratio(outcome.cost_per_success, self.baseline.cost_per_success)
        total = self.duration_weight + self.cost_weight
        value = (self.duration_weight * d + self.cost_weight * c) / total
        feasible = self.guardrail is None or self.guardrail.holds(outcome, self.baseline)
        return Score(value, feasible and math.isfinite(value))


@dataclass(frozen=True, slots=True)
class WeightedObjective:
    """The design documents' weighted sum (unsound default; see the module docstring)."""

    baseline: Outcome
    duration_weight: float = 0.4
    cost_weight: float = 0.4
    quality_weight: float = 0.2
    guardrail: Guardrail | None = None

    def __post_init__(self) -> None:
        _check_weights((self.duration_weight, self.cost_weight, self.quality_weight))

    def slack(self, outcome: Outcome) -> float:
        return math.inf if self.guardrail is None else self.guardrail.slack(outcome, self.baseline)

    def __call__(self, outcome: Outcome) -> Score:
        value = (
            self.duration_weight * _ratio(outcome.duration_per_run, self.baseline.duration_per_run)
            + self.cost_weight * _ratio(outcome.cost_per_run, self.baseline.cost_per_run)
            + self.quality_weight * (1.0 - outcome.success_rate)
        )
        feasible = self.guardrail is None or self.guardrail.holds(outcome, self.baseline)
        return Score(value, feasible)


@dataclass(frozen=True, slots=True)
class ChebyshevObjective:
    """Augmented Chebyshev scalarisation of (duration, cost, success loss) vs the baseline."""

    baseline: Outcome
    weights: tuple[float, float, float] = (1.0, 1.0, 1.0)  # duration, cost, success loss
    rho: float = 0.05  # augmentation: breaks ties towards Pareto-optimal points
    guardrail: Guardrail | None = Guardrail()

    def __post_init__(self) -> None:
        _check_weights(self.weights)
        if self.rho < 0:
            raise ValueError("rho must be non-negative")
        if self.baseline.success_rate <= 0:
            raise ValueError("the baseline has no successful run: per-success is undefined")

    def slack(self, outcome: Outcome) -> float:
        return math.inf if self.guardrail is None else self.guardrail.slack(outcome, self.baseline)

    def __call__(self, outcome: Outcome) -> Score:
        f = (
            _ratio(outcome.duration_per_success, self.baseline.duration_per_success),
            _ratio(outcome.cost_per_success, self.baseline.cost_per_success),
            1.0 + self.baseline.success_rate - outcome.success_rate,
        )
        w = self.weights
        raw = max(wi * fi for wi, fi in zip(w, f, strict=True)) + self.rho * sum(
            wi * fi for wi, fi in zip(w, f, strict=True)
        )
        value = raw / (max(w) + self.rho * sum(w))  # the baseline scores exactly 1
        feasible = self.guardrail is None or self.guardrail.holds(outcome, self.baseline)
        return Score(value, feasible and math.isfinite(value))


OBJECTIVES: dict[str, type[PerSuccessObjective | WeightedObjective | ChebyshevObjective]] = {
    "per_success": PerSuccessObjective,
    "weighted": WeightedObjective,
    "chebyshev": ChebyshevObjective,
}


def make_objective(name: str, baseline: Outcome, **options: Any) -> Objective:
    """The objective registered as ``name``, relative to ``baseline``."""
    try:
        cls = OBJECTIVES[name]
    except KeyError:
        raise ValueError(f"unknown objective {name!r}; known: {', '.join(OBJECTIVES)}") from None
    return cls(baseline, **options)
