"""Member selection: per-member tool budgets (``tool_budget_multiplier``) from each member's
own usage in its successful runs."""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass
from typing import ClassVar

from autotune_bot.search.space import Dimension
from autotune_bot.strategies.base import Proposal, TeamStrategy, TeamTarget
from autotune_bot.strategies.options import float_option, int_option
from autotune_bot.strategies.team_caps import LimitHits, UsageCap, ceil_to, limit_hits, usage_cap
from autotune_bot.strategies.team_evidence import signed_interval, team_insights, where
from autotune_bot.strategies.team_usage import member_samples
from autotune_bot.tuning.dimension_names import BUDGET_MULTIPLIERS
from autotune_bot.tuning.suggestion import OptimizationType
from autotune_bot.workflow.model import MemberSpec

__all__ = ["MemberSelectionStrategy"]

_STEP = 0.05  # multipliers are multiples of this

Multipliers = tuple[tuple[str, float], ...]


@dataclass(frozen=True)
class _Change:
    member: MemberSpec
    budget: float  # the member's tool_budget as written
    old: float
    new: float
    cap: UsageCap
    hits: LimitHits | None  # set when raising


def _multiplier(value: float) -> float:
    return round(ceil_to(value, _STEP), 2)


def _nil_members(target: TeamTarget) -> set[str]:
    return {
        m for i in target.report.insights if i.bottleneck == "oversized_team" for m in i.affected
    }


