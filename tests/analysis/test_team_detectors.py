"""Each team bottleneck fires on data where it is planted and stays silent on similar data
where it is not; analyses the data cannot support say so."""

from __future__ import annotations

import statistics

import pytest

from autotune_bot.settings import Baseline, Constraints, Settings

from .conftest import (
    MemberRun,
    Record,
    Synth,
    insights_of,
    team_record,
    team_report,
    team_yaml,
    the_insight,
    unsupported_of,
)

TEAM = "review"
MEMBERS = ("alpha", "beta", "gamma")


def durations(records: list[Record]) -> list[float]:
    return [float(r["duration_seconds"]) for r in records]


def success_rate(records: list[Record]) -> float:
    return sum(bool(r["success"]) for r in records) / len(records)


def calls_per_member(records: list[Record]) -> float:
    return statistics.fmean(r["total_tool_calls"] / r["member_count"] for r in records)


# --- slow_execution --------------------------------------------------------------------


def test_slow_execution_against_declared_baseline(synth: Synth) -> None:
    records = synth.team_runs(TEAM, 300, median=20.0)
    settings = Settings(baselines={TEAM: Baseline(duration_seconds=10.0)})
    report = team_report(synth.analyze(records, settings=settings), TEAM)
    insight = the_insight(report, "slow_execution")
    mean = statistics.fmean(durations(records))
    assert insight.target == TEAM
    assert insight.component is None
    assert insight.current_value == pytest.approx(mean)
    assert insight.baseline_value == 10.0
    assert insight.evidence.n == 300
    assert "declared" in insight.evidence.baseline_source
    assert insight.evidence.details["ratio"] == pytest.approx(mean / 10.0)
    assert insight.evidence.interval is not None
    assert insight.evidence.interval[0] > 1.0
    # 2× the baseline: half-way on the log scale that reaches 1 at 4×.
    assert insight.severity == pytest.approx(0.5, abs=0.05)


def test_slow_execution_silent_when_close_to_declared_baseline(synth: Synth) -> None:
    records = synth.team_runs(TEAM, 300, median=20.0)
    settings = Settings(baselines={TEAM: Baseline(duration_seconds=20.0)})
    report = team_report(synth.analyze(records, settings=settings), TEAM)
    assert insights_of(report, "slow_execution") == []
    assert all(u.analysis != "slow_execution" for u in report.unsupported)


def test_slow_execution_against_history_of_older_config(synth: Synth) -> None:
    old = synth.team_runs(TEAM, 250, median=10.0, config="cfg-old")
    new = synth.team_runs(TEAM, 250, median=20.0, config="cfg-new", first_minute=10_000.0)
    report = team_report(synth.analyze(old + new), TEAM)
    assert report.profile.config == "cfg-new"
    insight = the_insight(report, "slow_execution")
    assert insight.current_value == pytest.approx(statistics.fmean(durations(new)))
    assert insight.baseline_value == pytest.approx(statistics.fmean(durations(old)))
    assert insight.evidence.n == 250
    assert "history" in insight.evidence.baseline_source
    assert "cfg-old" in insight.evidence.baseline_source
    assert insight.evidence.interval is not None
    assert insight.evidence.interval[0] > 1.5  # the planted ratio is 2


def test_slow_execution_silent_when_history_is_as_fast(synth: Synth) -> None:
    old = synth.team_runs(TEAM, 250, median=10.0, config="cfg-old")
    new = synth.team_runs(TEAM, 250, median=10.0, config="cfg-new", first_minute=10_000.0)
    report = team_report(synth.analyze(old + new), TEAM)
    assert insights_of(report, "slow_execution") == []
    assert [h.config for h in report.older] == ["cfg-old"]


def test_slow_execution_unsupported_without_baseline(synth: Synth) -> None:
    report = team_report(synth.analyze(synth.team_runs(TEAM, 300)), TEAM)
    reason = unsupported_of(report, "slow_execution").reason
    assert "no duration baseline" in reason
    assert insights_of(report, "slow_execution") == []


def test_too_few_runs_make_team_analyses_unsupported(synth: Synth) -> None:
    records = synth.team_runs(TEAM, 10)
    settings = Settings(
        baselines={TEAM: Baseline(duration_seconds=1.0, success_rate=1.0, tool_calls=1.0)}
    )
    report = team_report(synth.analyze(records, settings=settings), TEAM)
    assert report.insights == ()
    for analysis in ("slow_execution", "high_latency_outliers", "low_success_rate"):
        reason = unsupported_of(report, analysis).reason
        assert "only 10" in reason
        assert "min_samples is 20" in reason


