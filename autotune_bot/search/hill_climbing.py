"""Hill climbing over one-dimension moves, first improvement, random restarts when stuck."""

from __future__ import annotations

import numpy as np

from autotune_bot.search.base import Observation, Searcher, rank_key
from autotune_bot.search.neighbourhood import neighbours, sample_unvisited
from autotune_bot.search.space import Point, Space

__all__ = ["HillClimbing"]


class HillClimbing(Searcher):
    """First-improvement hill climbing.

    The climber sits on an *anchor* point and tries its unvisited neighbours in random order;
    the first neighbour that ranks better (feasible first, then value) becomes the new anchor.
    When every neighbour of the anchor has been tried without improvement the climb is stuck:
    the next proposal is a random unvisited point, which becomes the anchor once told
    (a random restart).
    """

    def __init__(
        self, space: Space, rng: np.random.Generator, *, budget: int | None = None
    ) -> None:
        super().__init__(space, rng, budget=budget)
        self._anchor: Observation | None = None
        self._queue: list[Point] = []  # untried neighbours of the anchor, in trial order
        self._restart: Point | None = None  # proposed restart point, not yet told

    def _set_anchor(self, obs: Observation) -> None:
        self._anchor = obs
        around = neighbours(self.space, obs.point)
        order = self.rng.permutation(len(around))
        self._queue = [around[int(i)] for i in order]

    def _observe(self, obs: Observation) -> None:
        if self._anchor is None or obs.point == self._restart:
            self._restart = None
            self._set_anchor(obs)
        elif rank_key(obs) < rank_key(self._anchor):
            self._set_anchor(obs)

    def _propose(self) -> Point | None:
        while self._queue:
            p = self._queue.pop(0)
            if p not in self.proposed:
                return p
        self._restart = sample_unvisited(self.space, self.rng, self.proposed)
        return self._restart
