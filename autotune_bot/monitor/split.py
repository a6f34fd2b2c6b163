"""Before and after a merge: a tuning target's recorded runs split into baseline and post-merge.

The target comes from the merged proposal's marker: scope ``team`` -> the team executions of
that team; scope ``workflow`` or ``node`` -> the whole runs of that workflow. Each record has
a timestamp (seconds since the epoch) and, when the metrics carry one, a configuration (its
``config_fingerprint``, else its ``git_sha``). The rules:

* a record before the merge time is a baseline run, unless its configuration is the
  proposal's own (its branch head or merge commit: A/B runs of the branch); only the newest
  ``baseline_cap`` are kept;
* a record after the merge is a post-merge run, unless its configuration was seen among the
  baseline runs (the old configuration still running somewhere);
* records without a timestamp, or without a recorded outcome, cannot be placed or judged.

Everything left out is counted in a note. Both series are oldest first. Pure: a store in,
series out.
"""

from __future__ import annotations

import math
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Literal

import numpy as np

from autotune_bot.metrics.columns import MetricsStore
from autotune_bot.monitor.types import RunSeries

__all__ = ["MonitorTarget", "Split", "monitor_target", "same_config", "split_runs"]

TargetKind = Literal["team", "workflow"]
_MIN_SHA = 7  # shortest abbreviated commit id that is matched against a full one


@dataclass(frozen=True)
class MonitorTarget:
    kind: TargetKind
    name: str  # the team id or the workflow name

    def describe(self) -> str:
        return f"{self.kind} {self.name}"


@dataclass(frozen=True)
class Split:
    target: MonitorTarget
    baseline: RunSeries
    post: RunSeries
    notes: tuple[str, ...] = ()


def monitor_target(meta: Mapping[str, Any]) -> MonitorTarget | None:
    """The runs a merged proposal is judged on, from its marker (None: the marker lacks it)."""
    scope, target, workflow = meta.get("scope"), meta.get("target"), meta.get("workflow")
    if scope == "team" and isinstance(target, str) and target:
        return MonitorTarget("team", target)
    if scope in ("workflow", "node") and isinstance(workflow, str) and workflow:
        return MonitorTarget("workflow", workflow)
    return None


def same_config(name: str, commit: str) -> bool:
    """Whether configuration ``name`` is commit ``commit`` (full or abbreviated id)."""
    a, b = name.strip().lower(), commit.strip().lower()
    if not a or not b:
        return False
    if a == b:
        return True
    short, full = sorted((a, b), key=len)
    return len(short) >= _MIN_SHA and full.startswith(short)


def _series(
    rows: np.ndarray, success: np.ndarray, duration: np.ndarray, cost: np.ndarray
) -> RunSeries:
    durations = tuple(float(d) for d in duration[rows])
    costs = tuple(float(c) for c in cost[rows])
    return RunSeries(
        durations=tuple(d if math.isfinite(d) else math.nan for d in durations),
        successes=tuple(bool(s == 1) for s in success[rows]),
        costs=tuple(c if math.isfinite(c) else math.nan for c in costs),
    )


def split_runs(
    store: MetricsStore,
    target: MonitorTarget,
    merged_at: datetime,
    *,
    proposal_commits: Collection[str] = (),
    baseline_cap: int,
) -> Split:
    """The baseline and post-merge runs of ``target`` around ``merged_at`` (timezone-aware;
    a naive one is taken as UTC, never as the machine's local time);
    ``proposal_commits``: the proposal's head and merge commit (rules: module docstring)."""
    if target.kind == "team":
        t = store.teams
        code = store.team_names.lookup(target.name)
        config, stamps, success, duration, cost = (
            t.config,
            t.timestamp,
            t.success,
            t.duration,
            t.cost,
        )
        owner = t.team
    else:
        r = store.runs
        code = store.workflow_names.lookup(target.name)
        config, stamps, success, duration, cost = (
            r.config,
            r.timestamp,
            r.success,
            r.duration,
            r.cost,
        )
        owner = r.workflow
    rows = np.flatnonzero(owner == code) if code >= 0 else np.empty(0, np.intp)
    notes: list[str] = []
    if rows.size == 0:
        notes.append(f"no recorded runs of {target.describe()}")
    placed = rows[np.isfinite(stamps[rows])]
    if placed.size < rows.size:
        notes.append(f"{rows.size - placed.size} record(s) without a timestamp left out")
    known = placed[success[placed] >= 0]
    if known.size < placed.size:
        notes.append(f"{placed.size - known.size} record(s) without a recorded outcome left out")
    known = known[np.argsort(stamps[known], kind="stable")]
    if merged_at.utcoffset() is None:  # naive: UTC, as naive metrics timestamps are read
        merged_at = merged_at.replace(tzinfo=UTC)
    cut = merged_at.timestamp()
    before, after = known[stamps[known] < cut], known[stamps[known] >= cut]

    def own(row: int) -> bool:
        name = store.config_names.name(int(config[row]))
        return name is not None and any(same_config(name, c) for c in proposal_commits)

    branch_runs = [row for row in before.tolist() if own(row)]
    if branch_runs:
        notes.append(
            f"{len(branch_runs)} run(s) before the merge of the proposal's own commit (A/B "
            "runs of its branch) left out of the baseline"
        )
        before = np.setdiff1d(before, np.asarray(branch_runs, dtype=before.dtype))
        before = before[np.argsort(stamps[before], kind="stable")]
    old_configs = {int(c) for c in config[before] if int(c) >= 0}
    if before.size > baseline_cap:
        before = before[before.size - baseline_cap :]
    still_old = np.asarray([int(config[row]) in old_configs for row in after.tolist()], dtype=bool)
    if still_old.any():
        notes.append(
            f"{int(still_old.sum())} run(s) after the merge still ran a configuration seen "
            "before it (old configuration still running) and are left out"
        )
        after = after[~still_old]
    return Split(
        target,
        _series(before, success, duration, cost),
        _series(after, success, duration, cost),
        tuple(notes),
    )