# --- high_latency_outliers -------------------------------------------------------------


def _with_outliers(synth: Synth, every: int | None) -> list[Record]:
    records = synth.team_runs(TEAM, 300, median=20.0, sigma=0.25)
    if every is not None:
        for r in records[::every]:
            r["duration_seconds"] *= 20.0
    return records


def test_high_latency_outliers_planted(synth: Synth) -> None:
    records = _with_outliers(synth, every=25)  # 12 runs 20× slower
    report = team_report(synth.analyze(records), TEAM)
    insight = the_insight(report, "high_latency_outliers")
    assert insight.component is None
    assert insight.current_value == pytest.approx(12 / 300)
    assert insight.baseline_value is not None
    assert insight.baseline_value < 0.001  # a log-normal bulk predicts almost none
    assert insight.evidence.n == 300
    assert insight.evidence.details["runs_beyond"] == 12
    assert "own duration distribution" in insight.evidence.baseline_source
    slow_time = sum(sorted(durations(records))[-12:]) / sum(durations(records))
    assert insight.evidence.details["time_share_of_outliers"] == pytest.approx(slow_time)


def test_high_latency_outliers_silent_on_log_normal_runs(synth: Synth) -> None:
    report = team_report(synth.analyze(_with_outliers(synth, every=None)), TEAM)
    assert insights_of(report, "high_latency_outliers") == []


# --- low_success_rate ------------------------------------------------------------------


@pytest.mark.parametrize(("rate", "fires"), [(0.7, True), (0.95, False)], ids=["planted", "absent"])
def test_low_success_rate_against_min_success_rate(synth: Synth, rate: float, fires: bool) -> None:
    records = synth.team_runs(TEAM, 300, success_rate=rate)
    settings = Settings(constraints=Constraints(min_success_rate=0.9))
    report = team_report(synth.analyze(records, settings=settings), TEAM)
    if not fires:
        assert insights_of(report, "low_success_rate") == []
        return
    insight = the_insight(report, "low_success_rate")
    assert insight.current_value == pytest.approx(0.7)
    assert insight.baseline_value == 0.9
    assert insight.evidence.n == 300
    assert "constraints.min_success_rate" in insight.evidence.baseline_source
    assert insight.evidence.interval is not None
    assert insight.evidence.interval[1] < 0.9


@pytest.mark.parametrize(("rate", "fires"), [(0.8, True), (0.96, False)], ids=["planted", "absent"])
def test_low_success_rate_against_declared_baseline(synth: Synth, rate: float, fires: bool) -> None:
    records = synth.team_runs(TEAM, 300, success_rate=rate)
    settings = Settings(
        baselines={TEAM: Baseline(success_rate=0.95)},
        constraints=Constraints(min_success_rate=0.5),  # the declared value takes precedence
    )
    report = team_report(synth.analyze(records, settings=settings), TEAM)
    if not fires:
        assert insights_of(report, "low_success_rate") == []
        return
    insight = the_insight(report, "low_success_rate")
    assert insight.current_value == pytest.approx(0.8)
    assert insight.baseline_value == 0.95
    assert "declared" in insight.evidence.baseline_source


@pytest.mark.parametrize(
    ("new_rate", "fires"), [(0.75, True), (0.9, False)], ids=["planted", "absent"]
)
def test_low_success_rate_against_history(synth: Synth, new_rate: float, fires: bool) -> None:
    old = synth.team_runs(TEAM, 250, success_rate=0.95 if fires else 0.9, config="cfg-old")
    new = synth.team_runs(TEAM, 250, success_rate=new_rate, config="cfg-new", first_minute=10_000.0)
    report = team_report(synth.analyze(old + new), TEAM)
    if not fires:
        assert insights_of(report, "low_success_rate") == []
        return
    insight = the_insight(report, "low_success_rate")
    assert insight.current_value == pytest.approx(success_rate(new))
    assert insight.baseline_value == pytest.approx(success_rate(old))
    assert insight.evidence.n == 250
    assert "cfg-old" in insight.evidence.baseline_source
    assert "n=250" in insight.evidence.baseline_source
    assert insight.evidence.interval is not None
    assert insight.evidence.interval[1] < 0.0  # the difference is clearly negative


