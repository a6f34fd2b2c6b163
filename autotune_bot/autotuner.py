"""The optimisation API named in the design documents.

    from autotune_bot import PerformanceAutotuner

    tuner = PerformanceAutotuner()
    tuner.load_metrics_from_file("metrics/teams/review_team.json")
    tuner.load_workflow_file("workflows/code_review.yaml")
    for s in tuner.suggest_optimizations("review_team"):
        print(s.priority, s.description, s.expected_improvement)

    optimizer = WorkflowOptimizer(search_algorithm="bayesian")
    optimizer.load_metrics_from_file("metrics/runs/deep_research.jsonl")
    optimizer.load_workflow_file("workflows/research.yaml")
    suggestions = await optimizer.get_suggestions("deep_research", max_suggestions=5)

Reading files happens here; the tuning itself is :func:`autotune_bot.tuning.tuner.plan_tuning`,
which takes values only. Methods the design documents show with ``await`` are coroutines.
"""

from __future__ import annotations

import copy
import dataclasses
import math
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from os import PathLike
from pathlib import Path
from typing import TYPE_CHECKING, Any

from autotune_bot.analysis.analyzer import AnalysisReport, WorkflowReport
from autotune_bot.api import PerformanceAnalyzer
from autotune_bot.errors import UsageError
from autotune_bot.settings import Settings
from autotune_bot.strategies.base import OptimizationStrategy
from autotune_bot.tuning.file_patches import build_patches
from autotune_bot.tuning.plan_types import TargetPlan, TuningPlan
from autotune_bot.tuning.suggestion import OptimizationSuggestion
from autotune_bot.tuning.synthetic import synthetic_team_file
from autotune_bot.tuning.tuner import TunerOptions, plan_tuning
from autotune_bot.workflow.model import WorkflowFile

if TYPE_CHECKING:
    from autotune_bot.history_view import ViewLine
    from autotune_bot.monitor.types import MonitorDecision
    from autotune_bot.settings.proposals import ABTestSettings
    from autotune_bot.validation.result import ABTestResult

__all__ = ["OptimizationResult", "PerformanceAutotuner", "WorkflowOptimizer"]


@dataclasses.dataclass(frozen=True)
class OptimizationResult:
    """What :meth:`PerformanceAutotuner.apply_optimizations` did."""

    success: bool
    optimization: OptimizationSuggestion | None
    applied: tuple[OptimizationSuggestion, ...]
    new_config: dict[str, Any]
    rollback_config: dict[str, Any]
    improvement_percentage: float  # the estimate's, unless an A/B test measured it
    validation_status: str  # "skipped" / "dry_run" (no A/B test ran), or the A/B status
    error: str | None = None
    validation: ABTestResult | None = None  # the A/B result when one ran


class _Loader:
    def __init__(self, settings: Settings | None) -> None:
        self.analyzer = PerformanceAnalyzer(settings)

    @property
    def settings(self) -> Settings:
        return self.analyzer.settings

    def load_metrics_from_file(self, path: str | PathLike[str]) -> None:
        """Add a metrics file (JSON array, JSON Lines, optionally gzipped)."""
        self.analyzer.load_metrics_from_file(path)

    def load_workflow_file(self, path: str | PathLike[str]) -> WorkflowFile:
        """Add a workflow YAML file; raises an :class:`~autotune_bot.errors.InputError` if bad."""
        return self.analyzer.load_workflow_file(path)

    def _plan(
        self,
        report: AnalysisReport,
        workflows: Sequence[WorkflowFile],
        options: TunerOptions,
    ) -> TuningPlan:
        store = self.analyzer.metrics.store
        return plan_tuning(report, workflows, store, self.settings, options)


