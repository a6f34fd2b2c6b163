"""Team-level bottleneck detectors (seed 002's list), one function each, in one registry.

Every detector takes a :class:`TeamContext` and returns insights and/or :class:`Unsupported`
entries. Baselines come from data, in this order: values declared in ``.autotune.yml``
(``baselines.<team>``; for success also ``constraints.min_success_rate``), the team's own
history (the most recent older configuration with enough runs), then the other teams of the
repository (for scale-free measures only: success rate, tool calls per member). A detector
fires only when the difference is statistically clear at the configured confidence, and
the thresholds it uses are settings (``analysis.thresholds``), not constants.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Unpack

import numpy as np
import numpy.typing as npt

from autotune_bot.analysis import stats
from autotune_bot.analysis.formation_checks import formation_insights
from autotune_bot.analysis.insight import (
    Evidence,
    Insight,
    InsightBody,
    Unsupported,
    clamp01,
    log_severity,
    make_insight,
    run_detectors,
)
from autotune_bot.analysis.profile import TeamProfile
from autotune_bot.metrics.columns import MetricsStore
from autotune_bot.settings import AnalysisThresholds, Baseline, Constraints
from autotune_bot.workflow.model import TeamSpec

__all__ = ["TEAM_DETECTORS", "TeamContext", "run_team_detectors"]

Finding = Insight | Unsupported


@dataclass(frozen=True)
class TeamContext:
    profile: TeamProfile
    store: MetricsStore
    history: tuple[TeamProfile, ...]  # older configurations with enough runs, newest first
    peers: tuple[TeamProfile, ...]  # other teams (current configurations) with enough runs
    declared: Baseline | None
    constraints: Constraints
    thresholds: AnalysisThresholds
    confidence: float
    min_samples: int
    spec: TeamSpec | None  # the team node in the workflow YAML, when found
    location: str | None  # "file:line" of the team node

    @property
    def team(self) -> str:
        return self.profile.team_id

    def insight(
        self, bottleneck: str, component: str | None = None, **body: Unpack[InsightBody]
    ) -> Insight:
        return make_insight("team", self.team, self.location, bottleneck, component, **body)

    def too_few(self, analysis: str, n: int, what: str = "runs") -> Unsupported:
        return Unsupported(
            analysis,
            self.team,
            f"only {n} {what} in the analysed configuration; "
            f"analysis.min_samples is {self.min_samples}",
        )


def _durations(ctx: TeamContext, profile: TeamProfile) -> npt.NDArray[np.float64]:
    values = ctx.store.teams.duration[profile.rows]
    return values[np.isfinite(values)]


def slow_execution(ctx: TeamContext) -> list[Finding]:
    p = ctx.profile
    if p.duration is None or p.duration.n < ctx.min_samples:
        return [ctx.too_few("slow_execution", 0 if p.duration is None else p.duration.n)]
    current = p.duration
    ratio_iv: stats.Interval
    if ctx.declared is not None and ctx.declared.duration_seconds is not None:
        base = ctx.declared.duration_seconds
        source = f"declared in settings (baselines.{ctx.team}.duration_seconds)"
        mean_iv = current.mean_interval
        ratio_iv = stats.Interval(
            current.mean / base, mean_iv.low / base, mean_iv.high / base, ctx.confidence
        )
        interval_of = "mean duration / declared baseline"
    else:
        older = [h for h in ctx.history if h.duration is not None]
        if not older:
            return [
                Unsupported(
                    "slow_execution",
                    ctx.team,
                    "no duration baseline: declare baselines."
                    f"{ctx.team}.duration_seconds in .autotune.yml, or keep the records of an "
                    "earlier configuration (config_fingerprint or git_sha) as history",
                )
            ]
        h = older[0]
        assert h.duration is not None
        base = h.duration.mean
        source = f"history: configuration {h.config} (n={h.duration.n})"
        ratio_iv = stats.log_ratio_interval(_durations(ctx, p), _durations(ctx, h), ctx.confidence)
        interval_of = "ratio of geometric-mean durations, current / history"
    ratio = current.mean / base
    if not (ratio >= ctx.thresholds.slow_execution_ratio and ratio_iv.low > 1.0):
        return []
    return [
        ctx.insight(
            "slow_execution",
            component=None,
            severity=log_severity(ratio),
            current_value=current.mean,
            baseline_value=base,
            unit="s",
            evidence=Evidence(
                current.n,
                (ratio_iv.low, ratio_iv.high),
                interval_of,
                ctx.confidence,
                source,
                {"ratio": ratio},
            ),
            affected=(ctx.team,),
            message=f"mean duration {current.mean:.1f}s is {ratio:.2f}× the baseline {base:.1f}s",
            recommendation="see the formation and member insights for where the time goes",
        )
    ]


def high_latency_outliers(ctx: TeamContext) -> list[Finding]:
    values = _durations(ctx, ctx.profile)
    if values.size < max(ctx.min_samples, 20):
        return [ctx.too_few("high_latency_outliers", int(values.size))]
    tail = stats.log_tail_share(values)
    ratio = tail.share_beyond / tail.expected_share if tail.expected_share > 0 else math.inf
    alpha = 1.0 - ctx.confidence
    if not (
        tail.count_beyond >= 3
        and ratio >= ctx.thresholds.outlier_share_ratio
        and tail.p_value < alpha
    ):
        return []
    time_share = float(values[values > tail.far_fence].sum() / values.sum())
    p = ctx.profile
    assert p.duration is not None
    return [
        ctx.insight(
            "high_latency_outliers",
            component=None,
            severity=clamp01(2.0 * time_share),
            current_value=tail.share_beyond,
            baseline_value=tail.expected_share,
            unit="share of runs",
            evidence=Evidence(
                tail.n,
                None,
                "share of runs beyond the far fence",
                ctx.confidence,
                "the team's own duration distribution (log-normal fit to its bulk)",
                {
                    "runs_beyond": tail.count_beyond,
                    "far_fence_s": tail.far_fence,
                    "p_value": tail.p_value,
                    "time_share_of_outliers": time_share,
                    "p50_s": p.duration.p50.estimate,
                    "p95_s": p.duration.p95.estimate,
                },
            ),
            affected=(ctx.team,),
            message=(
                f"{tail.count_beyond} of {tail.n} runs ({100 * tail.share_beyond:.1f}%) take "
                f"longer than {tail.far_fence:.0f}s, where a log-normal fitted to the bulk of "
                f"the runs predicts {100 * tail.expected_share:.2g}%; they account for "
                f"{100 * time_share:.0f}% of the time"
            ),
            recommendation="set a timeout from successful runs' P95 and look for the cause of the "
            "slow runs (retries, consensus rounds, stuck tools)",
        )
    ]


def low_success_rate(ctx: TeamContext) -> list[Finding]:
    s = ctx.profile.success
    n = _known_outcomes(ctx.profile)
    if n < ctx.min_samples:
        return [ctx.too_few("low_success_rate", n, "runs with a known outcome")]
    margin = ctx.thresholds.success_rate_margin
    base: float | None = None
    source = ""
    iv = (s.low, s.high)
    if ctx.declared is not None and ctx.declared.success_rate is not None:
        base, source = ctx.declared.success_rate, f"declared (baselines.{ctx.team}.success_rate)"
    elif ctx.constraints.min_success_rate is not None:
        base, source = ctx.constraints.min_success_rate, "constraint (constraints.min_success_rate)"
    if base is not None:
        fired = s.high < base - margin
    else:
        # Only references with enough known outcomes (a rate of no outcomes is NaN).
        enough = [h for h in ctx.history if _known_outcomes(h) >= ctx.min_samples]
        peers = [p for p in ctx.peers if _known_outcomes(p) >= ctx.min_samples]
        ref = enough[0] if enough else None
        label = f"history: configuration {ref.config}" if ref else ""
        if ref is None and peers:
            pooled_ok = sum(round(p.success.estimate * _known_outcomes(p)) for p in peers)
            pooled_n = sum(_known_outcomes(p) for p in peers)
            diff = stats.newcombe_difference(
                round(s.estimate * n), n, pooled_ok, pooled_n, ctx.confidence
            )
            base, source = pooled_ok / pooled_n, f"peers: {len(peers)} other teams pooled"
        elif ref is not None:
            rn = _known_outcomes(ref)
            diff = stats.newcombe_difference(
                round(s.estimate * n), n, round(ref.success.estimate * rn), rn, ctx.confidence
            )
            base, source = ref.success.estimate, f"{label} (n={rn})"
        else:
            return [
                Unsupported(
                    "low_success_rate",
                    ctx.team,
                    "no success baseline: declare baselines.<team>.success_rate or "
                    "constraints.min_success_rate, or keep history or other teams",
                )
            ]
        fired = diff.high < -margin
        iv = (diff.low, diff.high)
    if not fired:
        return []
    shortfall = (base - s.estimate) / base if base > 0 else 0.0
    return [
        ctx.insight(
            "low_success_rate",
            component=None,
            severity=clamp01(3.0 * shortfall),
            current_value=s.estimate,
            baseline_value=base,
            unit="rate",
            evidence=Evidence(
                n,
                iv,
                "success rate (or its difference from the baseline)",
                ctx.confidence,
                source,
                {},
            ),
            affected=(ctx.team,),
            message=f"success rate {100 * s.estimate:.1f}% (interval {100 * s.low:.1f}–"
            f"{100 * s.high:.1f}%) is below the baseline {100 * base:.1f}%",
            recommendation="check the members' own failure rates and error messages; raise the "
            "timeout if successful runs need longer",
        )
    ]


def _known_outcomes(profile: TeamProfile) -> int:
    return profile.outcomes


def excessive_tool_usage(ctx: TeamContext) -> list[Finding]:
    per_member = _calls_per_member(ctx, ctx.profile)
    if per_member.size < ctx.min_samples:
        return [
            ctx.too_few(
                "excessive_tool_usage",
                int(per_member.size),
                "runs with tool calls and a member count",
            )
        ]
    mean_iv = stats.mean_interval(per_member, ctx.confidence)
    members = _member_count(ctx, ctx.profile)
    if ctx.declared is not None and ctx.declared.tool_calls is not None:
        base = ctx.declared.tool_calls / members
        source = f"declared (baselines.{ctx.team}.tool_calls, per member)"
    elif ctx.history and _calls_per_member(ctx, ctx.history[0]).size >= ctx.min_samples:
        base = float(_calls_per_member(ctx, ctx.history[0]).mean())
        source = f"history: configuration {ctx.history[0].config}"
    else:
        peer_means = [
            float(v.mean())
            for p in ctx.peers
            if (v := _calls_per_member(ctx, p)).size >= ctx.min_samples
        ]
        if not peer_means:
            return [
                Unsupported(
                    "excessive_tool_usage",
                    ctx.team,
                    "no tool-usage baseline: declare baselines.<team>.tool_calls, "
                    "or keep history or other teams' records",
                )
            ]
        base = float(np.median(peer_means))
        source = f"peers: median of {len(peer_means)} other teams"
    ratio = mean_iv.estimate / base if base > 0 else math.inf
    if not (ratio >= ctx.thresholds.tool_usage_ratio and mean_iv.low > base):
        return []
    details: dict[str, float | int | str] = {"members": members}
    if ctx.spec is not None:
        budget = float(ctx.spec.total_tool_budget.value)
        calls = ctx.store.teams.tool_calls[ctx.profile.rows]
        details["total_tool_budget"] = budget
        details["share_of_runs_at_budget"] = float(np.mean(calls[np.isfinite(calls)] >= budget))
    return [
        ctx.insight(
            "excessive_tool_usage",
            component=None,
            severity=log_severity(ratio),
            current_value=mean_iv.estimate,
            baseline_value=base,
            unit="tool calls per member",
            evidence=Evidence(
                int(per_member.size),
                (mean_iv.low, mean_iv.high),
                "mean tool calls per member per run",
                ctx.confidence,
                source,
                details,
            ),
            affected=(ctx.team,),
            message=f"{mean_iv.estimate:.1f} tool calls per member per run, {ratio:.1f}× the "
            f"baseline {base:.1f}",
            recommendation="tighten tool budgets to what successful runs use, and check for "
            "repeated calls that a cache would serve",
        )
    ]


def _member_count(ctx: TeamContext, profile: TeamProfile) -> float:
    if not math.isnan(profile.member_count):
        return profile.member_count
    if ctx.spec is not None:
        return float(len(ctx.spec.members))
    return float(len(profile.members)) if profile.members else math.nan


def _calls_per_member(ctx: TeamContext, profile: TeamProfile) -> npt.NDArray[np.float64]:
    calls = ctx.store.teams.tool_calls[profile.rows]
    counts = ctx.store.teams.member_count[profile.rows]
    fallback = _member_count(ctx, profile) if profile is ctx.profile else profile.member_count
    counts = np.where(np.isfinite(counts) & (counts > 0), counts, fallback)
    per = calls / counts
    return per[np.isfinite(per)]


def oversized_team(ctx: TeamContext) -> list[Finding]:
    members = ctx.profile.members
    if not members:
        return [Unsupported("oversized_team", ctx.team, "no member_metrics recorded")]
    nil = []
    for m in members:
        dep = m.success_dependence
        limits = ctx.thresholds
        if (
            m.failures >= limits.member_min_failures
            and dep is not None
            and dep.high < limits.member_nil_effect
        ):
            nil.append(m)
    if not nil:
        return []
    share = sum(m.time_share for m in nil if not math.isnan(m.time_share))
    names = tuple(m.member_id for m in nil)
    first = nil[0]
    assert first.success_dependence is not None
    return [
        ctx.insight(
            "oversized_team",
            component=",".join(names),
            severity=clamp01(2.0 * share),
            current_value=float(len(members)),
            baseline_value=float(len(members) - len(nil)),
            unit="members",
            evidence=Evidence(
                first.runs,
                (first.success_dependence.low, first.success_dependence.high),
                f"team success when {first.member_id} succeeds minus when it fails",
                ctx.confidence,
                "the team's own runs, member by member",
                {f"{m.member_id}_failures": m.failures for m in nil}
                | {f"{m.member_id}_time_share": m.time_share for m in nil},
            ),
            affected=names,
            message=(
                f"{', '.join(names)}: the team succeeds as often when "
                f"{'it fails' if len(nil) == 1 else 'they fail'} as otherwise "
                f"({first.failures} failures of {first.member_id}); "
                f"{100 * share:.0f}% of member time"
            ),
            recommendation="remove the member or cut its budget; validate with an A/B run",
        )
    ]


TEAM_DETECTORS: dict[str, Callable[[TeamContext], list[Finding]]] = {
    "slow_execution": slow_execution,
    "high_latency_outliers": high_latency_outliers,
    "low_success_rate": low_success_rate,
    "excessive_tool_usage": excessive_tool_usage,
    "suboptimal_formation": formation_insights,
    "oversized_team": oversized_team,
}


def run_team_detectors(ctx: TeamContext) -> list[Finding]:
    return run_detectors(TEAM_DETECTORS, ctx)