@pytest.mark.parametrize(("rate", "fires"), [(0.7, True), (0.93, False)], ids=["planted", "absent"])
def test_low_success_rate_against_peers(synth: Synth, rate: float, fires: bool) -> None:
    mine = synth.team_runs(TEAM, 300, success_rate=rate)
    peer = synth.team_runs("triage", 300, success_rate=0.95)
    report = synth.analyze(mine + peer)
    review = team_report(report, TEAM)
    assert insights_of(team_report(report, "triage"), "low_success_rate") == []
    if not fires:
        assert insights_of(review, "low_success_rate") == []
        return
    insight = the_insight(review, "low_success_rate")
    assert insight.current_value == pytest.approx(0.7)
    assert insight.baseline_value == pytest.approx(0.95)
    assert "peers: 1 other teams" in insight.evidence.baseline_source


def test_low_success_rate_skips_references_without_outcomes(synth: Synth) -> None:
    # History and a peer whose records carry no success value cannot serve as baselines
    # (their rate is undefined); a peer with outcomes still can.
    old = synth.team_runs(TEAM, 250, config="cfg-old")
    mute = synth.team_runs("triage", 250)
    for r in old + mute:
        r["success"] = None
    new = synth.team_runs(TEAM, 250, success_rate=0.7, config="cfg-new", first_minute=1e4)
    report = team_report(synth.analyze(old + mute + new), TEAM)
    assert "no success baseline" in unsupported_of(report, "low_success_rate").reason
    peer = synth.team_runs("plan", 250, success_rate=0.95)
    report = team_report(synth.analyze(old + mute + new + peer), TEAM)
    insight = the_insight(report, "low_success_rate")
    assert insight.baseline_value == pytest.approx(success_rate(peer))
    assert "peers: 1 other teams" in insight.evidence.baseline_source


def test_low_success_rate_unsupported_without_baseline(synth: Synth) -> None:
    report = team_report(synth.analyze(synth.team_runs(TEAM, 300, success_rate=0.5)), TEAM)
    assert "no success baseline" in unsupported_of(report, "low_success_rate").reason
    assert insights_of(report, "low_success_rate") == []


# --- excessive_tool_usage ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("calls", "fires"), [(12.0, True), (3.5, False)], ids=["planted", "absent"]
)
def test_excessive_tool_usage_against_peers(synth: Synth, calls: float, fires: bool) -> None:
    mine = synth.team_runs(TEAM, 300, calls_per_member=calls)
    triage = synth.team_runs("triage", 300, calls_per_member=3.0)
    plan = synth.team_runs("plan", 300, calls_per_member=4.0, member_ids=("one", "two"))
    yamls = {"flow.yaml": team_yaml("flow", TEAM, "parallel", MEMBERS)}
    review = team_report(synth.analyze(mine + triage + plan, yamls), TEAM)
    if not fires:
        assert insights_of(review, "excessive_tool_usage") == []
        return
    insight = the_insight(review, "excessive_tool_usage")
    assert insight.current_value == pytest.approx(calls_per_member(mine))
    peers = [calls_per_member(triage), calls_per_member(plan)]
    assert insight.baseline_value == pytest.approx(statistics.median(peers))
    assert insight.evidence.n == 300
    assert "peers: median of 2 other teams" in insight.evidence.baseline_source
    assert insight.evidence.details["total_tool_budget"] == 60.0


def test_excessive_tool_usage_unsupported_without_baseline(synth: Synth) -> None:
    report = team_report(synth.analyze(synth.team_runs(TEAM, 300, calls_per_member=12)), TEAM)
    reason = unsupported_of(report, "excessive_tool_usage").reason
    assert "no tool-usage baseline" in reason


# --- suboptimal_formation ----------------------------------------------------------------


def _sequential_runs(synth: Synth, n: int = 300) -> list[Record]:
    out = []
    for i in range(n):
        members = synth.members(MEMBERS, median=10.0)
        total = sum(m.duration for m in members.values())
        out.append(
            team_record(
                TEAM,
                duration=total + synth.lognormal(1.0),
                success=True,
                members=members,
                minutes=10.0 * i,
                formation="sequential",
            )
        )
    return out


def _member_max(record: Record) -> float:
    return max(float(m["duration_seconds"]) for m in record["member_metrics"].values())


def _member_sum(record: Record) -> float:
    return sum(float(m["duration_seconds"]) for m in record["member_metrics"].values())


