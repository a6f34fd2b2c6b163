"""Recorded evidence: the runs of two configurations already in the repository's metrics.

Records name the configuration that ran with ``config_fingerprint`` and/or ``git_sha`` (the
store keeps the fingerprint, else the sha, as the record's configuration). Comparing the
records of two configurations is *recorded* evidence, labelled as such: the runs were not
interleaved, so drift between the two periods (load, provider latency, task mix) is not
cancelled the way a measured A/B test cancels it. Pure: a store in, run values out.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal

import numpy as np

from autotune_bot.errors import UsageError
from autotune_bot.metrics.columns import MetricsStore
from autotune_bot.validation.runs import Arm, RunResult

__all__ = ["RecordedComparison", "TargetKind", "configurations_of", "recorded_runs"]

TargetKind = Literal["team", "workflow"]


@dataclass(frozen=True)
class RecordedComparison:
    target: str
    kind: TargetKind
    before: str
    after: str
    control: tuple[RunResult, ...]
    variant: tuple[RunResult, ...]
    skipped_unknown_outcome: int  # records whose success was not recorded (left out, counted)


def _table(
    store: MetricsStore, target: str, kind: TargetKind
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    if kind == "team":
        code = store.team_names.lookup(target)
        t = store.teams
        rows = np.flatnonzero(t.team == code) if code >= 0 else np.empty(0, np.intp)
        return rows, t.config, t.timestamp, t.success, t.duration, t.cost
    code = store.workflow_names.lookup(target)
    r = store.runs
    rows = np.flatnonzero(r.workflow == code) if code >= 0 else np.empty(0, np.intp)
    return rows, r.config, r.timestamp, r.success, r.duration, r.cost


def configurations_of(store: MetricsStore, target: str, kind: TargetKind) -> dict[str, int]:
    """Each recorded configuration of a target and its number of records, oldest first."""
    rows, config, stamps, *_ = _table(store, target, kind)
    found: dict[str, tuple[float, int]] = {}
    for row in rows.tolist():
        name = store.config_names.name(int(config[row]))
        if name is None:
            continue
        first, count = found.get(name, (math.inf, 0))
        stamp = float(stamps[row])
        found[name] = (min(first, stamp) if math.isfinite(stamp) else first, count + 1)
    order = sorted(found, key=lambda n: (found[n][0], n))
    return {name: found[name][1] for name in order}


def _runs(
    store: MetricsStore, target: str, kind: TargetKind, config_name: str, arm: Arm
) -> tuple[tuple[RunResult, ...], int]:
    rows, config, stamps, success, duration, cost = _table(store, target, kind)
    code = store.config_names.lookup(config_name)
    picked = rows[config[rows] == code] if code >= 0 else rows[:0]
    picked = picked[np.argsort(stamps[picked], kind="stable")]  # NaN stamps sort last
    out: list[RunResult] = []
    unknown = 0
    for row in picked.tolist():
        ok = int(success[row])
        dur = float(duration[row])
        if ok < 0 or not math.isfinite(dur):
            unknown += 1
            continue
        c = float(cost[row])
        out.append(
            RunResult(
                arm=arm,
                trial=len(out),
                input=None,
                duration_seconds=dur,
                cost_usd=c if math.isfinite(c) else None,
                success=ok == 1,
                exit_code=None,
                timed_out=False,
                source="recorded",
            )
        )
    return tuple(out), unknown


def recorded_runs(
    store: MetricsStore, target: str, kind: TargetKind, before: str, after: str
) -> RecordedComparison:
    """The recorded runs of ``target`` under configuration ``before`` and ``after``.

    A configuration is named by its ``config_fingerprint`` or ``git_sha``; an unknown target or
    configuration is a usage error listing what the metrics do hold.
    """
    known = configurations_of(store, target, kind)
    if not known:
        raise UsageError(
            f"no recorded {kind} executions of {target!r} carry a config_fingerprint or "
            "git_sha; recorded comparisons need them",
            field="--target",
        )
    for flag, name in (("--before-config", before), ("--after-config", after)):
        if name not in known:
            listed = ", ".join(f"{n} ({c} records)" for n, c in known.items())
            raise UsageError(
                f"{target!r} has no records of {name!r}; recorded: {listed}", field=flag
            )
    control, skipped_c = _runs(store, target, kind, before, "control")
    variant, skipped_v = _runs(store, target, kind, after, "variant")
    return RecordedComparison(target, kind, before, after, control, variant, skipped_c + skipped_v)
