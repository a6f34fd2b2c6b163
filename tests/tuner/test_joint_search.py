"""The joint search of one target: dimensions merged by name, a reproducible search on the
demo's review_team that ships the parallel formation, and an evaluation count that includes
the re-checks on the held-out executions."""

from __future__ import annotations

import dataclasses
import math

import numpy as np
import pytest

from autotune_bot.model.simulated import Simulated
from autotune_bot.search.space import Dimension
from autotune_bot.strategies.base import TeamStrategy, TeamTarget
from autotune_bot.strategies.registry import STRATEGIES
from autotune_bot.tuning.bindings import TeamBinding
from autotune_bot.tuning.config import TeamConfig
from autotune_bot.tuning.joint_search import (
    SHORTLIST,
    JointSearch,
    merge_dimensions,
    search_target,
)
from autotune_bot.tuning.scoring import Scorer, scorer_for

from .conftest import DemoTuning

BUDGET = 40


def test_merge_dimensions_merges_choices_of_the_same_name() -> None:
    a = Dimension("total_tool_budget", (120, 55), 0)
    b = Dimension("total_tool_budget", (120, 80, 150), 0)
    f = Dimension("formation", ("sequential", "parallel"), 0, "categorical")
    g = Dimension("formation", ("sequential", "pipeline"), 0, "categorical")
    budget, formation = merge_dimensions([a, f, b, g])
    assert budget.name == "total_tool_budget"
    assert budget.choices == (55, 80, 120, 150)  # numbers sorted
    assert budget.choices[budget.current] == 120  # the current value is still current
    assert budget.kind == "ordinal"
    assert formation.choices == ("sequential", "parallel", "pipeline")  # first-seen order
    assert formation.choices[formation.current] == "sequential"
    assert formation.kind == "categorical"


def test_merge_dimensions_puts_none_last_and_keeps_categorical() -> None:
    t1 = Dimension("timeout_seconds", (300.0, None), 0)
    t2 = Dimension("timeout_seconds", (300.0, 120.0), 0, "categorical")
    (merged,) = merge_dimensions([t1, t2])
    assert merged.choices == (120.0, 300.0, None)
    assert merged.current == 1
    assert merged.kind == "categorical"


def test_merge_dimensions_keeps_distinct_names_apart() -> None:
    dims = [Dimension("prune:a", (False, True), 0), Dimension("prune:b", (False, True), 0)]
    assert merge_dimensions(dims) == tuple(dims)


@dataclasses.dataclass(frozen=True)
class Setup:
    binding: TeamBinding
    dimensions: list[Dimension]
    scorer: Scorer


@pytest.fixture(scope="module")
def review(demo: DemoTuning) -> Setup:
    binding = demo.team_binding("review_team")
    site = demo.team_site("review_team")
    target = TeamTarget(
        "review_team",
        site.workflow,
        site.node,
        site.report,
        demo.store,
        demo.settings,
        binding.current,
    )
    dims = [
        d
        for cls in STRATEGIES.values()
        if issubclass(cls, TeamStrategy)
        for d in cls().dimensions(target)
    ]
    now = binding.simulate(binding.current, np.arange(len(binding)), np.random.default_rng(0))
    assert isinstance(now, Simulated)
    scorer = scorer_for(now, demo.settings)
    assert scorer is not None
    return Setup(binding, dims, scorer)


def _search(setup: Setup, seed: int, algorithm: str = "hill_climbing") -> JointSearch:
    found = search_target(
        setup.binding,
        setup.dimensions,
        setup.scorer,
        algorithm=algorithm,
        budget=BUDGET,
        rng=np.random.default_rng(seed),
    )
    assert found is not None
    return found


@pytest.fixture(scope="module")
def first(review: Setup) -> JointSearch:
    return _search(review, 11)


def test_search_is_reproducible_with_a_seed(review: Setup, first: JointSearch) -> None:
    again = _search(review, 11)
    assert again.candidate == first.candidate
    assert again.summary == first.summary
    assert [e.point for e in again.result.history] == [e.point for e in first.result.history]


def test_search_ships_the_parallel_formation(review: Setup, first: JointSearch) -> None:
    assert isinstance(first.candidate, TeamConfig)
    assert first.candidate.formation == "parallel"
    assert first.summary.shipped["formation"] == "parallel"
    assert "formation" in first.summary.dimensions
    assert first.summary.space_size == first.space.size
    # every value reported as shipped differs from the current configuration
    now = first.space.values(first.space.current)
    assert all(now[k] != v for k, v in first.summary.shipped.items())


def test_evaluations_include_the_held_out_checks(first: JointSearch) -> None:
    history = first.result.history
    current = first.result.current
    distinct = {
        e.point for e in history if e.feasible and e.point != current and math.isfinite(e.value)
    }
    checked = min(SHORTLIST, BUDGET - 2, len(distinct))
    assert checked > 0
    assert first.summary.evaluations == first.result.evaluations + checked
    assert first.summary.evaluations <= BUDGET
    # 675 executions: two halves, each above min_samples, so the checks are held out
    assert "other half of the recorded executions" in first.summary.basis
    assert f"its {checked} best configurations were re-checked" in first.summary.basis


def test_pareto_front_entries_are_simulated_on_every_execution(first: JointSearch) -> None:
    assert first.summary.pareto
    for entry in first.summary.pareto:
        assert entry.duration_per_success > 0
        assert 0.0 <= entry.success_rate <= 1.0
        assert set(entry.changes) <= set(first.summary.dimensions)


def test_other_algorithms_also_ship_parallel(review: Setup) -> None:
    found = _search(review, 2, algorithm="random")
    assert isinstance(found.candidate, TeamConfig)
    assert found.candidate.formation == "parallel"


def test_single_configuration_space_is_not_searched(review: Setup) -> None:
    only = [Dimension("formation", ("sequential",), 0, "categorical")]
    found = search_target(
        review.binding,
        only,
        review.scorer,
        algorithm="hill_climbing",
        budget=BUDGET,
        rng=np.random.default_rng(1),
    )
    assert found is None
