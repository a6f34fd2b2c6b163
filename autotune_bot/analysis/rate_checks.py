"""`low_success_rate` and `excessive_tool_usage`: scale-free rates against a baseline.

Both measures compare across teams of different sizes, so after the values declared in
``.autotune.yml`` and the team's own history (the most recent older configuration with enough
records), the other teams of the repository can serve as the baseline:

- success rate: ``baselines.<team>.success_rate``, then ``constraints.min_success_rate``, then
  history, then the other teams pooled. Only runs with a known outcome count. It fires when
  the rate's interval (or that of its difference from a history or peer rate) lies more than
  ``analysis.thresholds.success_rate_margin`` below the baseline.
- tool calls per member per run: ``baselines.<team>.tool_calls`` divided by the member count,
  then history, then the median of the other teams. It fires when the mean is at least
  ``analysis.thresholds.tool_usage_ratio`` times the baseline and its interval lies above it.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt

from autotune_bot.analysis import stats
from autotune_bot.analysis.insight import (
    Evidence,
    Finding,
    Unsupported,
    clamp01,
    log_severity,
)
from autotune_bot.analysis.profile import TeamProfile

if TYPE_CHECKING:
    from autotune_bot.analysis.team_detectors import TeamContext

__all__ = ["excessive_tool_usage", "low_success_rate"]


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
    if not fallback > 0:  # NaN or no members: such runs have no per-member figure
        fallback = math.nan
    counts = np.where(np.isfinite(counts) & (counts > 0), counts, fallback)
    per = calls / counts
    return per[np.isfinite(per)]
