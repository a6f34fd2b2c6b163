"""The searcher contract, checked for every entry of the registry."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

from autotune_bot.search.base import Searcher
from autotune_bot.search.objective import Outcome, PerSuccessObjective
from autotune_bot.search.registry import SEARCHERS
from autotune_bot.search.selection import run_search
from autotune_bot.search.space import Point, Space

from .spaces import OPTIMUM, mixed_space, separable, tiny_spaces

NAMES = list(SEARCHERS)


def drive(
    searcher: Searcher, steps: int, value: Callable[[Point], float] = separable
) -> list[Point]:
    asked: list[Point] = []
    for _ in range(steps):
        point = searcher.ask()
        if point is None:
            break
        asked.append(point)
        searcher.tell(point, value(point), True)
    return asked


def make(name: str, space: Space, seed: int = 0, budget: int = 40) -> Searcher:
    return SEARCHERS[name](space, np.random.default_rng(seed), budget=budget)


def test_registry_lists_every_algorithm() -> None:
    assert set(SEARCHERS) == {
        "random",
        "hill_climbing",
        "simulated_annealing",
        "genetic",
        "bayesian",
    }


@pytest.mark.parametrize("name", NAMES)
def test_same_seed_same_asks(name: str) -> None:
    first = drive(make(name, mixed_space(), seed=3), 25)
    second = drive(make(name, mixed_space(), seed=3), 25)
    other = drive(make(name, mixed_space(), seed=4), 25)
    assert first == second
    assert first != other  # the seed matters


@pytest.mark.parametrize("name", NAMES)
def test_first_ask_is_current_and_points_stay_inside(name: str) -> None:
    space = mixed_space()
    asked = drive(make(name, space), 30)
    assert asked[0] == space.current
    assert all(space.contains(p) for p in asked)


@pytest.mark.parametrize("name", NAMES)
def test_no_repeats_until_exhausted_then_none(name: str) -> None:
    space = mixed_space()
    searcher = make(name, space, budget=space.size + 10)
    asked = drive(searcher, space.size + 10)
    assert len(asked) == space.size
    assert len(set(asked)) == space.size
    assert searcher.ask() is None
    assert searcher.exhausted


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("kind", list(tiny_spaces()))
def test_tiny_spaces(name: str, kind: str) -> None:
    space = tiny_spaces()[kind]
    searcher = make(name, space, budget=10)
    asked = drive(searcher, 10, lambda p: float(sum(p)))
    assert asked[0] == space.current
    assert sorted(asked) == sorted(space.all_points())  # every point once, then None
    assert searcher.ask() is None


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("seed", [0, 1])
def test_finds_optimum_of_separable_problem(name: str, seed: int) -> None:
    space = mixed_space()
    budget = space.size if name == "random" else 45  # random search only by exhausting
    asked = drive(make(name, space, seed=seed, budget=budget), budget)
    assert OPTIMUM in asked


@pytest.mark.parametrize("name", NAMES)
def test_handles_infinite_values(name: str) -> None:
    def value(point: Point) -> float:
        return math.inf if point[0] == 0 or point[2] == 2 else separable(point)

    searcher = make(name, mixed_space())
    asked = drive(searcher, 30, value)
    assert len(set(asked)) == 30
    assert any(math.isinf(value(p)) for p in asked)  # the case was exercised
    assert math.isfinite(value(searcher.shortlist(1)[0]))


@pytest.mark.parametrize("name", NAMES)
def test_shortlist_puts_feasible_points_first(name: str) -> None:
    space = mixed_space()
    searcher = make(name, space)
    for _ in range(25):
        p = searcher.ask()
        assert p is not None
        # large teams are infeasible and look best: they must still rank after feasible ones
        feasible = p[1] <= 2
        searcher.tell(p, separable(p) - (0 if feasible else 20.0), feasible)
    top = searcher.shortlist(3)
    assert top
    assert all(p in searcher.latest for p in top)
    assert searcher.latest[top[0]].feasible


@pytest.mark.parametrize("name", NAMES)
def test_tell_rejects_points_outside_the_space(name: str) -> None:
    searcher = make(name, mixed_space())
    with pytest.raises(ValueError, match="outside"):
        searcher.tell((9, 9, 9, 9), 1.0, True)


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("reserve", [0.0, 0.3])
def test_never_ships_an_infeasible_point_when_a_feasible_one_is_known(
    name: str, reserve: float
) -> None:
    space = mixed_space()
    baseline = Outcome(50, 0.8, 10.0 * separable(space.current), 0.01)
    objective = PerSuccessObjective(baseline)

    def evaluate(values: dict[str, Any], rng: np.random.Generator) -> Outcome:
        p = space.point(values)
        # cache on halves the time but breaks the success guardrail
        success = 0.5 if p[3] == 1 else 0.8
        return Outcome(5, success, 10.0 * separable(p) * (0.2 if p[3] == 1 else 1.0), 0.01)

    result = run_search(
        space, evaluate, name, 30, np.random.default_rng(5), objective, reserve=reserve
    )
    assert any(not e.feasible for e in result.history)  # infeasible points were seen
    assert result.shipped[3] == 0
    assert objective(evaluate(space.values(result.shipped), np.random.default_rng())).feasible
    assert result.changed  # and a feasible improvement was found
