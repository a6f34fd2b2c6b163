"""Bayesian optimisation: a Gaussian-process surrogate and expected improvement."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal

import numpy as np
from scipy.special import ndtr, ndtri  # type: ignore[import-untyped]

from autotune_bot.search.base import Observation, Searcher, penalised_values
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
        initial_points: int | None = None,
        enumerate_limit: int = 20_000,
        candidates: int = 5_000,
        starts: int = 2,
        transform: Literal["rank", "log"] = "rank",
        local_every: int = 2,
        local_radius: int = 1,
    ) -> None:
        super().__init__(space, rng, budget=budget)
        if initial_points is None:  # a fifth of the expected budget, within 4–8
            initial_points = min(8, max(4, round((budget or 40) / 5)))
        self.initial_points = max(1, initial_points)
        self.enumerate_limit = enumerate_limit
        self.candidates = candidates
        self.starts = starts
        self.transform = transform
        self.local_every = local_every
        self.local_radius = local_radius
        self._steps = 0
        self.encoder = Encoder(space)
        self._theta: np.ndarray | None = None
        self._theta_c: np.ndarray | None = None
        self._design: list[Point] | None = None  # initial points still to propose
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
        if self.transform == "rank":
            y = normal_scores(y)
        elif (y > 0).all():
            y = np.log(y)
        if float(np.ptp(y)) == 0.0:
            return None
        points = [o.point for o in obs]
        x = self.encoder.encode(np.array(points))
        # a full multi-start fit every few observations, a warm-started one in between
        starts = self.starts if len(obs) % 4 == 0 or self._theta is None else 1
        value = fit_gp(self.encoder, x, y, self.rng, starts=starts, warm=self._theta)
        self._theta = value.theta
        target, threshold = self._constraint_target(obs)
        constraint = None
        if target is not None:
            starts = self.starts if len(obs) % 4 == 0 or self._theta_c is None else 1
            constraint = fit_gp(
                self.encoder, x, target, self.rng, starts=starts, warm=self._theta_c
            )
            self._theta_c = constraint.theta
        return Surrogate(points, x, value, constraint, threshold)

    @staticmethod
    def _constraint_target(obs: list[Observation]) -> tuple[np.ndarray | None, float]:
        """What the constraint model learns: the slacks if all are known, else the flags."""
        slacks = [o.slack for o in obs]
        if all(v is not None and math.isfinite(v) for v in slacks):
            target = np.array(slacks, dtype=float)
            return (target if float(np.ptp(target)) > 0 else None), 0.0
        flags = np.array([o.feasible for o in obs], dtype=float)
        return (flags if 0.0 < flags.mean() < 1.0 else None), 0.5

    # -- proposals -----------------------------------------------------------------------
    def _initial_design(self) -> list[Point]:
        """The current point plus a Latin-hypercube-like design over the choice indexes.

        Every dimension's choices are spread evenly over the design (unlike a maximin design
        in the encoded space, which would favour the corners); of several random designs the
        one whose closest pair of points is farthest apart wins.
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
            spread = float(d2[np.triu_indices(len(design), 1)].min()) if len(design) > 1 else 0.0
            if spread > best[0]:
                best = (spread, design)
        return best[1][1:]

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
        if self._design is None:
            self._design = self._initial_design()
        while self._design:
            p = self._design.pop(0)
            if p not in self.proposed:
                return p
        model = self.fit()
        if model is None:
            return sample_unvisited(self.space, self.rng, self.proposed)
        cand = self._candidate_points()
        if not len(cand):
            return None
        self._steps += 1
        if self.local_every and self._steps % self.local_every == 0:
            near = self._moves(cand, model.best_point()) <= self.local_radius
            if near.any():
                cand = cand[near]
        xc = self.encoder.encode(cand)
        mean, std = model.value.predict(xc)
        ei = expected_improvement(mean, std, model.incumbent()) * model.feasible_probability(xc)
        top = np.flatnonzero(ei >= ei.max() * (1 - 1e-9))
        pick = int(top[int(self.rng.integers(len(top)))])
        return tuple(int(v) for v in cand[pick])

    def _moves(self, points: np.ndarray, origin: Point) -> np.ndarray:
        """Moves from ``origin``: steps along ordinal dimensions, 1 per changed category."""
        diff = np.abs(points - np.array(origin))
        categorical = np.array([d.kind == "categorical" for d in self.space.dimensions])
        return np.asarray(np.where(categorical, diff > 0, diff).sum(axis=1))

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
    """A GP of the (log) values and, when there is something to learn, a GP of the constraint.

    The constraint GP models the guardrail slack when every observation came with one (feasible
    where it is ≥ 0), else the 0/1 feasibility flags (feasible where the rate exceeds ½).
    """

    points: list[Point]
    x: np.ndarray  # encoded points
    value: GaussianProcess
    constraint: GaussianProcess | None
    threshold: float

    def feasible_probability(self, x: np.ndarray) -> np.ndarray:
        """Posterior probability that the constraint holds at x (1 without a constraint model)."""
        if self.constraint is None:
            return np.ones(len(x))
        mean, std = self.constraint.predict(x)
        return np.asarray(ndtr((mean - self.threshold) / np.maximum(std, 1e-9)))

    def best_point(self) -> Point:
        """The evaluated point with the lowest posterior mean among those likely feasible."""
        mean, _ = self.value.predict(self.x)
        likely = self.feasible_probability(self.x) >= 0.5
        score = np.where(likely, mean, np.inf) if likely.any() else mean
        return self.points[int(np.argmin(score))]

    def incumbent(self) -> float:
        """Lowest posterior mean among evaluated points likely feasible (else among all)."""
        mean, _ = self.value.predict(self.x)
        likely = self.feasible_probability(self.x) >= 0.5
        return float(mean[likely].min() if likely.any() else mean.min())


def normal_scores(y: np.ndarray) -> np.ndarray:
    """Gaussian copula transform: ranks (ties averaged) mapped to standard-normal quantiles."""
    order = np.argsort(y, kind="stable")
    ranks = np.empty(len(y))
    ranks[order] = np.arange(len(y), dtype=float)
    for v in np.unique(y):  # average the ranks of ties
        tie = y == v
        ranks[tie] = ranks[tie].mean()
    return np.asarray(ndtri((ranks + 0.5) / len(y)))
