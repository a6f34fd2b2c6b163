"""Team sizing: drop the members whose contribution the recorded data shows to be nil."""

from __future__ import annotations

import dataclasses
from typing import ClassVar

import numpy as np

from autotune_bot.analysis.profile import MemberProfile
from autotune_bot.search.space import Dimension
from autotune_bot.strategies.base import Proposal, TeamStrategy, TeamTarget
from autotune_bot.strategies.options import int_option
from autotune_bot.strategies.team_dependencies import removable_members
from autotune_bot.strategies.team_evidence import member_spec, percent, signed_interval, where
from autotune_bot.strategies.team_usage import member_samples
from autotune_bot.tuning.config import TeamConfig
from autotune_bot.tuning.dimension_names import MEMBERS
from autotune_bot.tuning.suggestion import OptimizationType

__all__ = ["TeamSizingStrategy"]


class TeamSizingStrategy(TeamStrategy):
    """Remove members the ``oversized_team`` finding names: members that failed often
    enough to judge, while the team succeeded as often when they failed as when they did
    not (the upper bound of the difference is below ``member_nil_effect``), in a team where
    other members' failures do lower its success.

    A member is kept when another member that stays reads its output (``input_from`` or its
    goal text), when it is the team's manager, or when removing it would leave fewer than
    ``min_members`` members (members with the largest share of member time go first).

    Options (``strategies.team_sizing.options``):

    - ``min_members`` (2): fewest members a team keeps.
    """

    name: ClassVar[str] = "team_sizing"
    optimization_type: ClassVar[OptimizationType] = OptimizationType.TEAM_SIZING
    options: ClassVar[dict[str, str]] = {
        "min_members": "fewest members the team keeps (default 2)",
    }
    risk_level: ClassVar[float] = 0.25

    def _removable(self, target: TeamTarget) -> tuple[str, ...]:
        team = target.node.team
        if team is None:
            return ()
        min_members = int_option(target.options, self.name, "min_members", 2, low=1)
        current = target.current.members
        protected = {m.id for m in team.members if m.is_manager} | {target.current.manager}
        nil = [
            member
            for insight in target.report.insights
            if insight.bottleneck == "oversized_team"
            for member in insight.affected
            if member in current and member not in protected
        ]
        removable = removable_members(team, nil)
        room = max(0, len(current) - min_members)
        if len(removable) > room:
            share = {p.member_id: p.time_share for p in target.report.profile.members}
            ranked = sorted(removable, key=lambda m: -np.nan_to_num(share.get(m, 0.0)))
            chosen = set(ranked[:room])
            removable = tuple(m for m in removable if m in chosen)
        return removable

    @staticmethod
    def _without(current: TeamConfig, removed: set[str]) -> TeamConfig:
        return dataclasses.replace(
            current,
            members=tuple(m for m in current.members if m not in removed),
            budget_multipliers=tuple(p for p in current.budget_multipliers if p[0] not in removed),
            sub_teams=tuple(
                g for g in (tuple(m for m in g if m not in removed) for g in current.sub_teams) if g
            ),
        )

    def propose(self, target: TeamTarget) -> list[Proposal]:
        removable = self._removable(target)
        if not removable:
            return []
        candidate = self._without(target.current, set(removable))
        profiles = {p.member_id: p for p in target.report.profile.members}
        evidence: list[str] = []
        for member in removable:
            evidence.extend(self._member_evidence(target, member, profiles.get(member)))
        contributors = [
            p
            for p in target.report.profile.members
            if p.success_dependence is not None and p.success_dependence.low > 0.0
        ]
        if contributors:
            first = contributors[0]
            assert first.success_dependence is not None
            evidence.append(
                "The team's success does depend on "
                + ", ".join(p.member_id for p in contributors)
                + f" (e.g. {first.member_id}: {signed_interval(first.success_dependence)})."
            )
        before, after = len(target.current.members), len(candidate.members)
        return [
            Proposal(
                type=self.optimization_type,
                description=(
                    f"Remove {', '.join(removable)} from {target.team_id} "
                    f"({before} → {after} members)"
                ),
                candidate=candidate,
                risk_level=self.risk_level,
                evidence=tuple(evidence),
                insights=("oversized_team",),
            )
        ]

    @staticmethod
    def _member_evidence(target: TeamTarget, member: str, p: MemberProfile | None) -> list[str]:
        spec = member_spec(target, member)
        spot = where(target, spec.line if spec is not None else None)
        if p is None or p.success_dependence is None:
            return [f"{member} ({spot}) is named by the oversized_team finding."]
        s = member_samples(target, member)
        known = s.team_success >= 0
        with_ok = s.team_success[known & (s.success == 1)] == 1
        with_failed = s.team_success[known & (s.success == 0)] == 1
        limit = target.settings.analysis.thresholds.member_nil_effect
        return [
            f"{member} ({spot}) failed {p.failures} of {p.runs} executions "
            f"({percent(p.failures / p.runs)}); the team succeeded "
            f"{percent(float(with_ok.mean()))} of the time when {member} succeeded and "
            f"{percent(float(with_failed.mean()))} when it failed: difference "
            f"{signed_interval(p.success_dependence)}, below the "
            f"{100 * limit:g}-point effect that would count.",
            f"{member} made {p.mean_tool_calls:.1f} tool calls per execution "
            f"({percent(np.nan_to_num(p.tool_share))} of the team's) and took "
            f"{percent(np.nan_to_num(p.time_share))} of member time; no remaining member reads "
            "its output (input_from or goal text).",
        ]

    def dimensions(self, target: TeamTarget) -> list[Dimension]:
        removable = self._removable(target)
        if not removable:
            return []
        team = target.node.team
        assert team is not None
        choices = [target.current.members]
        for member in removable:
            if removable_members(team, [member]) == (member,):
                choices.append(self._without(target.current, {member}).members)
        choices.append(self._without(target.current, set(removable)).members)
        unique = tuple(dict.fromkeys(choices))
        return [Dimension(MEMBERS, unique, 0)]
