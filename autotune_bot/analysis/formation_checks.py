"""`suboptimal_formation_<type>`: what member timings say about the formation.

Per team execution, the member entries give the sum and the maximum of member durations.
Compared with the team's own duration they show where the time goes:

- sequential / pipeline: the team takes ≈ the sum of its members. When the workflow YAML
  shows the members to be independent (no ``input_from``, no goal naming another member),
  a parallel formation would take ≈ the slowest member plus the same coordination
  overhead. The predicted saving is computed run by run from the recorded durations.
- parallel: the team takes the slowest member plus merge overhead; a large overhead share
  is the formation's own cost.
- consensus: time grows with the number of rounds; the time spent in rounds beyond the
  first (a least-squares slope of duration on rounds) is the formation's cost.

When the same team ran other formations in older configurations, their outcomes are added
to the evidence. Thresholds: ``analysis.thresholds.formation_overhead_share``.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt

from autotune_bot.analysis import stats
from autotune_bot.analysis.insight import Evidence, Finding, Unsupported, clamp01
from autotune_bot.analysis.row_links import slots
from autotune_bot.workflow.dataflow import members_independent

if TYPE_CHECKING:
    from autotune_bot.analysis.team_detectors import TeamContext

__all__ = ["formation_insights", "member_sum_and_max"]

F64 = npt.NDArray[np.float64]


def member_sum_and_max(ctx: TeamContext) -> tuple[F64, F64, F64]:
    """Per analysed run with complete member data: team duration, sum and max of members."""
    p = ctx.profile
    m = ctx.store.members
    rows = p.rows
    mrows = p.member_rows
    slot = slots(rows, m.team_row[mrows], len(ctx.store.teams))
    dur = m.duration[mrows]
    total = np.bincount(slot, weights=np.nan_to_num(dur), minlength=rows.size)
    bad = np.bincount(slot, weights=~np.isfinite(dur), minlength=rows.size)
    have = np.bincount(slot, minlength=rows.size)
    peak = np.zeros(rows.size)
    np.maximum.at(peak, slot, np.nan_to_num(dur))
    team = ctx.store.teams.duration[rows]
    ok = (have > 0) & (bad == 0) & np.isfinite(team)
    return team[ok], total[ok], peak[ok]


def _formation(ctx: TeamContext) -> str | None:
    if ctx.spec is not None:
        return str(ctx.spec.formation.value)
    if ctx.profile.formations:
        name, _ = max(ctx.profile.formations.items(), key=lambda kv: kv[1])
        return None if name == "unrecorded" else name
    return None


def _history_details(ctx: TeamContext) -> dict[str, float | int | str]:
    details: dict[str, float | int | str] = {}
    for h in ctx.history:
        if h.duration is None:
            continue
        for formation in h.formations:
            details[f"history_{formation}_{h.config}_mean_s"] = round(h.duration.mean, 3)
            details[f"history_{formation}_{h.config}_success"] = round(h.success.estimate, 4)
    return details


def formation_insights(ctx: TeamContext) -> list[Finding]:
    formation = _formation(ctx)
    name = "suboptimal_formation"
    if formation is None:
        return [
            Unsupported(
                name,
                ctx.team,
                "formation unknown: not recorded and team node not found in any workflow",
            )
        ]
    team, total, peak = member_sum_and_max(ctx)
    if team.size < ctx.min_samples:
        return [ctx.too_few(name, int(team.size), "runs with complete member timings")]
    threshold = ctx.thresholds.formation_overhead_share
    if formation in ("sequential", "pipeline"):
        if ctx.spec is None:
            return [
                Unsupported(
                    name,
                    ctx.team,
                    "member dependencies unknown: the team node was not found in any workflow file",
                )
            ]
        if not members_independent(ctx.spec):
            return []
        overhead = np.maximum(team - total, 0.0)
        predicted = peak + overhead
        saving = 1.0 - predicted.mean() / team.mean()
        if saving < threshold:
            return []
        ratio = stats.log_ratio_interval(team, predicted, ctx.confidence)
        return [
            ctx.insight(
                f"{name}_{formation}",
                component=None,
                severity=clamp01(saving),
                current_value=float(team.mean()),
                baseline_value=float(predicted.mean()),
                unit="s",
                evidence=Evidence(
                    int(team.size),
                    (ratio.low, ratio.high),
                    "current / predicted-parallel duration (geometric means)",
                    ctx.confidence,
                    "recorded member durations, run by run",
                    {
                        "members": len(ctx.spec.members),
                        "mean_sum_of_members_s": float(total.mean()),
                        "mean_slowest_member_s": float(peak.mean()),
                        "predicted_saving_share": float(saving),
                    }
                    | _history_details(ctx),
                ),
                affected=tuple(mm.id for mm in ctx.spec.members),
                message=(
                    f"{formation} team of {len(ctx.spec.members)} independent members takes "
                    f"{team.mean():.1f}s ≈ the sum of its members ({total.mean():.1f}s); run "
                    f"in parallel it would take ≈ {predicted.mean():.1f}s "
                    f"({100 * saving:.0f}% less)"
                ),
                recommendation="switch to team_formation: parallel (members read no one's output)",
            )
        ]
    if formation == "parallel":
        overhead = np.maximum(team - peak, 0.0)
        share = float(overhead.mean() / team.mean())
        if share < threshold:
            return []
        return [
            ctx.insight(
                f"{name}_parallel",
                component=None,
                severity=clamp01(share),
                current_value=float(overhead.mean()),
                baseline_value=None,
                unit="s",
                evidence=Evidence(
                    int(team.size),
                    None,
                    "merge overhead per run",
                    ctx.confidence,
                    "recorded member durations, run by run",
                    {"overhead_share": share} | _history_details(ctx),
                ),
                affected=(ctx.team,),
                message=f"{100 * share:.0f}% of a parallel run is spent after the slowest member "
                "finishes (merging)",
                recommendation="use a simpler merge_strategy or fewer members",
            )
        ]
    if formation == "consensus":
        return _consensus(ctx, team)
    return []


def _consensus(ctx: TeamContext, team: F64) -> list[Finding]:
    name = "suboptimal_formation_consensus"
    rounds = ctx.store.teams.consensus_rounds[ctx.profile.rows]
    dur = ctx.store.teams.duration[ctx.profile.rows]
    ok = np.isfinite(rounds) & np.isfinite(dur)
    if ok.sum() < ctx.min_samples or np.ptp(rounds[ok]) == 0:
        return [Unsupported(name, ctx.team, "consensus_rounds not recorded or constant")]
    r, d = rounds[ok], dur[ok]
    slope = float(np.polyfit(r, d, 1)[0])
    extra = np.maximum(r - 1.0, 0.0) * max(slope, 0.0)
    share = float(extra.mean() / d.mean())
    if share < ctx.thresholds.formation_overhead_share:
        return []
    achieved = ctx.store.teams.consensus_achieved[ctx.profile.rows]
    known = achieved[achieved >= 0]
    rate = float((known == 1).mean()) if known.size else math.nan
    return [
        ctx.insight(
            name,
            component=None,
            severity=clamp01(share),
            current_value=float(r.mean()),
            baseline_value=1.0,
            unit="rounds",
            evidence=Evidence(
                int(r.size),
                None,
                "mean consensus rounds",
                ctx.confidence,
                "recorded consensus_rounds and durations",
                {
                    "seconds_per_extra_round": slope,
                    "extra_round_time_share": share,
                    "consensus_achieved_rate": rate,
                    "rho_rounds_duration": stats.spearman_rho(r, d),
                },
            ),
            affected=(ctx.team,),
            message=(
                f"runs average {r.mean():.1f} consensus rounds at ≈{slope:.0f}s per extra "
                f"round: {100 * share:.0f}% of the team's time is spent re-discussing"
            ),
            recommendation="cap the rounds (max_iterations) or use parallel with a merge step",
        )
    ]
