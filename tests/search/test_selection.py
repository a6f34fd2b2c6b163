"""The search driver: budget accounting, shortlist re-evaluation, shipping rules."""

from __future__ import annotations

from collections import Counter
from typing import Any

import numpy as np
import pytest

from autotune_bot.search.objective import Outcome, PerSuccessObjective
from autotune_bot.search.pareto import dominates
from autotune_bot.search.random_search import RandomSearch
from autotune_bot.search.selection import plan_budget, run_search, run_searcher
from autotune_bot.search.space import Dimension, Point, Space

from .spaces import mixed_space, separable

BASE = Outcome(100, 0.8, 100.0, 0.1)
OBJECTIVE = PerSuccessObjective(BASE)


def outcome(duration: float, success: float = 0.8) -> Outcome:
    return Outcome(5, success, duration, duration / 1000)


def noiseless(values: dict[str, Any], rng: np.random.Generator) -> Outcome:
    space = mixed_space()
    return outcome(10.0 * separable(space.point(values)))


LINE = Space((Dimension("option", ("now", "lucky", "steady"), 0, "categorical"),))


class Scripted:
    """Evaluations that depend on how often each option was evaluated before."""

    def __init__(self, script: dict[str, list[Outcome]]) -> None:
        self.script = script
        self.calls: Counter[str] = Counter()

    def __call__(self, values: dict[str, Any], rng: np.random.Generator) -> Outcome:
        name = values["option"]
        outcomes = self.script[name]
        out = outcomes[min(self.calls[name], len(outcomes) - 1)]
        self.calls[name] += 1
        return out


class Spy(RandomSearch):
    told: list[Point]

    def tell(
        self, point: Point, value: float, feasible: bool, *, slack: float | None = None
    ) -> None:
        self.told = [*getattr(self, "told", []), point]
        super().tell(point, value, feasible, slack=slack)


def test_plan_budget_reserves_at_most_the_share() -> None:
    assert plan_budget(20, 0.3, 3, None) == (14, 6)
    assert plan_budget(50, 0.3, 3, None) == (35, 15)
    assert plan_budget(50, 0.3, 3, 2) == (44, 6)  # 3 candidates × 2 fresh evaluations
    assert plan_budget(50, 0.3, 0, None) == (50, 0)  # no shortlist: no reserve
    assert plan_budget(1, 0.3, 3, None) == (1, 0)
    with pytest.raises(ValueError, match="budget"):
        plan_budget(0, 0.3, 3, None)
    with pytest.raises(ValueError, match="reserve"):
        plan_budget(10, 1.0, 3, None)


def test_budget_counts_every_evaluation_and_searcher_sees_only_the_search() -> None:
    space = mixed_space()
    spy = Spy(space, np.random.default_rng(1))
    result = run_searcher(spy, noiseless, 20, np.random.default_rng(2), OBJECTIVE)
    assert result.evaluations == 20
    fresh = [e for e in result.history if e.fresh]
    search = [e for e in result.history if not e.fresh]
    assert len(fresh) == 6
    assert [e.point for e in search] == spy.told  # re-evaluations are not told
    assert [e.index for e in result.history] == list(range(1, 21))
    assert all(not e.fresh for e in result.history[:14])  # search first, then fresh
    assert {e.point for e in fresh} <= {e.point for e in search}
    assert result.history[0].point == space.current


def test_reevaluations_option_limits_the_fresh_evaluations() -> None:
    result = run_search(
        mixed_space(),
        noiseless,
        "hill_climbing",
        30,
        np.random.default_rng(0),
        OBJECTIVE,
        shortlist=2,
        reevaluations=2,
    )
    assert result.evaluations == 30
    assert sum(e.fresh for e in result.history) == 4


def test_ships_on_fresh_evaluations_not_on_a_lucky_first_draw() -> None:
    evaluate = Scripted(
        {
            "now": [outcome(100.0)],
            "lucky": [outcome(20.0), outcome(160.0)],  # one lucky draw, then its true self
            "steady": [outcome(60.0)],
        }
    )
    result = run_search(LINE, evaluate, "random", 9, np.random.default_rng(0), OBJECTIVE)
    search = [e for e in result.history if not e.fresh]
    assert min(search, key=lambda e: e.value).point == (1,)  # best *observed*: the lucky one
    assert result.shipped == (2,)  # best on fresh evaluations
    assert result.evaluations == 9  # the space ran out: the rest went to re-evaluations
    assert all(o.duration_per_run == 60.0 for o in result.shipped_outcomes)
    assert result.changed


