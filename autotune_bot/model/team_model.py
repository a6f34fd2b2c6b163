"""The team model: replay recorded team executions through a candidate configuration.

For every sampled execution the member durations are recomposed under the candidate's
formation (:mod:`autotune_bot.model.composition`) and the execution's overhead is added:

* overhead = recorded team duration − composition under the recorded formation, reused as
  is when the execution's formation is unchanged. When it changes, the overheads measured on
  executions that actually ran the target formation (this configuration's or older ones')
  are used if there are at least ``min_overhead_samples``, matched by quantile of each
  execution's own overhead; otherwise the execution keeps its own overhead, with the note
  "overhead of <formation> not measured; assumed equal to <current>'s".
* a removed member takes its duration, tool calls and cost with it. Team success is held at
  the recorded value; failed executions in which only removed members failed stay failed
  (whether the team would have succeeded is unknown) and are counted in a note.
* budgets and timeouts censor (:mod:`autotune_bot.model.censoring`): a member over its
  ``tool_budget`` × candidate multiplier, the team over the candidate total budget, or a
  team duration over the candidate timeout fails, its duration and cost cut to the cap.
  Raising a cap never rescues a recorded failure; failures that reached the old cap are
  counted in a note saying the effect is not estimable.
* success under a new formation is held at the recorded value (noted: not measured).

Unsupported candidates give a :class:`Refusal` (:mod:`autotune_bot.model.team_checks`).
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import numpy.typing as npt

from autotune_bot.model.censoring import cap_calls, cap_duration
from autotune_bot.model.composition import compose, describe, matched_quantiles
from autotune_bot.model.simulated import Refusal, Simulated
from autotune_bot.model.team_checks import is_structural, replayable, structure_refusal
from autotune_bot.model.team_effects import member_caps, raised_cap_notes, remove_members
from autotune_bot.model.traces import TeamTraces
from autotune_bot.tuning.config import TeamConfig

__all__ = ["recorded_formations", "simulate_team"]

F64 = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.intp]
StrArray = npt.NDArray[np.str_]


def recorded_formations(traces: TeamTraces, fallback: str) -> StrArray:
    """The formation each execution ran (``fallback`` where none was recorded)."""
    names = [traces.formation_of(i) or fallback for i in range(len(traces))]
    return np.array(names, dtype=np.str_)


def simulate_team(
    traces: TeamTraces,
    current: TeamConfig,
    candidate: TeamConfig,
    sample: npt.ArrayLike,
    dependencies: Mapping[str, frozenset[str]],
    *,
    member_budgets: Mapping[str, float] | None = None,
    min_samples: int = 20,
    min_overhead_samples: int = 20,
) -> Simulated | Refusal:
    """Duration, cost and success of the executions ``sample`` (indexes into ``traces``,
    repeats allowed) under ``candidate``, the traces having run under ``current``.

    ``dependencies``: member → members whose output it reads
    (:func:`autotune_bot.workflow.dataflow.member_dependencies`); ``member_budgets``: member →
    its YAML ``tool_budget``. Fewer than ``min_samples`` distinct executions: a refusal.
    See the module docstring for the semantics; every assumption made is in ``notes``.
    """
    s = np.asarray(sample, dtype=np.intp).reshape(-1)
    team = traces.team_id
    if (reason := _too_few(team, s, min_samples)) is not None:
        return Refusal(reason)
    if (reason := structure_refusal(traces, current, candidate, dependencies)) is not None:
        return Refusal(reason)
    notes: list[str] = []
    recorded = recorded_formations(traces, current.formation)
    unrecorded = int((traces.formation[s] < 0).sum())
    if unrecorded:
        notes.append(f"{unrecorded} executions record no formation; taken as {current.formation}")
    # executions that ran another formation are recomposed even when the configuration stays
    if is_structural(current, candidate) or bool((recorded[s] != candidate.formation).any()):
        notes.append(
            "composition: " + describe(candidate.formation, sub_teams=bool(candidate.sub_teams))
        )
        s, reason = replayable(traces, current, candidate, s, recorded, notes)
        if reason is None:
            reason = _too_few(team, s, min_samples)
        if reason is not None:
            return Refusal(reason)
    col = {m: k for k, m in enumerate(traces.members)}
    overhead_all = traces.duration - _recorded_composition(traces, current, recorded)
    durations = traces.member_duration[s].copy()
    calls = traces.tool_calls[s].copy()
    cost = traces.cost[s].copy()
    failed = np.zeros(s.size, dtype=bool)
    budgets = member_budgets or {}
    remove_members(traces, current, candidate, s, calls, cost, notes)
    cost -= member_caps(traces, current, candidate, s, budgets, durations, calls, failed, notes)
    cols = [col[m] for m in candidate.members]
    composed = compose(
        candidate.formation,
        durations[:, cols],
        candidate.members,
        manager=candidate.manager,
        sub_teams=candidate.sub_teams,
        rounds=traces.rounds[s],
        recorded_consensus=recorded[s] == "consensus",
    )
    overhead = _overheads(
        traces, current, candidate, s, recorded, overhead_all, min_overhead_samples, notes
    )
    duration = traces.duration[s].copy()
    if composed is not None:
        modelled = np.isfinite(overhead)
        duration[modelled] = np.maximum(composed + overhead, 0.0)[modelled]
    stopped, share = cap_calls(calls, candidate.total_tool_budget, current.total_tool_budget)
    if stopped.any():
        notes.append(
            f"{int(stopped.sum())} executions need more than {candidate.total_tool_budget} tool "
            "calls: they fail at the budget, duration and cost cut in proportion"
        )
    duration, cost, failed = duration * share, cost * share, failed | stopped
    stopped, share = cap_duration(
        duration, traces.duration[s], candidate.timeout_seconds, current.timeout_seconds
    )
    if stopped.any():
        notes.append(
            f"{int(stopped.sum())} executions run past the {candidate.timeout_seconds:g}s "
            "timeout: they fail at the timeout"
        )
        duration = np.where(stopped, share * duration, duration)
    cost, failed = cost * share, failed | stopped
    raised_cap_notes(traces, current, candidate, s, budgets, notes)
    basis = f"recorded executions of {team}" + (f" ({traces.config})" if traces.config else "")
    return Simulated(s, duration, cost, traces.success[s] & ~failed, tuple(notes), basis)


def _too_few(team: str, sample: IntArray, min_samples: int) -> str | None:
    k = int(np.unique(sample).size)
    if k >= min_samples:
        return None
    return f"{team}: only {k} recorded executions back this estimate (min_samples is {min_samples})"


def _recorded_composition(traces: TeamTraces, current: TeamConfig, recorded: StrArray) -> F64:
    """Composition under the formation each execution ran; NaN where not modelled."""
    out = np.full(len(traces), np.nan)
    cols = [k for k, m in enumerate(traces.members) if m in current.members]
    members = tuple(traces.members[k] for k in cols)
    for formation in set(recorded.tolist()):
        mine = recorded == formation
        composed = compose(
            formation,
            traces.member_duration[mine][:, cols],
            members,
            manager=current.manager,
            sub_teams=current.sub_teams,
            rounds=traces.rounds[mine],
            recorded_consensus=np.full(int(mine.sum()), formation == "consensus"),
        )
        if composed is not None:
            out[mine] = composed
    return out


def _overheads(
    traces: TeamTraces,
    current: TeamConfig,
    candidate: TeamConfig,
    s: IntArray,
    recorded: StrArray,
    overhead_all: F64,
    min_measured: int,
    notes: list[str],
) -> F64:
    """Per sampled execution: its own overhead, or for executions whose formation changes,
    the target formation's measured overhead at the quantile of its own."""
    overhead = overhead_all[s]
    changed = recorded[s] != candidate.formation
    if not changed.any():
        return overhead
    target = candidate.formation
    notes.append(f"team success under {target} is not measured; held at the recorded value")
    if (recorded[s][changed] == "consensus").any():
        notes.append(
            "member durations recorded under consensus span all discussion rounds; kept whole "
            "(conservative)"
        )
    measured = _measured_overheads(traces, candidate)
    if measured.size < min_measured:
        notes.append(f"overhead of {target} not measured; assumed equal to {current.formation}'s")
        return overhead
    own = np.where(recorded != target, overhead_all, np.nan)
    mapped = matched_quantiles(own, measured)[s]
    notes.append(
        f"overhead of {target} taken from {measured.size} recorded executions of that "
        "formation, matched by quantile of each execution's own overhead"
    )
    return np.where(changed, mapped, overhead)


def _measured_overheads(traces: TeamTraces, candidate: TeamConfig) -> F64:
    """Overheads of recorded executions (this configuration's and older ones') that ran the
    candidate's formation and have member durations."""
    found: list[F64] = []
    for block in (traces, traces.history):
        if block is None:
            continue
        mine = np.array([block.formation_of(i) == candidate.formation for i in range(len(block))])
        if not mine.any():
            continue
        d = block.member_duration[mine]
        composed = compose(candidate.formation, d, block.members, manager=candidate.manager)
        if composed is None:
            continue
        values = (block.duration[mine] - composed)[np.isfinite(d).any(axis=1)]
        found.append(values[np.isfinite(values)])
    return np.concatenate(found) if found else np.zeros(0)
