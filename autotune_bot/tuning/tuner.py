"""The tuning core: an analysis in, a plan of suggestions out.

For every tunable team and workflow: the enabled strategies propose candidates, each becomes a
suggestion with exact YAML changes and a model estimate (:mod:`autotune_bot.tuning.realize`),
and the search explores the joint space the strategies open (:mod:`.joint_search`); its shipped
configuration becomes the target's ``best`` suggestion when it changes anything. Pure: the only
randomness is a generator seeded from ``search.seed`` and the target's name, so a target's
result does not depend on which other targets were tuned.
"""

from __future__ import annotations

import dataclasses
import math
import zlib
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from autotune_bot.analysis.analyzer import AnalysisReport
from autotune_bot.errors import UsageError
from autotune_bot.metrics.columns import MetricsStore
from autotune_bot.model.simulated import Refusal
from autotune_bot.search.registry import SEARCHERS
from autotune_bot.search.space import Dimension
from autotune_bot.settings import Settings
from autotune_bot.strategies.base import (
    OptimizationStrategy,
    TeamStrategy,
    TeamTarget,
    WorkflowStrategy,
    WorkflowTarget,
)
from autotune_bot.strategies.registry import STRATEGIES
from autotune_bot.strategies.settings_check import check_strategy_settings
from autotune_bot.tuning.bindings import Binding, bind_team, bind_workflow, prices_for
from autotune_bot.tuning.describe import describe_values
from autotune_bot.tuning.joint_search import search_target
from autotune_bot.tuning.plain_config import plain_team_config, plain_workflow_config
from autotune_bot.tuning.plan_types import TargetPlan, TuningPlan
from autotune_bot.tuning.realize import UNMEASURED_QUALITY, Draft, realize
from autotune_bot.tuning.scoring import scorer_for
from autotune_bot.tuning.suggestion import OptimizationSuggestion, OptimizationType
from autotune_bot.tuning.targets import TeamSite, WorkflowSite, team_sites, workflow_sites
from autotune_bot.validation.plan_constraints import (
    allowed_dimensions,
    screen_suggestions,
    within_constraints,
)
from autotune_bot.workflow.model import WorkflowFile

__all__ = ["TunerOptions", "default_strategies", "plan_tuning", "rank"]


@dataclass(frozen=True)
class TunerOptions:
    search: bool = True
    algorithm: str | None = None  # default: search.algorithm of the settings
    max_evaluations: int | None = None  # default: search.max_evaluations
    seed: int | None = None  # default: search.seed
    strategies: Sequence[OptimizationStrategy] | None = None  # default: enabled built-ins
    settings_source: str | None = None  # where the settings came from, for error messages


def default_strategies(settings: Settings) -> list[OptimizationStrategy]:
    """Every registered strategy that ``.autotune.yml`` does not disable."""
    return [
        cls()
        for name, cls in STRATEGIES.items()
        if name not in settings.strategies or settings.strategies[name].enabled
    ]


def rank(suggestions: Sequence[OptimizationSuggestion]) -> list[OptimizationSuggestion]:
    """Most urgent first: priority, then expected improvement × confidence."""

    def key(s: OptimizationSuggestion) -> tuple[int, float]:
        gain = s.expected_improvement * s.confidence
        return (s.priority.rank, -gain if math.isfinite(gain) else math.inf)

    return sorted(suggestions, key=key)


def _rng(seed: int, scope: str, name: str) -> np.random.Generator:
    return np.random.default_rng([seed, zlib.crc32(f"{scope}:{name}".encode())])


def _options(settings: Settings, name: str) -> dict[str, Any]:
    found = settings.strategies.get(name)
    return dict(found.options) if found is not None else {}


def _draft(strategy: TeamStrategy | WorkflowStrategy, proposal: Any) -> Draft:
    return Draft(
        type=proposal.type,
        strategy=strategy.name,
        description=proposal.description,
        candidate=proposal.candidate,
        risk_level=proposal.risk_level,
        evidence=proposal.evidence,
        insights=proposal.insights,
        estimate=proposal.estimate,
    )


@dataclass
class _Work:
    drafts: list[Draft]
    custom: list[OptimizationSuggestion]
    dimensions: list[Dimension]
    risks: dict[str, float]  # dimension name → highest risk of a strategy opening it
    unmeasured: set[str]  # dimensions whose effect on quality the data cannot show


def _collect(
    strategies: Sequence[OptimizationStrategy],
    make_target: Any,
    plain: dict[str, Any],
    insights: Sequence[Any],
    scope: type[TeamStrategy] | type[WorkflowStrategy],
) -> _Work:
    work = _Work([], [], [], {}, set())
    for strategy in strategies:
        if isinstance(strategy, TeamStrategy | WorkflowStrategy):
            if not isinstance(strategy, scope):
                continue
            target = make_target(strategy.name)
            proposals = strategy.propose(target)
            for proposal in proposals:
                work.drafts.append(_draft(strategy, proposal))
            unmeasured = strategy.optimization_type in UNMEASURED_QUALITY
            if unmeasured and not target.settings.search.include_unmeasured:
                continue
            declared = getattr(strategy, "risk_level", None)
            risk = (
                float(declared)
                if isinstance(declared, int | float)
                else max((p.risk_level for p in proposals), default=0.5)
            )
            for dim in allowed_dimensions(strategy.dimensions(target), target):
                work.dimensions.append(dim)
                work.risks[dim.name] = max(work.risks.get(dim.name, 0.0), risk)
                if unmeasured:
                    work.unmeasured.add(dim.name)
        elif scope is TeamStrategy:  # custom strategies get the team's plain configuration
            label = strategy.name or type(strategy).__name__
            for made in strategy.suggest(list(insights), dict(plain)):
                work.custom.append(
                    made if made.strategy else dataclasses.replace(made, strategy=label)
                )
    return work


