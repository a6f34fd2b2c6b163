"""Workflow runs, their nodes, tool use and tool calls, converted a batch at a time.

Like team records, runs are converted column-wise (one attribute of every struct at a time,
bad values found with array operations and reported one by one); the columns are appended to
``array.array`` buffers that become numpy tables at the end. Tool calls of team members land
in the same tool-call table.
"""

from __future__ import annotations

import math
from array import array
from collections.abc import Callable
from itertools import chain
from operator import attrgetter
from typing import Any

import numpy as np
import numpy.typing as npt

from autotune_bot.metrics.batch import Batch
from autotune_bot.metrics.column_convert import amounts, flags, numbers, report_amounts
from autotune_bot.metrics.columns import Interner, NodeTable, RunTable, ToolCallTable, ToolUseTable
from autotune_bot.metrics.record_fields import FieldChecker, config_idents
from autotune_bot.metrics.schema import (
    NodeRecord,
    RawRecord,
    RunRecord,
    ToolAggregate,
    ToolCallRecord,
)

__all__ = ["RunItem", "RunRows", "run_times"]

NAN = math.nan

_DTYPES = {"i": np.int32, "b": np.int8, "d": np.float64}


RunItem = tuple[RunRecord | RawRecord, RawRecord, int]  # run, outer record, record index

_SUCCESS = attrgetter("success")
_NODES = attrgetter("node_metrics")
_DURATION = attrgetter("duration")
_DURATION_S = attrgetter("duration_seconds")
_MODEL = attrgetter("model")
_ERROR = attrgetter("error_type")
_TOOLS = attrgetter("tools")
_TOOL_CALLS = attrgetter("tool_calls")
_NAME = attrgetter("name")
_ARGS_HASH = attrgetter("args_hash")
_CACHED = attrgetter("cached")
_NODE_AMOUNTS = ("input_tokens", "output_tokens", "cost", "cost_usd")


def _extend(buffer: array[Any], values: npt.NDArray[Any]) -> None:
    """Append a numpy column to an ``array.array`` buffer of the buffer's own type."""
    buffer.frombytes(np.ascontiguousarray(values, dtype=_DTYPES[buffer.typecode]).tobytes())


