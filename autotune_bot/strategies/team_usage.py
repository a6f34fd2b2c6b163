"""What a team target's analysed executions recorded, as per-run and per-member arrays.

The strategies read distributions (tool calls of successful runs, durations, member usage)
from the executions the analysis selected (``target.report.profile.rows``). Success flags
are ``int8`` (1 true, 0 false, -1 unknown); missing numbers are NaN.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from autotune_bot.analysis.row_links import slots
from autotune_bot.strategies.base import TeamTarget

__all__ = ["MemberSamples", "RunSamples", "duration_matrix", "member_samples", "run_samples"]

F64 = npt.NDArray[np.float64]
I8 = npt.NDArray[np.int8]
IntArray = npt.NDArray[np.intp]


@dataclass(frozen=True)
class RunSamples:
    """One entry per analysed team execution."""

    success: I8
    duration: F64
    tool_calls: F64

    @property
    def successful(self) -> npt.NDArray[np.bool_]:
        found: npt.NDArray[np.bool_] = self.success == 1
        return found

    @property
    def failed(self) -> npt.NDArray[np.bool_]:
        found: npt.NDArray[np.bool_] = self.success == 0
        return found


@dataclass(frozen=True)
class MemberSamples:
    """One entry per appearance of a member in the analysed executions."""

    member_id: str
    success: I8  # the member's own outcome
    team_success: I8  # the outcome of the execution it was part of
    tool_calls: F64


def run_samples(target: TeamTarget) -> RunSamples:
    t = target.store.teams
    rows = target.report.profile.rows
    return RunSamples(t.success[rows], t.duration[rows], t.tool_calls[rows])


def _member_rows(target: TeamTarget, member_id: str) -> IntArray:
    code = target.store.member_names.lookup(member_id)
    mrows = target.report.profile.member_rows
    if code < 0 or mrows.size == 0:
        return np.zeros(0, dtype=np.intp)
    found: IntArray = mrows[target.store.members.member[mrows] == code]
    return found


def member_samples(target: TeamTarget, member_id: str) -> MemberSamples:
    """The member's entries in the analysed executions (empty arrays when never recorded)."""
    rows = _member_rows(target, member_id)
    m = target.store.members
    team_ok = target.store.teams.success[m.team_row[rows]]
    return MemberSamples(member_id, m.success[rows], team_ok, m.tool_calls[rows])


def duration_matrix(target: TeamTarget, member_ids: tuple[str, ...]) -> tuple[F64, F64]:
    """(team durations, member durations) of the executions in which every member of
    ``member_ids`` has a recorded, finite duration and the team's duration is finite; the
    matrix has one row per such execution and one column per member, in the given order."""
    runs = target.report.profile.rows
    matrix = np.full((runs.size, len(member_ids)), np.nan)
    m = target.store.members
    for column, member_id in enumerate(member_ids):
        rows = _member_rows(target, member_id)
        matrix[slots(runs, m.team_row[rows], len(target.store.teams)), column] = m.duration[rows]
    team = target.store.teams.duration[runs]
    complete = np.isfinite(team) & (team > 0) & np.isfinite(matrix).all(axis=1)
    return team[complete], matrix[complete]
