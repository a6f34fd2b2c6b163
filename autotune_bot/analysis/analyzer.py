"""The analysis core: a metrics store + parsed workflows + settings in, a report out.

:func:`analyze` is pure (values in, values out). :class:`PerformanceAnalyzer` is the
seed-named convenience API on top of it, which also reads files.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from autotune_bot.analysis.insight import Finding, Insight, Unsupported
from autotune_bot.analysis.profile import TeamProfile, profile_team
from autotune_bot.analysis.row_links import referencing
from autotune_bot.analysis.selection import Selection, select_rows
from autotune_bot.analysis.team_detectors import TeamContext, run_team_detectors
from autotune_bot.analysis.workflow_detectors import WorkflowContext, run_workflow_detectors
from autotune_bot.analysis.workflow_profile import NodeProfile, node_matrix, profile_nodes
from autotune_bot.errors import InputError, UsageError
from autotune_bot.metrics.columns import MetricsStore
from autotune_bot.metrics.problems import ProblemLog
from autotune_bot.settings import Settings
from autotune_bot.workflow.graph import WorkflowGraph
from autotune_bot.workflow.model import Node, WorkflowDef, WorkflowFile

__all__ = [
    "AnalysisReport",
    "TeamReport",
    "UnknownTeam",
    "WorkflowReport",
    "analyze",
    "check_team_ids",
    "team_nodes",
]

IntArray = npt.NDArray[np.intp]


@dataclass(frozen=True)
class TeamReport:
    team_id: str
    workflow: str | None  # workflow name holding the team node
    location: str | None  # "file:line" of the team node
    selection: Selection
    profile: TeamProfile
    older: tuple[TeamProfile, ...]
    insights: tuple[Insight, ...]
    unsupported: tuple[Unsupported, ...]


@dataclass(frozen=True)
class WorkflowReport:
    name: str
    path: str | None
    runs: int
    selection: Selection | None
    nodes: tuple[NodeProfile, ...]
    insights: tuple[Insight, ...]
    unsupported: tuple[Unsupported, ...]


@dataclass(frozen=True)
class UnknownTeam:
    team_id: str
    records: dict[str, int]  # metrics file → team records naming this id


@dataclass(frozen=True)
class AnalysisReport:
    teams: tuple[TeamReport, ...]
    workflows: tuple[WorkflowReport, ...]
    problems: ProblemLog
    workflow_errors: tuple[InputError, ...]
    # team ids in metrics with no team node in any workflow file, with records per file
    unknown_teams: tuple[UnknownTeam, ...]
    files_read: tuple[str, ...]
    records_read: int

    def all_insights(self) -> list[Insight]:
        found = [i for t in self.teams for i in t.insights]
        found += [i for w in self.workflows for i in w.insights]
        return sorted(found, key=lambda i: -i.severity)


def team_nodes(
    workflows: Sequence[WorkflowFile], settings: Settings
) -> dict[str, tuple[WorkflowDef, Node]]:
    found: dict[str, tuple[WorkflowDef, Node]] = {}
    for wf_file in workflows:
        for wf in wf_file.workflows:
            for node in wf.team_nodes():
                found.setdefault(node.id, (wf, node))
    for team_id, mapping in settings.teams.items():
        for wf_file in workflows:
            if wf_file.path != mapping.workflow:
                continue
            for wf in wf_file.workflows:
                if mapping.node in wf.nodes and wf.nodes[mapping.node].team is not None:
                    found[team_id] = (wf, wf.nodes[mapping.node])
    return found


def _select(
    store: MetricsStore,
    rows: IntArray,
    config: npt.NDArray[np.int32],
    stamps: npt.NDArray[np.float64],
    settings: Settings,
) -> Selection:
    return select_rows(
        rows,
        config,
        stamps,
        store.config_names.names,
        current_only=settings.analysis.current_config_only,
        window_days=settings.analysis.window_days,
    )


def check_team_ids(store: MetricsStore, team_ids: Sequence[str], flag: str) -> None:
    """Raise a one-line :class:`UsageError` naming the ids with no records, and the ids that
    have some."""
    known = store.team_names.codes
    missing = [t for t in team_ids if t not in known]
    if missing:
        listed = ", ".join(sorted(known)) or "none"
        raise UsageError(
            f"no records for team id {', '.join(missing)} (teams in the metrics: {listed})",
            field=flag,
        )


def _most_severe_first(findings: Sequence[Finding]) -> tuple[Insight, ...]:
    return tuple(sorted((f for f in findings if isinstance(f, Insight)), key=lambda i: -i.severity))


def analyze(
    store: MetricsStore,
    problems: ProblemLog,
    workflows: Sequence[WorkflowFile],
    settings: Settings,
    *,
    team_ids: Sequence[str] | None = None,
    workflow_names: Sequence[str] | None = None,
    workflow_errors: Sequence[InputError] = (),
) -> AnalysisReport:
    """Profile and detect bottlenecks for every team and workflow (or the ones named; naming
    only workflows selects the teams whose nodes they hold)."""
    a = settings.analysis
    conf, min_n = a.confidence, a.min_samples
    t = store.teams
    nodes_by_team = team_nodes(workflows, settings)
    team_codes = np.unique(t.team).tolist()
    if team_ids is None and workflow_names is not None:
        # Asked about some workflows only: their team nodes are the teams to report.
        team_ids = [
            name
            for name in sorted(store.team_names.name(code) or "?" for code in team_codes)
            if name in nodes_by_team and nodes_by_team[name][0].name in workflow_names
        ]
    selections: dict[str, Selection] = {}
    current: dict[str, TeamProfile] = {}
    for code in team_codes:
        name = store.team_names.name(code) or "?"
        sel = _select(store, np.flatnonzero(t.team == code), t.config, t.timestamp, settings)
        selections[name] = sel
        wanted = team_ids is None or name in team_ids
        current[name] = profile_team(
            store, name, sel.current.rows, sel.current.config, conf, with_members=wanted
        )
    unknown = _unknown_teams(store, set(current) - set(nodes_by_team)) if workflows else ()
    team_reports = []
    for name in team_ids if team_ids is not None else sorted(current):
        if name not in current:
            continue
        sel = selections[name]
        older = tuple(
            profile_team(store, name, g.rows, g.config, conf, with_members=False) for g in sel.older
        )
        wf_node = nodes_by_team.get(name)
        location = f"{wf_node[0].path}:{wf_node[1].line}" if wf_node else None
        ctx = TeamContext(
            profile=current[name],
            store=store,
            history=tuple(h for h in older if h.runs >= min_n),
            peers=tuple(p for k, p in current.items() if k != name and p.runs >= min_n),
            declared=settings.baselines.get(name),
            constraints=settings.constraints,
            thresholds=a.thresholds,
            confidence=conf,
            min_samples=min_n,
            spec=wf_node[1].team if wf_node else None,
            location=location,
        )
        findings = run_team_detectors(ctx)
        team_reports.append(
            TeamReport(
                team_id=name,
                workflow=wf_node[0].name if wf_node else None,
                location=location,
                selection=sel,
                profile=current[name],
                older=older,
                insights=_most_severe_first(findings),
                unsupported=tuple(f for f in findings if isinstance(f, Unsupported)),
            )
        )
    workflow_reports = _workflow_reports(store, workflows, settings, workflow_names)
    return AnalysisReport(
        teams=tuple(team_reports),
        workflows=tuple(workflow_reports),
        problems=problems,
        workflow_errors=tuple(workflow_errors),
        unknown_teams=unknown,
        files_read=store.files_read,
        records_read=store.records_read,
    )


def _unknown_teams(store: MetricsStore, names: set[str]) -> tuple[UnknownTeam, ...]:
    found = []
    for name in sorted(names):
        rows = store.teams.team == store.team_names.lookup(name)
        codes, counts = np.unique(store.teams.file[rows], return_counts=True)
        records = {
            store.file_names.name(c) or "?": n
            for c, n in zip(codes.tolist(), counts.tolist(), strict=True)
        }
        found.append(UnknownTeam(name, records))
    return tuple(found)


def _definitions(workflows: Sequence[WorkflowFile], settings: Settings) -> dict[str, WorkflowDef]:
    defs: dict[str, WorkflowDef] = {}
    for wf_file in workflows:
        for wf in wf_file.workflows:
            defs.setdefault(wf.name, wf)
    for workflow_id, mapping in settings.workflow_ids.items():
        for wf_file in workflows:
            if wf_file.path == mapping.workflow:
                chosen = [wf for wf in wf_file.workflows if mapping.name in (None, wf.name)]
                if chosen:
                    defs[workflow_id] = chosen[0]
    return defs


def _workflow_reports(
    store: MetricsStore,
    workflows: Sequence[WorkflowFile],
    settings: Settings,
    names: Sequence[str] | None,
) -> list[WorkflowReport]:
    a = settings.analysis
    defs = _definitions(workflows, settings)
    r = store.runs
    recorded = {
        store.workflow_names.name(c) or "": c for c in np.unique(r.workflow).tolist() if c >= 0
    }
    wanted = sorted(set(recorded) | set(defs)) if names is None else list(names)
    reports = []
    for name in wanted:
        definition = defs.get(name)
        graph = WorkflowGraph.from_workflow(definition) if definition else None
        code = recorded.get(name)
        if code is None:
            run_rows: IntArray = np.zeros(0, dtype=np.intp)
            sel = None
        else:
            sel = _select(
                store, np.flatnonzero(r.workflow == code), r.config, r.timestamp, settings
            )
            run_rows = sel.current.rows
        node_rows = referencing(store.nodes.run_row, run_rows, len(store.runs))
        profiles = profile_nodes(store, node_rows, a.confidence)
        ctx = WorkflowContext(
            name=name,
            store=store,
            definition=definition,
            graph=graph,
            matrix=node_matrix(store, run_rows, node_rows),
            nodes={p.node_id: p for p in profiles},
            node_rows=node_rows,
            thresholds=a.thresholds,
            confidence=a.confidence,
            min_samples=a.min_samples,
            declared=settings.baselines,
        )
        findings = run_workflow_detectors(ctx)
        if code is None:
            findings.append(
                Unsupported(
                    "metrics",
                    name,
                    "no workflow run records (2b) for this workflow; only the static checks ran",
                )
            )
        reports.append(
            WorkflowReport(
                name=name,
                path=definition.path if definition else None,
                runs=int(run_rows.size),
                selection=sel,
                nodes=tuple(profiles),
                insights=_most_severe_first(findings),
                unsupported=tuple(f for f in findings if isinstance(f, Unsupported)),
            )
        )
    return reports
