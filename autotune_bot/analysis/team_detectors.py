"""Team-level bottleneck detectors, one function each, in one registry.

Every detector takes a :class:`TeamContext` and returns insights and/or :class:`Unsupported`
entries. Baselines come from data, in this order: values declared in ``.autotune.yml``
(``baselines.<team>``), the team's own history (the most recent older configuration with
enough runs), then, for the scale-free measures only, the other teams of the repository. A
detector fires only when the difference is statistically clear at the configured confidence,
and the thresholds it uses are settings (``analysis.thresholds``), not constants.

The duration detectors and `oversized_team` are here; success rate and tool usage are in
:mod:`autotune_bot.analysis.rate_checks`, the formation checks in
:mod:`autotune_bot.analysis.formation_checks`.
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
    Finding,
    Insight,
    InsightBody,
    Unsupported,
    clamp01,
    log_severity,
    make_insight,
    run_detectors,
)
from autotune_bot.analysis.profile import TeamProfile
from autotune_bot.analysis.rate_checks import excessive_tool_usage, low_success_rate
from autotune_bot.metrics.columns import MetricsStore
from autotune_bot.settings import AnalysisThresholds, Baseline, Constraints
from autotune_bot.workflow.model import TeamSpec

__all__ = ["TEAM_DETECTORS", "TeamContext", "run_team_detectors"]


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
    # A member shows "no contribution" only against members that do contribute: when no
    # member's failure measurably lowers the team's success, member success flags do not
    # explain team success at all, and nothing can be said about who is superfluous.
    contributors = [
        m for m in members if m.success_dependence is not None and m.success_dependence.low > 0.0
    ]
    if not contributors:
        return [
            Unsupported(
                "oversized_team",
                ctx.team,
                "no member's failures measurably lower the team's success rate, so member "
                "results do not show who contributes",
            )
        ]
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
