"""The joint search of one target: every strategy's dimensions, searched together.

The space is the union of the dimensions the strategies open (dimensions with the same name
merge their choices). Evaluations replay recorded executions through the candidate with the
performance model. Choosing the best of many configurations on the same data overstates the
winner (it is partly lucky on those executions), so the recorded executions are split at random
into two halves: the search evaluates on one half; the :data:`SHORTLIST` best configurations it
found (and the current one) are then re-evaluated on the other half, executions the search never
saw, and the shipped configuration is the best of those *on the held-out half* among those whose
guardrails hold there. These re-evaluations count in the evaluation budget. With fewer than
twice ``analysis.min_samples`` executions there is no half to hold out, and the summary says the
shortlist was checked on the same executions. A candidate the model refuses to predict scores as
failing every run, so it is never shipped. The Pareto front reported is that of the best visited
configurations, re-evaluated on every recorded execution.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from autotune_bot.model.simulated import Refusal, Simulated
from autotune_bot.search.objective import Objective, Outcome
from autotune_bot.search.pareto import pareto_front
from autotune_bot.search.selection import SearchResult, run_search
from autotune_bot.search.space import Dimension, Point, Space
from autotune_bot.tuning.bindings import Binding, TeamBinding
from autotune_bot.tuning.config import TeamConfig, WorkflowConfig
from autotune_bot.tuning.plan_types import ParetoEntry, SearchSummary
from autotune_bot.tuning.scoring import Scorer
from autotune_bot.tuning.space_map import apply_team_values, apply_workflow_values

__all__ = ["PARETO_POOL", "SHORTLIST", "JointSearch", "merge_dimensions", "search_target"]

SHORTLIST = 5  # configurations re-checked on the held-out executions
PARETO_POOL = 20  # best visited configurations whose trade-offs are reported
IntArray = npt.NDArray[np.intp]


def _sort_key(value: Any) -> tuple[int, float]:
    if value is None:
        return (1, math.inf)
    return (0, float(value))


def merge_dimensions(dimensions: Sequence[Dimension]) -> tuple[Dimension, ...]:
    """One dimension per name, choices merged (numbers sorted, the current value kept)."""
    by_name: dict[str, list[Dimension]] = {}
    for dim in dimensions:
        by_name.setdefault(dim.name, []).append(dim)
    merged = []
    for name, dims in by_name.items():
        current = dims[0].choices[dims[0].current]
        choices: list[Any] = []
        for dim in dims:
            choices += [c for c in dim.choices if c not in choices]
        numeric = all(
            c is None or (isinstance(c, int | float) and not isinstance(c, bool)) for c in choices
        )
        if numeric:
            choices.sort(key=_sort_key)
        categorical = any(d.kind == "categorical" for d in dims)
        merged.append(
            Dimension(
                name,
                tuple(choices),
                choices.index(current),
                "categorical" if categorical else "ordinal",
            )
        )
    return tuple(merged)


@dataclass(frozen=True)
class JointSearch:
    result: SearchResult
    space: Space
    candidate: TeamConfig | WorkflowConfig  # the shipped configuration
    summary: SearchSummary


def _config(binding: Binding, values: Mapping[str, Any]) -> TeamConfig | WorkflowConfig:
    if isinstance(binding, TeamBinding):
        return apply_team_values(binding.current, values)
    config = apply_workflow_values(binding.current, values)
    nodes = binding.site.workflow.nodes
    # a tools choice equal to the node's written list is no change
    tools = tuple(
        (node, names)
        for node, names in config.tools
        if node not in nodes or tuple(nodes[node].tools) != tuple(names)
    )
    return dataclasses.replace(config, tools=tools) if tools != config.tools else config


def _evaluator(
    binding: Binding, scorer: Scorer, sample: IntArray
) -> Callable[[dict[str, Any], np.random.Generator], Outcome]:
    def evaluate(values: dict[str, Any], rng: np.random.Generator) -> Outcome:
        candidate = _config(binding, values)
        sim: Simulated | Refusal = binding.simulate(candidate, sample, rng)  # type: ignore[arg-type]
        if isinstance(sim, Refusal):
            return Outcome(int(sample.size), 0.0, 1.0, 1.0)
        return scorer.outcome(sim)

    return evaluate


def scorer_for_outcome(scorer: Scorer, baseline: Outcome) -> Objective:
    """The scorer's objective, relative to another baseline outcome (same weights)."""
    return dataclasses.replace(scorer.objective, baseline=baseline)  # type: ignore[type-var]


