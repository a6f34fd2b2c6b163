"""A seeded builder of synthetic metrics and workflow files for the analysis tests.

Every number comes from one ``random.Random(seed)``; durations are log-normal (a median and
a log-scale sigma). Records have the shapes of the metrics format: team execution records
with ``member_metrics`` and workflow run records with ``node_metrics`` (``tools`` and
``tool_calls``). They are written as JSON Lines, ingested with the real reader and analysed
with :func:`analyze`, so the tests exercise the same path as the command line.
"""

from __future__ import annotations

import json
import math
import random
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from autotune_bot.analysis.analyzer import AnalysisReport, TeamReport, WorkflowReport, analyze
from autotune_bot.analysis.insight import Insight, Unsupported
from autotune_bot.metrics.ingest import ingest_files
from autotune_bot.settings import Settings
from autotune_bot.workflow.loader import parse_workflow_text

Record = dict[str, Any]
START = datetime(2026, 1, 1, tzinfo=UTC)


@dataclass(frozen=True)
class MemberRun:
    """One member's part of one team execution."""

    duration: float
    success: bool = True
    tool_calls: int = 3


@dataclass(frozen=True)
class NodeSpec:
    """A node of a generated chain workflow: what it writes and which keys it reads."""

    id: str
    output: str | None = None
    reads: tuple[str, ...] = ()


def stamp(minutes: float) -> str:
    """ISO timestamp ``minutes`` after the start of the synthetic data."""
    return (START + timedelta(minutes=minutes)).isoformat()


def team_record(
    team_id: str,
    *,
    duration: float,
    success: bool,
    members: Mapping[str, MemberRun] | None,
    minutes: float,
    formation: str = "parallel",
    config: str | None = None,
    tool_calls: int | None = None,
    member_count: int | None = None,
    rounds: int | None = None,
) -> Record:
    """A team execution record; ``tool_calls`` and ``member_count`` default to the members'
    sum and number."""
    rec: Record = {
        "team_id": team_id,
        "formation": formation,
        "success": success,
        "duration_seconds": duration,
        "timestamp": stamp(minutes),
    }
    if members is not None:
        rec["member_count"] = len(members)
        rec["member_metrics"] = {
            mid: {
                "member_id": mid,
                "role": "worker",
                "success": m.success,
                "duration_seconds": m.duration,
                "tool_calls_used": m.tool_calls,
                "tools_used": ["read"],
                "error_message": None if m.success else "failed",
            }
            for mid, m in members.items()
        }
        calls = sum(m.tool_calls for m in members.values())
        rec["total_tool_calls"] = calls if tool_calls is None else tool_calls
    elif tool_calls is not None:
        rec["total_tool_calls"] = tool_calls
    if member_count is not None:
        rec["member_count"] = member_count
    if config is not None:
        rec["config_fingerprint"] = config
    if rounds is not None:
        rec["consensus_rounds"] = rounds
        rec["consensus_achieved"] = True
    return rec


def run_record(
    workflow: str,
    index: int,
    nodes: Mapping[str, Record],
    *,
    minutes: float,
    duration: float | None = None,
    cost: float | None = None,
    config: str | None = None,
) -> Record:
    """A workflow run record; the run's duration defaults to the sum of its nodes'."""
    total = sum(float(n["duration"]) for n in nodes.values())
    rec: Record = {
        "run_id": f"{workflow}-{index}",
        "workflow_id": workflow,
        "success": all(n.get("success", True) for n in nodes.values()),
        "duration": total if duration is None else duration,
        "timestamp": stamp(minutes),
        "node_metrics": dict(nodes),
    }
    if cost is not None:
        rec["cost"] = cost
    if config is not None:
        rec["config_fingerprint"] = config
    return rec


def chain_yaml(workflow: str, nodes: Sequence[NodeSpec]) -> str:
    """A workflow whose nodes run one after another in list order (implicit chaining)."""
    lines = ["workflows:", f"  {workflow}:", "    nodes:"]
    for node in nodes:
        refs = " and ".join(f"{{{{ {key} }}}}" for key in node.reads)
        goal = f"Work from {refs}" if refs else "Start the job"
        lines += [f"      - id: {node.id}", "        type: agent", f'        goal: "{goal}"']
        if node.output:
            lines.append(f"        output: {node.output}")
    return "\n".join(lines) + "\n"


def team_yaml(
    workflow: str,
    team_id: str,
    formation: str,
    members: Sequence[str],
    input_from: Mapping[str, Sequence[str]] | None = None,
) -> str:
    """A workflow made of one team node; members are independent unless ``input_from``."""
    lines = [
        "workflows:",
        f"  {workflow}:",
        "    nodes:",
        f"      - id: {team_id}",
        "        type: team",
        f"        team_formation: {formation}",
        "        total_tool_budget: 60",
        "        members:",
    ]
    for member in members:
        lines += [
            f"          - id: {member}",
            "            role: worker",
            '            goal: "Handle your share of the input"',
        ]
        sources = (input_from or {}).get(member)
        if sources:
            lines.append(f"            input_from: [{', '.join(sources)}]")
    return "\n".join(lines) + "\n"


