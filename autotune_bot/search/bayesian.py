"""Bayesian optimisation: Gaussian-process surrogates and constrained expected improvement."""

from __future__ import annotations

from typing import Literal

import numpy as np

from autotune_bot.search.base import Searcher
from autotune_bot.search.gaussian_process import Encoder, expected_improvement
from autotune_bot.search.neighbourhood import (
    index_of,
    neighbours,
    random_point,
    sample_unvisited,
    two_move_neighbours,
)
from autotune_bot.search.space import Point, Space
from autotune_bot.search.surrogate import Surrogate, fit_surrogate

__all__ = ["BayesianOptimization"]


class BayesianOptimization(Searcher):
    """GP-based search over the whole space, with every other step kept near the best point.

    * Initial design (``design="one_factor"``, the default): the current point, then one random
      move along each dimension — a one-factor-at-a-time design that measures every
      dimension's effect around the configuration the search starts from. ``design="lhs"``: the
      current point plus ``initial_points - 1`` points of a Latin-hypercube-like design over
      the choice indexes (space-filling). On the benchmark problems the one-factor design
      finds good configurations sooner (see ``benchmarks/RESULTS.md``).
    * Models (:mod:`~autotune_bot.search.surrogate`): a GP of the rank-transformed values and a
      GP of the guardrail slack (or flags), refitted after every observation; hyper-parameters
      from several starts every fourth observation, warm-started in between.
    * Acquisition: expected improvement below the lowest posterior mean at a likely-feasible
      evaluated point, times the probability that the guardrail holds. It is maximised over
      every unvisited point when the space has at most ``enumerate_limit`` points, otherwise
      over ``candidates`` random points plus the points one and two moves away from the best
      evaluated points. Every ``local_every``-th step only considers points within
      ``local_radius`` moves of the best evaluated point (a trust region, as in
      CASMOPOLITAN-style BO for categorical spaces); 0 turns that off.
    * :meth:`shortlist` ranks evaluated points by posterior mean, likely-feasible ones first.
    """

    def __init__(
        self,
        space: Space,
        rng: np.random.Generator,
        *,
        budget: int | None = None,
        design: Literal["one_factor", "lhs"] = "one_factor",
        initial_points: int = 8,
        transform: Literal["rank", "log"] = "rank",
        local_every: int = 2,
        local_radius: int = 1,
        starts: int = 2,
        enumerate_limit: int = 20_000,
        candidates: int = 5_000,
    ) -> None:
        super().__init__(space, rng, budget=budget)
        self.design = design
        self.initial_points = max(1, initial_points)
        self.transform: Literal["rank", "log"] = transform
        self.local_every = local_every
        self.local_radius = local_radius
        self.starts = starts
        self.candidates = candidates
        self.encoder = Encoder(space)
        self._warm: tuple[np.ndarray | None, np.ndarray | None] = (None, None)
        self._pending: list[Point] | None = None  # initial points still to propose
        self._steps = 0  # model-based proposals so far
        self._all: np.ndarray | None = None  # every point, when the space is enumerable
        if space.size <= enumerate_limit:
            self._all = np.array(list(space.all_points()), dtype=int)

    def fit(self) -> Surrogate | None:
        """The surrogates fitted on everything told so far (None: nothing to model yet)."""
        observations = list(self.latest.values())
        full = len(observations) % 4 == 0 or self._warm[0] is None
        model = fit_surrogate(
            self.encoder,
            observations,
            self.rng,
            transform=self.transform,
            starts=self.starts if full else 1,
            warm=self._warm,
        )
        if model is not None:
            c = model.constraint.theta if model.constraint is not None else self._warm[1]
            self._warm = (model.value.theta, c)
        return model

    def shortlist(self, k: int) -> list[Point]:
        model = self.fit()
        if model is None:
            return super().shortlist(k)
        return model.ranked()[:k]

    # -- proposals -----------------------------------------------------------------------
    def _propose(self) -> Point | None:
        if self._pending is None:
            self._pending = self._one_factor() if self.design == "one_factor" else self._lhs()
        while self._pending:
            p = self._pending.pop(0)
            if p not in self.proposed:
                return p
        model = self.fit()
        if model is None:
            return sample_unvisited(self.space, self.rng, self.proposed)
        cand = self._candidate_points(model)
        if not len(cand):
            return None
        self._steps += 1
        if self.local_every and self._steps % self.local_every == 0:
            near = self._moves(cand, model.ranked()[0]) <= self.local_radius
            if near.any():
                cand = cand[near]
        xc = self.encoder.encode(cand)
        mean, std = model.value.predict(xc)
        ei = expected_improvement(mean, std, model.incumbent()) * model.feasible_probability(xc)
        top = np.flatnonzero(ei >= ei.max() * (1 - 1e-9))
        pick = int(top[int(self.rng.integers(len(top)))])
        return tuple(int(v) for v in cand[pick])

    def _one_factor(self) -> list[Point]:
        """One random move along each dimension from the current point, dimensions shuffled."""
        current = self.space.current
        around = neighbours(self.space, current)
        out: list[Point] = []
        for d in self.rng.permutation(len(current)):
            moves = [p for p in around if p[d] != current[d]]
            if moves:
                out.append(moves[int(self.rng.integers(len(moves)))])
        return out

    def _lhs(self) -> list[Point]:
        """Latin-hypercube-like points: each dimension's choices spread evenly over the design.

        Of several random designs (with the current point) the one whose closest pair of points
        is farthest apart in the encoded space wins.
        """
        n = self.initial_points - 1
        best: tuple[float, list[Point]] = (-1.0, [])
        for _ in range(32):
            columns = [
                self.rng.permutation(np.arange(n) * len(d) // max(n, 1))
                for d in self.space.dimensions
            ]
            design = [self.space.current, *(tuple(int(c[i]) for c in columns) for i in range(n))]
            x = self.encoder.encode(np.array(design))
            d2 = ((x[:, None, :] - x[None, :, :]) ** 2).sum(axis=2)
            spread = float(d2[np.triu_indices(len(design), 1)].min()) if n else 0.0
            if spread > best[0]:
                best = (spread, design)
        return best[1][1:]

    def _candidate_points(self, model: Surrogate) -> np.ndarray:
        """Unvisited points to score: all of them, or a large sample plus the best's vicinity."""
        if self._all is not None:
            free = np.ones(len(self._all), dtype=bool)
            free[[index_of(self.space, p) for p in self.proposed]] = False
            return self._all[free]
        pool = {random_point(self.space, self.rng) for _ in range(self.candidates)}
        for p in model.ranked()[:3]:
            pool.update(neighbours(self.space, p))
            pool.update(two_move_neighbours(self.space, p))
        left = sorted(pool - self.proposed)
        return np.array(left, dtype=int).reshape(len(left), len(self.space.dimensions))

    def _moves(self, points: np.ndarray, origin: Point) -> np.ndarray:
        """Moves from ``origin``: steps along ordinal dimensions, 1 per changed category."""
        diff = np.abs(points - np.array(origin))
        categorical = np.array([d.kind == "categorical" for d in self.space.dimensions])
        return np.asarray(np.where(categorical, diff > 0, diff).sum(axis=1))
