"""What one benchmark run reported: a JSON record turned into duration, cost and success, and
those figures combined with the exit status into a :class:`RunResult`. Pure: text in, values out.

A record may have any shape of the metrics formats (decoded with the metrics schema,
:class:`~autotune_bot.metrics.schema.RawRecord`, so the field names and the tolerance for
``12`` where ``12.0`` is meant are the same as when metrics files are read):

- a workflow run record (``run_id``, ``node_metrics``, ``duration`` or ``duration_seconds``):
  its ``duration`` (else ``duration_seconds``); its ``cost_usd`` (else ``cost``), else the sum
  of the node costs that are given (the convention of the performance model);
- a team execution record (``team_id``): its ``duration_seconds``; its cost, else the sum of
  its members' costs when every member reports one;
- a combined record (``workflow_run``, ``team_executions``): the workflow run, with the outer
  record's own fields filling what the run lacks; without a workflow run, the outer record's
  fields, else those of its single team execution, else the team executions together (success
  only if all succeeded, cost only if all report one; the duration of several team executions
  is not the run's, so the wall time is used).

A duration must be a positive number and a cost a non-negative one; a bad value is left out
(the wall time stands in for a duration, the cost stays unknown) and a note says so, as it
does when a cost is summed over only some of the nodes (it is then a lower bound). Every note
saying the wall time replaced a reported duration (here, or a record not used at all:
:mod:`~autotune_bot.validation.run_output`) ends in ``"; wall time used"``, so that
:func:`wall_time_reasons` can tell them apart in a run's note.
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import msgspec

from autotune_bot.metrics.schema import RawRecord, RunRecord, TeamRecord
from autotune_bot.validation.runs import Arm, ResultSource, RunResult

__all__ = [
    "WALL_TIME_USED",
    "RecordError",
    "RecordFigures",
    "parse_record",
    "run_result",
    "wall_time_reasons",
]

#: The end of every note saying that the measured wall time replaced what a record said.
WALL_TIME_USED = "; wall time used"


class RecordError(ValueError):
    """The text is not one JSON record of a known shape; ``reason`` says why."""

    def __init__(self, reason: str) -> None:
        self.reason = reason
        super().__init__(reason)


@dataclass(frozen=True)
class RecordFigures:
    """The figures of one record; None where the record gives none (or a bad one)."""

    duration_seconds: float | None
    cost_usd: float | None
    success: bool | None
    notes: tuple[str, ...] = ()


def parse_record(text: str) -> RecordFigures:
    """The figures of the JSON record ``text`` (one object); RecordError if it is none."""
    try:
        value: Any = json.loads(text)
    except ValueError as err:
        raise RecordError(f"not JSON ({err})") from None
    if not isinstance(value, dict):
        raise RecordError(f"a JSON {type(value).__name__}, not an object")
    try:
        rec = msgspec.convert(value, RawRecord, strict=False)
    except msgspec.ValidationError as err:
        raise RecordError(f"bad field: {err}") from None
    if rec.workflow_run is not None or rec.team_executions is not None:
        return _combined(rec)
    if rec.team_id is not None:
        return _team(rec)
    if _is_run(rec):
        return _run(rec, "record")
    raise RecordError(
        "no team_id, run_id, node_metrics, duration or workflow_run: not a run record"
    )


def _is_run(rec: RunRecord | RawRecord) -> bool:
    fields = (rec.run_id, rec.node_metrics, rec.duration, rec.duration_seconds)
    return any(value is not None for value in fields)


class _Notes(list[str]):
    def duration(self, value: float | None, what: str) -> float | None:
        if value is None:
            return None
        if math.isfinite(value) and value > 0:
            return float(value)
        self.append(f"{what} duration {value} is not a positive number{WALL_TIME_USED}")
        return None

    def cost(self, usd: float | None, plain: float | None, what: str) -> float | None:
        value = usd if usd is not None else plain
        if value is None:
            return None
        if math.isfinite(value) and value >= 0:
            return float(value)
        self.append(f"{what} cost {value} is not a non-negative number; left out")
        return None


def _run(run: RunRecord | RawRecord, what: str, outer: RawRecord | None = None) -> RecordFigures:
    notes = _Notes()
    duration = run.duration if run.duration is not None else run.duration_seconds
    if duration is None and outer is not None:
        duration = outer.duration if outer.duration is not None else outer.duration_seconds
    cost = notes.cost(run.cost_usd, run.cost, what)
    if cost is None and outer is not None:
        cost = notes.cost(outer.cost_usd, outer.cost, "outer record")
    if cost is None:
        cost = _node_cost_sum(run, notes)
    success = run.success
    if success is None and outer is not None:
        success = outer.success
    return RecordFigures(notes.duration(duration, what), cost, success, tuple(notes))


def _node_cost_sum(run: RunRecord | RawRecord, notes: _Notes) -> float | None:
    nodes = run.node_metrics or {}
    costs = [notes.cost(n.cost_usd, n.cost, f"node {name}") for name, n in nodes.items()]
    known = [c for c in costs if c is not None]
    if not known:
        return None
    if len(known) < len(costs):
        notes.append(f"cost summed over the {len(known)} of {len(costs)} nodes that report one")
    return math.fsum(known)


def _team(team: TeamRecord) -> RecordFigures:
    notes = _Notes()
    what = f"team {team.team_id}" if team.team_id is not None else "team execution"
    cost = notes.cost(team.cost_usd, team.cost, what)
    members = team.member_metrics or {}
    if cost is None and members:
        member_costs = [notes.cost(m.cost_usd, m.cost, f"member {k}") for k, m in members.items()]
        if None not in member_costs:
            cost = math.fsum(c for c in member_costs if c is not None)
    duration = notes.duration(team.duration_seconds, what)
    return RecordFigures(duration, cost, team.success, tuple(notes))


def _combined(rec: RawRecord) -> RecordFigures:
    if rec.workflow_run is not None:
        return _run(rec.workflow_run, "workflow_run", rec)
    teams = rec.team_executions or []
    if not teams and not _is_run(rec):
        raise RecordError("a combined record with neither a workflow_run nor team executions")
    notes = _Notes()
    duration = notes.duration(
        rec.duration if rec.duration is not None else rec.duration_seconds, "record"
    )
    cost = notes.cost(rec.cost_usd, rec.cost, "record")
    success = rec.success
    if teams:
        parts = _teams(teams)
        notes.extend(parts.notes)
        if duration is None and parts.duration_seconds is None and len(teams) > 1:
            notes.append(f"{len(teams)} team executions and no workflow_run{WALL_TIME_USED}")
        duration = duration if duration is not None else parts.duration_seconds
        cost = cost if cost is not None else parts.cost_usd
        success = success if success is not None else parts.success
    return RecordFigures(duration, cost, success, tuple(notes))


def _teams(teams: Sequence[TeamRecord]) -> RecordFigures:
    """The team executions of one run taken together: one is the run; of several, the run
    succeeded if all did, cost their sum if all report one, and the duration is unknown
    (they may have overlapped)."""
    if len(teams) == 1:
        return _team(teams[0])
    parts = [_team(t) for t in teams]
    flags = [p.success for p in parts]
    success = False if False in flags else (True if None not in flags else None)
    notes = [note for p in parts for note in p.notes]
    costs = [p.cost_usd for p in parts]
    cost = None
    if None not in costs:
        cost = math.fsum(c for c in costs if c is not None)
    return RecordFigures(None, cost, success, tuple(notes))


def run_result(
    *,
    arm: Arm,
    trial: int,
    input: str | None,
    wall_seconds: float,
    exit_code: int | None,
    timed_out: bool,
    record: RecordFigures | None,
    source: ResultSource,
    notes: Sequence[str] = (),
) -> RunResult:
    """One run's result from what was measured and what it reported.

    A timed-out run (``wall_seconds`` is then the time limit) is a failure with no exit code.
    Otherwise the run succeeded only if it exited with status 0 and its record, if any, does
    not say ``success: false``; the record's duration and cost are used when it has them,
    else the wall time (noted when a record was there) and no cost.
    """
    said = list(notes)
    if timed_out:
        said.append(f"timed out after {wall_seconds:g} s; process group killed")
        return RunResult(
            arm, trial, input, wall_seconds, None, False, None, True, source, "; ".join(said)
        )
    duration, cost, reported = wall_seconds, None, None
    if record is not None:
        said.extend(record.notes)
        if record.duration_seconds is not None:
            duration = record.duration_seconds
        elif not wall_time_reasons("; ".join(record.notes)):
            said.append(f"the record gives no duration{WALL_TIME_USED}")
        cost, reported = record.cost_usd, record.success
    success = exit_code == 0 and reported is not False
    if reported is True and exit_code != 0:
        said.append(f"record says success but the command exited with status {exit_code}")
    elif reported is False:
        said.append("record says success: false")
    return RunResult(
        arm,
        trial,
        input,
        duration,
        cost,
        success,
        exit_code,
        False,
        source,
        "; ".join(said) or None,
    )


def wall_time_reasons(note: str | None) -> tuple[str, ...]:
    """Why the wall time replaced a run's reported duration, one reason per note that says
    so (the text before ``"; wall time used"``), from a run's ``note`` (notes joined by
    ``"; "``)."""
    if not note:
        return ()
    parts = note.split("; ")
    marker = WALL_TIME_USED.removeprefix("; ")
    return tuple(parts[i - 1] for i in range(1, len(parts)) if parts[i] == marker)
