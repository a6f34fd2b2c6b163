"""decide(): outcomes on seeded data, notes, budget split, horizon and baseline caps."""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np
import pytest

from autotune_bot.monitor.decide import MonitorConfig, budget_split, decide, monitor_config
from autotune_bot.monitor.detectors import DETECTORS
from autotune_bot.monitor.types import RunSeries
from autotune_bot.settings.proposals import MonitoringSettings

Maker = Callable[..., RunSeries]
CONFIG = MonitorConfig()


def test_planted_slowdown_regresses(series: Maker) -> None:
    rng = np.random.default_rng(1)
    decision = decide(series(rng, 50), series(rng, 120, scale=2.0), CONFIG)
    assert decision.outcome == "regressed"
    first = decision.triggers[0]
    assert first.name == "duration"
    assert first.alarm_at is not None
    assert first.statistic > first.threshold
    assert decision.realised is not None
    assert decision.realised.duration_ratio is not None
    assert decision.realised.duration_ratio > 1.5


def test_planted_failures_regress_through_the_failure_detector(series: Maker) -> None:
    rng = np.random.default_rng(2)
    decision = decide(series(rng, 200, success=0.9), series(rng, 200, success=0.6), CONFIG)
    assert decision.outcome == "regressed"
    assert "failures" in {d.name for d in decision.triggers}


def test_no_change_over_the_horizon_confirms(series: Maker) -> None:
    rng = np.random.default_rng(3)
    decision = decide(series(rng, 80), series(rng, 200), CONFIG)
    assert decision.outcome == "confirmed"
    assert decision.triggers == ()
    assert all(d.statistic <= d.threshold for d in decision.detectors)
    assert (decision.baseline_runs, decision.post_runs, decision.horizon) == (80, 200, 200)


def test_no_change_before_the_horizon_holds(series: Maker) -> None:
    rng = np.random.default_rng(3)
    decision = decide(series(rng, 80), series(rng, 40), CONFIG)
    assert decision.outcome == "holding"
    assert any("40 of 200" in note for note in decision.notes)


def test_a_short_baseline_is_not_monitored_and_says_why(series: Maker) -> None:
    rng = np.random.default_rng(4)
    decision = decide(series(rng, 12), series(rng, 200, scale=3.0), CONFIG)
    assert decision.outcome == "not_monitored"
    assert decision.detectors == ()
    assert any("12 runs" in note and "30 needed" in note for note in decision.notes)


def test_the_budget_is_split_by_weight_across_applicable_detectors(series: Maker) -> None:
    rng = np.random.default_rng(5)
    decision = decide(series(rng, 60, cost_scale=None), series(rng, 30, cost_scale=None), CONFIG)
    used = [d for d in decision.detectors if d.applicable]
    assert [d.name for d in decision.detectors] == list(DETECTORS)
    assert [d.name for d in used] == ["duration", "tail", "failures"]
    assert sum(d.alpha for d in used) == pytest.approx(CONFIG.false_alarm_rate)
    # weights 3, 1, 3 of the three that take part: 3/7, 1/7, 3/7 of the budget
    shares = {d.name: d.alpha / CONFIG.false_alarm_rate for d in used}
    assert shares == pytest.approx({"duration": 3 / 7, "tail": 1 / 7, "failures": 3 / 7})
    assert budget_split(0.05, ["tail", "cost"]) == pytest.approx({"tail": 0.025, "cost": 0.025})
    cost = next(d for d in decision.detectors if d.name == "cost")
    assert math.isnan(cost.statistic)
    assert cost.alarm_at is None
    assert any(note.startswith("cost not used: 0 of 60") for note in decision.notes)


def test_runs_after_the_horizon_are_not_judged(series: Maker) -> None:
    rng = np.random.default_rng(6)
    config = MonitorConfig(horizon=100)
    calm, slow = series(rng, 100), series(rng, 100, scale=3.0)
    post = RunSeries(
        calm.durations + slow.durations, calm.successes + slow.successes, calm.costs + slow.costs
    )
    baseline = series(rng, 60)
    decision = decide(baseline, post, config)
    judged = decide(baseline, calm, config)
    assert decision.post_runs == 100
    assert (decision.outcome, decision.detectors) == (judged.outcome, judged.detectors)
    assert decision.realised == judged.realised
    assert any("100 runs after the first 100" in note for note in decision.notes)
    assert decide(baseline, slow, config).outcome == "regressed"  # had they been judged


def test_the_baseline_is_capped_to_its_newest_runs(series: Maker) -> None:
    rng = np.random.default_rng(7)
    old, recent = series(rng, 100, scale=5.0), series(rng, 60)
    baseline = RunSeries(
        old.durations + recent.durations, old.successes + recent.successes, old.costs + recent.costs
    )
    decision = decide(baseline, series(rng, 60), MonitorConfig(baseline_runs=60))
    assert decision.baseline_runs == 60
    assert decision.realised is not None
    assert decision.realised.duration_ratio is not None
    assert 0.7 < decision.realised.duration_ratio < 1.4  # against the recent runs only


def test_deciding_on_a_prefix_gives_the_same_alarm(series: Maker) -> None:
    rng = np.random.default_rng(8)
    baseline, post = series(rng, 50), series(rng, 200, scale=1.6)
    full = decide(baseline, post, CONFIG)
    first = full.triggers[0]
    assert first.alarm_at is not None
    n = first.alarm_at
    before = RunSeries(post.durations[: n - 1], post.successes[: n - 1], post.costs[: n - 1])
    at = RunSeries(post.durations[:n], post.successes[:n], post.costs[:n])
    assert decide(baseline, before, CONFIG).outcome == "holding"
    again = decide(baseline, at, CONFIG).triggers[0]
    assert (again.name, again.alarm_at, again.threshold) == (first.name, n, first.threshold)


def test_decisions_are_deterministic_and_depend_on_the_seed(series: Maker) -> None:
    rng = np.random.default_rng(9)
    baseline, post = series(rng, 50), series(rng, 80)
    assert decide(baseline, post, CONFIG) == decide(baseline, post, CONFIG)
    thresholds = [d.threshold for d in decide(baseline, post, CONFIG, seed=1).detectors]
    assert thresholds != [d.threshold for d in decide(baseline, post, CONFIG).detectors]


def test_monitor_config_follows_the_settings() -> None:
    settings = MonitoringSettings(
        min_runs=20, false_alarm_rate=0.01, horizon_runs=150, baseline_runs=80
    )
    assert monitor_config(settings) == MonitorConfig(
        min_runs=20, false_alarm_rate=0.01, horizon=150, baseline_runs=80
    )


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"horizon": 0}, "horizon"),
        ({"false_alarm_rate": 1.0}, "false_alarm_rate"),
        ({"simulations": 10}, "simulations"),
    ],
)
def test_bad_configs_are_refused(changes: dict[str, float], field: str) -> None:
    with pytest.raises(ValueError, match=f"MonitorConfig.{field}"):
        MonitorConfig(**changes)  # type: ignore[arg-type]