class PerformanceAutotuner(_Loader):
    """Suggest (and apply to plain configurations) optimisations of teams.

    ``strategies``: strategy instances to use (default: every built-in strategy that
    ``.autotune.yml`` does not disable); custom :class:`OptimizationStrategy` subclasses get
    ``suggest(insights, current_config)`` with the team's plain configuration.
    ``ab_test_threshold`` (percent, strictly between 0 and 100, else a
    :class:`~autotune_bot.errors.UsageError` naming it) is the improvement an A/B test must
    show to pass (:meth:`apply_optimizations` with ``enable_ab_testing=True``);
    ``enable_auto_rollback``: :meth:`check_regression` rolls back a change found to regress.
    """

    def __init__(
        self,
        strategies: Sequence[OptimizationStrategy] | None = None,
        ab_test_threshold: float = 5.0,
        enable_auto_rollback: bool = True,
        *,
        settings: Settings | None = None,
        search: bool = True,
    ) -> None:
        super().__init__(settings)
        self.strategies = list(strategies) if strategies is not None else None
        self.ab_test_threshold = _checked_threshold(ab_test_threshold)
        self.enable_auto_rollback = enable_auto_rollback
        self.search = search
        self._history: dict[str, list[dict[str, Any]]] = {}

    def plan(self, team_id: str, current_config: Mapping[str, Any] | None = None) -> TargetPlan:
        """The full plan of one team: suggestions, the search's best configuration, notes."""
        from autotune_bot.analysis.analyzer import analyze, check_team_ids

        store = self.analyzer.metrics.store
        check_team_ids(store, [team_id], "team_id")

        def analyse(workflows: list[WorkflowFile]) -> AnalysisReport:
            return analyze(
                store,
                self.analyzer.metrics.problems,
                workflows,
                self.settings,
                team_ids=[team_id],
                workflow_names=[],
            )

        workflows: list[WorkflowFile] = list(self.analyzer.workflows)
        report = analyse(workflows)
        if current_config is not None or not report.teams or report.teams[0].workflow is None:
            members = [m.member_id for m in report.teams[0].profile.members] if report.teams else []
            workflows = [synthetic_team_file(team_id, dict(current_config or {}), members)]
            report = analyse(workflows)
        options = TunerOptions(search=self.search, strategies=self.strategies)
        plan = self._plan(report, workflows, options)
        for target in plan.targets:
            if target.scope == "team" and target.target == team_id:
                return target
        raise UsageError(f"team {team_id!r} has no analysable executions", field="team_id")

    def suggest_optimizations(
        self, team_id: str, current_config: Mapping[str, Any] | None = None
    ) -> list[OptimizationSuggestion]:
        """Suggestions for one team, most urgent first (the search's best configuration last).

        ``current_config`` is the design documents' plain dict (``formation``,
        ``member_count`` or ``members``, ``tool_budget``, ``timeout_seconds``); without it the
        team node of a loaded workflow file is used.
        """
        target = self.plan(team_id, current_config)
        return [*target.suggestions, *([target.best] if target.best is not None else [])]

    async def apply_optimizations(
        self,
        team_id: str,
        optimizations: Sequence[OptimizationSuggestion],
        workflow_config: Mapping[str, Any],
        enable_ab_testing: bool = False,
        *,
        dry_run: bool = False,
    ) -> OptimizationResult:
        """Apply suggestions to a plain configuration (a new dict) and record the history.

        With ``enable_ab_testing=True`` the change is validated by real runs of the benchmark
        command of the tuner's settings (``settings=``, e.g. from
        :func:`~autotune_bot.settings.load_settings`; ``ab_test``; run in the repository set by
        :meth:`use_repository`, else the current directory) on the old and the new
        configuration written as one-team workflow files; it is applied only if the A/B test
        passes at the ``ab_test_threshold`` margin, and the result carries the measured
        improvement of the primary metric. Without it (or with ``dry_run``) nothing runs and the
        improvement reported is the estimate.
        """
        if not optimizations:
            return OptimizationResult(
                False,
                None,
                (),
                dict(workflow_config),
                dict(workflow_config),
                0.0,
                "skipped",
                "nothing to apply",
            )
        config: dict[str, Any] = copy.deepcopy(dict(workflow_config))
        for suggestion in optimizations:
            strategy = self._strategy_for(suggestion)
            config = strategy.apply(config, suggestion)
        if enable_ab_testing and not dry_run:
            return await self._apply_validated(team_id, optimizations, workflow_config, config)
        first = optimizations[0]
        result = OptimizationResult(
            success=True,
            optimization=first,
            applied=tuple(optimizations),
            new_config=config,
            rollback_config=copy.deepcopy(dict(workflow_config)),
            improvement_percentage=first.expected_improvement
            if len(optimizations) == 1
            else max(s.expected_improvement for s in optimizations),
            validation_status="dry_run" if dry_run else "skipped",
        )
        if not dry_run:
            self._remember(team_id, result, "estimated from recorded traces")
        return result

    def _remember(self, team_id: str, result: OptimizationResult, basis: str) -> None:
        self._history.setdefault(team_id, []).append(
            {
                "timestamp": datetime.now(UTC).isoformat(),
                "optimization": {"description": "; ".join(s.description for s in result.applied)},
                "improvement_percentage": result.improvement_percentage,
                "improvement_basis": basis,
                "validation_status": result.validation_status,
                "config": result.new_config,
                "rollback_config": result.rollback_config,
            }
        )

    async def _apply_validated(
        self,
        team_id: str,
        optimizations: Sequence[OptimizationSuggestion],
        before: Mapping[str, Any],
        after: dict[str, Any],
    ) -> OptimizationResult:
        import asyncio
        import os

        from autotune_bot.validation.plain_ab import ab_test_plain_change, recorded_member_names

        ab = _threshold_settings(self.settings.ab_test, self.ab_test_threshold)
        members = recorded_member_names(self.analyzer.metrics.store, team_id)
        root = self.repository if self.repository is not None else Path.cwd()
        measured = await asyncio.to_thread(
            ab_test_plain_change,
            team_id,
            before,
            after,
            members,
            ab,
            cwd=root,
            environ=dict(os.environ),
        )
        passed = measured.status == "passed"
        primary = measured.metric(measured.primary_metric)
        ratio = primary.ratio if primary is not None and primary.ratio is not None else math.nan
        result = OptimizationResult(
            success=passed,
            optimization=optimizations[0],
            applied=tuple(optimizations) if passed else (),
            new_config=after if passed else copy.deepcopy(dict(before)),
            rollback_config=copy.deepcopy(dict(before)),
            improvement_percentage=(1.0 - ratio) * 100.0,
            validation_status=measured.status,
            error=None if passed else "; ".join(measured.reasons),
            validation=measured,
        )
        if passed:
            self._remember(team_id, result, "A/B test (measured)")
        return result

    def _strategy_for(self, suggestion: OptimizationSuggestion) -> OptimizationStrategy:
        for strategy in self.strategies or ():
            if suggestion.strategy in (strategy.name, type(strategy).__name__):
                return strategy
        return _PlainStrategy()

    #: the repository whose `.autotune/history.jsonl` the history and rollback methods use
    #: (set by :meth:`use_repository`); None: only plain-configuration applies made through
    #: this object, kept in memory
    repository: Path | None = None

    def use_repository(self, root: str | PathLike[str]) -> None:
        """Work on the repository at ``root``: :meth:`get_optimization_history` reads its
        `.autotune/history.jsonl` and :meth:`rollback_optimization` patches its workflow files
        (working tree only) and appends to that history."""
        path = Path(root)
        if not path.is_dir():
            raise UsageError(f"no such repository directory: {path}", field="root")
        self.repository = path

    def get_optimization_history(self, team_id: str) -> list[dict[str, Any]]:
        """The target's history, newest first (:mod:`autotune_bot.history_view`).

        The plain-configuration optimisations applied through this object (kept in memory)
        and, with a repository (:meth:`use_repository`), every entry of its history file
        naming ``team_id`` (a team id or a workflow name), apply, rollback and outcome
        entries alike.
        Each entry has ``stored_in`` (``"repository"`` or ``"memory"``), ``index`` (its
        position among the target's changes still applied, the ``rollback_index`` that undoes
        it; None for rolled-back changes and rollbacks), ``rolled_back_by`` (the id of the
        rollback entry that undid it, or None), ``timestamp``, ``optimization.description``,
        ``improvement_percentage`` (0.0 where the history has no single figure, with
        ``improvement_basis`` saying why) and ``validation_status``.
        """
        return [line.view for line in self._history_lines(team_id)]

    def _history_lines(self, team_id: str) -> list[ViewLine]:
        from autotune_bot.history import read_history
        from autotune_bot.history_view import history_view

        entries = read_history(self.repository) if self.repository is not None else []
        return history_view(entries, self._history.get(team_id, []), team_id)

    async def rollback_optimization(self, team_id: str, rollback_index: int = 0) -> bool:
        """Undo an applied optimisation (``rollback_index`` 0 = the latest still applied, as
        :meth:`get_optimization_history` numbers them).

        An in-memory plain-configuration apply is dropped from the history. A change of the
        repository's history file is reverse-patched in the workflow files (working tree only,
        written atomically) and a rollback entry is appended to the history. Returns True when
        done. With a repository, a :class:`~autotune_bot.rollback.RollbackError` naming
        ``team_id`` or ``rollback_index`` says why nothing was done (no such target, index out
        of range, lines changed again since); without one, False when there is no such change.
        """
        from autotune_bot.history_view import pick_applied
        from autotune_bot.rollback import RollbackError

        lines = self._history_lines(team_id)
        if self.repository is None:
            applied = [line for line in lines if line.index is not None]
            if not 0 <= rollback_index < len(applied):
                return False
            chosen = applied[rollback_index]
        else:
            known = self._recorded_targets() if not lines else []
            chosen = pick_applied(lines, team_id, rollback_index, known)
        if chosen.stored_in == "memory":
            assert chosen.memory_position is not None
            self._history[team_id].pop(chosen.memory_position)
            return True
        try:
            self._rollback_in_repository(team_id, str(chosen.entry["id"]))
        except RollbackError as err:
            field = _API_FIELDS.get(err.field or "", err.field)
            raise RollbackError(err.message, path=err.path, line=err.line, field=field) from err
        return True

    async def check_regression(
        self,
        team_id: str,
        before: Sequence[Mapping[str, Any]],
        after: Sequence[Mapping[str, Any]],
    ) -> MonitorDecision:
        """Judge the team's runs ``after`` a change against those ``before`` it (plain
        records, oldest first; :meth:`autotune_bot.monitor.api.OptimizationMonitor.check`
        with this object's settings). When the outcome is ``regressed`` and
        ``enable_auto_rollback`` is set, the latest change of ``team_id`` still applied is
        rolled back (:meth:`rollback_optimization`); the decision's notes say what was done.
        """
        from autotune_bot.monitor.api import OptimizationMonitor, auto_rollback

        decision = OptimizationMonitor(self.settings).check(before, after)
        rollback = self.rollback_optimization if self.enable_auto_rollback else None
        return await auto_rollback(decision, team_id, rollback)

    def _recorded_targets(self) -> list[str]:
        from autotune_bot.history import read_history

        entries = read_history(self.repository) if self.repository is not None else []
        names = {t for e in entries for t in e["targets"]}
        names |= {team for team, applied in self._history.items() if applied}
        return sorted(names)

    def _rollback_in_repository(self, team_id: str, entry_id: str) -> None:
        from autotune_bot.history import append_history, read_history, read_texts
        from autotune_bot.rollback import history_paths, plan_rollback
        from autotune_bot.workspace import write_patches

        root = self.repository
        assert root is not None
        entries = read_history(root)
        texts = read_texts(root, history_paths(entries))
        plan = plan_rollback(entries, team_id, texts, now=datetime.now(UTC), entry_id=entry_id)
        write_patches(root, plan.files)
        append_history(root, [plan.entry])


