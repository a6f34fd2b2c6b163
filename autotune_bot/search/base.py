"""The searcher contract: ask for a point, tell its value.

A searcher is built with ``(space, rng, **options)`` and never sees the evaluation function:

* :meth:`Searcher.ask` returns the next point to evaluate. The first ask returns the space's
  current point (the baseline every search starts from). A point is never proposed twice;
  when every point of the space has been proposed, ``ask`` returns ``None`` (the space is
  exhausted, the search is over).
* :meth:`Searcher.tell` reports a point's objective value (lower is better, possibly
  infinite), whether it kept the guardrails and, optionally, by how much (``slack``).
  Infeasible points rank after every feasible one; model-based searchers see them through
  :func:`penalised_values` or model the slack.
* :meth:`Searcher.shortlist` names the evaluated points most worth re-evaluating.

All randomness comes from the generator given at construction, so the same seed gives the same
sequence of asks for the same tells. Subclasses implement :meth:`Searcher._propose` only.
"""

from __future__ import annotations

import math
from abc import ABC, abstractmethod
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from autotune_bot.search.neighbourhood import sample_unvisited
from autotune_bot.search.space import Point, Space

__all__ = ["Observation", "Searcher", "penalised_values", "rank_key"]


@dataclass(frozen=True, slots=True)
class Observation:
    point: Point
    value: float
    feasible: bool
    slack: float | None = None  # the guardrails' margin, when the caller knows it


def rank_key(obs: Observation) -> tuple[bool, float]:
    """Sort key: feasible before infeasible, then by value (NaN counts as +inf)."""
    value = obs.value if not math.isnan(obs.value) else math.inf
    return (not obs.feasible, value)


def penalised_values(
    observations: Sequence[Observation], *, penalise_infeasible: bool = True
) -> np.ndarray:
    """Finite values for model fitting: infeasible and non-finite values are made bad.

    Non-finite values become the worst finite value plus the spread of the finite values (so
    they are bad, but do not wreck a surrogate's scale). With ``penalise_infeasible`` an
    infeasible point keeps its own value if that is already worse than every feasible one,
    otherwise it gets the worst feasible value.
    """
    raw = np.array([o.value for o in observations], dtype=float)
    feasible = np.array([o.feasible for o in observations], dtype=bool)
    finite = np.isfinite(raw)
    if not finite.any():
        return np.zeros(len(raw))
    lo, hi = float(raw[finite].min()), float(raw[finite].max())
    top = hi + max(hi - lo, abs(hi) * 0.1, 1e-9)
    out = np.where(finite, raw, top)
    good = finite & feasible
    if penalise_infeasible and good.any():
        worst_feasible = float(raw[good].max())
        out = np.where(feasible, out, np.maximum(out, worst_feasible))
    return out


class Searcher(ABC):
    """Base class of every search algorithm (ask/tell, seeded, no duplicate proposals)."""

    def __init__(
        self, space: Space, rng: np.random.Generator, *, budget: int | None = None
    ) -> None:
        """``budget``: how many evaluations the caller expects to make (a hint for schedules)."""
        if not space.dimensions:
            raise ValueError("the search space has no dimension")
        self.space = space
        self.rng = rng
        self.budget = budget
        self.proposed: set[Point] = set()
        self.observations: list[Observation] = []
        self.latest: dict[Point, Observation] = {}  # last observation of each point

    # -- the protocol --------------------------------------------------------------------
    def ask(self) -> Point | None:
        """The next point to evaluate, or None once every point has been proposed."""
        if not self.proposed:
            point: Point | None = self.space.current
        elif len(self.proposed) >= self.space.size:
            return None
        else:
            point = self._propose()
            if point is None or point in self.proposed or not self.space.contains(point):
                point = sample_unvisited(self.space, self.rng, self.proposed)
        if point is None:  # pragma: no cover - guarded by the size check above
            return None
        self.proposed.add(point)
        return point

    def tell(
        self, point: Point, value: float, feasible: bool, *, slack: float | None = None
    ) -> None:
        """Report the objective value of an evaluated point.

        ``slack`` optionally says how comfortably the guardrails held (≥ 0 when they did, in
        the objective's units, like Optuna's constraint values with the sign flipped); model-
        based searchers learn the constraint from it, the others ignore it.
        """
        if not self.space.contains(point):
            raise ValueError(f"point {point} is outside the search space")
        obs = Observation(tuple(point), float(value), bool(feasible), slack)
        self.proposed.add(obs.point)
        self.observations.append(obs)
        self.latest[obs.point] = obs
        self._observe(obs)

    def shortlist(self, k: int) -> list[Point]:
        """Up to ``k`` evaluated points worth re-evaluating, most promising first."""
        ranked = sorted(self.latest.values(), key=rank_key)
        return [o.point for o in ranked[:k]]

    # -- for subclasses --------------------------------------------------------------------
    @abstractmethod
    def _propose(self) -> Point | None:
        """A point not proposed yet (None or a repeat falls back to a random new point)."""

    def _observe(self, obs: Observation) -> None:  # noqa: B027 - optional hook
        """Update the algorithm's state with a new observation."""

    @property
    def exhausted(self) -> bool:
        return len(self.proposed) >= self.space.size

    def incumbent(self) -> Observation | None:
        """The best observation so far (feasible first)."""
        if not self.observations:
            return None
        return min(self.latest.values(), key=rank_key)
