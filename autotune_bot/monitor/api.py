"""The Python API of post-merge monitoring.

    from autotune_bot import OptimizationMonitor

    monitor = OptimizationMonitor()
    decision = monitor.check(runs_before, runs_after)  # lists of dicts, oldest first
    print(decision.outcome, [d.name for d in decision.triggers])

    report = monitor.check_repository(".")  # what `autotune monitor --dry-run` would do

:meth:`OptimizationMonitor.check` judges two lists of run records with the calibrated
detectors of :func:`autotune_bot.monitor.decide.decide`;
:meth:`~OptimizationMonitor.check_repository` runs the repository's monitoring cycle
(:func:`autotune_bot.gitops.monitor_cycle.run_monitor`) with the local forge.
:func:`auto_rollback` is what
:meth:`autotune_bot.autotuner.PerformanceAutotuner.check_regression` does with a regression.
The statistics are imported on first use, so importing this module stays cheap.
"""

from __future__ import annotations

import dataclasses
import math
import numbers
from collections.abc import Awaitable, Callable, Mapping, Sequence
from datetime import UTC, datetime
from os import PathLike
from pathlib import Path
from typing import TYPE_CHECKING, Any

from autotune_bot.errors import UsageError
from autotune_bot.monitor.types import MonitorDecision, RunSeries
from autotune_bot.settings import Settings

if TYPE_CHECKING:
    from autotune_bot.gitops.monitor_cycle import MonitorReport
    from autotune_bot.monitor.decide import MonitorConfig

__all__ = ["OptimizationMonitor", "Runs", "auto_rollback", "run_series"]

#: one period's runs: plain records (dicts), oldest first, or a ready :class:`RunSeries`
Runs = Sequence[Mapping[str, Any]] | RunSeries


class OptimizationMonitor:
    """Judge a change on the runs recorded before and after it.

    ``settings`` defaults to ``Settings()``; its ``monitoring`` section (``min_runs``,
    ``false_alarm_rate``, ``horizon_runs``, ``baseline_runs``) configures :meth:`check`,
    which judges whenever it is called (``monitoring.enabled`` switches the repository
    cycle only).
    """

    def __init__(self, settings: Settings | None = None) -> None:
        self.settings = settings if settings is not None else Settings()

    @property
    def config(self) -> MonitorConfig:
        """The statistics' configuration from ``settings.monitoring``."""
        from autotune_bot.monitor.decide import monitor_config

        return monitor_config(self.settings.monitoring)

    def check(self, before: Runs, after: Runs, *, seed: int = 0) -> MonitorDecision:
        """The verdict on ``after`` (the runs since the change) against ``before``.

        Records are mappings, oldest first, with a boolean ``success`` and optionally
        ``duration`` or ``duration_seconds`` and ``cost_usd`` or ``cost`` (numbers; a
        missing, non-positive or non-finite one counts as not recorded). A record that is not
        a mapping, lacks a boolean ``success`` or has a non-numeric duration or cost raises a
        :class:`~autotune_bot.errors.UsageError` naming it (``after[3].success``). Only the
        newest ``baseline_runs`` of ``before`` and the first ``horizon_runs`` of ``after``
        are judged; ``seed`` seeds the threshold calibration.
        """
        from autotune_bot.monitor.decide import decide

        baseline, post = run_series(before, "before"), run_series(after, "after")
        return decide(baseline, post, self.config, seed=seed)

    def check_repository(
        self, repo: str | PathLike[str], *, dry_run: bool = True, now: datetime | None = None
    ) -> MonitorReport:
        """Monitor the merged autotune proposals of the git repository ``repo`` (local
        drafts under ``.autotune/outbox/``), as ``autotune monitor --forge local`` does, with
        the repository's own ``.autotune.yml`` and metrics.

        With ``dry_run`` (the default) the report says what would be done and nothing is
        written; ``dry_run=False`` writes the status comments and opens revert proposals.
        ``now`` (timezone-aware) defaults to the current time.
        """
        from autotune_bot.forge.local import LocalForge
        from autotune_bot.gitops.monitor_cycle import MonitorOptions, run_monitor

        root = Path(repo)
        if not root.is_dir():
            raise UsageError(f"no such repository directory: {root}", field="repo")
        if now is None:
            now = datetime.now(UTC)
        elif now.tzinfo is None or now.utcoffset() is None:
            raise UsageError(f"must be timezone-aware, not {now.isoformat()}", field="now")
        options = MonitorOptions(repo=root, now=now, dry_run=dry_run)
        return run_monitor(options, LocalForge(root))


async def auto_rollback(
    decision: MonitorDecision,
    team_id: str,
    rollback: Callable[[str], Awaitable[bool]] | None,
) -> MonitorDecision:
    """``decision``, and when it is ``regressed``: ``rollback(team_id)`` undoes the latest
    change of ``team_id`` still applied (None: automatic rollback is off). The notes say
    whether it did, or why not (a :class:`~autotune_bot.rollback.RollbackError` is noted,
    not raised)."""
    from autotune_bot.rollback import RollbackError

    if decision.outcome != "regressed":
        return decision
    if rollback is None:
        note = "regressed; automatic rollback is off (enable_auto_rollback=False): nothing done"
    else:
        try:
            done = await rollback(team_id)
        except RollbackError as err:
            note = f"regressed; automatic rollback of {team_id!r} not done: {err}"
        else:
            if done:
                note = f"regressed; rolled back the latest optimisation applied to {team_id!r}"
            else:
                note = f"regressed; nothing applied to {team_id!r} to roll back"
    return dataclasses.replace(decision, notes=(*decision.notes, note))


def run_series(runs: Runs, name: str) -> RunSeries:
    """``runs`` as a :class:`RunSeries`; a bad record is a :class:`UsageError` naming
    ``name[index].field``."""
    if isinstance(runs, RunSeries):
        return runs
    if isinstance(runs, str | bytes | Mapping) or not isinstance(runs, Sequence):
        kind = type(runs).__name__
        raise UsageError(f"must be a list of run records or a RunSeries, not {kind}", field=name)
    durations: list[float] = []
    successes: list[bool] = []
    costs: list[float] = []
    for i, record in enumerate(runs):
        where = f"{name}[{i}]"
        if not isinstance(record, Mapping):
            kind = type(record).__name__
            raise UsageError(f"must be a mapping of run fields, not {kind}", field=where)
        successes.append(_success(record, where))
        durations.append(_amount(record, ("duration", "duration_seconds"), where))
        costs.append(_amount(record, ("cost_usd", "cost"), where))
    return RunSeries(tuple(durations), tuple(successes), tuple(costs))


def _success(record: Mapping[str, Any], where: str) -> bool:
    value = record.get("success")
    if isinstance(value, bool):
        return value
    dtype = getattr(value, "dtype", None)
    if getattr(dtype, "kind", None) == "b" and getattr(value, "ndim", None) == 0:
        return bool(value)  # a numpy boolean
    shown = "missing" if value is None else f"must be true or false, not {value!r}"
    raise UsageError(shown, field=f"{where}.success")


def _amount(record: Mapping[str, Any], keys: tuple[str, str], where: str) -> float:
    """The first key's usable value, else the second's; NaN when neither records one."""
    for key in keys:
        value = record.get(key)
        if value is None:
            continue
        if isinstance(value, bool) or not isinstance(value, numbers.Real):
            raise UsageError(f"must be a number, not {value!r}", field=f"{where}.{key}")
        number = float(value)
        if math.isfinite(number) and number > 0:
            return number
    return math.nan