def test_guardrail_is_checked_on_fresh_evaluations() -> None:
    evaluate = Scripted(
        {
            "now": [outcome(100.0)],
            "lucky": [outcome(30.0, 1.0), outcome(30.0, 0.6)],  # fast, but fails too often
            "steady": [outcome(70.0, 0.8)],
        }
    )
    result = run_search(LINE, evaluate, "random", 9, np.random.default_rng(0), OBJECTIVE)
    lucky = next(c for c in result.candidates if c.point == (1,))
    assert lucky.value < next(c.value for c in result.candidates if c.point == (2,))
    assert not lucky.feasible
    assert result.shipped == (2,)


def test_no_change_is_shipped_when_nothing_beats_the_current_point() -> None:
    evaluate = Scripted(
        {
            "now": [outcome(100.0)],
            "lucky": [outcome(50.0), outcome(150.0)],
            "steady": [outcome(130.0)],
        }
    )
    result = run_search(LINE, evaluate, "genetic", 9, np.random.default_rng(0), OBJECTIVE)
    assert result.shipped == LINE.current
    assert not result.changed
    current = next(c for c in result.candidates if c.point == LINE.current)
    assert current.feasible
    assert current.outcome.runs > BASE.runs  # the baseline's runs plus its evaluations


def test_without_reserve_the_best_feasible_observation_ships() -> None:
    evaluate = Scripted(
        {"now": [outcome(100.0)], "lucky": [outcome(20.0, 0.2)], "steady": [outcome(60.0)]}
    )
    result = run_search(
        LINE, evaluate, "random", 3, np.random.default_rng(0), OBJECTIVE, reserve=0.0
    )
    assert not any(e.fresh for e in result.history)
    assert result.shipped == (2,)  # "lucky" is cheaper per success but breaks the guardrail


def test_first_visits_pareto_front_and_reproducibility() -> None:
    space = mixed_space()

    def noisy(values: dict[str, Any], rng: np.random.Generator) -> Outcome:
        p = space.point(values)
        return Outcome(
            5, 0.6 + 0.1 * p[2], 10 * separable(p) * rng.uniform(0.8, 1.2), 0.01 * (1 + p[1])
        )

    a = run_search(space, noisy, "bayesian", 25, np.random.default_rng(7), OBJECTIVE)
    b = run_search(space, noisy, "bayesian", 25, np.random.default_rng(7), OBJECTIVE)
    assert [e.point for e in a.history] == [e.point for e in b.history]
    assert a.shipped == b.shipped
    for point, index in a.first_visit.items():
        assert a.history[index - 1].point == point
        assert all(e.point != point for e in a.history[: index - 1])
    pooled = {p: Outcome.pool(e.outcome for e in a.history if e.point == p) for p in a.first_visit}
    front = dict(a.pareto)
    assert front
    for p, o in pooled.items():
        if p in front:
            assert front[p] == o
            assert not any(dominates(other, o) for other in pooled.values())
        else:
            assert any(dominates(f, o) for f in front.values())


def test_unknown_searcher_is_rejected() -> None:
    with pytest.raises(ValueError, match="unknown searcher"):
        run_search(mixed_space(), noiseless, "annealing", 10, np.random.default_rng(0), OBJECTIVE)


def test_a_change_must_beat_no_change_by_more_than_its_noise() -> None:
    # "steady" is better than now on its fresh evaluations (85 vs 100), but they scatter widely
    evaluate = Scripted(
        {
            "now": [outcome(100.0)],
            "lucky": [outcome(300.0)],
            "steady": [outcome(40.0), outcome(130.0), outcome(40.0)],
        }
    )
    cautious = run_search(LINE, evaluate, "random", 9, np.random.default_rng(0), OBJECTIVE)
    steady = next(c for c in cautious.candidates if c.point == (2,))
    assert steady.value < 1.0 < steady.value + steady.stderr
    assert not cautious.changed
    evaluate.calls.clear()
    plain = run_search(
        LINE, evaluate, "random", 9, np.random.default_rng(0), OBJECTIVE, confidence=0.0
    )
    assert plain.shipped == (2,)
