"""Team and node profiles: small-sample honesty, member shares, outcome counts."""

from __future__ import annotations

import math
import statistics

import numpy as np
import pytest

from autotune_bot.analysis.profile import distribution

from .conftest import MemberRun, Synth, team_record, team_report, workflow_report


def test_percentiles_say_when_the_sample_is_too_small() -> None:
    values = np.random.default_rng(7).lognormal(2.0, 0.4, size=10)
    dist = distribution(values, 0.95)
    assert dist is not None
    assert dist.n == 10
    assert dist.p50.supported
    for p in (dist.p95, dist.p99):
        assert not p.supported
        assert "too small" in p.note
        assert p.needed_n > 10
        assert p.estimate == pytest.approx(float(np.quantile(values, p.q)))
    assert dist.mean == pytest.approx(float(values.mean()))
    assert (dist.minimum, dist.maximum) == (float(values.min()), float(values.max()))


def test_percentiles_supported_with_enough_runs() -> None:
    values = np.random.default_rng(7).lognormal(2.0, 0.4, size=400)
    dist = distribution(values, 0.95)
    assert dist is not None
    assert dist.p95.supported
    assert dist.p99.supported
    assert dist.p99.low <= dist.p99.estimate <= dist.p99.high
    assert dist.mean_interval.low < dist.mean < dist.mean_interval.high


def test_distribution_ignores_nan_and_is_none_when_empty() -> None:
    assert distribution(np.array([math.nan, math.nan]), 0.95) is None
    dist = distribution(np.array([1.0, math.nan, 3.0]), 0.95)
    assert dist is not None
    assert (dist.n, dist.mean) == (2, 2.0)


def test_small_team_profile_flags_its_percentiles(synth: Synth) -> None:
    report = team_report(synth.analyze(synth.team_runs("review", 12)), "review")
    assert report.profile.duration is not None
    assert report.profile.duration.n == 12
    assert not report.profile.duration.p95.supported
    assert "too small" in report.profile.duration.p95.note


def test_member_time_and_tool_shares_sum_to_one(synth: Synth) -> None:
    records = []
    for i in range(200):
        members = {
            "lead": MemberRun(synth.lognormal(30.0), True, synth.count(8)),
            "helper": MemberRun(synth.lognormal(10.0), True, synth.count(3)),
            "checker": MemberRun(synth.lognormal(5.0), i % 10 != 0, synth.count(1)),
        }
        records.append(
            team_record(
                "review",
                duration=synth.lognormal(40.0),
                success=True,
                members=members,
                minutes=10.0 * i,
            )
        )
    profile = team_report(synth.analyze(records), "review").profile
    shares = {m.member_id: m for m in profile.members}
    assert set(shares) == {"lead", "helper", "checker"}
    assert sum(m.time_share for m in profile.members) == pytest.approx(1.0)
    assert sum(m.tool_share for m in profile.members) == pytest.approx(1.0)
    lead_share = statistics.fmean(
        r["member_metrics"]["lead"]["duration_seconds"]
        / sum(m["duration_seconds"] for m in r["member_metrics"].values())
        for r in records
    )
    assert shares["lead"].time_share == pytest.approx(lead_share)
    assert shares["lead"].time_share > shares["helper"].time_share > shares["checker"].time_share
    assert shares["lead"].runs == 200
    # The checker fails in 20 runs, yet the team always succeeds.
    assert shares["checker"].failures == 20
    assert shares["checker"].success.estimate == pytest.approx(0.9)
    dependence = shares["checker"].success_dependence
    assert dependence is not None
    assert dependence.estimate == pytest.approx(0.0)
    assert shares["lead"].success_dependence is None  # never failed: nothing to compare
    assert profile.member_count == 3.0
    assert profile.formations == {"parallel": 200}


def test_runs_without_outcome_are_counted_apart(synth: Synth) -> None:
    records = synth.team_runs("review", 100, success_rate=0.8)
    for r in records[:10]:
        r["success"] = None
    ok = sum(r["success"] is True for r in records)
    profile = team_report(synth.analyze(records), "review").profile
    assert (profile.runs, profile.outcomes) == (100, 90)
    assert profile.success.estimate == pytest.approx(ok / 90)
    assert profile.success.low < profile.success.estimate < profile.success.high
    assert profile.consensus_rounds is None


def test_node_profiles_count_outcomes_errors_and_costs(synth: Synth) -> None:
    records = synth.node_runs(
        "etl",
        100,
        {"fetch": 1.0, "parse": 2.0},
        success_rates={"fetch": 0.9},
        extra=lambda i, node: {"cost": 0.01, "input_tokens": 1000} if node == "parse" else {},
    )
    for r in records[:5]:
        del r["node_metrics"]["parse"]["success"]
    nodes = {p.node_id: p for p in workflow_report(synth.analyze(records), "etl").nodes}
    fetch, parse = nodes["fetch"], nodes["parse"]
    assert (fetch.runs, fetch.outcomes) == (100, 100)
    assert fetch.success.estimate == pytest.approx(0.9)
    assert fetch.errors == {"TimeoutError": 10}
    assert (parse.runs, parse.outcomes) == (100, 95)
    assert parse.mean_cost == pytest.approx(0.01)
    assert parse.mean_input_tokens == pytest.approx(1000.0)
    assert math.isnan(fetch.mean_cost)
    assert parse.duration is not None
    durations = [r["node_metrics"]["parse"]["duration"] for r in records]
    assert parse.duration.mean == pytest.approx(statistics.fmean(durations))


def test_team_profile_reports_token_and_cost_means(synth: Synth) -> None:
    records = synth.team_runs("tokens", 30)
    for k, record in enumerate(records):
        record["input_tokens"] = 1000 + k
        record["output_tokens"] = 200
        record["cost_usd"] = 0.01
    profile = team_report(synth.analyze(records), "tokens").profile
    assert profile.mean_input_tokens == pytest.approx(1000 + 14.5)
    assert profile.mean_output_tokens == pytest.approx(200)
    assert profile.cost is not None
    assert profile.cost.mean == pytest.approx(0.01)
