"""Turns decoded records into columns, checking every value on the way.

This loop is the hot path of ingestion (hundreds of thousands of member entries), so it is
written plainly: local appends to ``array.array`` buffers, no per-value function calls on
the common path. Unusual values take a slow branch that classifies and counts them.
"""

from __future__ import annotations

import math
import operator
from array import array
from datetime import UTC, datetime
from itertools import chain, repeat
from operator import attrgetter
from typing import Any

import numpy as np
import numpy.typing as npt

from autotune_bot.metrics.columns import (
    Interner,
    MemberTable,
    MetricsStore,
    NodeTable,
    RunTable,
    TeamTable,
    ToolCallTable,
    ToolUseTable,
)
from autotune_bot.metrics.problems import DataProblem, ProblemLog
from autotune_bot.metrics.reader import Batch
from autotune_bot.metrics.schema import (
    MemberRecord,
    NodeRecord,
    RawRecord,
    RunRecord,
    TeamRecord,
    ToolCallRecord,
)

__all__ = ["StoreBuilder"]

NAN = math.nan

_TeamItem = tuple[TeamRecord, RawRecord, int, int]  # record, outer record, run row, batch index

_I32, _I8, _F64 = np.int32, np.int8, np.float64
_TEAM_COLUMNS: dict[str, Any] = {
    "team": _I32,
    "config": _I32,
    "workflow": _I32,
    "formation": _I32,
    "file": _I32,
    "run": _I32,
    "timestamp": _F64,
    "success": _I8,
    "duration": _F64,
    "tool_calls": _F64,
    "member_count": _F64,
    "consensus_rounds": _F64,
    "consensus_achieved": _I8,
    "cost": _F64,
    "input_tokens": _F64,
    "output_tokens": _F64,
}
_MEMBER_COLUMNS: dict[str, Any] = {
    "team_row": _I32,
    "member": _I32,
    "success": _I8,
    "duration": _F64,
    "tool_calls": _F64,
    "cost": _F64,
}


def _num(value: float | None) -> float:
    if value is None or value < 0:
        return NAN
    return float(value)


def _flag(value: bool | None) -> int:
    if value is None:
        return -1
    return 1 if value else 0


_TEAM_NUMBERS = (
    "duration_seconds",
    "total_tool_calls",
    "member_count",
    "consensus_rounds",
    "cost",
    "cost_usd",
    "input_tokens",
    "output_tokens",
)
_MEMBER_NUMBERS = ("duration_seconds", "tool_calls_used", "cost", "cost_usd")
_SUCCESS = attrgetter("success")
_TOOL_CALLS = attrgetter("tool_calls")
_MEMBERS = attrgetter("member_metrics")
_FINGERPRINT = attrgetter("config_fingerprint")
_GIT_SHA = attrgetter("git_sha")
_START_TIME = attrgetter("start_time")
_UTC_SUFFIXES = ("+00:00", "Z")


def _numbers(records: list[Any], fields: tuple[str, ...]) -> npt.NDArray[np.float64]:
    """A (len(records), len(fields)) float array; None becomes NaN.

    One column at a time: numpy converts a list of floats far faster than a list of tuples.
    """
    out = np.empty((len(records), len(fields)), dtype=np.float64)
    for k, name in enumerate(fields):
        column = list(map(attrgetter(name), records))
        nones = column.count(None)
        if nones == len(column):
            out[:, k] = np.nan  # an absent field: skip numpy's slow path for None
        elif nones == 0:
            out[:, k] = column
        else:
            out[:, k] = np.array(column, dtype=np.float64)
    return out


def _flags(values: list[bool | None]) -> npt.NDArray[np.int8]:
    if values.count(None) == 0:
        return np.array(values, dtype=np.int8)
    as_float = np.array(values, dtype=np.float64)
    return np.where(np.isnan(as_float), -1, as_float).astype(np.int8)


