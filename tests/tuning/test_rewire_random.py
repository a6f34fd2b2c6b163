"""Random small workflows: every rewrite that is not refused reads back as intended.

Seeded generator of workflows with implicit chains, explicit ``next``, parallel and condition
nodes, or an ``edges:`` list; random prunes and parallel groups (chains of the graph). Each
accepted candidate is patched with the real patcher and checked with the read-back guard.
"""

from __future__ import annotations

import dataclasses
import random
from typing import Any

import pytest

from autotune_bot.patch.apply import apply_edits
from autotune_bot.tuning.config import WorkflowConfig, workflow_config
from autotune_bot.tuning.readback import check_workflow_readback
from autotune_bot.tuning.workflow_edits import workflow_changes
from autotune_bot.workflow.graph import WorkflowGraph
from autotune_bot.workflow.loader import parse_workflow_text
from autotune_bot.workflow.model import WorkflowDef

from .plain_apply import dump


def random_workflow(rng: random.Random) -> str:
    ids = [f"n{i}" for i in range(rng.randint(3, 7))]
    with_edges = rng.random() < 0.3
    nodes: list[dict[str, Any]] = []
    for i, node_id in enumerate(ids):
        node: dict[str, Any] = {"id": node_id}
        later = ids[i + 1 :]
        roll = rng.random()
        if not with_edges and roll < 0.12 and len(later) >= 2:
            node["type"] = "parallel"
            node["parallel_nodes"] = rng.sample(later, rng.randint(1, 2))
            if rng.random() < 0.5:
                node["next"] = [rng.choice(ids)]
        elif roll < 0.2 and len(later) >= 2:
            yes, no = rng.sample(later, 2)
            node["type"] = "condition"
            node["branches"] = {"yes": yes, "no": no}
        elif not with_edges and rng.random() < 0.4:
            node["next"] = rng.sample(ids, rng.randint(0, 2))
        nodes.append(node)
    if not with_edges:
        return dump({"nodes": nodes})
    items = [
        {"from": node["id"], "to": target if rng.random() < 0.5 else [target]}
        for node in nodes
        if node.get("type") != "condition"
        for target in rng.sample(ids, rng.randint(0, 2))
    ]
    return dump({"workflow": {"name": "w", "nodes": nodes, "edges": items}})


def random_candidate(rng: random.Random, wf: WorkflowDef) -> WorkflowConfig:
    graph = WorkflowGraph.from_workflow(wf)
    ids = list(wf.nodes)
    removed = set(rng.sample(ids, rng.randint(0, 2)))
    used = set(removed)
    groups: list[tuple[str, ...]] = []
    for _ in range(2):
        chain = [rng.choice(ids)]
        while len(chain) < 3:
            after = graph.successors(chain[-1])
            if len(after) != 1 or after[0] in chain:
                break
            chain.append(after[0])
        if len(chain) >= 2 and not used & set(chain):
            groups.append(tuple(chain[: rng.randint(2, len(chain))]))
            used |= set(chain)
    current = workflow_config(wf)
    return dataclasses.replace(current, removed=frozenset(removed), parallel_groups=tuple(groups))


@pytest.mark.parametrize("block", range(4))
def test_random_rewrites_read_back(block: int) -> None:
    accepted = 0
    for seed in range(block * 40, block * 40 + 40):
        rng = random.Random(seed)
        text = random_workflow(rng)
        parsed = parse_workflow_text(text, "random.yaml")
        (wf,) = parsed.workflows
        candidate = random_candidate(rng, wf)
        current = workflow_config(wf)
        try:
            changes = workflow_changes(wf, current, candidate, document=parsed.document)
        except ValueError:
            continue  # refused: the caller skips such a candidate
        new_text = apply_edits(text, [c.edit for c in changes], "random.yaml")
        removed = set(candidate.removed)
        groups = candidate.parallel_groups
        problems = check_workflow_readback(
            new_text, "random.yaml", wf.name, candidate, removed, groups, original=wf
        )
        assert problems == [], f"seed {seed}:\n{text}\n{new_text}"
        accepted += 1
    assert accepted >= 15