def _plan_target(
    site: TeamSite | WorkflowSite,
    binding: Binding,
    work: _Work,
    settings: Settings,
    options: TunerOptions,
    rng: np.random.Generator,
) -> TargetPlan:
    suggestions, notes = screen_suggestions(work.custom, site.file, settings.constraints)
    seen: dict[Any, int] = {}
    for draft in work.drafts:
        made, unchecked = within_constraints(
            realize(draft, site, binding, settings, rng), site.file, settings.constraints
        )
        notes += unchecked
        if isinstance(made, str):
            notes.append(made)
            continue
        if made.candidate in seen:  # two strategies, same change: keep the first
            notes.append(
                f"{draft.strategy}: same change as {suggestions[seen[made.candidate]].strategy}"
            )
            continue
        seen[made.candidate] = len(suggestions)
        suggestions.append(made)
    best, summary = None, None
    if options.search and work.dimensions:
        every = np.arange(len(binding))
        now = binding.simulate(binding.current, every, rng)  # type: ignore[arg-type]
        scorer = None if isinstance(now, Refusal) else scorer_for(now, settings)
        if scorer is None:
            notes.append("search skipped: the current configuration cannot be simulated")
        else:
            algorithm = options.algorithm or settings.search.algorithm
            budget = options.max_evaluations or settings.search.max_evaluations
            found = search_target(
                binding, work.dimensions, scorer, algorithm=algorithm, budget=budget, rng=rng
            )
            if found is not None:
                summary = found.summary
                if found.candidate != binding.current:
                    changed = list(found.summary.shipped)
                    draft = Draft(
                        type=OptimizationType.COMBINED,
                        strategy=f"search:{algorithm}",
                        description="Best configuration found by the search: "
                        + describe_values(found.summary.shipped),
                        candidate=found.candidate,
                        risk_level=max((work.risks.get(n, 0.5) for n in changed), default=0.5),
                        quality_unmeasured=any(n in work.unmeasured for n in changed),
                        evidence=(
                            f"{algorithm} search: {found.summary.evaluations} evaluations over "
                            f"{found.summary.space_size:,} configurations",
                            found.summary.basis,
                        ),
                    )
                    made, unchecked = within_constraints(
                        realize(draft, site, binding, settings, rng),
                        site.file,
                        settings.constraints,
                    )
                    notes += unchecked
                    if isinstance(made, str):
                        notes.append(f"search result dropped: {made}")
                    else:
                        best = made
    if isinstance(site, TeamSite):
        scope, target, location = "team", site.report.team_id, site.report.location
        node = site.node
    else:
        scope, target, node = "workflow", site.workflow.name, None
        location = f"{site.workflow.path}:{site.workflow.line}"
    return TargetPlan(
        scope=scope,  # type: ignore[arg-type]
        target=target,
        file=site.workflow.path,
        location=location,
        suggestions=tuple(rank(suggestions)),
        best=best,
        search=summary,
        notes=tuple(notes),
        workflow=site.workflow,
        node=node,
        current=binding.current,
    )


def plan_tuning(
    report: AnalysisReport,
    workflows: Sequence[WorkflowFile],
    store: MetricsStore,
    settings: Settings,
    options: TunerOptions = TunerOptions(),
) -> TuningPlan:
    check_strategy_settings(settings, options.settings_source)
    algorithm = options.algorithm or settings.search.algorithm
    if algorithm not in SEARCHERS:
        raise UsageError(
            f"unknown search algorithm {algorithm!r}; known: {', '.join(SEARCHERS)}",
            field="--algorithm" if options.algorithm else "search.algorithm",
        )
    strategies = (
        list(options.strategies) if options.strategies is not None else default_strategies(settings)
    )
    seed = options.seed if options.seed is not None else settings.search.seed
    teams, notes = team_sites(report, workflows, settings)
    flows, flow_notes = workflow_sites(report, workflows, settings.constraints)
    notes += flow_notes
    targets: list[TargetPlan] = []
    for team in teams:
        binding = bind_team(team, store, settings)

        def make_team(name: str, team: TeamSite = team, binding: Any = binding) -> TeamTarget:
            return TeamTarget(
                team.report.team_id,
                team.workflow,
                team.node,
                team.report,
                store,
                settings,
                binding.current,
                _options(settings, name),
            )

        work = _collect(
            strategies,
            make_team,
            plain_team_config(binding.current),
            team.report.insights,
            TeamStrategy,
        )
        rng = _rng(seed, "team", team.report.team_id)
        targets.append(_plan_target(team, binding, work, settings, options, rng))
    prices = prices_for(store, settings) if flows else None
    for flow in flows:
        assert prices is not None
        wbinding = bind_workflow(flow, store, settings, prices)

        def make_flow(name: str, flow: WorkflowSite = flow, b: Any = wbinding) -> WorkflowTarget:
            return WorkflowTarget(
                flow.workflow,
                b.graph,
                flow.report,
                store,
                settings,
                b.current,
                _options(settings, name),
            )

        work = _collect(
            strategies,
            make_flow,
            plain_workflow_config(wbinding.current),
            flow.report.insights,
            WorkflowStrategy,
        )
        rng = _rng(seed, "workflow", flow.workflow.name)
        targets.append(_plan_target(flow, wbinding, work, settings, options, rng))
    return TuningPlan(tuple(targets), tuple(notes))