class Synth:
    """Seeded generator of records, writer of JSON Lines files, and analysis runner."""

    def __init__(self, directory: Path, seed: int) -> None:
        self.rng = random.Random(seed)
        self.directory = directory
        self._files = 0

    def lognormal(self, median: float, sigma: float = 0.3) -> float:
        return self.rng.lognormvariate(math.log(median), sigma)

    def outcomes(self, n: int, rate: float) -> list[bool]:
        """Exactly ``round(rate * n)`` successes, in random order."""
        ok = round(rate * n)
        flags = [True] * ok + [False] * (n - ok)
        self.rng.shuffle(flags)
        return flags

    def members(
        self, ids: Sequence[str], median: float, sigma: float = 0.3, calls: float = 3.0
    ) -> dict[str, MemberRun]:
        """Successful member runs with log-normal durations and Poisson-like tool calls."""
        return {
            mid: MemberRun(self.lognormal(median, sigma), True, self.count(calls)) for mid in ids
        }

    def count(self, mean: float) -> int:
        """A small non-negative count around ``mean`` (rounded log-normal, at least 1)."""
        return max(1, round(self.lognormal(mean, 0.3)))

    def team_runs(
        self,
        team_id: str,
        n: int,
        *,
        median: float = 20.0,
        sigma: float = 0.3,
        success_rate: float = 1.0,
        member_ids: Sequence[str] = ("alpha", "beta", "gamma"),
        calls_per_member: float = 3.0,
        config: str | None = None,
        first_minute: float = 0.0,
        with_members: bool = True,
    ) -> list[Record]:
        """Plain team executions: log-normal team duration, an exact success rate."""
        out = []
        for i, ok in enumerate(self.outcomes(n, success_rate)):
            members = self.members(member_ids, median / 2, sigma, calls_per_member)
            out.append(
                team_record(
                    team_id,
                    duration=self.lognormal(median, sigma),
                    success=ok,
                    members=members if with_members else None,
                    tool_calls=sum(m.tool_calls for m in members.values()),
                    member_count=len(members),
                    minutes=first_minute + 10.0 * i,
                    config=config,
                )
            )
        return out

    def node_runs(
        self,
        workflow: str,
        n: int,
        medians: Mapping[str, float],
        *,
        sigma: float = 0.2,
        success_rates: Mapping[str, float] | None = None,
        extra: Callable[[int, str], Record] | None = None,
        run_cost: Callable[[int], float] | None = None,
        run_duration: Callable[[dict[str, float]], float] | None = None,
    ) -> list[Record]:
        """Workflow runs with log-normal node durations; ``extra(i, node)`` adds fields to
        node ``node`` of run ``i`` (tools, tool_calls, cost)."""
        flags = {node: self.outcomes(n, (success_rates or {}).get(node, 1.0)) for node in medians}
        out = []
        for i in range(n):
            nodes: dict[str, Record] = {}
            for node, median in medians.items():
                entry: Record = {"duration": self.lognormal(median, sigma)}
                entry["success"] = flags[node][i]
                if not flags[node][i]:
                    entry["error_type"] = "TimeoutError"
                if extra is not None:
                    entry |= extra(i, node)
                nodes[node] = entry
            durations = {k: float(v["duration"]) for k, v in nodes.items()}
            out.append(
                run_record(
                    workflow,
                    i,
                    nodes,
                    minutes=10.0 * i,
                    duration=run_duration(durations) if run_duration else None,
                    cost=run_cost(i) if run_cost else None,
                )
            )
        return out

    def write(self, records: Sequence[Record]) -> Path:
        """Write ``records`` as a new JSON Lines file and return its path."""
        self._files += 1
        path = self.directory / f"metrics_{self._files}.jsonl"
        path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
        return path

    def analyze(
        self,
        records: Sequence[Record],
        yamls: Mapping[str, str] | None = None,
        settings: Settings | None = None,
        *,
        team_ids: Sequence[str] | None = None,
        workflow_names: Sequence[str] | None = None,
    ) -> AnalysisReport:
        """Write, ingest and analyse ``records`` with the workflow files ``yamls``
        (display path → YAML text)."""
        path = self.write(records)
        ingested = ingest_files([(path, path.name)])
        assert not ingested.unreadable
        files = [parse_workflow_text(text, name) for name, text in (yamls or {}).items()]
        return analyze(
            ingested.store,
            ingested.problems,
            files,
            settings or Settings(),
            team_ids=team_ids,
            workflow_names=workflow_names,
        )


def team_report(report: AnalysisReport, team_id: str) -> TeamReport:
    (found,) = [t for t in report.teams if t.team_id == team_id]
    return found


def workflow_report(report: AnalysisReport, name: str) -> WorkflowReport:
    (found,) = [w for w in report.workflows if w.name == name]
    return found


def insights_of(report: TeamReport | WorkflowReport, bottleneck: str) -> list[Insight]:
    return [i for i in report.insights if i.bottleneck == bottleneck]


def the_insight(report: TeamReport | WorkflowReport, bottleneck: str) -> Insight:
    found = insights_of(report, bottleneck)
    assert len(found) == 1, f"expected one {bottleneck}, got {[i.message for i in found]}"
    insight = found[0]
    assert 0.0 < insight.severity <= 1.0
    return insight


def unsupported_of(report: TeamReport | WorkflowReport, analysis: str) -> Unsupported:
    found = [u for u in report.unsupported if u.analysis == analysis]
    assert len(found) == 1, f"expected one unsupported {analysis}, got {report.unsupported}"
    assert found[0].reason
    return found[0]


@pytest.fixture
def synth(tmp_path: Path) -> Synth:
    return Synth(tmp_path, seed=20260101)
