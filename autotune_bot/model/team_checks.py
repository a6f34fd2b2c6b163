"""What the team model refuses to predict, and which executions it can replay.

A refusal is a value with a reason, never an exception: the candidate is simply not
estimable from the data. Candidates are refused when they add a member the data has never
seen, remove a member another member reads from, use a formation whose composition is not
modelled, are hierarchical without a manager, or split sub-teams that do not cover the
workers. Executions are left out of a structural change when they lack what it needs
(member durations; consensus rounds when switching to consensus); when most of them lack
it, the change is refused.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import numpy.typing as npt

from autotune_bot.model.composition import MODELLED_FORMATIONS
from autotune_bot.model.traces import TeamTraces
from autotune_bot.tuning.config import TeamConfig

__all__ = ["is_structural", "replayable", "structure_refusal"]

IntArray = npt.NDArray[np.intp]
StrArray = npt.NDArray[np.str_]
BoolArray = npt.NDArray[np.bool_]


def is_structural(current: TeamConfig, candidate: TeamConfig) -> bool:
    """Whether the candidate changes how member durations compose into the team's."""
    return (
        candidate.formation != current.formation
        or set(candidate.members) != set(current.members)
        or candidate.manager != current.manager
        or candidate.sub_teams != current.sub_teams
    )


def structure_refusal(
    traces: TeamTraces,
    current: TeamConfig,
    candidate: TeamConfig,
    dependencies: Mapping[str, frozenset[str]],
) -> str | None:
    """Why the candidate's structure cannot be predicted, or None."""
    team = traces.team_id
    if not candidate.members:
        return f"{team}: a team without members cannot be predicted"
    added = [m for m in candidate.members if m not in traces.members]
    if added:
        return f"{team}: no recorded executions of member {', '.join(added)}"
    removed = [m for m in current.members if m not in candidate.members]
    for member in removed:
        readers = sorted(m for m in candidate.members if member in dependencies.get(m, ()))
        if readers:
            return (
                f"{team}: {', '.join(readers)} read(s) the output of {member}; removing it "
                "changes their input, which the data cannot predict"
            )
    if not is_structural(current, candidate):
        return None
    if candidate.formation not in MODELLED_FORMATIONS:
        return f"{team}: the composition of formation {candidate.formation} is not modelled"
    if candidate.formation == "hierarchical":
        if candidate.manager is None or candidate.manager not in candidate.members:
            return f"{team}: hierarchical formation without a manager member"
        if candidate.sub_teams:
            workers = set(candidate.members) - {candidate.manager}
            grouped = [m for group in candidate.sub_teams for m in group]
            if set(grouped) != workers or len(grouped) != len(workers):
                return f"{team}: sub-teams must list every worker exactly once"
    return None


def replayable(
    traces: TeamTraces,
    current: TeamConfig,
    candidate: TeamConfig,
    sample: IntArray,
    recorded: StrArray,
    notes: list[str],
) -> tuple[IntArray, str | None]:
    """The sampled executions a structural change can replay, or a refusal reason.

    ``recorded``: the formation each execution of ``traces`` ran. Appends a note for every
    execution left out."""
    team = traces.team_id
    formations = sorted(set(recorded[sample].tolist()))
    for formation in formations:
        if formation not in MODELLED_FORMATIONS:
            return sample, f"{team}: the recorded formation {formation} is not modelled"
        if formation == "hierarchical" and current.manager not in traces.members:
            return sample, f"{team}: recorded hierarchical executions name no manager member"
    cols = [k for k, m in enumerate(traces.members) if m in current.members]
    has_members: BoolArray = np.isfinite(traces.member_duration[sample][:, cols]).sum(axis=1) > 0
    sample, reason = _keep(sample, has_members, "member durations", team, notes)
    if reason is not None or candidate.formation != "consensus":
        return sample, reason
    needs = recorded[sample] != "consensus"
    has_rounds: BoolArray = np.isfinite(traces.rounds[sample]) | ~needs
    return _keep(sample, has_rounds, "consensus rounds", team, notes)


def _keep(
    sample: IntArray, mask: BoolArray, what: str, team: str, notes: list[str]
) -> tuple[IntArray, str | None]:
    missing = int((~mask).sum())
    if missing == 0:
        return sample, None
    if missing * 2 > sample.size:
        return sample, (
            f"{team}: {what} are missing in {missing} of {sample.size} executions; the change "
            "cannot be simulated"
        )
    notes.append(f"{missing} executions without {what} left out")
    return sample[mask], None