def test_sequential_formation_of_independent_members(synth: Synth) -> None:
    records = _sequential_runs(synth)
    yamls = {"flow.yaml": team_yaml("flow", TEAM, "sequential", MEMBERS)}
    report = team_report(synth.analyze(records, yamls), TEAM)
    insight = the_insight(report, "suboptimal_formation_sequential")
    predicted = [_member_max(r) + r["duration_seconds"] - _member_sum(r) for r in records]
    assert insight.current_value == pytest.approx(statistics.fmean(durations(records)))
    assert insight.baseline_value == pytest.approx(statistics.fmean(predicted))
    assert insight.evidence.n == 300
    assert insight.evidence.baseline_source == "recorded member durations, run by run"
    assert insight.affected == MEMBERS
    assert insight.location == "flow.yaml:4"
    saving = 1 - statistics.fmean(predicted) / statistics.fmean(durations(records))
    assert insight.severity == pytest.approx(saving)
    assert saving > 0.4  # three equal members: the slowest is well under the sum


def test_sequential_formation_silent_when_members_read_each_other(synth: Synth) -> None:
    records = _sequential_runs(synth)
    chained = {"beta": ["alpha"], "gamma": ["beta"]}
    yamls = {"flow.yaml": team_yaml("flow", TEAM, "sequential", MEMBERS, chained)}
    report = team_report(synth.analyze(records, yamls), TEAM)
    assert [i for i in report.insights if i.bottleneck.startswith("suboptimal_formation")] == []
    assert all(u.analysis != "suboptimal_formation" for u in report.unsupported)


def test_sequential_formation_unsupported_without_workflow_file(synth: Synth) -> None:
    report = team_report(synth.analyze(_sequential_runs(synth)), TEAM)
    reason = unsupported_of(report, "suboptimal_formation").reason
    assert "not found in any workflow file" in reason


def _parallel_runs(synth: Synth, merge_median: float) -> list[Record]:
    out = []
    for i in range(300):
        members = synth.members(MEMBERS, median=10.0)
        slowest = max(m.duration for m in members.values())
        out.append(
            team_record(
                TEAM,
                duration=slowest + synth.lognormal(merge_median),
                success=True,
                members=members,
                minutes=10.0 * i,
                formation="parallel",
            )
        )
    return out


@pytest.mark.parametrize(
    ("merge_median", "fires"), [(15.0, True), (0.5, False)], ids=["planted", "absent"]
)
def test_parallel_formation_merge_overhead(synth: Synth, merge_median: float, fires: bool) -> None:
    records = _parallel_runs(synth, merge_median)
    yamls = {"flow.yaml": team_yaml("flow", TEAM, "parallel", MEMBERS)}
    report = team_report(synth.analyze(records, yamls), TEAM)
    if not fires:
        assert insights_of(report, "suboptimal_formation_parallel") == []
        return
    insight = the_insight(report, "suboptimal_formation_parallel")
    overhead = [r["duration_seconds"] - _member_max(r) for r in records]
    assert insight.current_value == pytest.approx(statistics.fmean(overhead))
    assert insight.baseline_value is None
    share = statistics.fmean(overhead) / statistics.fmean(durations(records))
    assert insight.evidence.details["overhead_share"] == pytest.approx(share)
    assert insight.severity == pytest.approx(share)
    assert insight.evidence.n == 300


def _consensus_runs(synth: Synth, per_round: float, *, vary: bool = True) -> list[Record]:
    out = []
    for i in range(300):
        rounds = synth.rng.randint(1, 4) if vary else 2
        members = synth.members(MEMBERS, median=5.0)
        out.append(
            team_record(
                TEAM,
                duration=synth.lognormal(10.0, 0.2) + per_round * rounds,
                success=True,
                members=members,
                minutes=10.0 * i,
                formation="consensus",
                rounds=rounds,
            )
        )
    return out


@pytest.mark.parametrize(
    ("per_round", "fires"), [(15.0, True), (0.5, False)], ids=["planted", "absent"]
)
def test_consensus_formation_rounds(synth: Synth, per_round: float, fires: bool) -> None:
    records = _consensus_runs(synth, per_round)
    yamls = {"flow.yaml": team_yaml("flow", TEAM, "consensus", MEMBERS)}
    report = team_report(synth.analyze(records, yamls), TEAM)
    if not fires:
        assert insights_of(report, "suboptimal_formation_consensus") == []
        return
    insight = the_insight(report, "suboptimal_formation_consensus")
    assert insight.current_value == pytest.approx(
        statistics.fmean(r["consensus_rounds"] for r in records)
    )
    assert insight.baseline_value == 1.0
    assert insight.evidence.n == 300
    assert insight.evidence.details["seconds_per_extra_round"] == pytest.approx(15.0, abs=1.0)
    assert insight.evidence.details["consensus_achieved_rate"] == 1.0


