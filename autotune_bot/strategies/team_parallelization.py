"""Parallelization into sub-teams: a sequential team whose members fall into groups that
read nothing from one another becomes a hierarchical team — a manager and one sub-team per
group, the groups working side by side."""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass
from typing import ClassVar

import numpy as np

from autotune_bot.search.space import Dimension
from autotune_bot.strategies.base import Proposal, TeamStrategy, TeamTarget
from autotune_bot.strategies.options import float_option, int_option
from autotune_bot.strategies.team_dependencies import follows_file_order, worker_groups
from autotune_bot.strategies.team_evidence import field_where, percent, team_insights, where
from autotune_bot.strategies.team_usage import duration_matrix
from autotune_bot.tuning.dimension_names import HIERARCHY
from autotune_bot.tuning.suggestion import OptimizationType
from autotune_bot.workflow.dataflow import members_independent
from autotune_bot.workflow.model import MemberSpec, TeamSpec

__all__ = ["ParallelizationStrategy", "find_manager"]

_LEAD_WORDS = re.compile(
    r"\b(lead|leader|manager|editor|coordinator|supervisor|orchestrator|chief)\b", re.IGNORECASE
)
_SPLITTABLE = ("sequential", "pipeline")


def find_manager(team: TeamSpec) -> tuple[MemberSpec, str] | None:
    """The member that can manage the team, and why: the first with ``is_manager``, else
    the first whose role or id reads as a lead (lead, manager, editor, coordinator, …)."""
    for member in team.members:
        if member.is_manager:
            return member, "is_manager: true"
    for member in team.members:
        for text, what in ((member.role, "role"), (member.id.replace("_", " "), "id")):
            if text and _LEAD_WORDS.search(text):
                return member, f"its {what} reads as a lead ({text!r})"
    return None


@dataclass(frozen=True)
class _Plan:
    manager: MemberSpec
    why: str
    groups: tuple[tuple[str, ...], ...]
    runs: int
    current_mean: float
    predicted_mean: float

    @property
    def saving(self) -> float:
        return 1.0 - self.predicted_mean / self.current_mean


class ParallelizationStrategy(TeamStrategy):
    """Split a sequential or pipeline team into parallel sub-teams under a manager.

    Applies to a team of at least ``min_members`` members whose dependency structure
    (``input_from`` and goal text) splits the members other than the manager into two or
    more groups that read nothing from one another. The manager is an existing member (see
    :func:`find_manager`); without one nothing is proposed — no member is invented. Teams
    whose members are all independent are left to the formation-selection strategy
    (``parallel`` is the simpler change).

    The saving is measured run by run from the recorded member durations: the run's
    duration minus its workers' summed time plus the longest group's summed time (manager
    and coordination time unchanged); the proposal needs ``analysis.min_samples`` runs with
    every member timed and a mean saving of at least ``min_saving``.

    Options (``strategies.parallelization.options``):

    - ``min_members`` (4): smallest team considered.
    - ``min_saving`` (0.2): smallest predicted share of the team's time saved.
    """

    name: ClassVar[str] = "parallelization"
    optimization_type: ClassVar[OptimizationType] = OptimizationType.PARALLELIZATION
    options: ClassVar[dict[str, str]] = {
        "min_members": "smallest team split into sub-teams (default 4)",
        "min_saving": "smallest predicted share of the team's time saved (default 0.2)",
    }
    risk_level: ClassVar[float] = 0.7

    def _plan(self, target: TeamTarget) -> _Plan | None:
        team = target.node.team
        if team is None or target.current.formation not in _SPLITTABLE:
            return None
        min_members = int_option(target.options, self.name, "min_members", 4, low=3)
        min_saving = float_option(target.options, self.name, "min_saving", 0.2, low=0.0, high=1.0)
        members = target.current.members
        if len(members) < min_members or len(set(members)) != len(team.members):
            return None
        if members_independent(team) or not follows_file_order(team):
            return None
        found = find_manager(team)
        if found is None:
            return None
        manager, why = found
        groups = worker_groups(team, manager.id)
        if len(groups) < 2:
            return None
        workers = tuple(m for g in groups for m in g)
        team_d, matrix = duration_matrix(target, workers)
        if team_d.size < target.settings.analysis.min_samples:
            return None
        longest = np.zeros(team_d.size)
        start = 0
        for group in groups:
            longest = np.maximum(longest, matrix[:, start : start + len(group)].sum(axis=1))
            start += len(group)
        predicted = team_d - matrix.sum(axis=1) + longest
        plan = _Plan(
            manager, why, groups, int(team_d.size), float(team_d.mean()), float(predicted.mean())
        )
        return plan if plan.saving >= min_saving else None

    def propose(self, target: TeamTarget) -> list[Proposal]:
        plan = self._plan(target)
        team = target.node.team
        if plan is None or team is None:
            return []
        listed = "; ".join(" → ".join(g) for g in plan.groups)
        evidence = (
            f"{target.team_id} runs {target.current.formation} "
            f"({field_where(target, team.formation)}) with {len(target.current.members)} members.",
            f"Manager: {plan.manager.id} ({where(target, plan.manager.line)}), because {plan.why}.",
            f"The other members form {len(plan.groups)} groups that read nothing from one "
            f"another (input_from, goal text): {listed}.",
            f"Over {plan.runs} executions with every member timed, the team took "
            f"{plan.current_mean:.1f} s on average; with the groups side by side it would take "
            f"≈ {plan.predicted_mean:.1f} s ({percent(plan.saving)} less), assuming the manager "
            "and coordination time stay the same.",
        )
        candidate = dataclasses.replace(
            target.current,
            formation="hierarchical",
            manager=plan.manager.id,
            sub_teams=plan.groups,
        )
        insights = team_insights(
            target, lambda b: b == "slow_execution" or b.startswith("suboptimal_formation_")
        )
        return [
            Proposal(
                type=self.optimization_type,
                description=(
                    f"Split {target.team_id} into {len(plan.groups)} parallel sub-teams "
                    f"under {plan.manager.id}"
                ),
                candidate=candidate,
                risk_level=self.risk_level,
                evidence=evidence,
                insights=insights,
            )
        ]

    def dimensions(self, target: TeamTarget) -> list[Dimension]:
        plan = self._plan(target)
        if plan is None:
            return []
        split = (plan.manager.id, plan.groups)
        return [Dimension(HIERARCHY, (None, split), 0, "categorical")]
