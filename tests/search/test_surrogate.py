"""The Bayesian searcher's models and designs."""

from __future__ import annotations

import numpy as np

from autotune_bot.search.base import Observation
from autotune_bot.search.bayesian import BayesianOptimization
from autotune_bot.search.gaussian_process import Encoder
from autotune_bot.search.surrogate import constraint_target, fit_surrogate

from .spaces import mixed_space, separable


def observations(with_slack: bool) -> list[Observation]:
    space = mixed_space()
    out = []
    every = list(space.all_points())
    for i in np.random.default_rng(3).choice(len(every), 40, replace=False):
        p = every[int(i)]
        slack = 0.1 if p[2] < 2 else -0.2  # the large tier breaks the guardrail
        out.append(Observation(p, separable(p), slack >= 0, slack if with_slack else None))
    return out


def test_constraint_model_learns_slacks_when_known_else_flags() -> None:
    target, threshold = constraint_target(observations(True))
    assert threshold == 0.0
    assert target is not None
    assert set(np.round(target, 6)) == {0.1, -0.2}
    target, threshold = constraint_target(observations(False))
    assert threshold == 0.5
    assert target is not None
    assert set(target) == {0.0, 1.0}
    all_fine = [Observation(o.point, o.value, True) for o in observations(False)]
    assert constraint_target(all_fine)[0] is None  # nothing to learn


def test_surrogate_ranks_and_predicts_the_guardrail() -> None:
    space = mixed_space()
    encoder = Encoder(space)
    rng = np.random.default_rng(0)
    assert fit_surrogate(encoder, observations(True)[:1], rng) is None
    model = fit_surrogate(encoder, observations(True), rng)
    assert model is not None
    x = encoder.encode(np.array([(2, 4, 0, 1), (2, 4, 2, 1)]))
    fine, broken = model.feasible_probability(x)
    assert fine > 0.5 > broken
    assert fine - broken > 0.5
    best = model.ranked()[0]
    assert best[2] < 2  # likely-feasible points first
    assert separable(best) <= np.median([separable(o.point) for o in observations(True)])


def test_space_filling_design_keeps_the_contract() -> None:
    space = mixed_space()

    def asks(seed: int) -> list[tuple[int, ...]]:
        s = BayesianOptimization(space, np.random.default_rng(seed), design="lhs", initial_points=6)
        out = []
        for _ in range(12):
            p = s.ask()
            assert p is not None
            out.append(p)
            s.tell(p, separable(p), True)
        return out

    first = asks(1)
    assert first == asks(1)
    assert first[0] == space.current
    assert len(set(first)) == len(first)
    # the design spreads every dimension's choices: five design points cover all 4 formations
    assert {p[0] for p in first[1:6]} == {0, 1, 2, 3}