def test_consensus_formation_unsupported_with_constant_rounds(synth: Synth) -> None:
    records = _consensus_runs(synth, 15.0, vary=False)
    yamls = {"flow.yaml": team_yaml("flow", TEAM, "consensus", MEMBERS)}
    report = team_report(synth.analyze(records, yamls), TEAM)
    reason = unsupported_of(report, "suboptimal_formation_consensus").reason
    assert "constant" in reason


# --- oversized_team ---------------------------------------------------------------------


def _oversized_runs(synth: Synth, extra_matters: bool) -> list[Record]:
    """Team of alpha, beta and extra. When ``extra_matters`` the team fails exactly when
    extra fails; otherwise extra fails in 30% of the successful and of the failed runs alike
    (and the team fails exactly when alpha does)."""
    n = 300
    if extra_matters:
        extra_ok = synth.outcomes(n, 0.7)
        team_ok = list(extra_ok)
    else:
        team_ok = synth.outcomes(n, 0.95)
        ok_runs = [i for i in range(n) if team_ok[i]]
        failed_runs = [i for i in range(n) if not team_ok[i]]
        extra_ok = [True] * n
        for group in (ok_runs, failed_runs):
            for i, flag in zip(group, synth.outcomes(len(group), 0.7), strict=True):
                extra_ok[i] = flag
    out = []
    for i in range(n):
        members = {
            "alpha": MemberRun(synth.lognormal(10.0), team_ok[i] or extra_matters),
            "beta": MemberRun(synth.lognormal(10.0)),
            "extra": MemberRun(synth.lognormal(10.0), extra_ok[i]),
        }
        out.append(
            team_record(
                TEAM,
                duration=synth.lognormal(12.0),
                success=team_ok[i],
                members=members,
                minutes=10.0 * i,
            )
        )
    return out


def test_oversized_team_member_whose_failure_does_not_matter(synth: Synth) -> None:
    records = _oversized_runs(synth, extra_matters=False)
    report = team_report(synth.analyze(records), TEAM)
    insight = the_insight(report, "oversized_team")
    assert insight.component == "extra"
    assert insight.affected == ("extra",)
    assert insight.current_value == 3.0
    assert insight.baseline_value == 2.0
    assert insight.evidence.n == 300
    assert insight.evidence.baseline_source == "the team's own runs, member by member"
    failures = sum(not r["member_metrics"]["extra"]["success"] for r in records)
    assert insight.evidence.details["extra_failures"] == failures
    assert insight.evidence.interval is not None
    low, high = insight.evidence.interval
    assert low < 0.0 < high < 0.1


def test_oversized_team_silent_when_member_failure_fails_the_team(synth: Synth) -> None:
    report = team_report(synth.analyze(_oversized_runs(synth, extra_matters=True)), TEAM)
    assert insights_of(report, "oversized_team") == []
    (extra,) = [m for m in report.profile.members if m.member_id == "extra"]
    assert extra.success_dependence is not None
    assert extra.success_dependence.estimate == pytest.approx(1.0)


def test_oversized_team_unsupported_when_no_member_explains_team_success(synth: Synth) -> None:
    # Every member fails in 30% of the successful and of the failed runs alike: no member's
    # failure matters, so "this one contributes nothing" cannot be told from the data.
    n = 300
    team_ok = synth.outcomes(n, 0.9)
    flags: dict[str, list[bool]] = {}
    for name in ("alpha", "beta", "extra"):
        flags[name] = [True] * n
        for want in (True, False):
            group = [i for i in range(n) if team_ok[i] is want]
            for i, flag in zip(group, synth.outcomes(len(group), 0.7), strict=True):
                flags[name][i] = flag
    records = [
        team_record(
            TEAM,
            duration=synth.lognormal(12.0),
            success=team_ok[i],
            members={k: MemberRun(synth.lognormal(10.0), v[i]) for k, v in flags.items()},
            minutes=10.0 * i,
        )
        for i in range(n)
    ]
    report = team_report(synth.analyze(records), TEAM)
    assert insights_of(report, "oversized_team") == []
    assert "do not show who contributes" in unsupported_of(report, "oversized_team").reason


def test_oversized_team_unsupported_without_member_metrics(synth: Synth) -> None:
    records = synth.team_runs(TEAM, 300, with_members=False)
    report = team_report(synth.analyze(records), TEAM)
    assert unsupported_of(report, "oversized_team").reason == "no member_metrics recorded"
    assert report.profile.members == ()