#: the CLI flags a rollback error may name → the API parameters they stand for
_API_FIELDS = {"--target": "team_id", "--index": "rollback_index", "--id": "rollback_index"}


def _checked_threshold(value: Any) -> float:
    """``ab_test_threshold`` of the API: a percentage strictly between 0 and 100; else a
    :class:`UsageError` naming it."""
    if isinstance(value, bool) or not isinstance(value, int | float) or not 0 < value < 100:
        raise UsageError(
            f"must be a percentage strictly between 0 and 100 (5.0 = 5 %), not {value!r}",
            field="ab_test_threshold",
        )
    return float(value)


def _threshold_settings(base: ABTestSettings, threshold: Any) -> ABTestSettings:
    """``base`` with ``min_improvement`` from ``threshold`` (percent, above),
    validated as the values of ``.autotune.yml`` are."""
    from pydantic import ValidationError

    from autotune_bot.settings.proposals import ABTestSettings

    fraction = _checked_threshold(threshold) / 100.0
    try:
        return ABTestSettings.model_validate({**base.model_dump(), "min_improvement": fraction})
    except ValidationError as err:
        message = err.errors()[0]["msg"].removeprefix("Value error, ")
        raise UsageError(message, field="ab_test_threshold") from err


class _PlainStrategy(OptimizationStrategy):
    name = "plain"

    def suggest(
        self, insights: Sequence[Any], current_config: Mapping[str, Any]
    ) -> list[OptimizationSuggestion]:
        return []


