"""A small generational genetic algorithm for budgets of a few dozen evaluations."""

from __future__ import annotations

import numpy as np

from autotune_bot.search.base import Observation, Searcher, rank_key
from autotune_bot.search.neighbourhood import sample_unvisited
from autotune_bot.search.space import Point, Space

__all__ = ["Genetic"]


class Genetic(Searcher):
    """Tournament selection, uniform crossover, per-gene mutation and elitism.

    The first population is the current point plus random points. Each later generation is
    the ``elites`` best members of the previous one plus ``population_size - elites`` children;
    a child's parents are tournament winners (feasible first, then value), its genes come from
    either parent with equal odds (uniform crossover, with probability ``crossover_rate``) and
    each gene is then redrawn with probability ``mutation_rate`` (default 1 / dimensions). A
    child that was already evaluated is mutated further until it is new.
    """

    def __init__(
        self,
        space: Space,
        rng: np.random.Generator,
        *,
        budget: int | None = None,
        population_size: int = 8,
        elites: int = 2,
        tournament_size: int = 2,
        crossover_rate: float = 0.9,
        mutation_rate: float | None = None,
    ) -> None:
        super().__init__(space, rng, budget=budget)
        if population_size < 2 or not 0 <= elites < population_size:
            raise ValueError("need population_size >= 2 and 0 <= elites < population_size")
        self.population_size = population_size
        self.elites = elites
        self.tournament_size = max(1, tournament_size)
        self.crossover_rate = crossover_rate
        self.mutation_rate = (
            mutation_rate if mutation_rate is not None else 1.0 / len(space.dimensions)
        )
        self.population: list[Observation] = []
        self._children: list[Observation] = []

    def _observe(self, obs: Observation) -> None:
        if len(self.population) < self.population_size and not self._children:
            self.population.append(obs)
            return
        self._children.append(obs)
        if len(self._children) >= self.population_size - self.elites:
            kept = sorted(self.population, key=rank_key)[: self.elites]
            self.population = kept + self._children
            self._children = []

    def _tournament(self) -> Point:
        picks = self.rng.integers(len(self.population), size=self.tournament_size)
        return min((self.population[int(i)] for i in picks), key=rank_key).point

    def _mutate_gene(self, genes: list[int], d: int) -> None:
        n = len(self.space.dimensions[d])
        if n > 1:
            genes[d] = int((genes[d] + self.rng.integers(1, n)) % n)  # any other choice

    def _propose(self) -> Point | None:
        if len(self.proposed) < self.population_size or not self.population:
            return sample_unvisited(self.space, self.rng, self.proposed)
        a, b = self._tournament(), self._tournament()
        if self.rng.random() < self.crossover_rate:
            take_b = self.rng.random(len(a)) < 0.5
            genes = [int(y if t else x) for x, y, t in zip(a, b, take_b, strict=True)]
        else:
            genes = list(a)
        for d in range(len(genes)):
            if self.rng.random() < self.mutation_rate:
                self._mutate_gene(genes, d)
        for _ in range(8 * len(genes)):
            if tuple(genes) not in self.proposed:
                return tuple(genes)
            self._mutate_gene(genes, int(self.rng.integers(len(genes))))
        return None  # crowded neighbourhood: the base class falls back to a random point
