"""Workflow runs, their nodes, tool use and tool calls, converted one record at a time.

The files that grow to hundreds of megabytes are team records with member entries; workflow
runs take a plain per-record path: each value is checked and appended to an
``array.array`` buffer, and the buffers become numpy columns at the end. Tool calls of team
members land in the same tool-call table.
"""

from __future__ import annotations

import math
from array import array
from typing import Any

import numpy as np

from autotune_bot.metrics.batch import Batch
from autotune_bot.metrics.columns import Interner, NodeTable, RunTable, ToolCallTable, ToolUseTable
from autotune_bot.metrics.record_fields import FieldChecker, config_ident
from autotune_bot.metrics.schema import NodeRecord, RawRecord, RunRecord, ToolCallRecord

__all__ = ["RunRows"]

NAN = math.nan

_DTYPES = {"i": np.int32, "b": np.int8, "d": np.float64}


def _num(value: float | None) -> float:
    if value is None or value < 0:
        return NAN
    return float(value)


def _flag(value: bool | None) -> int:
    if value is None:
        return -1
    return 1 if value else 0


class RunRows:
    """Rows of the run, node, tool-use and tool-call tables, a record at a time.

    ``names`` are the builder's interners by kind; ``checks`` reports bad values.
    """

    def __init__(self, names: dict[str, Interner], checks: FieldChecker) -> None:
        self.names = names
        self.checks = checks
        self.r: dict[str, array[Any]] = {
            "workflow": array("i"),
            "config": array("i"),
            "file": array("i"),
            "timestamp": array("d"),
            "success": array("b"),
            "duration": array("d"),
            "cost": array("d"),
        }
        self.n: dict[str, array[Any]] = {
            "run_row": array("i"),
            "node": array("i"),
            "model": array("i"),
            "error_type": array("i"),
            "success": array("b"),
            "duration": array("d"),
            "input_tokens": array("d"),
            "output_tokens": array("d"),
            "cost": array("d"),
        }
        self.u: dict[str, array[Any]] = {
            "node_row": array("i"),
            "tool": array("i"),
            "count": array("d"),
            "cost": array("d"),
        }
        self.c: dict[str, array[Any]] = {
            "owner_kind": array("b"),
            "owner_row": array("i"),
            "tool": array("i"),
            "args_hash": array("i"),
            "duration": array("d"),
            "cached": array("b"),
        }

    def add_run(
        self, rec: RunRecord | RawRecord, outer: RawRecord, batch: Batch, i: int, file: int
    ) -> int:
        """Add a workflow run (from record ``i`` of ``batch``) and its nodes; its row."""
        r = self.r
        names = self.names
        row = len(r["workflow"])
        workflow = rec.workflow_id or outer.workflow_id
        r["workflow"].append(names["workflow"].code(workflow))
        r["config"].append(names["config"].code(config_ident(rec, outer)))
        r["file"].append(file)
        stamp = rec.timestamp if rec.timestamp is not None else rec.start_time
        if stamp is None:
            stamp = outer.timestamp if outer.timestamp is not None else outer.start_time
        r["timestamp"].append(self.checks.timestamp(stamp, batch, i))
        what = f"run of {workflow or 'an unnamed workflow'}"
        r["success"].append(self.checks.success(rec.success, batch, i, what))
        duration = rec.duration if rec.duration is not None else rec.duration_seconds
        r["duration"].append(self.checks.duration(duration, batch, i, what))
        cost = rec.cost_usd if rec.cost_usd is not None else rec.cost
        r["cost"].append(self._amount(cost, batch, i, f"{what}: cost"))
        for node_id, node in (rec.node_metrics or {}).items():
            self._add_node(node_id, node, row, batch, i)
        return row

    def _add_node(self, node_id: str, node: NodeRecord, run_row: int, batch: Batch, i: int) -> None:
        n = self.n
        names = self.names
        n["run_row"].append(run_row)
        n["node"].append(names["node"].code(node_id))
        n["model"].append(names["model"].code(node.model))
        n["error_type"].append(names["misc"].code(node.error_type))
        n["success"].append(_flag(node.success))
        d = node.duration if node.duration is not None else node.duration_seconds
        if d is not None and 0.0 <= d < math.inf:
            n["duration"].append(float(d))
        else:
            if d is not None:
                self.checks.problem("node_problem", batch, i, f"node {node_id}: duration is {d}")
            n["duration"].append(NAN)
        what = f"node {node_id}"
        n["input_tokens"].append(self._amount(node.input_tokens, batch, i, f"{what}: input_tokens"))
        n["output_tokens"].append(
            self._amount(node.output_tokens, batch, i, f"{what}: output_tokens")
        )
        cost = node.cost_usd if node.cost_usd is not None else node.cost
        n["cost"].append(self._amount(cost, batch, i, f"{what}: cost"))
        node_row = len(n["run_row"]) - 1
        if node.tools:
            u = self.u
            tool_code = names["tool"].code
            for tool, agg in node.tools.items():
                u["node_row"].append(node_row)
                u["tool"].append(tool_code(tool))
                u["count"].append(self._amount(agg.count, batch, i, f"{what}: {tool} count"))
                u["cost"].append(self._amount(agg.cost, batch, i, f"{what}: {tool} cost"))
        if node.tool_calls:
            self.add_tool_calls(node.tool_calls, 0, node_row)

    def _amount(self, value: float | None, batch: Batch, i: int, what: str) -> float:
        """A count, token number or cost; a negative or infinite one is reported, then absent."""
        if value is None:
            return NAN
        if value >= 0 and value < math.inf:
            return float(value)
        self.checks.problem("negative_value", batch, i, f"{what} is {value}")
        return NAN

    def add_tool_calls(self, calls: list[ToolCallRecord], kind: int, owner: int) -> None:
        """Add the tool calls of a node (``kind`` 0) or a member entry (1) at row ``owner``."""
        c = self.c
        tool_code = self.names["tool"].code
        misc_code = self.names["misc"].code
        for call in calls:
            c["owner_kind"].append(kind)
            c["owner_row"].append(owner)
            c["tool"].append(tool_code(call.name))
            c["args_hash"].append(misc_code(call.args_hash))
            c["duration"].append(_num(call.duration_seconds))
            c["cached"].append(_flag(call.cached))

    def tables(self) -> tuple[RunTable, NodeTable, ToolUseTable, ToolCallTable]:
        """The rows added so far, as numpy tables."""

        def cols(source: dict[str, array[Any]]) -> dict[str, Any]:
            out: dict[str, Any] = {}
            for key, buf in source.items():
                dtype = _DTYPES[buf.typecode]
                out[key] = np.frombuffer(buf, dtype=dtype) if len(buf) else np.zeros(0, dtype)
            return out

        return (
            RunTable(**cols(self.r)),
            NodeTable(**cols(self.n)),
            ToolUseTable(**cols(self.u)),
            ToolCallTable(**cols(self.c)),
        )
