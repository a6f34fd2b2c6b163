"""The Bayesian searcher's models: a GP of the values and a GP of the guardrail.

* Values: the observed values, non-finite ones replaced by something worse than every finite
  one (:func:`~autotune_bot.search.base.penalised_values`, infeasible points keep their own
  value), then turned into normal scores (:func:`normal_scores`: ranks mapped to normal
  quantiles). Per-success values are heavy-tailed — one failed run out of five moves a value by
  25 %, a configuration that always times out is infinite — and the rank transform keeps those
  tails from dominating the fit; ``transform="log"`` is the alternative for well-behaved values.
* Guardrail: when every observation came with its guardrail slack, a GP of the slack
  (feasible where it is ≥ 0); otherwise, when some observations were infeasible and some not, a
  GP of the 0/1 feasibility flags (feasible where the rate exceeds ½).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np

from autotune_bot.search.base import Observation, penalised_values
from autotune_bot.search.gaussian_process import Encoder, GaussianProcess, fit_gp
from autotune_bot.search.space import Point

__all__ = ["Surrogate", "fit_surrogate", "normal_scores"]


@dataclass(frozen=True)
class Surrogate:
    points: list[Point]  # the evaluated points, in the order of ``x``
    x: np.ndarray  # encoded points
    value: GaussianProcess
    constraint: GaussianProcess | None
    threshold: float  # the constraint holds where the constraint GP exceeds this

    def feasible_probability(self, x: np.ndarray) -> np.ndarray:
        """Posterior probability that the guardrail holds at x (1 without a guardrail model)."""
        from scipy.special import ndtr  # type: ignore[import-untyped]

        if self.constraint is None:
            return np.ones(len(x))
        mean, std = self.constraint.predict(x)
        return np.asarray(ndtr((mean - self.threshold) / np.maximum(std, 1e-9)))

    def ranked(self) -> list[Point]:
        """Evaluated points by posterior mean, those likely feasible first."""
        mean, _ = self.value.predict(self.x)
        likely = self.feasible_probability(self.x) >= 0.5
        order = sorted(range(len(mean)), key=lambda i: (not likely[i], float(mean[i])))
        return [self.points[i] for i in order]

    def incumbent(self) -> float:
        """Lowest posterior mean among evaluated points likely feasible (else among all)."""
        mean, _ = self.value.predict(self.x)
        likely = self.feasible_probability(self.x) >= 0.5
        return float(mean[likely].min() if likely.any() else mean.min())


def fit_surrogate(
    encoder: Encoder,
    observations: Sequence[Observation],
    rng: np.random.Generator,
    *,
    transform: Literal["rank", "log"] = "rank",
    starts: int = 2,
    warm: tuple[np.ndarray | None, np.ndarray | None] = (None, None),
) -> Surrogate | None:
    """Both models (None while there is nothing to model: fewer than two distinct values).

    ``warm`` holds the previous fits' hyper-parameters (value, constraint) to start from.
    """
    if len(observations) < 2 or encoder.n_groups == 0:
        return None
    y = penalised_values(observations, penalise_infeasible=False)
    if transform == "rank":
        y = normal_scores(y)
    elif (y > 0).all():
        y = np.log(y)
    if float(np.ptp(y)) == 0.0:
        return None
    points = [o.point for o in observations]
    x = encoder.encode(np.array(points))
    value = fit_gp(encoder, x, y, rng, starts=starts, warm=warm[0])
    target, threshold = constraint_target(observations)
    constraint = None
    if target is not None:
        constraint = fit_gp(encoder, x, target, rng, starts=starts, warm=warm[1])
    return Surrogate(points, x, value, constraint, threshold)


def constraint_target(observations: Sequence[Observation]) -> tuple[np.ndarray | None, float]:
    """What the guardrail model learns (the slacks, else the flags) and its threshold."""
    slacks = [o.slack for o in observations]
    if all(v is not None and math.isfinite(v) for v in slacks):
        target = np.array(slacks, dtype=float)
        return (target if float(np.ptp(target)) > 0 else None), 0.0
    flags = np.array([o.feasible for o in observations], dtype=float)
    return (flags if 0.0 < flags.mean() < 1.0 else None), 0.5


def normal_scores(y: np.ndarray) -> np.ndarray:
    """Gaussian copula transform: ranks (ties averaged) mapped to standard-normal quantiles."""
    from scipy.special import ndtri

    order = np.argsort(y, kind="stable")
    ranks = np.empty(len(y))
    ranks[order] = np.arange(len(y), dtype=float)
    for v in np.unique(y):  # average the ranks of ties
        tie = y == v
        ranks[tie] = ranks[tie].mean()
    return np.asarray(ndtri((ranks + 0.5) / len(y)))
