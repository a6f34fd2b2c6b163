"""Recorded evidence: the runs of two configurations already in the repository's metrics.

Records name the configuration that ran with ``config_fingerprint`` and/or ``git_sha`` (the
store keeps the fingerprint, else the sha, as the record's configuration). Comparing the
records of two configurations is *recorded* evidence, labelled as such: the runs were not
interleaved, so drift between the two periods (load, provider latency, task mix) is not
cancelled the way a measured A/B test cancels it. Pure: a store in, run values out.

Which records take part:

* a record whose outcome (``success``) was not recorded is left out and counted
  (``skipped_unknown_outcome``);
* a record with an outcome but no usable duration (none recorded, or not a positive number;
  often a run that failed early) is not in ``control``/``variant`` either: when duration is
  the primary metric (the default), :func:`~autotune_bot.validation.decision.decide` treats
  one run without a duration as "duration not measured" for the whole comparison, leaving
  the primary metric untested. These records are kept apart, per arm, as runs with a duration
  of NaN (``control_without_duration``, ``variant_without_duration``), and
  :func:`without_duration_notes` says how many there are and how many failed, so a failure
  rate they would change is never hidden;
* every other record is a run of its arm, failed ones included.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal

import numpy as np

from autotune_bot.errors import UsageError
from autotune_bot.metrics.columns import MetricsStore
from autotune_bot.validation.runs import Arm, RunResult

__all__ = [
    "RecordedComparison",
    "TargetKind",
    "config_runs",
    "configurations_of",
    "recorded_runs",
    "without_duration_notes",
]

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
    # records with an outcome but no usable duration (duration_seconds NaN), kept out of control and
    # variant: see the module's docstring
    control_without_duration: tuple[RunResult, ...] = ()
    variant_without_duration: tuple[RunResult, ...] = ()

    @property
    def failed_without_duration(self) -> int:
        """How many records of both arms failed without a recorded duration."""
        both = (*self.control_without_duration, *self.variant_without_duration)
        return sum(not r.success for r in both)


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


@dataclass(frozen=True)
class _ArmRuns:
    runs: tuple[RunResult, ...]
    without_duration: tuple[RunResult, ...]
    unknown_outcome: int


def _runs(
    store: MetricsStore, target: str, kind: TargetKind, config_name: str, arm: Arm
) -> _ArmRuns:
    rows, config, stamps, success, duration, cost = _table(store, target, kind)
    code = store.config_names.lookup(config_name)
    picked = rows[config[rows] == code] if code >= 0 else rows[:0]
    picked = picked[np.argsort(stamps[picked], kind="stable")]  # NaN stamps sort last
    out: list[RunResult] = []
    no_duration: list[RunResult] = []
    unknown = 0
    for row in picked.tolist():
        ok = int(success[row])
        if ok < 0:
            unknown += 1
            continue
        dur = float(duration[row])
        c = float(cost[row])
        timed = math.isfinite(dur)
        into = out if timed else no_duration
        into.append(
            RunResult(
                arm=arm,
                trial=len(out) + len(no_duration),  # unique within the arm, both lists
                input=None,
                duration_seconds=dur if timed else math.nan,
                cost_usd=c if math.isfinite(c) else None,
                success=ok == 1,
                exit_code=None,
                timed_out=False,
                source="recorded",
            )
        )
    return _ArmRuns(tuple(out), tuple(no_duration), unknown)


def config_runs(
    store: MetricsStore, target: str, kind: TargetKind, config_name: str
) -> tuple[RunResult, ...]:
    """The recorded runs (with a duration) of one configuration of ``target``, oldest first."""
    return _runs(store, target, kind, config_name, "control").runs


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
    control = _runs(store, target, kind, before, "control")
    variant = _runs(store, target, kind, after, "variant")
    return RecordedComparison(
        target,
        kind,
        before,
        after,
        control.runs,
        variant.runs,
        control.unknown_outcome + variant.unknown_outcome,
        control.without_duration,
        variant.without_duration,
    )


def without_duration_notes(comparison: RecordedComparison) -> tuple[str, ...]:
    """One line per arm with records that have an outcome but no duration: how many, how
    many of them failed, and that the comparison (success rate included) leaves them out."""
    notes = []
    for arm, runs in (
        ("control", comparison.control_without_duration),
        ("variant", comparison.variant_without_duration),
    ):
        if not runs:
            continue
        failed = sum(not r.success for r in runs)
        notes.append(
            f"{arm}: {len(runs)} recorded run(s) with an outcome but no usable duration ({failed} "
            "failed) are left out of this comparison, success rate included"
        )
    return tuple(notes)
