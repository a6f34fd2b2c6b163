"""Tool budget: a team's ``total_tool_budget`` from the tool calls of its successful runs."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import ClassVar

import numpy as np

from autotune_bot.search.space import Dimension
from autotune_bot.strategies.base import Proposal, TeamStrategy, TeamTarget
from autotune_bot.strategies.options import float_option, int_option
from autotune_bot.strategies.team_caps import LimitHits, UsageCap, limit_hits, nice_ceil, usage_cap
from autotune_bot.strategies.team_evidence import (
    field_where,
    percent,
    signed_interval,
    team_insights,
)
from autotune_bot.strategies.team_usage import RunSamples, run_samples
from autotune_bot.tuning.dimension_names import TOTAL_TOOL_BUDGET
from autotune_bot.tuning.suggestion import OptimizationType

__all__ = ["ToolBudgetStrategy"]


@dataclass(frozen=True)
class _Settings:
    headroom: float
    min_reduction: float
    max_cut_share: float
    raise_step: float
    min_failures: int


@dataclass(frozen=True)
class _Plan:
    current: int
    value: int
    runs: RunSamples
    cap: UsageCap
    hits: LimitHits | None  # set when raising
    settings: _Settings


class ToolBudgetStrategy(TeamStrategy):
    """Lower ``total_tool_budget`` to what successful runs use plus headroom, or raise it
    when failures pile up at the budget.

    Lowering: the cap is the largest number of tool calls of a successful run (or, when
    ``max_cut_share`` > 0, the upper confidence bound of the matching upper quantile) ×
    (1 + ``headroom``), rounded up to a readable number; it is proposed when it is at least
    ``min_reduction`` below the current budget and would have cut no more than
    ``max_cut_share`` of the recorded successful runs. Raising: when executions that used
    the whole budget fail significantly more often than the others (at least
    ``min_failures_at_cap`` such failures), the budget grows by ``raise_step``.

    Per-member ``tool_budget`` values are left to the member-selection strategy, which
    tunes them with ``tool_budget_multiplier``.

    Options (``strategies.tool_budget.options``):

    - ``headroom`` (0.2): share added to successful usage.
    - ``min_reduction`` (0.15): smallest relative reduction worth a proposal.
    - ``max_cut_share`` (0.0): share of successful runs the new cap may cut.
    - ``raise_step`` (0.5): relative increase when failures pile up at the budget.
    - ``min_failures_at_cap`` (5): failures at the budget needed before raising it.
    """

    name: ClassVar[str] = "tool_budget"
    optimization_type: ClassVar[OptimizationType] = OptimizationType.TOOL_BUDGET
    options: ClassVar[dict[str, str]] = {
        "headroom": "share added to successful runs' usage (default 0.2)",
        "min_reduction": "smallest relative reduction worth proposing (default 0.15)",
        "max_cut_share": "share of successful runs the new cap may cut (default 0)",
        "raise_step": "relative increase when failures pile up at the budget (default 0.5)",
        "min_failures_at_cap": "failures at the budget needed before raising it (default 5)",
    }
    risk_level: ClassVar[float] = 0.2

    def _settings(self, target: TeamTarget) -> _Settings:
        o = target.options
        return _Settings(
            headroom=float_option(o, self.name, "headroom", 0.2, low=0.0, high=10.0),
            min_reduction=float_option(o, self.name, "min_reduction", 0.15, low=0.0, high=0.99),
            max_cut_share=float_option(o, self.name, "max_cut_share", 0.0, low=0.0, high=0.5),
            raise_step=float_option(o, self.name, "raise_step", 0.5, low=0.01, high=10.0),
            min_failures=int_option(o, self.name, "min_failures_at_cap", 5, low=1),
        )

    def _plan(self, target: TeamTarget) -> _Plan | None:
        if target.node.team is None:
            return None
        s = self._settings(target)
        current = target.current.total_tool_budget
        runs = run_samples(target)
        calls = runs.tool_calls[runs.successful]
        confidence = target.settings.analysis.confidence
        cap = usage_cap(calls, s.headroom, s.max_cut_share, confidence)
        if cap is None or cap.n < target.settings.analysis.min_samples:
            return None
        if cap.value <= current * (1.0 - s.min_reduction) and cap.cut_share <= s.max_cut_share:
            return _Plan(current, cap.value, runs, cap, None, s)
        hits = limit_hits(runs.tool_calls, runs.success, float(current), confidence)
        value = nice_ceil(current * (1.0 + s.raise_step))
        if hits.piles_up(s.min_failures) and value > current:
            return _Plan(current, value, runs, cap, hits, s)
        return None

    def propose(self, target: TeamTarget) -> list[Proposal]:
        plan = self._plan(target)
        if plan is None:
            return []
        assert target.node.team is not None
        spot = field_where(target, target.node.team.total_tool_budget)
        cap = plan.cap
        first = f"{target.team_id} has total_tool_budget: {plan.current} ({spot})."
        usage = (
            f"{cap.n} successful executions used {cap.minimum:g}–{cap.maximum:g} tool calls "
            f"(mean {cap.mean:.1f}, P{100 * cap.quantile.q:g} {cap.quantile.estimate:.1f}"
            + (
                f", {100 * cap.quantile.confidence:g}% upper bound {cap.quantile.high:g})."
                if cap.quantile.supported
                else ")."
            )
        )
        if plan.hits is None:
            evidence = [first, usage, *self._lowering(target, plan)]
            insights = team_insights(target, lambda b: b == "excessive_tool_usage")
        else:
            evidence = [first, usage, *self._raising(plan)]
            insights = team_insights(target, lambda b: b == "low_success_rate")
        return [
            Proposal(
                type=self.optimization_type,
                description=(
                    f"Set {target.team_id} total_tool_budget {plan.current} → {plan.value}"
                ),
                candidate=dataclasses.replace(target.current, total_tool_budget=plan.value),
                risk_level=self.risk_level,
                evidence=tuple(evidence),
                insights=insights,
            )
        ]

    @staticmethod
    def _lowering(target: TeamTarget, plan: _Plan) -> list[str]:
        cap = plan.cap
        basis = "the largest" if cap.base == cap.maximum else "the upper bound of that quantile"
        failed = plan.runs.tool_calls[plan.runs.failed]
        failed = failed[np.isfinite(failed)]
        stopped = int(np.count_nonzero(failed > plan.value))
        lines = [
            f"{basis.capitalize()} ({cap.base:g}) × {1 + cap.headroom:g} = "
            f"{cap.base * (1 + cap.headroom):.1f}, rounded up to {plan.value}: {cap.cut} of "
            f"{cap.n} successful executions ({percent(cap.cut_share)}) used more than "
            f"{plan.value} calls.",
            f"{stopped} of {failed.size} failed executions used more than {plan.value} calls.",
        ]
        team = target.node.team
        assert team is not None
        kept = set(target.current.members)
        budgets = [
            m.tool_budget.value * target.current.multiplier(m.id)
            for m in team.members
            if m.id in kept and isinstance(m.tool_budget.value, int | float)
        ]
        if budgets and sum(budgets) > plan.value:
            lines.append(
                f"The members' own tool budgets add up to {sum(budgets):g}, so the team total "
                f"becomes the binding limit."
            )
        return lines

    @staticmethod
    def _raising(plan: _Plan) -> list[str]:
        hits = plan.hits
        assert hits is not None
        return [
            f"{hits.failed_at_limit} of {hits.at_limit} executions that used the whole budget "
            f"failed, against {hits.failed_below} of {hits.below} below it: failure rate "
            f"difference {signed_interval(hits.difference)}.",
            f"The budget grows by {percent(plan.settings.raise_step)} to {plan.value}; the "
            "calls those runs needed are not recorded, so the estimate is an extrapolation.",
        ]

    def dimensions(self, target: TeamTarget) -> list[Dimension]:
        plan = self._plan(target)
        if plan is None:
            return []
        if plan.hits is None:
            values = {
                v for v in (nice_ceil(plan.value * f) for f in (1.25, 1.5)) if v < plan.current
            }
            values.add(plan.value)
        else:
            values = {plan.value, nice_ceil(plan.current * (1.0 + 2.0 * plan.settings.raise_step))}
        values.add(plan.current)
        ordered = sorted(values)
        return [Dimension(TOTAL_TOOL_BUDGET, tuple(ordered), ordered.index(plan.current))]
