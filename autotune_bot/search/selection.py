"""The search driver: search with part of the budget, then re-evaluate a shortlist and ship.

Evaluations are noisy, so the best *observed* point is usually a lucky draw (the winner's
curse). :func:`run_search` therefore splits the budget (:func:`plan_budget`): at most
``reserve`` of it (30 % by default) is kept back; the searcher spends the rest; then its
:meth:`~autotune_bot.search.base.Searcher.shortlist` of ``shortlist`` points gets the kept-back
evaluations, round-robin, and the driver ships the candidate with the best value of its pooled
fresh evaluations among those whose guardrails hold *on the fresh evaluations*.

The current point is always a candidate, so "no change" can be shipped. It is scored on the
objective's baseline outcome pooled with all of its evaluations (it is evaluated first
whatever happens, so its observations carry no selection bias). A changed point must beat it
by more than ``confidence`` standard errors of its fresh values (1 by default; 0 for the plain
rule), which keeps a noisy tie from shipping a change that is truly worse.

With no reserve (``reserve=0`` or ``shortlist=0``) the driver ships the best observed feasible
point (the naive rule, for comparison). The budget counts every evaluation, re-evaluations
included. When the searcher runs out of new points (``ask`` returns None) its unused budget
goes to re-evaluations.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from autotune_bot.search.base import Searcher
from autotune_bot.search.objective import Objective, Outcome
from autotune_bot.search.pareto import pareto_front
from autotune_bot.search.registry import SEARCHERS
from autotune_bot.search.space import Point, Space

__all__ = [
    "Candidate",
    "Evaluate",
    "Evaluation",
    "SearchResult",
    "plan_budget",
    "run_search",
    "run_searcher",
]

Evaluate = Callable[[dict[str, Any], np.random.Generator], Outcome]


@dataclass(frozen=True, slots=True)
class Evaluation:
    index: int  # 1-based position in the budget
    point: Point
    outcome: Outcome
    value: float
    feasible: bool
    fresh: bool  # a re-evaluation of a shortlisted point (not shown to the searcher)


@dataclass(frozen=True, slots=True)
class Candidate:
    point: Point
    outcome: Outcome  # pooled fresh evaluations (current point: baseline + its evaluations)
    value: float
    feasible: bool
    evaluations: int
    stderr: float  # standard error of the value over the evaluations (inf: fewer than two)


@dataclass(frozen=True)
class SearchResult:
    searcher: str
    current: Point
    history: tuple[Evaluation, ...]
    shipped: Point
    shipped_outcomes: tuple[Outcome, ...]  # the evaluations the shipping decision rests on
    candidates: tuple[Candidate, ...]
    first_visit: Mapping[Point, int] = field(default_factory=dict)
    pareto: tuple[tuple[Point, Outcome], ...] = ()

    @property
    def evaluations(self) -> int:
        return len(self.history)

    @property
    def changed(self) -> bool:
        return self.shipped != self.current


def plan_budget(
    budget: int, reserve: float, shortlist: int, reevaluations: int | None
) -> tuple[int, int]:
    """(search evaluations, re-evaluations) for a total ``budget``."""
    if budget < 1:
        raise ValueError("the budget must allow at least one evaluation")
    if not 0.0 <= reserve < 1.0:
        raise ValueError("reserve must be within [0, 1)")
    kept = math.floor(reserve * budget) if shortlist > 0 else 0
    if reevaluations is not None:
        kept = min(kept, shortlist * max(0, reevaluations))
    kept = min(kept, budget - 1)
    return budget - kept, kept


def run_search(
    space: Space,
    evaluate: Evaluate,
    searcher_name: str,
    budget: int,
    rng: np.random.Generator,
    objective: Objective,
    *,
    shortlist: int = 3,
    reevaluations: int | None = None,
    reserve: float = 0.3,
    confidence: float = 1.0,
    options: Mapping[str, Any] | None = None,
) -> SearchResult:
    """Search ``space`` with the registered searcher ``searcher_name`` (see module docstring)."""
    try:
        cls = SEARCHERS[searcher_name]
    except KeyError:
        known = ", ".join(SEARCHERS)
        raise ValueError(f"unknown searcher {searcher_name!r}; known: {known}") from None
    search_budget, _ = plan_budget(budget, reserve, shortlist, reevaluations)
    searcher_rng, eval_rng = rng.spawn(2)
    searcher = cls(space, searcher_rng, budget=search_budget, **dict(options or {}))
    return run_searcher(
        searcher,
        evaluate,
        budget,
        eval_rng,
        objective,
        name=searcher_name,
        shortlist=shortlist,
        reevaluations=reevaluations,
        reserve=reserve,
        confidence=confidence,
    )


def run_searcher(
    searcher: Searcher,
    evaluate: Evaluate,
    budget: int,
    rng: np.random.Generator,
    objective: Objective,
    *,
    name: str = "",
    shortlist: int = 3,
    reevaluations: int | None = None,
    reserve: float = 0.3,
    confidence: float = 1.0,
) -> SearchResult:
    """Drive an already-built searcher; ``rng`` feeds the evaluations only."""
    space = searcher.space
    search_budget, _ = plan_budget(budget, reserve, shortlist, reevaluations)
    history: list[Evaluation] = []
    first_visit: dict[Point, int] = {}

    def run(point: Point, fresh: bool) -> Evaluation:
        outcome = evaluate(space.values(point), rng)
        value, feasible = objective(outcome)
        ev = Evaluation(len(history) + 1, point, outcome, value, feasible, fresh)
        history.append(ev)
        first_visit.setdefault(point, ev.index)
        return ev

    while len(history) < search_budget:
        point = searcher.ask()
        if point is None:
            break
        ev = run(point, fresh=False)
        searcher.tell(point, ev.value, ev.feasible, slack=objective.slack(ev.outcome))

    left = budget - len(history)
    current = space.current
    fresh = shortlist > 0 and left > 0 and len(first_visit) > 1
    chosen = _reevaluate(searcher.shortlist(shortlist), left, run) if fresh else _observed(history)
    chosen[current] = [e for e in history if e.point == current]  # all: no selection bias
    candidates = [_score(objective, p, evs, None) for p, evs in chosen.items() if p != current]
    # "no change" is judged on the baseline's runs plus every evaluation of the current point
    no_change = _score(objective, current, chosen[current], objective.baseline)
    candidates.append(no_change)
    z = confidence if fresh else 0.0  # the naive rule has one observation per point

    def beats_no_change(c: Candidate) -> bool:
        return c.feasible and c.value + (z * c.stderr if z > 0 else 0.0) < no_change.value

    best = min(
        (c for c in candidates if c is no_change or beats_no_change(c)), key=lambda c: c.value
    )
    shipped_evs = chosen[best.point]
    pooled = {p: Outcome.pool(e.outcome for e in history if e.point == p) for p in first_visit}
    return SearchResult(
        searcher=name or type(searcher).__name__,
        current=current,
        history=tuple(history),
        shipped=best.point,
        shipped_outcomes=tuple(e.outcome for e in shipped_evs),
        candidates=tuple(candidates),
        first_visit=first_visit,
        pareto=tuple(pareto_front(list(pooled.items()))),
    )


def _reevaluate(
    shortlist: list[Point], left: int, run: Callable[[Point, bool], Evaluation]
) -> dict[Point, list[Evaluation]]:
    """Fresh evaluations of the shortlist, round-robin, most promising first."""
    fresh: dict[Point, list[Evaluation]] = {p: [] for p in dict.fromkeys(shortlist)}
    order = list(fresh)
    for i in range(left):
        p = order[i % len(order)]
        fresh[p].append(run(p, True))
    return {p: evs for p, evs in fresh.items() if evs}


def _observed(history: list[Evaluation]) -> dict[Point, list[Evaluation]]:
    out: dict[Point, list[Evaluation]] = {}
    for e in history:
        out.setdefault(e.point, []).append(e)
    return out


def _score(
    objective: Objective, point: Point, evs: list[Evaluation], baseline: Outcome | None
) -> Candidate:
    """A candidate scored on its evaluations (pooled with ``baseline``: the current point)."""
    runs = [e.outcome for e in evs] if baseline is None else [baseline, *(e.outcome for e in evs)]
    outcome = Outcome.pool(runs)
    value, feasible = objective(outcome)
    values = np.array([e.value for e in evs], dtype=float)
    stderr = math.inf
    if len(values) >= 2 and np.isfinite(values).all():
        stderr = float(values.std(ddof=1)) / math.sqrt(len(values))
    # the current point is always shippable: it stands for "no change"
    return Candidate(point, outcome, value, feasible or baseline is not None, len(evs), stderr)
