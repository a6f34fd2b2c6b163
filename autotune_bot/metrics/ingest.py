"""Ingestion: metrics files in, one :class:`MetricsStore` and a :class:`ProblemLog` out."""

from __future__ import annotations

import gc
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from autotune_bot.errors import MetricsError
from autotune_bot.metrics.builder import StoreBuilder
from autotune_bot.metrics.columns import MetricsStore
from autotune_bot.metrics.parallel import Pending, abandon, finish, read_in_two
from autotune_bot.metrics.problems import DataProblem, ProblemLog
from autotune_bot.metrics.reader import read_batches

__all__ = ["IngestResult", "ingest_files"]


@dataclass(frozen=True)
class IngestResult:
    store: MetricsStore
    problems: ProblemLog
    unreadable: tuple[MetricsError, ...]  # files that could not be opened at all


def ingest_files(
    files: Iterable[tuple[Path, str]],
    *,
    member_teams: frozenset[str] | None = None,
    problems: ProblemLog | None = None,
    parallel: bool = False,
    early: Pending | None = None,
) -> IngestResult:
    """Read every (path, display name) pair; a file that cannot be read is reported, not fatal.

    ``member_teams`` limits per-member rows to these team ids (see :class:`StoreBuilder`).
    ``parallel``: a single large file may be read on two cores by forking a worker
    (:mod:`autotune_bot.metrics.parallel`); the result is the same either way. Off by
    default for library use; the command line turns it on. ``early``
    is such a worker the caller started already for the one file given.
    """
    log = problems if problems is not None else ProblemLog()
    builder = StoreBuilder(log, member_teams)
    unreadable: list[MetricsError] = []
    todo = list(files)
    # The builder allocates millions of small objects that are never cyclic garbage;
    # pausing the cycle collector during the loop avoids repeated full scans.
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        if early is not None:
            same = [(p.resolve(), d) for p, d in todo] == [(early.path.resolve(), early.display)]
            if same and early.member_teams == member_teams:
                store = finish(early)
            else:
                abandon(early)
                store = None
            if store is not None:
                return IngestResult(store, log, ())
        elif parallel and len(todo) == 1 and todo[0][0].is_file():
            store = read_in_two(todo[0][0], todo[0][1], member_teams)
            if store is not None:
                return IngestResult(store, log, ())
        for path, display in todo:
            builder.start_file(display)
            try:
                for batch in read_batches(path, display, log):
                    builder.add_batch(batch)
            except MetricsError as err:
                unreadable.append(err)
                log.add(DataProblem("unreadable_file", display, None, None, err.message))
    finally:
        if was_enabled:
            gc.enable()
    return IngestResult(builder.build(), log, tuple(unreadable))