class MemberSelectionStrategy(TeamStrategy):
    """Give each member a tool budget that fits its own recorded usage.

    A member whose successful runs use a small part of its budget gets a multiplier < 1:
    the largest number of calls of its successful runs × (1 + ``headroom``) ÷ its
    ``tool_budget``, rounded up to 0.05 (never below ``min_multiplier``), proposed when it
    is at least ``min_change`` below the current multiplier. A member whose runs that used
    its whole budget fail significantly more often than its other runs (at least
    ``min_failures_at_cap`` such failures) gets its multiplier raised by ``raise_step``, up
    to ``max_multiplier``. All changes of a team form one proposal.

    Members the analysis found to contribute nothing (``oversized_team``) are left out:
    removing them is the team-sizing strategy's proposal, which works from the same finding,
    so the two proposals combine. This strategy also tunes the per-member budgets for the
    tool-budget strategy, which only sets the team total.

    Options (``strategies.member_selection.options``):

    - ``headroom`` (0.2): share added to a member's successful usage.
    - ``min_change`` (0.15): smallest relative change of a multiplier worth proposing.
    - ``min_multiplier`` (0.25) and ``max_multiplier`` (2.0): bounds of a multiplier.
    - ``raise_step`` (0.5): relative increase for a member failing at its budget.
    - ``min_failures_at_cap`` (5): a member's failures at its budget needed before raising.
    """

    name: ClassVar[str] = "member_selection"
    optimization_type: ClassVar[OptimizationType] = OptimizationType.MEMBER_SELECTION
    options: ClassVar[dict[str, str]] = {
        "headroom": "share added to a member's successful usage (default 0.2)",
        "min_change": "smallest relative change of a multiplier worth proposing (default 0.15)",
        "min_multiplier": "lowest multiplier proposed (default 0.25)",
        "max_multiplier": "highest multiplier proposed (default 2.0)",
        "raise_step": "relative increase for a member failing at its budget (default 0.5)",
        "min_failures_at_cap": "failures at a member's budget needed before raising (default 5)",
    }
    risk_level: ClassVar[float] = 0.45

    def _changes(self, target: TeamTarget) -> list[_Change]:
        team = target.node.team
        if team is None:
            return []
        o = target.options
        headroom = float_option(o, self.name, "headroom", 0.2, low=0.0, high=10.0)
        min_change = float_option(o, self.name, "min_change", 0.15, low=0.0, high=0.99)
        lowest = float_option(o, self.name, "min_multiplier", 0.25, low=_STEP, high=1.0)
        highest = float_option(o, self.name, "max_multiplier", 2.0, low=1.0, high=100.0)
        step = float_option(o, self.name, "raise_step", 0.5, low=0.01, high=10.0)
        min_failures = int_option(o, self.name, "min_failures_at_cap", 5, low=1)
        confidence = target.settings.analysis.confidence
        nil = _nil_members(target)
        kept = set(target.current.members) - nil
        changes: list[_Change] = []
        seen: set[str] = set()
        for member in team.members:
            budget = member.tool_budget.value
            if member.id not in kept or member.id in seen or not isinstance(budget, int | float):
                continue
            seen.add(member.id)
            if isinstance(budget, bool) or not budget > 0:
                continue
            old = target.current.multiplier(member.id)
            samples = member_samples(target, member.id)
            cap = usage_cap(samples.tool_calls[samples.success == 1], headroom, 0.0, confidence)
            if cap is None or cap.n < target.settings.analysis.min_samples:
                continue
            new = max(lowest, _multiplier(cap.base * (1.0 + headroom) / budget))
            if new <= old * (1.0 - min_change):
                changes.append(_Change(member, float(budget), old, new, cap, None))
                continue
            hits = limit_hits(samples.tool_calls, samples.success, budget * old, confidence)
            raised = min(highest, _multiplier(old * (1.0 + step)))
            if hits.piles_up(min_failures) and raised > old * (1.0 + min_change):
                changes.append(_Change(member, float(budget), old, raised, cap, hits))
        return changes

    @staticmethod
    def _multipliers(target: TeamTarget, changes: list[_Change], share: float) -> Multipliers:
        """Current multipliers with a ``share`` of each change applied (0: the current ones)."""
        if share <= 0.0:
            return target.current.budget_multipliers
        values = dict(target.current.budget_multipliers)
        for c in changes:
            values[c.member.id] = (
                c.new if share >= 1.0 else _multiplier(c.old + share * (c.new - c.old))
            )
        return tuple(sorted((k, v) for k, v in values.items() if not math.isclose(v, 1.0)))

    def propose(self, target: TeamTarget) -> list[Proposal]:
        changes = self._changes(target)
        if not changes:
            return []
        evidence = [self._sentence(target, c) for c in changes]
        nil = sorted(_nil_members(target) & set(target.current.members))
        if nil:
            evidence.append(
                f"Left out: {', '.join(nil)}, whose contribution the analysis found to be nil "
                "(oversized_team); removing it is the team-sizing proposal."
            )
        listed = ", ".join(f"{c.member.id} {c.new:g}" for c in changes)
        lowered = any(c.hits is None for c in changes)
        raised = any(c.hits is not None for c in changes)
        insights = team_insights(
            target,
            lambda b: (
                (lowered and b == "excessive_tool_usage") or (raised and b == "low_success_rate")
            ),
        )
        candidate = dataclasses.replace(
            target.current, budget_multipliers=self._multipliers(target, changes, 1.0)
        )
        return [
            Proposal(
                type=self.optimization_type,
                description=f"Set {target.team_id} member tool_budget_multiplier: {listed}",
                candidate=candidate,
                risk_level=self.risk_level,
                evidence=tuple(evidence),
                insights=insights,
            )
        ]

    @staticmethod
    def _sentence(target: TeamTarget, c: _Change) -> str:
        default = "" if c.member.tool_budget.present else " (the default)"
        head = (
            f"{c.member.id} ({where(target, c.member.line)}) has tool_budget {c.budget:g}"
            f"{default} × multiplier {c.old:g} = {c.budget * c.old:g}"
        )
        if c.hits is None:
            return (
                f"{head}; in its {c.cap.n} successful runs it used at most {c.cap.maximum:g} "
                f"calls (mean {c.cap.mean:.1f}); {c.cap.maximum:g} × {1 + c.cap.headroom:g} = "
                f"{c.cap.maximum * (1 + c.cap.headroom):.1f} gives multiplier {c.new:g} "
                f"(a budget of {c.budget * c.new:g})."
            )
        h = c.hits
        return (
            f"{head}; {h.failed_at_limit} of its {h.at_limit} runs that used the whole budget "
            f"failed, against {h.failed_below} of {h.below} below it (difference "
            f"{signed_interval(h.difference)}): multiplier {c.old:g} → {c.new:g}."
        )

    def dimensions(self, target: TeamTarget) -> list[Dimension]:
        changes = self._changes(target)
        if not changes:
            return []
        choices = dict.fromkeys(
            self._multipliers(target, changes, share) for share in (0.0, 0.5, 1.0)
        )
        return [Dimension(BUDGET_MULTIPLIERS, tuple(choices), 0)]
