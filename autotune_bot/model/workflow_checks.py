"""What the workflow model refuses to predict: changes the recorded runs say nothing about.

Refused: nodes the definition lacks; pruning a node whose output a remaining node reads
(that node's input would change); running side by side nodes of which one reads another's
output, a node that is also pruned, or nodes that are not consecutive; a model change on a
node that is not an agent.
"""

from __future__ import annotations

from autotune_bot.tuning.config import WorkflowConfig
from autotune_bot.workflow.dataflow import data_dependencies
from autotune_bot.workflow.graph import WorkflowGraph
from autotune_bot.workflow.model import WorkflowDef

__all__ = ["workflow_refusal"]


def workflow_refusal(
    wf: WorkflowDef, graph: WorkflowGraph, candidate: WorkflowConfig
) -> str | None:
    """Why the candidate's structure cannot be predicted, or None."""
    named = [
        *candidate.removed,
        *(n for group in candidate.parallel_groups for n in group),
        *(n for n, _ in candidate.models),
        *(n for n, _ in candidate.cached),
        *(n for n, _ in candidate.tools),
        *(n for n, _ in candidate.batched),
    ]
    unknown = sorted({n for n in named if n not in wf.nodes})
    if unknown:
        return f"{wf.name}: no node {', '.join(unknown)} in the workflow"
    deps = data_dependencies(wf, graph)
    for node in wf.nodes:
        if node in candidate.removed:
            continue
        read = sorted(deps[node] & candidate.removed)
        if read:
            return f"{wf.name}: {node} reads the output of pruned {', '.join(read)}"
    for group in candidate.parallel_groups:
        both = sorted(set(group) & candidate.removed)
        if both:
            return f"{wf.name}: {', '.join(both)} both pruned and run in parallel"
        for node in group:
            inside = sorted(deps[node] & (set(group) - {node}))
            if inside:
                return (
                    f"{wf.name}: {node} reads the output of {', '.join(inside)}; they cannot run "
                    "side by side"
                )
    for node, _model in candidate.models:
        if wf.nodes[node].type != "agent":
            return f"{wf.name}: a model change on {wf.nodes[node].type} node {node} is not modelled"
    return None
