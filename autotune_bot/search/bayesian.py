"""Bayesian optimisation: a Gaussian-process surrogate and expected improvement."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.special import ndtr  # type: ignore[import-untyped]

from autotune_bot.search.base import Searcher, penalised_values
from autotune_bot.search.gaussian_process import (
    Encoder,
    GaussianProcess,
    expected_improvement,
    fit_gp,
)
from autotune_bot.search.neighbourhood import (
    index_of,
    neighbours,
    random_point,
    sample_unvisited,
    two_move_neighbours,
)
from autotune_bot.search.space import Point, Space

__all__ = ["BayesianOptimization", "Surrogate"]


class BayesianOptimization(Searcher):
    """GP + expected improvement over the whole space (or a large sample of it).

    * Initial design: the current point plus ``initial_points - 1`` points chosen greedily to
      be far (in the encoded space) from everything proposed so far.
    * Model: :func:`~autotune_bot.search.gaussian_process.fit_gp` on the penalised values
      (:func:`~autotune_bot.search.base.penalised_values`), log-transformed when they are all
      positive (ratios to a baseline are), refitted after every observation, warm-started from
      the previous hyper-parameters.
    * Acquisition: expected improvement below the lowest posterior mean at an evaluated point,
      maximised over every unvisited point when the space has at most ``enumerate_limit``
      points, otherwise over ``candidates`` random points plus the points one and two moves
      away from the best evaluated points.
    * :meth:`shortlist` ranks evaluated points by posterior mean (which pools their
      neighbours' evidence) instead of by their single noisy observation.
    """

    def __init__(
        self,
        space: Space,
        rng: np.random.Generator,
        *,
        budget: int | None = None,
        initial_points: int = 6,
        enumerate_limit: int = 20_000,
        candidates: int = 5_000,
        starts: int = 3,
    ) -> None:
        super().__init__(space, rng, budget=budget)
        self.initial_points = max(1, initial_points)
        self.enumerate_limit = enumerate_limit
        self.candidates = candidates
        self.starts = starts
        self.encoder = Encoder(space)
        self._theta: np.ndarray | None = None
        self._theta_f: np.ndarray | None = None
        self._all: np.ndarray | None = None  # every point, when the space is enumerable
        if space.size <= enumerate_limit:
            self._all = np.array(list(space.all_points()), dtype=int)

    # -- models ------------------------------------------------------------------------
    def fit(self) -> Surrogate | None:
        """Both surrogates, fitted on everything told so far (None: nothing to model yet)."""
        obs = list(self.latest.values())
        if len(obs) < 2 or self.encoder.n_groups == 0:
            return None
        y = penalised_values(obs, penalise_infeasible=False)
        if (y > 0).all():
            y = np.log(y)
        if float(np.ptp(y)) == 0.0:
            return None
        points = [o.point for o in obs]
        x = self.encoder.encode(np.array(points))
        value = fit_gp(self.encoder, x, y, self.rng, starts=self.starts, warm=self._theta)
        self._theta = value.theta
        flags = np.array([o.feasible for o in obs], dtype=float)
        feasibility = None
        if 0.0 < flags.mean() < 1.0:
            feasibility = fit_gp(
                self.encoder, x, flags, self.rng, starts=self.starts, warm=self._theta_f
            )
            self._theta_f = feasibility.theta
        return Surrogate(points, x, value, feasibility)

    # -- proposals -----------------------------------------------------------------------
    def _space_filling(self) -> Point | None:
        pool = {random_point(self.space, self.rng) for _ in range(256)} - self.proposed
        if not pool:
            return None
        cand = sorted(pool)
        xc = self.encoder.encode(np.array(cand))
        xp = self.encoder.encode(np.array(sorted(self.proposed)))
        d2 = ((xc[:, None, :] - xp[None, :, :]) ** 2).sum(axis=2).min(axis=1)
        return cand[int(np.argmax(d2))]

    def _candidate_points(self) -> np.ndarray:
        if self._all is not None:
            free = np.ones(len(self._all), dtype=bool)
            free[[index_of(self.space, p) for p in self.proposed]] = False
            return self._all[free]
        pool: set[Point] = set()
        for _ in range(self.candidates):
            pool.add(random_point(self.space, self.rng))
        ranked = sorted(self.latest.values(), key=lambda o: (not o.feasible, o.value))
        for o in ranked[:3]:
            pool.update(neighbours(self.space, o.point))
            pool.update(two_move_neighbours(self.space, o.point))
        left = sorted(pool - self.proposed)
        return np.array(left, dtype=int).reshape(len(left), len(self.space.dimensions))

    def _propose(self) -> Point | None:
        if len(self.proposed) < self.initial_points:
            return self._space_filling()
        model = self.fit()
        if model is None:
            return sample_unvisited(self.space, self.rng, self.proposed)
        cand = self._candidate_points()
        if not len(cand):
            return None
        xc = self.encoder.encode(cand)
        mean, std = model.value.predict(xc)
        ei = expected_improvement(mean, std, model.incumbent()) * model.feasible_probability(xc)
        top = np.flatnonzero(ei >= ei.max() * (1 - 1e-9))
        pick = int(top[int(self.rng.integers(len(top)))])
        return tuple(int(v) for v in cand[pick])

    def shortlist(self, k: int) -> list[Point]:
        """Evaluated points by posterior mean, those likely feasible first."""
        model = self.fit()
        if model is None:
            return super().shortlist(k)
        mean, _ = model.value.predict(model.x)
        likely = model.feasible_probability(model.x) >= 0.5
        order = sorted(range(len(mean)), key=lambda i: (not likely[i], float(mean[i])))
        return [model.points[i] for i in order[:k]]


@dataclass(frozen=True)
class Surrogate:
    """A GP of the (log) values and, when the flags disagree, a GP of the feasibility flags."""

    points: list[Point]
    x: np.ndarray  # encoded points
    value: GaussianProcess
    feasibility: GaussianProcess | None

    def feasible_probability(self, x: np.ndarray) -> np.ndarray:
        """P(the feasibility rate at x exceeds one half) under the flag model (1 without one)."""
        if self.feasibility is None:
            return np.ones(len(x))
        mean, std = self.feasibility.predict(x)
        return np.asarray(ndtr((mean - 0.5) / np.maximum(std, 1e-9)))

    def incumbent(self) -> float:
        """Lowest posterior mean among evaluated points likely feasible (else among all)."""
        mean, _ = self.value.predict(self.x)
        likely = self.feasible_probability(self.x) >= 0.5
        return float(mean[likely].min() if likely.any() else mean.min())
