"""Formation selection: switch a team's formation when the recorded data or its member
dependencies say another one fits better."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import ClassVar

import numpy as np
import numpy.typing as npt

from autotune_bot.analysis import stats
from autotune_bot.analysis.profile import TeamProfile
from autotune_bot.search.space import Dimension
from autotune_bot.strategies.base import Proposal, TeamStrategy, TeamTarget
from autotune_bot.strategies.options import bool_option, float_option
from autotune_bot.strategies.team_dependencies import declared_dependencies, follows_file_order
from autotune_bot.strategies.team_evidence import (
    field_where,
    member_spec,
    rate,
    where,
)
from autotune_bot.tuning.dimension_names import FORMATION
from autotune_bot.tuning.suggestion import OptimizationType
from autotune_bot.workflow.dataflow import members_independent
from autotune_bot.workflow.model import TeamSpec

__all__ = ["FormationSelectionStrategy", "supported_formations"]

F64 = npt.NDArray[np.float64]

_FINDING = "suboptimal_formation_"
_SEARCHED = ("sequential", "parallel")  # formations the search may also try once one is proposed


def supported_formations(team: TeamSpec, manager: str | None) -> set[str]:
    """Formations the member dependency structure allows: ``parallel`` and ``consensus``
    only for independent members, ``sequential`` and ``pipeline`` when every member reads
    only members listed before it, ``hierarchical`` when the team has a manager."""
    found: set[str] = set()
    if members_independent(team):
        found |= {"parallel", "consensus"}
    if follows_file_order(team):
        found |= {"sequential", "pipeline"}
    if manager is not None:
        found.add("hierarchical")
    return found


class FormationSelectionStrategy(TeamStrategy):
    """Propose another formation when there is evidence for it, never the current one.

    Evidence, each sufficient on its own:

    - history: an older configuration of the same team ran another formation (one formation
      in all its runs, at least ``analysis.min_samples`` runs) and was significantly faster
      (Welch interval of the log-duration ratio above 1) without a significantly lower
      success rate (Newcombe interval); a formation significantly slower or less successful
      in the history is never proposed on other evidence;
    - the analysis' ``suboptimal_formation_sequential`` / ``_pipeline`` / ``_consensus``
      findings (measured cost of the formation) → ``parallel``;
    - a consensus team that settles in one round in at least ``agreement_share`` of its
      runs (Wilson lower bound) → ``parallel``: it rarely disagrees;
    - a parallel team whose members declare ``input_from`` on each other → ``sequential``:
      run side by side, they never see the output they read.

    A formation is proposed only if the member dependency structure allows it (see
    :func:`supported_formations`).

    Options (``strategies.formation_selection.options``):

    - ``use_history`` (true): use older configurations as evidence.
    - ``agreement_share`` (0.8): share of single-round consensus runs from which a consensus
      team counts as rarely disagreeing.
    """

    name: ClassVar[str] = "formation_selection"
    optimization_type: ClassVar[OptimizationType] = OptimizationType.FORMATION_SELECTION
    options: ClassVar[dict[str, str]] = {
        "use_history": "use older configurations' formations as evidence (default true)",
        "agreement_share": "share of single-round consensus runs meaning the team rarely "
        "disagrees (default 0.8)",
    }
    risk_level: ClassVar[float] = 0.5

    def _cases(self, target: TeamTarget) -> dict[str, _Case]:
        """Formation → its evidence, for every formation with evidence for it."""
        team = target.node.team
        if team is None:
            return {}
        current = target.current.formation
        supported = supported_formations(team, target.current.manager)
        favour: dict[str, _Case] = {}
        against: set[str] = set()
        if bool_option(target.options, self.name, "use_history", True):
            self._history(target, favour, against)
        for insight in target.report.insights:
            if insight.bottleneck == f"{_FINDING}{current}" and current in (
                "sequential",
                "pipeline",
                "consensus",
            ):
                _case(favour, "parallel").add(
                    f"Analysis ({insight.location or where(target)}): {insight.message}.",
                    insight.bottleneck,
                )
        self._agreement(target, favour)
        structural = self._declared_reads(target, team)
        for sentence in structural:
            _case(favour, "sequential").add(sentence)
        return {
            f: case
            for f, case in favour.items()
            if f != current
            and f in supported
            and (f not in against or (f == "sequential" and structural))
        }

    def _history(self, target: TeamTarget, favour: dict[str, _Case], against: set[str]) -> None:
        min_n = target.settings.analysis.min_samples
        confidence = target.settings.analysis.confidence
        now = target.report.profile
        now_d = _durations(target, now)
        now_ok = _outcomes(target, now)
        seen: set[str] = set()
        for older in target.report.older:
            named = [f for f in older.formations if f != "unrecorded"]
            if len(named) != 1 or len(older.formations) != 1 or older.runs < min_n:
                continue
            formation = named[0]
            if formation == target.current.formation or formation in seen:
                continue
            seen.add(formation)
            old_d = _durations(target, older)
            if old_d.size < min_n or now_d.size < min_n:
                continue
            ratio = stats.log_ratio_interval(now_d, old_d, confidence)
            old_ok = _outcomes(target, older)
            diff = stats.newcombe_difference(*old_ok, *now_ok, confidence)
            faster = ratio.low > 1.0
            if faster and diff.high >= 0.0:
                slow = "slow_execution" if _found(target, "slow_execution") else None
                _case(favour, formation).add(
                    f"History: configuration {older.config} ran {formation} "
                    f"({older.runs} executions): median {np.median(old_d):.1f} s against "
                    f"{np.median(now_d):.1f} s now (current / {formation} geometric-mean "
                    f"ratio {ratio.estimate:.2f}, {100 * confidence:g}% interval "
                    f"{ratio.low:.2f}–{ratio.high:.2f}); success "
                    f"{rate(stats.wilson_interval(*old_ok, confidence))} then against "
                    f"{rate(now.success)} now.",
                    slow,
                )
            elif ratio.high < 1.0 or diff.high < 0.0:
                against.add(formation)

    def _agreement(self, target: TeamTarget, favour: dict[str, _Case]) -> None:
        if target.current.formation != "consensus":
            return
        share = float_option(target.options, self.name, "agreement_share", 0.8, low=0.0, high=1.0)
        rounds = target.store.teams.consensus_rounds[target.report.profile.rows]
        rounds = rounds[np.isfinite(rounds)]
        if rounds.size < target.settings.analysis.min_samples:
            return
        single = int(np.count_nonzero(rounds <= 1))
        interval = stats.wilson_interval(
            single, int(rounds.size), target.settings.analysis.confidence
        )
        if interval.low >= share:
            _case(favour, "parallel").add(
                f"{single} of {rounds.size} executions settled in one consensus round "
                f"({rate(interval)}): the team rarely disagrees, so the discussion step "
                "adds time without changing the outcome."
            )

    @staticmethod
    def _declared_reads(target: TeamTarget, team: TeamSpec) -> list[str]:
        if target.current.formation != "parallel":
            return []
        sentences = []
        for member, reads in declared_dependencies(team).items():
            if not reads:
                continue
            spec = member_spec(target, member)
            spot = where(target, spec.line if spec is not None else None)
            sentences.append(
                f"{member} ({spot}) declares input_from {', '.join(sorted(reads))}, but a "
                "parallel team runs its members at the same time on the same input, so it "
                "never receives that output."
            )
        return sentences

    def propose(self, target: TeamTarget) -> list[Proposal]:
        cases = self._cases(target)
        team = target.node.team
        if not cases or team is None:
            return []
        current = target.current.formation
        key = str(team.formation.path[-1]) if team.formation.path else "team_formation"
        first = f"{target.team_id} has {key}: {current} ({field_where(target, team.formation)})."
        proposals = []
        for formation, case in cases.items():
            structure = self._structure(team, formation)
            proposals.append(
                Proposal(
                    type=self.optimization_type,
                    description=f"Switch {target.team_id} {key} {current} → {formation}",
                    candidate=dataclasses.replace(target.current, formation=formation),
                    risk_level=self.risk_level,
                    evidence=(first, *case.reasons, structure),
                    insights=tuple(dict.fromkeys(case.insights)),
                )
            )
        return proposals

    @staticmethod
    def _structure(team: TeamSpec, formation: str) -> str:
        if formation in ("parallel", "consensus"):
            return (
                "No member declares input_from and no goal names another member, so the "
                "members are independent."
            )
        if formation in ("sequential", "pipeline"):
            return "Every member reads only members listed before it, so file order works."
        return "The team has a member marked is_manager."

    def dimensions(self, target: TeamTarget) -> list[Dimension]:
        cases = self._cases(target)
        team = target.node.team
        if not cases or team is None:
            return []
        supported = supported_formations(team, target.current.manager)
        current = target.current.formation
        extra = [f for f in _SEARCHED if f in supported]
        choices = tuple(dict.fromkeys((current, *cases, *extra)))
        return [Dimension(FORMATION, choices, 0, "categorical")]


@dataclass
class _Case:
    """The evidence for one formation: sentences, and the findings it rests on."""

    reasons: list[str] = field(default_factory=list)
    insights: list[str] = field(default_factory=list)

    def add(self, sentence: str, insight: str | None = None) -> None:
        self.reasons.append(sentence)
        if insight is not None:
            self.insights.append(insight)


def _case(cases: dict[str, _Case], formation: str) -> _Case:
    return cases.setdefault(formation, _Case())


def _found(target: TeamTarget, bottleneck: str) -> bool:
    return any(i.bottleneck == bottleneck for i in target.report.insights)


def _durations(target: TeamTarget, profile: TeamProfile) -> F64:
    values = target.store.teams.duration[profile.rows]
    found: F64 = values[np.isfinite(values) & (values > 0)]
    return found


def _outcomes(target: TeamTarget, profile: TeamProfile) -> tuple[int, int]:
    """(successes, runs with a known outcome)."""
    flags = target.store.teams.success[profile.rows]
    return int(np.count_nonzero(flags == 1)), int(np.count_nonzero(flags >= 0))
