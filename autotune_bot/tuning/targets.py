"""Which teams and workflows of an analysis can be tuned, with what the tuner needs for each.

A team can be tuned when its team node is found in a parsed workflow file (directly by id, or
through ``teams:`` in ``.autotune.yml``) and it has analysed executions; a workflow when its
definition is parsed and it has recorded runs; neither is tuned in a file ``constraints:``
protects, nor a team whose node it protects. Pure: values in, values out.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from autotune_bot.analysis.analyzer import AnalysisReport, TeamReport, WorkflowReport, team_nodes
from autotune_bot.settings import Settings
from autotune_bot.settings.models import Constraints
from autotune_bot.validation.plan_constraints import protected_target
from autotune_bot.workflow.model import Node, WorkflowDef, WorkflowFile

__all__ = ["TeamSite", "WorkflowSite", "team_sites", "workflow_sites"]


@dataclass(frozen=True)
class TeamSite:
    report: TeamReport
    file: WorkflowFile
    workflow: WorkflowDef
    node: Node


@dataclass(frozen=True)
class WorkflowSite:
    report: WorkflowReport
    file: WorkflowFile
    workflow: WorkflowDef


def _file_of(workflows: Sequence[WorkflowFile], wf: WorkflowDef) -> WorkflowFile:
    for wf_file in workflows:
        if any(d is wf for d in wf_file.workflows):
            return wf_file
    raise LookupError(f"workflow {wf.name!r} is in no loaded file")


def team_sites(
    report: AnalysisReport, workflows: Sequence[WorkflowFile], settings: Settings
) -> tuple[list[TeamSite], list[str]]:
    """Tunable teams, and one note per analysed team that cannot be tuned."""
    nodes = team_nodes(workflows, settings)
    sites: list[TeamSite] = []
    notes: list[str] = []
    for team in report.teams:
        found = nodes.get(team.team_id)
        if found is None:
            notes.append(
                f"team {team.team_id}: no team node in any workflow file; nothing to change"
            )
            continue
        wf, node = found
        protected = protected_target(wf.path, node.id, settings.constraints)
        if protected is not None:
            notes.append(f"team {team.team_id}: {protected}")
            continue
        sites.append(TeamSite(team, _file_of(workflows, wf), wf, node))
    return sites, notes


def workflow_sites(
    report: AnalysisReport,
    workflows: Sequence[WorkflowFile],
    constraints: Constraints | None = None,
) -> tuple[list[WorkflowSite], list[str]]:
    """Tunable workflows, and one note per analysed workflow that cannot be tuned (or, with
    ``constraints``, that is in a protected file)."""
    sites: list[WorkflowSite] = []
    notes: list[str] = []
    for wr in report.workflows:
        match = [
            (f, d)
            for f in workflows
            for d in f.workflows
            if d.name == wr.name and f.path == wr.path
        ]
        if not match:
            notes.append(f"workflow {wr.name}: definition not loaded; nothing to change")
            continue
        if wr.runs == 0:
            notes.append(f"workflow {wr.name}: no recorded runs; nothing to estimate from")
            continue
        wf_file, wf = match[0]
        protected = protected_target(wf.path, None, constraints) if constraints else None
        if protected is not None:
            notes.append(f"workflow {wr.name}: {protected}")
            continue
        sites.append(WorkflowSite(wr, wf_file, wf))
    return sites, notes
