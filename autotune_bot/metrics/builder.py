"""Turns decoded records into columns, checking every value on the way.

:class:`StoreBuilder` sorts each batch of records by shape and drops exact repeats: team
records and their member entries are converted a batch at a time, column-wise
(:mod:`autotune_bot.metrics.team_columns`, the hot path of ingestion), and so are workflow
runs, their nodes and tool calls (:mod:`autotune_bot.metrics.run_rows`). Bad values
are checked and reported by :mod:`autotune_bot.metrics.record_fields`.
"""

from __future__ import annotations

from typing import Any

from autotune_bot.metrics.batch import Batch
from autotune_bot.metrics.columns import Interner, MetricsStore
from autotune_bot.metrics.problems import ProblemLog
from autotune_bot.metrics.record_fields import FieldChecker
from autotune_bot.metrics.run_rows import RunItem, RunRows
from autotune_bot.metrics.schema import RawRecord, RunRecord
from autotune_bot.metrics.team_columns import TeamColumns, TeamItem

__all__ = ["StoreBuilder"]


class StoreBuilder:
    """Accumulates batches of records from any number of files into a :class:`MetricsStore`.

    Records are converted a batch at a time, column-wise, team records and workflow runs
    alike; only the sorting of records by shape and the duplicate checks of run records go
    record by record.

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
        self._checks = FieldChecker(problems)
        self._runs = RunRows(self.names, self._checks)
        self._teams = TeamColumns(
            self.names, self._checks, self.seen_keys, member_teams, self._runs.add_tool_calls
        )

    # --- files and batches ---------------------------------------------------------------

    def start_file(self, display: str) -> None:
        self._file = self.names["file"].code(display)
        self._checks.display = display
        self.files.append(display)

    def add_batch(self, batch: Batch) -> None:
        teams: list[TeamItem] = []
        runs: list[RunItem] = []
        for i, rec in enumerate(batch.records):
            if rec.team_id is not None and rec.workflow_run is None and rec.team_executions is None:
                teams.append((rec, rec, -1, i))
            else:
                self._add_record(rec, batch, i, teams, runs)
        self.records_read += len(batch.records)
        # Runs first: team executions inside combined records refer to their run's row.
        self._runs.add_runs(runs, batch, self._file)
        if teams:
            self._teams.add(teams, batch, self._file)

    def _add_record(
        self, rec: RawRecord, batch: Batch, i: int, teams: list[TeamItem], runs: list[RunItem]
    ) -> None:
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
            run = rec.workflow_run
            identified = _identified(rec) or (run is not None and _identified(run))
            if identified and self._duplicate(key, batch, i):
                return
            run_row = -1
            if rec.workflow_run is not None:
                run_row = self._runs.count() + len(runs)
                runs.append((rec.workflow_run, rec, i))
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
            if not (_identified(rec) and self._duplicate(key, batch, i)):
                runs.append((rec, rec, i))
            return
        self._checks.problem(
            "unknown_shape",
            batch,
            i,
            "no team_id, node_metrics, run_id or workflow_run: not a metrics record",
        )

    def _duplicate(self, key: int, batch: Batch, i: int) -> bool:
        if key in self.seen_keys:
            self._checks.problem("duplicate", batch, i, "same fields as an earlier record")
            return True
        self.seen_keys.add(key)
        return False

    # --- result --------------------------------------------------------------------------

    def build(self) -> MetricsStore:
        teams, members = self._teams.tables()
        runs, nodes, tool_use, tool_calls = self._runs.tables()
        names = self.names
        return MetricsStore(
            teams=teams,
            members=members,
            runs=runs,
            nodes=nodes,
            tool_use=tool_use,
            tool_calls=tool_calls,
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


def _identified(rec: RunRecord | RawRecord) -> bool:
    """Whether a record says which run it is (a run id or a time). Only such records are
    checked for duplicates: two distinct runs without either can legitimately be equal."""
    return rec.run_id is not None or rec.timestamp is not None or rec.start_time is not None


def _run_key(run: RunRecord | None) -> Any:
    if run is None:
        return None
    return (run.run_id, run.workflow_id, run.timestamp, run.duration, run.success)
