"""A node's model replaced: its cost from recorded tokens × the new model's prices, its
duration scaled by the ratio of latency per output token, success held.

The old model's LLM cost is the node's recorded cost minus its tools' recorded cost (what the
runtime actually paid), or its tokens × the old model's prices when the node has no recorded
cost. The new model's is the same tokens × its prices: the new model is assumed to read and
write as many tokens. The duration ratio compares figures of the same kind (see
:meth:`PriceTable.latency_ratio`). Whether the new model does the node's job as well is not
in the data: success is held at the recorded value, and the note says so.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from autotune_bot.model.prices import PriceTable
from autotune_bot.model.run_traces import RunTraces
from autotune_bot.tuning.config import WorkflowConfig

__all__ = ["apply_model_changes", "node_tool_cost"]

F64 = npt.NDArray[np.float64]


def node_tool_cost(traces: RunTraces) -> F64:
    """Runs × nodes: the recorded cost of each node's tools (0 where none)."""
    out = np.zeros(traces.node_duration.shape)
    u = traces.use
    np.add.at(out, (u.run, u.node), np.nan_to_num(u.cost))
    return out


def apply_model_changes(
    traces: RunTraces,
    current: WorkflowConfig,
    candidate: WorkflowConfig,
    prices: PriceTable,
    duration: F64,
    cost_delta: F64,
    notes: list[str],
) -> str | None:
    """Apply the candidate's model changes to ``duration`` and ``cost_delta`` (runs × nodes,
    in place); a refusal reason when one cannot be estimated."""
    tool_cost = node_tool_cost(traces)
    for node, model in candidate.models:
        if model == current.model(node):
            continue
        k = traces.column(node)
        ran = traces.ran[:, k]
        if not ran.any():
            notes.append(
                f"{node} never ran in the recorded runs: the switch to {model} has no "
                "measured effect"
            )
            continue
        ins, outs = traces.input_tokens[:, k], traces.output_tokens[:, k]
        tokened = ran & np.isfinite(ins) & np.isfinite(outs)
        missing = int(ran.sum() - tokened.sum())
        if missing * 2 >= int(ran.sum()):
            return f"{node}: tokens are not recorded in {missing} of {int(ran.sum())} runs"
        new = prices.get(model)
        price_in = new.input_usd_per_mtok if new is not None else None
        price_out = new.output_usd_per_mtok if new is not None else None
        if price_in is None or price_out is None:
            return f"no price for model {model} (add it under `models:` in .autotune.yml)"
        olds = [
            traces.models[c] if c >= 0 else current.model(node)
            for c in traces.node_model[:, k].tolist()
        ]
        for old in sorted({o for o, t in zip(olds, tokened, strict=True) if t}, key=str):
            rows = tokened & np.array([o == old for o in olds])
            reason = _swap(
                traces, prices, k, old, model, rows, tool_cost, duration, cost_delta, notes
            )
            if reason is not None:
                return f"{node}: {reason}"
        notes.append(
            f"quality of {model} on {node} is not measured; success held at the recorded value"
        )
        notes.append(f"{model} prices: input {price_in.source}, output {price_out.source}")
        if missing:
            notes.append(f"{missing} runs of {node} without recorded tokens kept as recorded")
    return None


def _swap(
    traces: RunTraces,
    prices: PriceTable,
    k: int,
    old: str | None,
    new: str,
    rows: npt.NDArray[np.bool_],
    tool_cost: F64,
    duration: F64,
    cost_delta: F64,
    notes: list[str],
) -> str | None:
    if old is None:
        return "the model it ran is not recorded or configured"
    if old == new:
        return None
    ratio = prices.latency_ratio(old, new)
    if ratio is None:
        return f"no latency figure for {old} or {new}"
    ins, outs = traces.input_tokens[rows, k], traces.output_tokens[rows, k]
    recorded = traces.node_cost[rows, k] - tool_cost[rows, k]
    old_prices = prices.get(old)
    estimated = old_prices.token_cost(ins, outs) if old_prices is not None else None
    unpriced = ~np.isfinite(recorded)
    if unpriced.any() and estimated is None:
        return f"no recorded cost and no price for {old}"
    old_cost = np.where(unpriced, estimated if estimated is not None else 0.0, recorded)
    new_prices = prices.get(new)
    new_cost = new_prices.token_cost(ins, outs) if new_prices is not None else None
    if new_cost is None:
        return f"no price for model {new}"
    cost_delta[rows, k] += new_cost - np.maximum(old_cost, 0.0)
    duration[rows, k] *= ratio[0]
    notes.append(f"duration of {old} → {new} scaled by {ratio[0]:.2f} (latency {ratio[1]})")
    return None
