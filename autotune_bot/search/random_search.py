"""Random search: uniformly random points, each at most once."""

from __future__ import annotations

from autotune_bot.search.base import Searcher
from autotune_bot.search.neighbourhood import sample_unvisited
from autotune_bot.search.space import Point

__all__ = ["RandomSearch"]


class RandomSearch(Searcher):
    """Uniform sampling without replacement (after the current point)."""

    def _propose(self) -> Point | None:
        return sample_unvisited(self.space, self.rng, self.proposed)
