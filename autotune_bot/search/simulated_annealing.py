"""Simulated annealing over one-dimension moves with a scale-free temperature schedule."""

from __future__ import annotations

import math

import numpy as np

from autotune_bot.search.base import Observation, Searcher, penalised_values
from autotune_bot.search.neighbourhood import neighbours, sample_unvisited, two_move_neighbours
from autotune_bot.search.space import Point, Space

__all__ = ["SimulatedAnnealing"]


def value_scale(values: np.ndarray) -> float:
    """A robust spread of the observed values (MAD, else std, else magnitude, else 1)."""
    if len(values) >= 2:
        mad = float(np.median(np.abs(values - np.median(values)))) * 1.4826
        if mad > 0:
            return mad
        std = float(np.std(values))
        if std > 0:
            return std
    magnitude = float(np.mean(np.abs(values))) * 0.1 if len(values) else 0.0
    return magnitude if magnitude > 0 else 1.0


class SimulatedAnnealing(Searcher):
    """Metropolis chain over neighbours of its current point.

    Each proposal is a random unvisited neighbour of the chain's point (two moves away when
    every neighbour is taken, anywhere when those are taken too). A worse point is accepted with
    probability ``exp(-Δ / T)``. The temperature falls geometrically from
    ``initial_temperature`` to ``final_temperature`` over the expected budget, both expressed
    as multiples of the spread of the values observed so far, so the schedule does not depend
    on the objective's units. Values are compared after
    :func:`~autotune_bot.search.base.penalised_values`: an infeasible point counts as at least
    as bad as the worst feasible one.
    """

    def __init__(
        self,
        space: Space,
        rng: np.random.Generator,
        *,
        budget: int | None = None,
        initial_temperature: float = 0.5,
        final_temperature: float = 0.02,
    ) -> None:
        super().__init__(space, rng, budget=budget)
        if not 0 < final_temperature <= initial_temperature:
            raise ValueError("temperatures must satisfy 0 < final <= initial")
        self.initial_temperature = initial_temperature
        self.final_temperature = final_temperature
        self._chain: Point | None = None

    def temperature(self) -> float:
        """The current temperature, relative to the value scale."""
        horizon = max(1, (self.budget or 100) - 1)
        progress = min(1.0, (len(self.observations) - 1) / horizon)
        ratio = self.final_temperature / self.initial_temperature
        return float(self.initial_temperature * ratio**progress)

    def _observe(self, obs: Observation) -> None:
        if self._chain is None:
            self._chain = obs.point
            return
        values = penalised_values(list(self.latest.values()))
        index = {p: i for i, p in enumerate(self.latest)}
        delta = values[index[obs.point]] - values[index[self._chain]]
        t = self.temperature() * value_scale(values)
        if delta <= 0 or self.rng.random() < math.exp(-delta / t):
            self._chain = obs.point

    def _propose(self) -> Point | None:
        chain = self._chain if self._chain is not None else self.space.current
        for around in (neighbours, two_move_neighbours):
            free = [p for p in around(self.space, chain) if p not in self.proposed]
            if free:
                return free[int(self.rng.integers(len(free)))]
        return sample_unvisited(self.space, self.rng, self.proposed)
