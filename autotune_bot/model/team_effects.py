"""Member-level effects of a candidate team configuration on replayed executions.

Removing members (their tool calls and cost leave the team's; success is held), members'
tool budgets (a member over its ``tool_budget`` × multiplier fails the execution, its
duration and cost cut to the cap), and the notes on raised caps, which cannot be credited
with rescuing recorded failures.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import numpy.typing as npt

from autotune_bot.model.censoring import cap_calls, stopped_at_cap
from autotune_bot.model.traces import TeamTraces
from autotune_bot.tuning.config import TeamConfig

__all__ = ["member_caps", "raised_cap_notes", "remove_members"]

F64 = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.intp]


def remove_members(
    traces: TeamTraces,
    current: TeamConfig,
    candidate: TeamConfig,
    s: IntArray,
    calls: F64,
    cost: F64,
    notes: list[str],
) -> None:
    """Take removed members' tool calls and cost out of the team's (in place)."""
    col = {m: k for k, m in enumerate(traces.members)}
    removed = [m for m in current.members if m not in candidate.members and m in col]
    if not removed:
        return
    rc = [col[m] for m in removed]
    others = [col[m] for m in candidate.members]
    m_calls, m_cost = traces.member_calls[s][:, rc], traces.member_cost[s][:, rc]
    m_ok = traces.member_success[s]
    calls -= np.nansum(m_calls, axis=1)
    present = (m_ok[:, rc] >= 0) | np.isfinite(traces.member_duration[s][:, rc])
    unknown = np.isfinite(cost) & (present & ~np.isfinite(m_cost)).any(axis=1)
    cost -= np.where(unknown, 0.0, np.nansum(m_cost, axis=1))
    names = ", ".join(removed)
    notes.append(f"team success without {names} held at the recorded value")
    if unknown.any():
        notes.append(
            f"cost of {names} not recorded in {int(unknown.sum())} executions: their team cost "
            "is kept (an upper bound)"
        )
    only = ~traces.success[s] & (m_ok[:, rc] == 0).any(axis=1) & ~(m_ok[:, others] == 0).any(axis=1)
    if only.any():
        notes.append(
            f"{int(only.sum())} failed executions in which only {names} failed are kept failed "
            "(whether the team would have succeeded without them is unknown)"
        )


def member_caps(
    traces: TeamTraces,
    current: TeamConfig,
    candidate: TeamConfig,
    s: IntArray,
    budgets: Mapping[str, float],
    durations: F64,
    calls: F64,
    failed: npt.NDArray[np.bool_],
    notes: list[str],
) -> F64:
    """Cut members over their candidate budget (``durations``, the team's ``calls`` and
    ``failed`` in place); returns the cost saved per execution."""
    col = {m: k for k, m in enumerate(traces.members)}
    saved = np.zeros(s.size)
    for member in candidate.members:
        budget = budgets.get(member)
        if budget is None:
            continue
        k = col[member]
        new, old = budget * candidate.multiplier(member), budget * current.multiplier(member)
        used = traces.member_calls[s][:, k]
        stopped, share = cap_calls(used, new, old)
        durations[:, k] *= share
        calls -= np.where(stopped, used - new, 0.0)
        saved += np.nan_to_num(traces.member_cost[s][:, k] * (1.0 - share))
        failed |= stopped
        if stopped.any():
            notes.append(
                f"{int(stopped.sum())} executions in which {member} needs more than {new:g} tool "
                "calls: they fail when it reaches its budget, its duration and cost cut in "
                "proportion"
            )
    return saved


def raised_cap_notes(
    traces: TeamTraces,
    current: TeamConfig,
    candidate: TeamConfig,
    s: IntArray,
    budgets: Mapping[str, float],
    notes: list[str],
) -> None:
    """Say how many failures a raised cap might rescue (they stay failed)."""
    lost = ~traces.success[s]
    found: list[str] = []
    if candidate.total_tool_budget > current.total_tool_budget:
        k = stopped_at_cap(lost, traces.tool_calls[s], current.total_tool_budget)
        if k:
            found.append(f"{k} at the total budget of {current.total_tool_budget} calls")
    col = {m: i for i, m in enumerate(traces.members)}
    for member in candidate.members:
        budget = budgets.get(member)
        if budget is None or candidate.multiplier(member) <= current.multiplier(member):
            continue
        calls = traces.member_calls[s][:, col[member]]
        k = stopped_at_cap(lost, calls, budget * current.multiplier(member))
        if k:
            found.append(f"{k} with {member} at its budget")
    old_t, new_t = current.timeout_seconds, candidate.timeout_seconds
    if old_t is not None and (new_t is None or new_t > old_t):
        k = stopped_at_cap(lost, traces.duration[s], old_t, timeout=True)
        if k:
            found.append(f"{k} at the {old_t:g}s timeout")
    if found:
        notes.append(
            f"failed executions that stopped at the old cap ({'; '.join(found)}) are kept "
            "failed: the effect of the higher cap on them is not estimable"
        )