def _changed(space: Space, point: Point) -> dict[str, Any]:
    now = space.values(space.current)
    return {k: v for k, v in space.values(point).items() if now[k] != v}


def _halves(binding: Binding, rng: np.random.Generator) -> tuple[IntArray, IntArray, bool]:
    n = len(binding)
    order = rng.permutation(n)
    search, held = np.sort(order[: n // 2]), np.sort(order[n // 2 :])
    if min(search.size, held.size) < binding.min_samples:
        every = np.arange(n)
        return every, every, False
    return search, held, True


def _shortlist(result: SearchResult, k: int) -> list[Point]:
    best: dict[Point, float] = {}
    for e in result.history:
        if e.feasible and e.point != result.current and math.isfinite(e.value):
            best[e.point] = min(e.value, best.get(e.point, math.inf))
    return sorted(best, key=best.__getitem__)[:k]


def _pareto(
    binding: Binding, space: Space, scorer: Scorer, result: SearchResult, rng: np.random.Generator
) -> tuple[ParetoEntry, ...]:
    every = np.arange(len(binding))
    points = [result.current, *_shortlist(result, PARETO_POOL)]
    scored = []
    for point in points:
        sim = binding.simulate(_config(binding, space.values(point)), every, rng)  # type: ignore[arg-type]
        if not isinstance(sim, Refusal):
            scored.append((point, scorer.outcome(sim)))
    entries: dict[tuple[float, float, float], ParetoEntry] = {}
    for point, outcome in pareto_front(scored):
        entry = ParetoEntry(
            _changed(space, point),
            outcome.duration_per_success,
            outcome.cost_per_success if scorer.with_cost else math.nan,
            outcome.success_rate,
        )
        # configurations with the same predicted outcome: report the one changing least
        key = (
            round(entry.duration_per_success, 6),
            round(outcome.cost_per_success, 9),
            round(entry.success_rate, 9),
        )
        if key not in entries or len(entry.changes) < len(entries[key].changes):
            entries[key] = entry
    return tuple(entries.values())


def search_target(
    binding: Binding,
    dimensions: Sequence[Dimension],
    scorer: Scorer,
    *,
    algorithm: str,
    budget: int,
    rng: np.random.Generator,
) -> JointSearch | None:
    """Search the joint space; None when it has a single configuration."""
    space = Space(merge_dimensions(dimensions))
    if space.size <= 1:
        return None
    search_half, held_half, held_out = _halves(binding, rng)
    k = min(SHORTLIST, max(0, budget - 2))
    result = run_search(
        space,
        _evaluator(binding, scorer, search_half),
        algorithm,
        max(1, budget - k),
        rng,
        scorer.objective,
        shortlist=0,
    )
    check = _evaluator(binding, scorer, held_half)
    baseline = check(space.values(space.current), rng)
    base_scorer = scorer_for_outcome(scorer, baseline)
    shipped, shipped_value = result.current, 1.0
    checked = _shortlist(result, k)
    for point in checked:
        value, feasible = base_scorer(check(space.values(point), rng))
        if feasible and value < shipped_value:
            shipped, shipped_value = point, value
    where = "the other half of the recorded executions" if held_out else "the same executions"
    summary = SearchSummary(
        algorithm=algorithm,
        evaluations=result.evaluations + len(checked),
        space_size=space.size,
        dimensions=tuple(d.name for d in space.dimensions),
        shipped=_changed(space, shipped),
        pareto=_pareto(binding, space, scorer, result, rng),
        basis=(
            f"the search replayed {search_half.size} recorded executions per evaluation through "
            f"the performance model; its {len(checked)} best configurations were re-checked on "
            f"{where} ({held_half.size}), and the shipped one kept the guardrails there "
            "(simulated, not validated)"
        ),
    )
    return JointSearch(result, space, _config(binding, space.values(shipped)), summary)
