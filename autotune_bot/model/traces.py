"""Team traces: what the team model replays, read from the metrics store.

One entry per recorded team execution with a valid duration and a known outcome: the team's
duration, success, tool calls, cost, consensus rounds and recorded formation, and
(executions × members) matrices of the members' durations, outcomes, tool calls and costs.
Executions of older configurations of the same team are kept apart as ``history``; they tell
what a formation the team has actually run costs in overhead.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, replace

import numpy as np
import numpy.typing as npt

from autotune_bot.analysis.row_links import referencing, slots
from autotune_bot.metrics.columns import MetricsStore

__all__ = ["TeamTraces", "config_label", "team_traces"]

F64 = npt.NDArray[np.float64]
I8 = npt.NDArray[np.int8]
I32 = npt.NDArray[np.int32]
IntArray = npt.NDArray[np.intp]
BoolArray = npt.NDArray[np.bool_]
_SHA = re.compile(r"^[0-9a-f]{40}$")


@dataclass(frozen=True)
class TeamTraces:
    """Recorded executions of one team. Member matrices have one column per ``members``
    entry: NaN (numbers) or -1 (outcomes) where the member has no entry."""

    team_id: str
    rows: IntArray  # TeamTable rows
    members: tuple[str, ...]
    duration: F64
    success: BoolArray
    tool_calls: F64  # NaN when neither the team nor its members recorded calls
    cost: F64  # NaN when absent
    rounds: F64  # consensus rounds, NaN when absent
    formation: I32  # index into ``formations``, -1 when not recorded
    formations: tuple[str, ...]
    member_duration: F64
    member_success: I8
    member_calls: F64
    member_cost: F64
    config: str  # "config 16c2a43", "configs a, b" or "" when none is recorded
    dropped: int  # executions left out: no valid duration or no recorded outcome
    history: TeamTraces | None = None  # older configurations of the same team

    def __len__(self) -> int:
        return int(self.rows.shape[0])

    def formation_of(self, index: int) -> str | None:
        code = int(self.formation[index])
        return self.formations[code] if code >= 0 else None


def config_label(store: MetricsStore, codes: npt.NDArray[np.int32]) -> str:
    """A short human label of the configurations ``codes`` name (git SHAs cut to 7)."""
    names = [store.config_names.name(c) for c in np.unique(codes).tolist() if c >= 0]
    short = [n[:7] if _SHA.match(n) else n for n in names if n is not None]
    if not short:
        return ""
    return ("config " if len(short) == 1 else "configs ") + ", ".join(short)


def team_traces(
    store: MetricsStore,
    rows: npt.ArrayLike,
    members: Sequence[str],
    *,
    history: Sequence[npt.ArrayLike] = (),
) -> TeamTraces:
    """Traces of the team executions at TeamTable ``rows`` (e.g. ``TeamReport.profile.rows``),
    member columns in the order of ``members`` (the configuration's order). ``history``: row
    arrays of older configurations of the same team (e.g. each ``TeamReport.older`` profile's
    rows); their members are ``members`` followed by any other member they recorded.

    A team's cost is its record's ``cost``; when absent and the record came inside a combined
    run record, the cost of the run's node of the same id; else the sum of its members' costs
    when every member entry has one.
    """
    current = _traces(store, np.asarray(rows, dtype=np.intp), tuple(members))
    older = [np.asarray(r, dtype=np.intp) for r in history]
    if not older or not any(r.size for r in older):
        return current
    old_rows = np.unique(np.concatenate(older))
    seen = store.members.member[referencing(store.members.team_row, old_rows, len(store.teams))]
    extra = [
        name
        for name in (store.member_names.name(c) for c in _first_seen(seen))
        if name is not None and name not in members
    ]
    return replace(current, history=_traces(store, old_rows, (*members, *extra)))


def _first_seen(codes: npt.NDArray[np.int32]) -> list[int]:
    uniq, first = np.unique(codes, return_index=True)
    return [int(c) for c in uniq[np.argsort(first)].tolist()]


def _traces(store: MetricsStore, rows: IntArray, members: tuple[str, ...]) -> TeamTraces:
    t = store.teams
    team_codes = np.unique(t.team[rows]).tolist()
    team_id = (store.team_names.name(team_codes[0]) or "?") if team_codes else "?"
    valid = np.isfinite(t.duration[rows]) & (t.duration[rows] > 0) & (t.success[rows] >= 0)
    kept = rows[valid]
    shape = (kept.size, len(members))
    m_dur, m_calls, m_cost = np.full(shape, np.nan), np.full(shape, np.nan), np.full(shape, np.nan)
    m_ok = np.full(shape, -1, dtype=np.int8)
    m = store.members
    member_rows = referencing(m.team_row, kept, len(t))
    col_of = np.full(len(store.member_names.names) + 1, -1, dtype=np.intp)
    for k, name in enumerate(members):
        code = store.member_names.lookup(name)
        if code >= 0:
            col_of[code] = k
    cols = col_of[m.member[member_rows]]
    mine = member_rows[cols >= 0]
    slot = slots(kept, m.team_row[mine], len(t))
    col = cols[cols >= 0]
    m_dur[slot, col] = m.duration[mine]
    m_ok[slot, col] = m.success[mine]
    m_calls[slot, col] = m.tool_calls[mine]
    m_cost[slot, col] = m.cost[mine]
    calls = t.tool_calls[kept].copy()
    summed = np.nansum(m_calls, axis=1)
    fill = ~np.isfinite(calls) & np.isfinite(m_calls).any(axis=1)
    calls[fill] = summed[fill]
    formation_codes = t.formation[kept]
    present = np.unique(formation_codes[formation_codes >= 0])
    names = tuple(store.formation_names.name(int(c)) or "?" for c in present.tolist())
    local = np.full(formation_codes.shape, -1, dtype=np.int32)
    local[formation_codes >= 0] = np.searchsorted(present, formation_codes[formation_codes >= 0])
    return TeamTraces(
        team_id=team_id,
        rows=kept,
        members=members,
        duration=t.duration[kept].copy(),
        success=t.success[kept] == 1,
        tool_calls=calls,
        cost=_team_cost(store, kept, team_id, m_cost, m_ok),
        rounds=t.consensus_rounds[kept].copy(),
        formation=local,
        formations=names,
        member_duration=m_dur,
        member_success=m_ok,
        member_calls=m_calls,
        member_cost=m_cost,
        config=config_label(store, t.config[kept]),
        dropped=int(rows.size - kept.size),
    )


def _team_cost(store: MetricsStore, rows: IntArray, team_id: str, m_cost: F64, m_ok: I8) -> F64:
    cost = store.teams.cost[rows].copy()
    run = store.teams.run[rows]
    missing = ~np.isfinite(cost) & (run >= 0)
    node_code = store.node_names.lookup(team_id)
    if missing.any() and node_code >= 0:
        n = store.nodes
        node_rows = referencing(n.run_row, run[missing].astype(np.intp), len(store.runs))
        node_rows = node_rows[n.node[node_rows] == node_code]
        by_run = np.full(len(store.runs), np.nan)
        by_run[n.run_row[node_rows]] = n.cost[node_rows]
        cost[missing] = by_run[run[missing]]
    present = m_ok >= 0
    complete = present.any(axis=1) & (np.isfinite(m_cost) | ~present).all(axis=1)
    from_members = ~np.isfinite(cost) & complete
    cost[from_members] = np.nansum(m_cost, axis=1)[from_members]
    return cost
