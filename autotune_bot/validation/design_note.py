"""The design check of a planned A/B test, with the spread taken from the recorded runs.

Before a file's A/B runs start, :func:`design_notes` estimates the spread σ of log durations
from the recorded executions of the targets the patch changes (their most recent recorded
configuration) and asks :func:`~autotune_bot.validation.design_check.check_design` whether
``runs_per_arm`` can see ``min_improvement``. Only the unpaired design is checked: a paired
test's spread (of per-input log ratios) cannot be read from records of one configuration.
Pure: values in, sentences out.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence

import numpy as np

from autotune_bot.metrics.columns import MetricsStore
from autotune_bot.settings.proposals import ABTestSettings
from autotune_bot.validation.design_check import check_design
from autotune_bot.validation.recorded import TargetKind, config_runs, configurations_of

__all__ = ["MIN_RECORDS", "design_notes", "patch_targets", "planning_spread"]

MIN_RECORDS = 10  # fewer recorded runs give no usable spread


def planning_spread(store: MetricsStore, target: str, kind: TargetKind) -> float | None:
    """Standard deviation of log durations of the target's most recent recorded configuration
    (None when it has fewer than :data:`MIN_RECORDS` positive durations)."""
    configs = list(configurations_of(store, target, kind))
    if not configs:
        return None
    runs = config_runs(store, target, kind, configs[-1])  # the most recent configuration
    logs = [math.log(r.duration_seconds) for r in runs if r.duration_seconds > 0]
    if len(logs) < MIN_RECORDS:
        return None
    sigma = float(np.std(logs, ddof=1))
    return sigma if sigma > 0 else None


def design_notes(
    ab: ABTestSettings,
    targets: Iterable[tuple[str, TargetKind]],
    store: MetricsStore,
) -> Sequence[str]:
    """Warnings for a planned test of a change to ``targets`` (empty when the design is fine,
    paired, or no spread can be estimated)."""
    if ab.inputs or ab.primary_metric != "duration":
        return ()
    spreads = [s for t, k in targets if (s := planning_spread(store, t, k)) is not None]
    if not spreads:
        return ()
    sigma = max(spreads)
    check = check_design(
        ab.runs_per_arm,
        alpha=ab.alpha,
        min_improvement=ab.min_improvement,
        sigma=sigma,
        paired=False,
        method=ab.method,
    )
    if check.warning is None:
        return ()
    return (f"{check.warning}; σ estimated from the recorded runs",)


def patch_targets(
    suggestion_targets: Sequence[tuple[str, str]],
) -> list[tuple[str, TargetKind]]:
    """(scope, target) pairs of suggestions as (target, kind) for :func:`design_notes`."""
    out: list[tuple[str, TargetKind]] = []
    for scope, target in dict.fromkeys(suggestion_targets):
        out.append((target, "team" if scope == "team" else "workflow"))
    return out