def run_times(
    recs: list[RunRecord | RawRecord], outers: list[RawRecord]
) -> list[str | float | None]:
    """When each run happened: its timestamp or start time, else the outer record's."""
    out: list[str | float | None] = []
    for rec, outer in zip(recs, outers, strict=True):
        stamp = rec.timestamp if rec.timestamp is not None else rec.start_time
        if stamp is None:
            stamp = outer.timestamp if outer.timestamp is not None else outer.start_time
        out.append(stamp)
    return out


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

    def count(self) -> int:
        """Runs added so far (the row the next run gets)."""
        return len(self.r["workflow"])

    def add_runs(self, items: list[RunItem], batch: Batch, file: int) -> None:
        """Add workflow runs — (run record, outer record, record index in ``batch``) — and
        their nodes, column-wise; they get rows ``count()`` onwards, in order."""
        if not items:
            return
        names = self.names
        checks = self.checks
        recs = [item[0] for item in items]
        outers = [item[1] for item in items]
        where = [item[2] for item in items]
        first = self.count()
        workflows = [r.workflow_id or o.workflow_id for r, o in zip(recs, outers, strict=True)]

        def what(j: int) -> str:
            return f"run of {workflows[j] or 'an unnamed workflow'}"

        success = list(map(_SUCCESS, recs))
        for j, flag in enumerate(success):
            if flag is None:
                checks.problem(
                    "missing_success", batch, where[j], f"{what(j)} has no success value"
                )
        durations = [r.duration if r.duration is not None else r.duration_seconds for r in recs]
        duration = np.array(durations, dtype=np.float64)
        valid = (duration > 0) & (duration < math.inf)
        for j in np.flatnonzero(~valid).tolist():
            checks.report_duration(durations[j], batch, where[j], what(j))
        nums = numbers(recs, ("cost", "cost_usd"))
        report_amounts(checks, nums, ("cost", "cost"), batch, where.__getitem__, what)
        r = self.r
        _extend(r["workflow"], names["workflow"].codes_of(workflows))
        _extend(r["config"], names["config"].codes_of(config_idents(recs, outers)))
        _extend(r["file"], np.full(len(recs), file))
        _extend(r["timestamp"], checks.timestamps(run_times(recs, outers), batch, where))
        _extend(r["success"], flags(success))
        _extend(r["duration"], np.where(valid, duration, np.nan))
        _extend(r["cost"], amounts(np.where(np.isnan(nums[:, 1]), nums[:, 0], nums[:, 1])))
        self._add_nodes(recs, first, batch, where)

    def _add_nodes(
        self, recs: list[RunRecord | RawRecord], first: int, batch: Batch, where: list[int]
    ) -> None:
        empty: dict[str, NodeRecord] = {}
        dicts = [m or empty for m in map(_NODES, recs)]
        nodes: list[NodeRecord] = list(chain.from_iterable(map(dict.values, dicts)))
        if not nodes:
            return
        node_ids: list[str] = list(chain.from_iterable(dicts))
        owner = np.repeat(np.arange(len(recs)), list(map(len, dicts)))
        names = self.names
        checks = self.checks

        def record_of(j: int) -> int:
            return where[int(owner[j])]

        def label(j: int) -> str:
            return f"node {node_ids[j]}"

        raw = list(map(_DURATION, nodes))
        if raw.count(None):
            raw = [
                d if d is not None else s for d, s in zip(raw, map(_DURATION_S, nodes), strict=True)
            ]
        duration = np.array(raw, dtype=np.float64)
        valid = (duration >= 0) & (duration < math.inf)
        for j in np.flatnonzero(~valid).tolist():
            if raw[j] is not None:
                checks.problem(
                    "node_problem", batch, record_of(j), f"node {node_ids[j]}: duration is {raw[j]}"
                )
        nums = numbers(nodes, _NODE_AMOUNTS)
        report_amounts(checks, nums, _NODE_AMOUNTS, batch, record_of, label)
        node_first = len(self.n["run_row"])
        n = self.n
        _extend(n["run_row"], first + owner)
        _extend(n["node"], names["node"].codes_of(node_ids))
        _extend(n["model"], names["model"].codes_of(list(map(_MODEL, nodes))))
        _extend(n["error_type"], names["misc"].codes_of(list(map(_ERROR, nodes))))
        _extend(n["success"], flags(list(map(_SUCCESS, nodes))))
        _extend(n["duration"], np.where(valid, duration, np.nan))
        _extend(n["input_tokens"], amounts(nums[:, 0]))
        _extend(n["output_tokens"], amounts(nums[:, 1]))
        cost = np.where(np.isnan(nums[:, 3]), nums[:, 2], nums[:, 3])
        _extend(n["cost"], amounts(cost))
        tools = list(map(_TOOLS, nodes))
        if any(tools):
            self._add_tool_use(tools, node_first, batch, record_of, label)
        calls = list(map(_TOOL_CALLS, nodes))
        if any(calls):
            self.add_tool_calls(calls, 0, node_first, batch, record_of, label)

    def _add_tool_use(
        self,
        tools: list[dict[str, ToolAggregate] | None],
        node_first: int,
        batch: Batch,
        record_of: Callable[[int], int],
        label: Callable[[int], str],
    ) -> None:
        empty: dict[str, ToolAggregate] = {}
        dicts = [t or empty for t in tools]
        aggs: list[ToolAggregate] = list(chain.from_iterable(map(dict.values, dicts)))
        tool_names: list[str] = list(chain.from_iterable(dicts))
        node = np.repeat(np.arange(len(dicts)), list(map(len, dicts)))
        nums = numbers(aggs, ("count", "cost"))
        report_amounts(
            self.checks,
            nums,
            ("count", "cost"),
            batch,
            lambda j: record_of(int(node[j])),
            lambda j: f"{label(int(node[j]))}: {tool_names[j]}",
        )
        u = self.u
        _extend(u["node_row"], node_first + node)
        _extend(u["tool"], self.names["tool"].codes_of(tool_names))
        _extend(u["count"], amounts(nums[:, 0]))
        _extend(u["cost"], amounts(nums[:, 1]))

    def add_tool_calls(
        self,
        lists: list[list[ToolCallRecord] | None],
        kind: int,
        first_owner: int,
        batch: Batch,
        record_of: Callable[[int], int],
        label: Callable[[int], str],
    ) -> None:
        """Add, column-wise, the tool calls of consecutive owners: ``lists[j]`` belongs to
        node row (``kind`` 0) or member row (``kind`` 1) ``first_owner + j``, from record
        ``record_of(j)`` of ``batch``."""
        empty: list[ToolCallRecord] = []
        per_owner = [calls or empty for calls in lists]
        calls = list(chain.from_iterable(per_owner))
        if not calls:
            return
        owner = np.repeat(np.arange(len(per_owner)), list(map(len, per_owner)))
        nums = numbers(calls, ("duration_seconds",))
        report_amounts(
            self.checks,
            nums,
            ("tool call duration_seconds",),
            batch,
            lambda j: record_of(int(owner[j])),
            lambda j: label(int(owner[j])),
        )
        c = self.c
        _extend(c["owner_kind"], np.full(len(calls), kind))
        _extend(c["owner_row"], first_owner + owner)
        _extend(c["tool"], self.names["tool"].codes_of(list(map(_NAME, calls))))
        _extend(c["args_hash"], self.names["misc"].codes_of(list(map(_ARGS_HASH, calls))))
        _extend(c["duration"], amounts(nums[:, 0]))
        _extend(c["cached"], flags(list(map(_CACHED, calls))))

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