class WorkflowOptimizer(_Loader):
    """Suggestions for whole workflows, found by a search algorithm of the registry."""

    def __init__(
        self,
        search_algorithm: str | None = None,
        *,
        max_evaluations: int | None = None,
        seed: int | None = None,
        settings: Settings | None = None,
    ) -> None:
        super().__init__(settings)
        from autotune_bot.search.registry import SEARCHERS

        if search_algorithm is not None and search_algorithm not in SEARCHERS:
            known = ", ".join(SEARCHERS)
            raise UsageError(f"unknown search algorithm {search_algorithm!r}; known: {known}")
        self.options = TunerOptions(
            algorithm=search_algorithm, max_evaluations=max_evaluations, seed=seed
        )

    def _workflow_plan(self, workflow_id: str) -> tuple[WorkflowReport, TargetPlan]:
        from autotune_bot.analysis.analyzer import analyze

        workflows = list(self.analyzer.workflows)
        report = analyze(
            self.analyzer.metrics.store,
            self.analyzer.metrics.problems,
            workflows,
            self.settings,
            team_ids=[],
            workflow_names=[workflow_id],
        )
        if not report.workflows:
            raise UsageError(f"no workflow named {workflow_id!r} is loaded", field="workflow_id")
        plan = self._plan(report, workflows, self.options)
        for target in plan.targets:
            if target.scope == "workflow" and target.target == workflow_id:
                return report.workflows[0], target
        note = "; ".join(plan.notes) or "no recorded runs"
        raise UsageError(f"workflow {workflow_id!r} cannot be tuned: {note}", field="workflow_id")

    async def analyze_workflow(self, workflow_id: str) -> WorkflowReport:
        """Node profiles and bottlenecks of one workflow."""
        from autotune_bot.analysis.analyzer import analyze

        report = analyze(
            self.analyzer.metrics.store,
            self.analyzer.metrics.problems,
            list(self.analyzer.workflows),
            self.settings,
            team_ids=[],
            workflow_names=[workflow_id],
        )
        if not report.workflows or report.workflows[0].path is None:
            raise UsageError(f"no workflow named {workflow_id!r} is loaded", field="workflow_id")
        return report.workflows[0]

    async def get_suggestions(
        self, workflow_id: str, max_suggestions: int = 10
    ) -> list[OptimizationSuggestion]:
        """The search's best configuration first (when it changes anything), then the
        strategies' suggestions, most urgent first."""
        _, target = self._workflow_plan(workflow_id)
        found = [*([target.best] if target.best is not None else []), *target.suggestions]
        return found[:max_suggestions]

    async def apply_suggestion(
        self, workflow_id: str, suggestion: OptimizationSuggestion, validate: bool = True
    ) -> str:
        """The workflow file's text with the suggestion applied (no file is written).

        The patch is always read back with the loader; ``validate`` is kept for the design
        documents' signature (a dry-run check is what every patch gets).
        """
        _, target = self._workflow_plan(workflow_id)
        files = {f.path: f for f in self.analyzer.workflows}
        plan = TuningPlan((target,))
        patches, failures = build_patches([suggestion], plan, files, self.settings.constraints)
        if failures:
            raise UsageError(str(failures[0]), field="suggestion")
        if not patches:
            return files[target.file].text
        return patches[0].new_text