def _clean(values: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
    """Counts, tokens and costs: negative or infinite values become NaN (absent)."""
    return np.where((values >= 0) & np.isfinite(values), values, np.nan)


_GOLDEN = np.uint64(0x9E3779B97F4A7C15)
_MIX1, _MIX2 = np.uint64(0xBF58476D1CE4E5B9), np.uint64(0x94D049BB133111EB)
_S27, _S30, _S31 = np.uint64(27), np.uint64(30), np.uint64(31)


def _mix(x: npt.NDArray[np.uint64]) -> npt.NDArray[np.uint64]:
    """The splitmix64 finalizer: every input bit affects every output bit. (A bare multiply
    only moves bits upwards, and small whole floats differ only in their top bits.)"""
    x = (x ^ (x >> _S30)) * _MIX1
    x = (x ^ (x >> _S27)) * _MIX2
    return x ^ (x >> _S31)


def _row_hash(*cols: npt.NDArray[Any]) -> npt.NDArray[np.uint64]:
    acc = np.zeros(cols[0].shape[0], dtype=np.uint64)
    for col in cols:
        bits = np.ascontiguousarray(col, dtype=np.float64).view(np.uint64)
        acc = _mix((acc ^ bits) + _GOLDEN)
    return acc


class StoreBuilder:
    """Accumulates batches of records from any number of files into a :class:`MetricsStore`.

    Team records and their members are converted a batch at a time with numpy (the files
    that grow to hundreds of megabytes are team records with member entries); workflow
    runs go through a per-record path.

    ``member_teams``: when given, member and tool-call rows are kept only for these team ids
    (team-level rows are always kept: other teams serve as peers for baselines).
    """

    def __init__(self, problems: ProblemLog, member_teams: frozenset[str] | None = None) -> None:
        self.problems = problems
        self.member_teams = member_teams
        self.names = {
            key: Interner()
            for key in (
                "team",
                "member",
                "workflow",
                "node",
                "tool",
                "config",
                "formation",
                "model",
                "misc",
                "file",
            )
        }
        self.seen_keys: set[int] = set()
        self.records_read = 0
        self.files: list[str] = []
        self._file = -1
        self._display = ""
        self._team_rows = 0
        self.t: dict[str, list[npt.NDArray[Any]]] = {f: [] for f in _TEAM_COLUMNS}
        self.m: dict[str, list[npt.NDArray[Any]]] = {f: [] for f in _MEMBER_COLUMNS}
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

    # --- files and batches ---------------------------------------------------------------

    def start_file(self, display: str) -> None:
        self._file = self.names["file"].code(display)
        self._display = display
        self.files.append(display)

    def add_batch(self, batch: Batch) -> None:
        teams: list[_TeamItem] = []
        for i, rec in enumerate(batch.records):
            if rec.team_id is not None and rec.workflow_run is None and rec.team_executions is None:
                teams.append((rec, rec, -1, i))
            else:
                self._add_record(rec, batch, i, teams)
        self.records_read += len(batch.records)
        if teams:
            self._add_teams(teams, batch)

    def _problem(self, kind: str, batch: Batch, i: int, detail: str) -> None:
        self.problems.add(
            DataProblem(kind, self._display, batch.line_of(i), batch.first_index + i, detail)
        )

    def _add_record(self, rec: RawRecord, batch: Batch, i: int, teams: list[_TeamItem]) -> None:
        if rec.workflow_run is not None or rec.team_executions is not None:
            key = hash(
                (
                    _run_key(rec.workflow_run),
                    rec.run_id,
                    rec.timestamp,
                    rec.git_sha,
                    len(rec.team_executions or ()),
                )
            )
            if self._duplicate(key, batch, i):
                return
            run_row = -1
            if rec.workflow_run is not None:
                run_row = self._add_run(rec.workflow_run, rec, batch, i)
            for team in rec.team_executions or ():
                teams.append((team, rec, run_row, i))
            return
        if rec.node_metrics is not None or rec.run_id is not None or rec.duration is not None:
            key = hash(
                (
                    rec.run_id,
                    rec.workflow_id,
                    rec.timestamp,
                    rec.start_time,
                    rec.duration,
                    rec.duration_seconds,
                    rec.success,
                    rec.git_sha,
                )
            )
            if not self._duplicate(key, batch, i):
                self._add_run(rec, rec, batch, i)
            return
        self._problem(
            "unknown_shape",
            batch,
            i,
            "no team_id, node_metrics, run_id or workflow_run: not a metrics record",
        )

    def _duplicate(self, key: int, batch: Batch, i: int) -> bool:
        if key in self.seen_keys:
            self._problem("duplicate", batch, i, "same fields as an earlier record")
            return True
        self.seen_keys.add(key)
        return False

    # --- shared fields -------------------------------------------------------------------

    def _config(self, rec: TeamRecord | RunRecord, outer: RawRecord) -> int:
        return self.names["config"].code(_config_ident(rec, outer))

    def _timestamp(self, value: str | float | None, batch: Batch, i: int) -> float:
        if value is None:
            return NAN
        if isinstance(value, float | int):
            return float(value)
        try:
            parsed = datetime.fromisoformat(value)
        except ValueError:
            self._problem("bad_timestamp", batch, i, f"cannot parse timestamp {value!r}")
            return NAN
        if parsed.tzinfo is None:
            parsed = parsed.replace(tzinfo=UTC)
        return parsed.timestamp()

    def _timestamps(
        self, values: list[str | float | None], batch: Batch, where: list[int]
    ) -> npt.NDArray[np.float64]:
        """Epoch seconds for many timestamps; numpy parses the common all-UTC case at once."""
        all_text = set(map(type, values)) == {str}
        for suffix in _UTC_SUFFIXES:
            if all_text and all(map(str.endswith, values, repeat(suffix))):  # type: ignore[arg-type]
                cut = -len(suffix)
                try:
                    parsed = np.array([v[:cut] for v in values], dtype="datetime64[us]")  # type: ignore[index]
                except ValueError:
                    break
                if np.isnat(parsed).any():
                    break  # e.g. a bare "+00:00": the per-value path reports it
                return parsed.astype(np.int64) / 1e6
        return np.array(
            [self._timestamp(v, batch, i) for v, i in zip(values, where, strict=True)],
            dtype=np.float64,
        )

    def _duration(self, value: float | None, batch: Batch, i: int, what: str) -> float:
        if value is not None and 0.0 < value < math.inf:
            return float(value)
        self._report_duration(value, batch, i, what)
        return NAN

    def _report_duration(self, value: float | None, batch: Batch, i: int, what: str) -> None:
        if value is None:
            self._problem("missing_duration", batch, i, f"{what} has no duration")
        elif math.isnan(value) or math.isinf(value):
            self._problem("nan_value", batch, i, f"{what} duration is {value}")
        elif value < 0:
            self._problem("negative_duration", batch, i, f"{what} duration is {value}")
        else:
            self._problem("zero_duration", batch, i, f"{what} duration is 0")

    def _success(self, value: bool | None, batch: Batch, i: int, what: str) -> int:
        if value is None:
            self._problem("missing_success", batch, i, f"{what} has no success value")
            return -1
        return 1 if value else 0

    # --- team records, a batch at a time -------------------------------------------------

    def _add_teams(self, items: list[_TeamItem], batch: Batch) -> None:
        names = self.names
        recs = [item[0] for item in items]
        outers = [item[1] for item in items]
        config = names["config"].codes_of(_config_idents(recs, outers))
        nums = _numbers(recs, _TEAM_NUMBERS)
        success = _flags(list(map(_SUCCESS, recs)))
        team = names["team"].codes_of([r.team_id for r in recs])
        stamps = self._timestamps(_stamps(recs, outers), batch, [it[3] for it in items])
        duration = nums[:, 0]
        keys = _row_hash(
            team.astype(np.float64),
            config.astype(np.float64),
            stamps,
            success.astype(np.float64),
            *nums.T,
        )
        keep = np.ones(len(items), dtype=bool)
        seen = self.seen_keys
        for j, key in enumerate(keys.tolist()):
            if key in seen:
                keep[j] = False
                self._problem("duplicate", batch, items[j][3], "same fields as an earlier record")
            else:
                seen.add(key)
        if not keep.all():
            idx = np.flatnonzero(keep)
            items = [items[j] for j in idx]
            recs = [recs[j] for j in idx]
            outers = [outers[j] for j in idx]
            config, nums, success, team, stamps = (
                config[idx],
                nums[idx],
                success[idx],
                team[idx],
                stamps[idx],
            )
            duration = nums[:, 0]
        for j in np.flatnonzero(~((duration > 0) & (duration < math.inf))).tolist():
            self._report_duration(
                recs[j].duration_seconds, batch, items[j][3], f"team {recs[j].team_id}"
            )
        for j in np.flatnonzero(success < 0).tolist():
            self._problem(
                "missing_success",
                batch,
                items[j][3],
                f"team {recs[j].team_id} has no success value",
            )
        first_row = self._team_rows
        self._team_rows += len(recs)
        cost = np.where(np.isnan(nums[:, 5]), nums[:, 4], nums[:, 5])
        t = self.t
        t["team"].append(team)
        t["config"].append(config)
        t["workflow"].append(
            names["workflow"].codes_of(
                [r.workflow_id or o.workflow_id for r, o in zip(recs, outers, strict=True)]
            )
        )
        t["formation"].append(names["formation"].codes_of([r.formation for r in recs]))
        t["file"].append(np.full(len(recs), self._file, dtype=np.int32))
        t["run"].append(np.array([item[2] for item in items], dtype=np.int32))
        t["timestamp"].append(stamps)
        t["success"].append(success)
        t["duration"].append(np.where((duration > 0) & (duration < math.inf), duration, np.nan))
        t["tool_calls"].append(_clean(nums[:, 1]))
        t["member_count"].append(_clean(nums[:, 2]))
        t["consensus_rounds"].append(_clean(nums[:, 3]))
        t["consensus_achieved"].append(_flags([r.consensus_achieved for r in recs]))
        t["cost"].append(_clean(cost))
        t["input_tokens"].append(_clean(nums[:, 6]))
        t["output_tokens"].append(_clean(nums[:, 7]))
        self._add_members(recs, items, first_row, batch)

    def _add_members(
        self, recs: list[TeamRecord], items: list[_TeamItem], first_row: int, batch: Batch
    ) -> None:
        wanted = self.member_teams
        empty: dict[str, MemberRecord] = {}
        dicts = [
            m if m and (wanted is None or r.team_id in wanted) else empty
            for r, m in zip(recs, map(_MEMBERS, recs), strict=True)
        ]
        # Flattened with C-level iteration: this runs once per member entry.
        values: list[MemberRecord] = list(chain.from_iterable(map(dict.values, dicts)))
        keys: list[str] = list(chain.from_iterable(dicts))
        counts = list(map(len, dicts))
        if not values:
            return
        rows = np.repeat(np.arange(first_row, first_row + len(recs), dtype=np.int32), counts)
        owner = np.repeat(np.arange(len(recs)), counts)
        nums = _numbers(values, _MEMBER_NUMBERS)
        duration = nums[:, 0]
        for j in np.flatnonzero(~((duration > 0) & (duration < math.inf))).tolist():
            self._problem(
                "member_problem",
                batch,
                items[int(owner[j])][3],
                f"member {keys[j]}: duration is {values[j].duration_seconds}",
            )
        m = self.m
        m["team_row"].append(rows)
        m["member"].append(self.names["member"].codes_of(keys))
        m["success"].append(_flags(list(map(_SUCCESS, values))))
        m["duration"].append(np.where((duration > 0) & (duration < math.inf), duration, np.nan))
        m["tool_calls"].append(_clean(nums[:, 1]))
        m["cost"].append(_clean(np.where(np.isnan(nums[:, 3]), nums[:, 2], nums[:, 3])))
        base = sum(len(a) for a in m["team_row"]) - len(values)
        with_calls = list(map(_TOOL_CALLS, values))
        if any(with_calls):
            for j, calls in enumerate(with_calls):
                if calls:
                    self._add_tool_calls(calls, 1, base + j)

    # --- workflow runs -------------------------------------------------------------------

    def _add_run(self, rec: RunRecord | RawRecord, outer: RawRecord, batch: Batch, i: int) -> int:
        r = self.r
        names = self.names
        row = len(r["workflow"])
        workflow = rec.workflow_id or outer.workflow_id
        r["workflow"].append(names["workflow"].code(workflow))
        r["config"].append(self._config(rec, outer))
        r["file"].append(self._file)
        stamp = rec.timestamp if rec.timestamp is not None else rec.start_time
        if stamp is None:
            stamp = outer.timestamp if outer.timestamp is not None else outer.start_time
        r["timestamp"].append(self._timestamp(stamp, batch, i))
        what = f"run of {workflow or 'an unnamed workflow'}"
        r["success"].append(self._success(rec.success, batch, i, what))
        duration = rec.duration if rec.duration is not None else rec.duration_seconds
        r["duration"].append(self._duration(duration, batch, i, what))
        cost = rec.cost_usd if rec.cost_usd is not None else rec.cost
        r["cost"].append(_num(cost))
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
                self._problem("node_problem", batch, i, f"node {node_id}: duration is {d}")
            n["duration"].append(NAN)
        n["input_tokens"].append(_num(node.input_tokens))
        n["output_tokens"].append(_num(node.output_tokens))
        cost = node.cost_usd if node.cost_usd is not None else node.cost
        n["cost"].append(_num(cost))
        node_row = len(n["run_row"]) - 1
        if node.tools:
            u = self.u
            tool_code = names["tool"].code
            for tool, agg in node.tools.items():
                u["node_row"].append(node_row)
                u["tool"].append(tool_code(tool))
                u["count"].append(_num(agg.count))
                u["cost"].append(_num(agg.cost))
        if node.tool_calls:
            self._add_tool_calls(node.tool_calls, 0, node_row)

    def _add_tool_calls(self, calls: list[ToolCallRecord], kind: int, owner: int) -> None:
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

    # --- result --------------------------------------------------------------------------

    def build(self) -> MetricsStore:
        def stacked(
            source: dict[str, list[npt.NDArray[Any]]], like: dict[str, Any]
        ) -> dict[str, Any]:
            return {
                key: np.concatenate(parts) if parts else np.zeros(0, like[key])
                for key, parts in source.items()
            }

        def cols(source: dict[str, array[Any]]) -> dict[str, Any]:
            out: dict[str, Any] = {}
            for key, buf in source.items():
                dtype = {"i": np.int32, "b": np.int8, "d": np.float64}[buf.typecode]
                out[key] = np.frombuffer(buf, dtype=dtype) if len(buf) else np.zeros(0, dtype)
            return out

        names = self.names
        return MetricsStore(
            teams=TeamTable(**stacked(self.t, _TEAM_COLUMNS)),
            members=MemberTable(**stacked(self.m, _MEMBER_COLUMNS)),
            runs=RunTable(**cols(self.r)),
            nodes=NodeTable(**cols(self.n)),
            tool_use=ToolUseTable(**cols(self.u)),
            tool_calls=ToolCallTable(**cols(self.c)),
            team_names=names["team"],
            member_names=names["member"],
            workflow_names=names["workflow"],
            node_names=names["node"],
            tool_names=names["tool"],
            config_names=names["config"],
            formation_names=names["formation"],
            model_names=names["model"],
            misc_names=names["misc"],
            file_names=names["file"],
            files_read=tuple(self.files),
            records_read=self.records_read,
        )


def _config_ident(rec: TeamRecord | RunRecord, outer: RawRecord) -> str | None:
    ident = rec.config_fingerprint or outer.config_fingerprint
    return ident if ident is not None else (rec.git_sha or outer.git_sha)


def _config_idents(recs: list[TeamRecord], outers: list[RawRecord]) -> list[str | None]:
    """`_config_ident` for many records; plain team records (their own outer record) are
    handled column-wise."""
    if all(map(operator.is_, recs, outers)):
        fingerprints = list(map(_FINGERPRINT, recs))
        shas = list(map(_GIT_SHA, recs))
        return [f if f is not None else g for f, g in zip(fingerprints, shas, strict=True)]
    return [_config_ident(r, o) for r, o in zip(recs, outers, strict=True)]


def _stamps(recs: list[TeamRecord], outers: list[RawRecord]) -> list[str | float | None]:
    """`_stamp` for many records, column-wise when every record has a start_time."""
    starts = list(map(_START_TIME, recs))
    if None not in starts:
        return starts
    return [_stamp(r, o) for r, o in zip(recs, outers, strict=True)]


def _stamp(rec: TeamRecord, outer: RawRecord) -> str | float | None:
    for value in (rec.start_time, rec.timestamp, outer.timestamp, outer.start_time):
        if value is not None:
            return value
    return None


def _run_key(run: RunRecord | None) -> Any:
    if run is None:
        return None
    return (run.run_id, run.workflow_id, run.timestamp, run.duration, run.success)
