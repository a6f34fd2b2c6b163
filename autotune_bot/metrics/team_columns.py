"""Team execution records and their member entries, converted a batch at a time.

This is the hot path of ingestion (hundreds of thousands of member entries), so it works on
whole columns: each field of a batch becomes one numpy array, with no per-value function
calls on the common path. Unusual values are found with array operations and reported one
by one. Exact repeats of earlier records are found by a hash of each row's values.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from itertools import chain
from operator import attrgetter
from typing import Any

import numpy as np
import numpy.typing as npt

from autotune_bot.metrics.batch import Batch
from autotune_bot.metrics.column_convert import amounts, flags, numbers, report_amounts
from autotune_bot.metrics.columns import Interner, MemberTable, TeamTable
from autotune_bot.metrics.record_fields import FieldChecker, config_idents, start_times
from autotune_bot.metrics.schema import MemberRecord, RawRecord, TeamRecord, ToolCallRecord

__all__ = ["TeamColumns", "TeamItem"]

TeamItem = tuple[TeamRecord, RawRecord, int, int]  # record, outer record, run row, batch index

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


def _name_hashes(interner: Interner) -> npt.NDArray[np.float64]:
    """A float per code that identifies its name (the last slot, for code -1, is 0)."""
    hashes = [float(hash(name) & 0xFFFFFFFFFFFF) for name in interner.names]
    return np.array([*hashes, 0.0], dtype=np.float64)


# RunRows.add_tool_calls: (call lists, owner kind, first owner row, batch, record of owner j,
# label of owner j)
AddToolCalls = Callable[
    [
        list[list[ToolCallRecord] | None],
        int,
        int,
        Batch,
        Callable[[int], int],
        Callable[[int], str],
    ],
    None,
]


class TeamColumns:
    """Columns of the team and member tables, a batch of team records at a time.

    ``names`` are the builder's interners by kind; ``seen_keys`` the keys of every record
    so far (shared with the builder, to drop exact repeats); ``member_teams``: when given,
    member rows are kept only for these team ids; ``add_tool_calls`` takes the tool calls
    of member entries.
    """

    def __init__(
        self,
        names: dict[str, Interner],
        checks: FieldChecker,
        seen_keys: set[int],
        member_teams: frozenset[str] | None,
        add_tool_calls: AddToolCalls,
    ) -> None:
        self.names = names
        self.checks = checks
        self.seen_keys = seen_keys
        self.member_teams = member_teams
        self.add_tool_calls = add_tool_calls
        self._team_rows = 0
        self.t: dict[str, list[npt.NDArray[Any]]] = {f: [] for f in _TEAM_COLUMNS}
        self.m: dict[str, list[npt.NDArray[Any]]] = {f: [] for f in _MEMBER_COLUMNS}

    def add(self, items: list[TeamItem], batch: Batch, file: int) -> None:
        """Add team records (from ``batch``, read from file code ``file``) and their members."""
        names = self.names
        recs = [item[0] for item in items]
        outers = [item[1] for item in items]
        config = names["config"].codes_of(config_idents(recs, outers))
        nums = numbers(recs, _TEAM_NUMBERS)
        success = flags(list(map(_SUCCESS, recs)))
        team = names["team"].codes_of([r.team_id for r in recs])
        stamps = self.checks.timestamps(start_times(recs, outers), batch, [it[3] for it in items])
        duration = nums[:, 0]
        # Team and config enter the key by name, not by code: codes are numbered per
        # process, and the key sets of the two parts of a split file are compared.
        keys = _row_hash(
            _name_hashes(names["team"])[team],
            _name_hashes(names["config"])[config],
            stamps,
            success.astype(np.float64),
            *nums.T,
        )
        keep = np.ones(len(items), dtype=bool)
        seen = self.seen_keys
        # Only records that carry a time are checked: two executions without one can
        # legitimately have equal fields, and dropping either would lose data.
        timed = np.isfinite(stamps).tolist()
        for j, key in enumerate(keys.tolist()):
            if not timed[j]:
                continue
            if key in seen:
                keep[j] = False
                self.checks.problem(
                    "duplicate", batch, items[j][3], "same fields as an earlier record"
                )
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
            self.checks.report_duration(
                recs[j].duration_seconds, batch, items[j][3], f"team {recs[j].team_id}"
            )
        for j in np.flatnonzero(success < 0).tolist():
            self.checks.problem(
                "missing_success",
                batch,
                items[j][3],
                f"team {recs[j].team_id} has no success value",
            )
        report_amounts(
            self.checks,
            nums[:, 1:],
            _TEAM_NUMBERS[1:],
            batch,
            lambda j: items[j][3],
            lambda j: f"team {recs[j].team_id}",
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
        t["file"].append(np.full(len(recs), file, dtype=np.int32))
        t["run"].append(np.array([item[2] for item in items], dtype=np.int32))
        t["timestamp"].append(stamps)
        t["success"].append(success)
        t["duration"].append(np.where((duration > 0) & (duration < math.inf), duration, np.nan))
        t["tool_calls"].append(amounts(nums[:, 1]))
        t["member_count"].append(amounts(nums[:, 2]))
        t["consensus_rounds"].append(amounts(nums[:, 3]))
        t["consensus_achieved"].append(flags([r.consensus_achieved for r in recs]))
        t["cost"].append(amounts(cost))
        t["input_tokens"].append(amounts(nums[:, 6]))
        t["output_tokens"].append(amounts(nums[:, 7]))
        self._add_members(recs, items, first_row, batch)

    def _add_members(
        self, recs: list[TeamRecord], items: list[TeamItem], first_row: int, batch: Batch
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
        nums = numbers(values, _MEMBER_NUMBERS)
        duration = nums[:, 0]
        for j in np.flatnonzero(~((duration > 0) & (duration < math.inf))).tolist():
            self.checks.problem(
                "member_problem",
                batch,
                items[int(owner[j])][3],
                f"member {keys[j]}: duration is {values[j].duration_seconds}",
            )

        def record_of(j: int) -> int:
            return items[int(owner[j])][3]

        report_amounts(
            self.checks,
            nums[:, 1:],
            _MEMBER_NUMBERS[1:],
            batch,
            record_of,
            lambda j: f"member {keys[j]}",
        )
        success = list(map(_SUCCESS, values))
        if None in success:
            for j, flag in enumerate(success):
                if flag is None:
                    self.checks.problem(
                        "member_problem",
                        batch,
                        record_of(j),
                        f"member {keys[j]} has no success value",
                    )
        m = self.m
        m["team_row"].append(rows)
        m["member"].append(self.names["member"].codes_of(keys))
        m["success"].append(flags(success))
        m["duration"].append(np.where((duration > 0) & (duration < math.inf), duration, np.nan))
        m["tool_calls"].append(amounts(nums[:, 1]))
        m["cost"].append(amounts(np.where(np.isnan(nums[:, 3]), nums[:, 2], nums[:, 3])))
        base = sum(len(a) for a in m["team_row"]) - len(values)
        with_calls = list(map(_TOOL_CALLS, values))
        if any(with_calls):
            self.add_tool_calls(
                with_calls, 1, base, batch, record_of, lambda j: f"member {keys[j]}"
            )

    def tables(self) -> tuple[TeamTable, MemberTable]:
        """The rows added so far, as numpy tables."""

        def stacked(
            source: dict[str, list[npt.NDArray[Any]]], like: dict[str, Any]
        ) -> dict[str, Any]:
            return {
                key: np.concatenate(parts) if parts else np.zeros(0, like[key])
                for key, parts in source.items()
            }

        return (
            TeamTable(**stacked(self.t, _TEAM_COLUMNS)),
            MemberTable(**stacked(self.m, _MEMBER_COLUMNS)),
        )
