"""Judge a merged change on the runs before and after its merge (pure; seeded).

:func:`decide` runs every detector of :data:`~autotune_bot.monitor.detectors.DETECTORS` that
the data can feed on the first ``horizon`` post-merge runs (later runs are not judged):

* ``regressed`` — some detector's CUSUM went above its threshold;
* ``confirmed`` — ``horizon`` runs after the merge and no alarm;
* ``holding`` — fewer runs so far and no alarm;
* ``not_monitored`` — fewer than ``min_runs`` runs before the merge (the note says how many).

False-alarm budget: ``false_alarm_rate`` is the probability, accepted over the whole horizon,
of calling ``regressed`` a change that changed nothing. It is split across the applicable
detectors in proportion to their weights (:func:`budget_split`: α_i = false_alarm_rate ·
w_i / Σ w; the design's primary triggers, ``duration`` and ``failures``, weigh 3, ``tail``
and ``cost`` 1), and each threshold is
calibrated by simulation to alarm with probability α_i over the horizon
(:mod:`autotune_bot.monitor.calibrate`), so by the union bound the chance that any detector
alarms is at most the budget (less, as far as the detectors are dependent). The budget holds
for watching continuously: deciding again after every new run changes nothing, since a CUSUM
alarms at its first crossing and the threshold is the horizon's.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

from autotune_bot.monitor.calibrate import threshold
from autotune_bot.monitor.cusum import cusum, first_crossing
from autotune_bot.monitor.detectors import DETECTORS, Detector
from autotune_bot.monitor.realised import realised_change
from autotune_bot.monitor.types import DetectorResult, MonitorDecision, Outcome, RunSeries

if TYPE_CHECKING:
    from autotune_bot.settings.proposals import MonitoringSettings

__all__ = ["MIN_SIMULATIONS", "MonitorConfig", "budget_split", "decide", "monitor_config"]

MIN_SIMULATIONS = 100


@dataclass(frozen=True)
class MonitorConfig:
    """The monitor's settings (see ``monitoring`` in ``.autotune.yml``)."""

    min_runs: int = 30  # fewest baseline runs needed to monitor
    false_alarm_rate: float = 0.05  # whole budget over `horizon` post-merge runs
    horizon: int = 200  # post-merge runs watched; then confirmed if no alarm
    baseline_runs: int = 200  # most recent pre-merge runs used as baseline (cap)
    simulations: int = 4000  # null paths used to calibrate thresholds

    def __post_init__(self) -> None:
        for name in ("min_runs", "horizon", "baseline_runs"):
            if getattr(self, name) < 1:
                raise ValueError(f"MonitorConfig.{name} must be at least 1")
        if not 0.0 < self.false_alarm_rate < 1.0:
            raise ValueError("MonitorConfig.false_alarm_rate must be strictly between 0 and 1")
        if self.simulations < MIN_SIMULATIONS:
            raise ValueError(f"MonitorConfig.simulations must be at least {MIN_SIMULATIONS}")


def monitor_config(settings: MonitoringSettings) -> MonitorConfig:
    """The statistics' configuration from the ``monitoring`` settings section."""
    return MonitorConfig(
        min_runs=settings.min_runs,
        false_alarm_rate=settings.false_alarm_rate,
        horizon=settings.horizon_runs,
        baseline_runs=settings.baseline_runs,
    )


def _window(series: RunSeries, start: int, stop: int) -> RunSeries:
    return RunSeries(
        series.durations[start:stop], series.successes[start:stop], series.costs[start:stop]
    )


def _run(
    detector: Detector,
    baseline: RunSeries,
    post: RunSeries,
    alpha: float,
    config: MonitorConfig,
    seed: int,
) -> DetectorResult:
    key = detector.null_key(baseline)
    h = threshold(detector.name, key, config.horizon, alpha, config.simulations, seed)
    scores = detector.scores(baseline, post)
    path = cusum(scores.values)
    crossed = first_crossing(path, h)
    return DetectorResult(
        name=detector.name,
        rule=detector.rule,
        applicable=True,
        statistic=float(path.max()) if path.size else 0.0,
        threshold=h,
        alpha=alpha,
        alarm_at=None if crossed is None else int(scores.runs[crossed]),
        note=f"{path.size} of {len(post)} runs after the merge used",
    )


def budget_split(budget: float, used: list[str]) -> dict[str, float]:
    """Each detector's share of the false-alarm ``budget``, in proportion to its weight among
    those ``used`` (a union bound: the shares add up to the budget)."""
    total = sum(DETECTORS[name].weight for name in used)
    return {name: budget * DETECTORS[name].weight / total for name in used}


def decide(
    baseline: RunSeries, post: RunSeries, config: MonitorConfig, *, seed: int = 0
) -> MonitorDecision:
    """The monitor's verdict on ``post`` (oldest first) against ``baseline`` (oldest first)."""
    notes: list[str] = []
    if len(baseline) > config.baseline_runs:
        notes.append(f"baseline: the newest {config.baseline_runs} of {len(baseline)} runs")
        baseline = _window(baseline, len(baseline) - config.baseline_runs, len(baseline))
    if len(post) > config.horizon:
        notes.append(
            f"{len(post) - config.horizon} runs after the first {config.horizon} after the "
            "merge are not judged"
        )
        post = _window(post, 0, config.horizon)
    realised = realised_change(baseline, post)

    def verdict(outcome: Outcome, detectors: tuple[DetectorResult, ...]) -> MonitorDecision:
        return MonitorDecision(
            outcome=outcome,
            baseline_runs=len(baseline),
            post_runs=len(post),
            horizon=config.horizon,
            false_alarm_rate=config.false_alarm_rate,
            detectors=detectors,
            realised=realised,
            notes=tuple(notes),
        )

    if len(baseline) < config.min_runs:
        notes.append(
            f"not monitored: {len(baseline)} runs recorded before the merge, "
            f"{config.min_runs} needed (monitoring.min_runs)"
        )
        return verdict("not_monitored", ())

    reasons = {name: d.why_not(baseline, post, config.min_runs) for name, d in DETECTORS.items()}
    used = [name for name, reason in reasons.items() if reason is None]
    alphas = budget_split(config.false_alarm_rate, used)
    results: list[DetectorResult] = []
    for name, detector in DETECTORS.items():
        reason = reasons[name]
        if reason is None:
            results.append(_run(detector, baseline, post, alphas[name], config, seed))
            continue
        notes.append(f"{name} not used: {reason}")
        results.append(
            DetectorResult(name, detector.rule, False, math.nan, math.nan, 0.0, None, reason)
        )
    shares = ", ".join(f"{name} {alphas[name]:.4g}" for name in used)
    notes.append(
        f"false-alarm budget {config.false_alarm_rate:g} over {config.horizon} runs after the "
        f"merge, split by weight across {len(used)} detectors ({shares})"
    )
    detectors = tuple(results)
    if any(r.alarmed for r in detectors):
        return verdict("regressed", detectors)
    if len(post) >= config.horizon:
        return verdict("confirmed", detectors)
    notes.append(f"{len(post)} of {config.horizon} runs after the merge so far; no alarm")
    return verdict("holding", detectors)
