"""Profiles: summary statistics of a team's (or a node's) executions, with small-sample care.

Every percentile comes with a distribution-free interval and says when the sample is too
small for it; every rate comes with a Wilson interval. A member's contribution is measured
three ways: its share of the team's time, its share of the team's tool calls, and how much
the team's success depends on the member's success (a Newcombe interval on the difference).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from autotune_bot.analysis import stats
from autotune_bot.analysis.row_links import referencing, slots
from autotune_bot.metrics.columns import MetricsStore

__all__ = [
    "Distribution",
    "MemberProfile",
    "TeamProfile",
    "distribution",
    "finite_mean",
    "profile_team",
]

F64 = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.intp]


@dataclass(frozen=True)
class Distribution:
    """Summary of positive values (durations, counts)."""

    n: int
    mean: float
    mean_interval: stats.Interval
    p50: stats.QuantileEstimate
    p95: stats.QuantileEstimate
    p99: stats.QuantileEstimate
    minimum: float
    maximum: float


def distribution(values: F64, confidence: float) -> Distribution | None:
    clean = np.sort(values[np.isfinite(values)])
    if clean.size == 0:
        return None
    return Distribution(
        n=int(clean.size),
        mean=float(clean.mean()),
        mean_interval=stats.mean_interval(clean, confidence),
        p50=stats.quantile_estimate(clean, 0.5, confidence),
        p95=stats.quantile_estimate(clean, 0.95, confidence),
        p99=stats.quantile_estimate(clean, 0.99, confidence),
        minimum=float(clean[0]),
        maximum=float(clean[-1]),
    )


@dataclass(frozen=True)
class MemberProfile:
    member_id: str
    runs: int  # team executions in which the member appears
    success: stats.Interval  # Wilson interval of the member's own success
    duration: Distribution | None
    mean_tool_calls: float  # NaN when not recorded
    time_share: float  # mean over runs of member duration / sum of member durations
    tool_share: float  # member tool calls / all members' tool calls
    failures: int
    # P(team ok | member ok) − P(team ok | member failed); None when the member never failed
    # or always failed (nothing to compare).
    success_dependence: stats.Interval | None


@dataclass(frozen=True)
class TeamProfile:
    team_id: str
    config: str | None
    rows: IntArray  # team-table rows analysed
    runs: int
    outcomes: int  # runs with a known success value
    success: stats.Interval
    duration: Distribution | None  # all runs with a valid duration
    duration_successful: Distribution | None
    tool_calls: Distribution | None
    cost: Distribution | None
    mean_input_tokens: float  # NaN when not recorded
    mean_output_tokens: float
    formations: dict[str, int]  # formation recorded → runs
    member_count: float  # median recorded member count (NaN when absent)
    consensus_rounds: Distribution | None
    members: tuple[MemberProfile, ...]
    member_rows: IntArray  # member-table rows of these runs


def finite_mean(values: F64) -> float:
    """Mean of the finite values; NaN when there is none."""
    finite = values[np.isfinite(values)]
    return float(finite.mean()) if finite.size else math.nan


def _success_counts(flags: npt.NDArray[np.int8]) -> tuple[int, int]:
    known = flags[flags >= 0]
    return int((known == 1).sum()), int(known.size)


def profile_team(
    store: MetricsStore,
    team_id: str,
    rows: IntArray,
    config: str | None,
    confidence: float,
    *,
    with_members: bool = True,
) -> TeamProfile:
    t = store.teams
    ok, n_known = _success_counts(t.success[rows])
    durations = t.duration[rows]
    successful = t.success[rows] == 1
    formations: dict[str, int] = {}
    codes, counts = np.unique(t.formation[rows], return_counts=True)
    for code, count in zip(codes.tolist(), counts.tolist(), strict=True):
        formations[store.formation_names.name(code) or "unrecorded"] = count
    if with_members:
        member_rows = referencing(store.members.team_row, rows, len(store.teams))
    else:
        member_rows = np.zeros(0, dtype=np.intp)
    counts_recorded = t.member_count[rows]
    finite_counts = counts_recorded[np.isfinite(counts_recorded)]
    rounds = t.consensus_rounds[rows]
    return TeamProfile(
        team_id=team_id,
        config=config,
        rows=rows,
        runs=int(rows.size),
        outcomes=n_known,
        success=stats.wilson_interval(ok, n_known, confidence),
        duration=distribution(durations, confidence),
        duration_successful=distribution(durations[successful], confidence),
        tool_calls=distribution(t.tool_calls[rows], confidence),
        cost=distribution(t.cost[rows], confidence),
        mean_input_tokens=finite_mean(t.input_tokens[rows]),
        mean_output_tokens=finite_mean(t.output_tokens[rows]),
        formations=formations,
        member_count=float(np.median(finite_counts)) if finite_counts.size else math.nan,
        consensus_rounds=distribution(rounds, confidence) if np.isfinite(rounds).any() else None,
        members=_member_profiles(store, rows, member_rows, confidence),
        member_rows=member_rows,
    )


def _member_profiles(
    store: MetricsStore, rows: IntArray, member_rows: IntArray, confidence: float
) -> tuple[MemberProfile, ...]:
    if member_rows.size == 0:
        return ()
    m = store.members
    team_row = m.team_row[member_rows]
    duration = m.duration[member_rows]
    calls = m.tool_calls[member_rows]
    # Per team execution: sum of member durations and tool calls, to compute shares.
    slot = slots(rows, team_row, len(store.teams))
    total_time = np.bincount(slot, weights=np.nan_to_num(duration), minlength=rows.size)
    total_calls = np.bincount(slot, weights=np.nan_to_num(calls), minlength=rows.size)
    team_ok = store.teams.success[rows][slot]
    codes = m.member[member_rows]
    success = m.success[member_rows]
    safe_total = np.where(total_time > 0, total_time, np.nan)[slot]
    # One stable sort by member, then each member's rows are a contiguous slice.
    order = np.argsort(codes, kind="stable")
    bounds = np.flatnonzero(np.diff(codes[order])) + 1
    profiles = []
    for mine in np.split(order, bounds):
        code = int(codes[mine[0]])
        flags = success[mine]
        ok, known = _success_counts(flags)
        share = duration[mine] / safe_total[mine]
        my_calls = calls[mine]
        all_calls = float(np.nansum(total_calls[slot[mine]]))
        dependence = None
        member_ok = (flags == 1) & (team_ok[mine] >= 0)
        member_failed = (flags == 0) & (team_ok[mine] >= 0)
        if member_ok.any() and member_failed.any():
            dependence = stats.newcombe_difference(
                int((team_ok[mine][member_ok] == 1).sum()),
                int(member_ok.sum()),
                int((team_ok[mine][member_failed] == 1).sum()),
                int(member_failed.sum()),
                confidence,
            )
        profiles.append(
            MemberProfile(
                member_id=store.member_names.name(code) or "?",
                runs=int(mine.size),
                success=stats.wilson_interval(ok, known, confidence),
                duration=distribution(duration[mine], confidence),
                mean_tool_calls=finite_mean(my_calls),
                time_share=float(np.nanmean(share)) if np.isfinite(share).any() else math.nan,
                tool_share=float(np.nansum(my_calls) / all_calls) if all_calls > 0 else math.nan,
                failures=known - ok,
                success_dependence=dependence,
            )
        )
    return tuple(profiles)
