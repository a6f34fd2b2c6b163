"""Workflow targets for the workflow-strategy tests: the demo repository's workflows, and
small constructed workflows with generated run records (written as JSON Lines, ingested and
analysed the way the command line does it)."""

from __future__ import annotations

import json
import random
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

import pytest

from autotune_bot.analysis.analyzer import AnalysisReport, analyze
from autotune_bot.metrics.ingest import ingest_files
from autotune_bot.repository import RepositoryInputs, load_inputs
from autotune_bot.settings import Settings
from autotune_bot.strategies.base import OptionValue, Proposal, WorkflowTarget
from autotune_bot.tuning.config import WorkflowConfig, workflow_config
from autotune_bot.workflow.graph import WorkflowGraph
from autotune_bot.workflow.loader import parse_workflow_text
from autotune_bot.workflow.model import WorkflowDef

DEMO = Path(__file__).resolve().parents[3] / "examples" / "demo-repo"
DEMO_WORKFLOWS = ("code_review", "deep_research", "release_notes")
Record = dict[str, Any]


class Demo:
    """The demo repository, analysed once; ``target(name)`` builds a workflow target."""

    def __init__(self) -> None:
        self.inputs: RepositoryInputs = load_inputs(DEMO)
        data = self.inputs.metrics
        self.report: AnalysisReport = analyze(
            data.store, data.problems, self.inputs.workflows, self.inputs.settings
        )

    def definition(self, name: str) -> WorkflowDef:
        (found,) = [wf for f in self.inputs.workflows for wf in f.workflows if wf.name == name]
        return found

    def target(self, name: str, options: Mapping[str, OptionValue] | None = None) -> WorkflowTarget:
        wf = self.definition(name)
        (report,) = [w for w in self.report.workflows if w.name == name]
        return WorkflowTarget(
            wf,
            WorkflowGraph.from_workflow(wf),
            report,
            self.inputs.metrics.store,
            self.inputs.settings,
            workflow_config(wf),
            dict(options or {}),
        )


@pytest.fixture(scope="session")
def demo() -> Demo:
    return Demo()


def run_record(index: int, nodes: Mapping[str, Record], *, workflow: str = "wf") -> Record:
    """One workflow run record (2b) holding ``nodes``; it succeeds when every node did."""
    return {
        "run_id": f"{workflow}-{index}",
        "workflow_id": workflow,
        "success": all(n.get("success", True) for n in nodes.values()),
        "duration": sum(float(n.get("duration", 0.0)) for n in nodes.values()),
        "timestamp": f"2026-01-01T{index // 60 % 24:02d}:{index % 60:02d}:00+00:00",
        "node_metrics": dict(nodes),
    }


def build_target(
    directory: Path,
    yaml_text: str,
    records: Sequence[Record],
    *,
    workflow: str = "wf",
    settings: Settings | None = None,
    options: Mapping[str, OptionValue] | None = None,
) -> WorkflowTarget:
    """Analyse ``records`` against the workflow file ``yaml_text`` and build the target of
    the workflow named ``workflow``."""
    path = directory / "metrics.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    ingested = ingest_files([(path, path.name)])
    assert not ingested.unreadable
    wf_file = parse_workflow_text(yaml_text, "workflows/wf.yaml")
    chosen = settings or Settings()
    report = analyze(
        ingested.store, ingested.problems, [wf_file], chosen, workflow_names=[workflow]
    )
    (wf,) = [w for w in wf_file.workflows if w.name == workflow]
    (wf_report,) = report.workflows
    return WorkflowTarget(
        wf,
        WorkflowGraph.from_workflow(wf),
        wf_report,
        ingested.store,
        chosen,
        workflow_config(wf),
        dict(options or {}),
    )


def chain_yaml(nodes: Sequence[tuple[str, str | None, Sequence[str]]], *, extra: str = "") -> str:
    """A workflow ``wf`` of agent nodes run in list order: (id, output key, keys read).
    ``extra`` is appended to every node's mapping (indented YAML lines)."""
    lines = ["workflows:", "  wf:", "    nodes:"]
    for node_id, output, reads in nodes:
        refs = " and ".join(f"{{{{ {key} }}}}" for key in reads)
        lines += [
            f"      - id: {node_id}",
            "        type: agent",
            f'        goal: "Work from {refs}"' if refs else '        goal: "Start"',
        ]
        if output:
            lines.append(f"        output: {output}")
        if extra:
            lines.append(extra)
    return "\n".join(lines) + "\n"


def timed_runs(
    seed: int,
    n: int,
    medians: Mapping[str, float],
    *,
    success: Mapping[str, float] | None = None,
    extra: Callable[[random.Random, int, str], Record] | None = None,
) -> list[Record]:
    """``n`` runs in which every node of ``medians`` ran for a log-normal time around its
    median (sigma 0.2); a node fails with probability 1 − ``success[node]``; ``extra(rng, i,
    node)`` returns fields added to the node's entry."""
    rng = random.Random(seed)
    out = []
    for i in range(n):
        nodes: dict[str, Record] = {}
        for node, median in medians.items():
            entry: Record = {
                "duration": median * rng.lognormvariate(0.0, 0.2),
                "success": rng.random() < (success or {}).get(node, 1.0),
            }
            if extra is not None:
                entry |= extra(rng, i, node)
            nodes[node] = entry
        out.append(run_record(i, nodes))
    return out


def candidate(proposal: Proposal) -> WorkflowConfig:
    """A workflow proposal's candidate configuration."""
    assert isinstance(proposal.candidate, WorkflowConfig)
    return proposal.candidate
