"""Team targets for the team-strategy tests: the demo repository's teams, and small
constructed teams with generated execution records (written as JSON Lines, ingested and
analysed the way the command line does it)."""

from __future__ import annotations

import json
import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from autotune_bot.analysis.analyzer import AnalysisReport, analyze
from autotune_bot.metrics.ingest import ingest_files
from autotune_bot.repository import RepositoryInputs, load_inputs
from autotune_bot.settings import Settings
from autotune_bot.strategies.base import OptionValue, Proposal, TeamTarget
from autotune_bot.tuning.config import TeamConfig, team_config
from autotune_bot.workflow.loader import parse_workflow_text
from autotune_bot.workflow.model import WorkflowFile

DEMO = Path(__file__).resolve().parents[3] / "examples" / "demo-repo"
START = datetime(2026, 1, 1, tzinfo=UTC)
Record = dict[str, Any]


def _target(
    report: AnalysisReport,
    workflows: Sequence[WorkflowFile],
    store: Any,
    settings: Settings,
    team_id: str,
    options: Mapping[str, OptionValue] | None,
) -> TeamTarget:
    (team_report,) = [t for t in report.teams if t.team_id == team_id]
    (wf, node) = next(
        (wf, n) for f in workflows for wf in f.workflows for n in wf.team_nodes() if n.id == team_id
    )
    return TeamTarget(
        team_id, wf, node, team_report, store, settings, team_config(node), dict(options or {})
    )


class Demo:
    """The demo repository, analysed once; ``target(team_id)`` builds a team target."""

    def __init__(self) -> None:
        self.inputs: RepositoryInputs = load_inputs(DEMO)
        data = self.inputs.metrics
        self.report: AnalysisReport = analyze(
            data.store, data.problems, self.inputs.workflows, self.inputs.settings
        )

    def team_ids(self) -> list[str]:
        """Teams with records and a team node in a workflow file."""
        nodes = {n.id for f in self.inputs.workflows for wf in f.workflows for n in wf.team_nodes()}
        return [t.team_id for t in self.report.teams if t.team_id in nodes]

    def target(self, team_id: str, options: Mapping[str, OptionValue] | None = None) -> TeamTarget:
        return _target(
            self.report,
            self.inputs.workflows,
            self.inputs.metrics.store,
            self.inputs.settings,
            team_id,
            options,
        )


def candidate(proposal: Proposal) -> TeamConfig:
    """The team configuration a team strategy proposes."""
    assert isinstance(proposal.candidate, TeamConfig)
    return proposal.candidate


@pytest.fixture(scope="session")
def team_demo() -> Demo:
    return Demo()


@dataclass(frozen=True)
class Member:
    """One member's part of one generated execution."""

    duration: float
    success: bool = True
    calls: int = 3


def execution(
    team_id: str,
    index: int,
    members: Mapping[str, Member],
    *,
    success: bool,
    duration: float | None = None,
    formation: str = "sequential",
    config: str | None = None,
    tool_calls: int | None = None,
    rounds: int | None = None,
) -> Record:
    """A team execution record (2a); duration and tool calls default to the members' sums."""
    record: Record = {
        "team_id": team_id,
        "formation": formation,
        "member_count": len(members),
        "success": success,
        "duration_seconds": (
            sum(m.duration for m in members.values()) + 1.0 if duration is None else duration
        ),
        "total_tool_calls": (
            sum(m.calls for m in members.values()) if tool_calls is None else tool_calls
        ),
        "start_time": (START + timedelta(minutes=10 * index)).isoformat(),
        "member_metrics": {
            mid: {
                "member_id": mid,
                "role": "worker",
                "success": m.success,
                "duration_seconds": m.duration,
                "tool_calls_used": m.calls,
                "tools_used": ["read"],
                "error_message": None if m.success else "failed",
            }
            for mid, m in members.items()
        },
    }
    if config is not None:
        record["config_fingerprint"] = config
    if rounds is not None:
        record["consensus_rounds"] = rounds
        record["consensus_achieved"] = True
    return record


def team_yaml(
    team_id: str,
    formation: str,
    members: Sequence[str],
    *,
    input_from: Mapping[str, Sequence[str]] | None = None,
    roles: Mapping[str, str] | None = None,
    settings: Mapping[str, Any] | None = None,
    tool_budget: int = 15,
) -> str:
    """A workflow ``flow`` made of one team node; members are independent unless
    ``input_from``; ``settings`` are extra team fields (``total_tool_budget: 60`` …)."""
    lines = [
        "workflows:",
        "  flow:",
        "    nodes:",
        f"      - id: {team_id}",
        "        type: team",
        f"        team_formation: {formation}",
    ]
    lines += [f"        {key}: {value}" for key, value in (settings or {}).items()]
    lines.append("        members:")
    for member in members:
        lines += [
            f"          - id: {member}",
            f"            role: {(roles or {}).get(member, 'worker')}",
            '            goal: "Handle your share of the input"',
            f"            tool_budget: {tool_budget}",
        ]
        sources = (input_from or {}).get(member)
        if sources:
            lines.append(f"            input_from: [{', '.join(sources)}]")
    return "\n".join(lines) + "\n"


class Builder:
    """Writes generated records, analyses them with one workflow file, builds targets."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.rng = random.Random(20260101)
        self._files = 0

    def target(
        self,
        records: Sequence[Record],
        yaml_text: str,
        team_id: str,
        options: Mapping[str, OptionValue] | None = None,
        settings: Settings | None = None,
    ) -> TeamTarget:
        self._files += 1
        path = self.directory / f"metrics_{self._files}.jsonl"
        path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
        ingested = ingest_files([(path, path.name)])
        assert not ingested.unreadable
        workflows = [parse_workflow_text(yaml_text, "workflows/flow.yaml")]
        chosen = settings or Settings()
        report = analyze(ingested.store, ingested.problems, workflows, chosen)
        return _target(report, workflows, ingested.store, chosen, team_id, options)


@pytest.fixture
def builder(tmp_path: Path) -> Builder:
    return Builder(tmp_path)
