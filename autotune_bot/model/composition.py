"""How a formation turns member durations into a team duration, and the overhead around it.

* sequential, pipeline: the sum of the members' durations;
* parallel: the longest member (the merge is part of the overhead);
* hierarchical: the manager's duration plus the longest sub-team, a sub-team running its
  members one after another; without sub-teams, plus the longest worker;
* consensus: rounds × the longest per-round member duration. A member duration recorded
  under consensus spans all of its rounds (per round: duration / rounds), so for such an
  execution this is the longest member; for one recorded under another formation a member's
  duration is one round's work and the execution's recorded rounds multiply it.

Other formations (reflection, adaptive, …) are not modelled. A team's *overhead* in one
execution is its recorded duration minus the composition under the formation it ran:
coordination, merging, waiting — whatever the member durations do not explain.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

__all__ = ["MODELLED_FORMATIONS", "compose", "describe", "matched_quantiles"]

F64 = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]

MODELLED_FORMATIONS = frozenset({"sequential", "pipeline", "parallel", "hierarchical", "consensus"})


def describe(formation: str, *, sub_teams: bool = False) -> str:
    """How ``formation``'s team duration is composed, in words (for notes)."""
    if formation in ("sequential", "pipeline"):
        return f"{formation}: members one after another (the sum of their durations)"
    if formation == "parallel":
        return "parallel: members side by side (the longest member)"
    if formation == "hierarchical":
        work = (
            "the longest sub-team, its members in sequence" if sub_teams else "the longest worker"
        )
        return f"hierarchical: the manager, then {work}"
    if formation == "consensus":
        return "consensus: recorded rounds × the longest member per round"
    return f"{formation}: not modelled"


def compose(
    formation: str,
    durations: F64,
    members: Sequence[str],
    *,
    manager: str | None = None,
    sub_teams: Sequence[Sequence[str]] = (),
    rounds: F64 | None = None,
    recorded_consensus: BoolArray | None = None,
) -> F64 | None:
    """Team duration per execution from (executions × ``members``) member ``durations``
    (NaN: the member has no entry and counts 0). None when ``formation`` is not modelled
    or a hierarchical team has no manager among ``members``.

    ``rounds`` and ``recorded_consensus`` (per execution) are used by consensus only: an
    execution not recorded under consensus multiplies the longest member by its rounds.
    """
    d = np.nan_to_num(durations, nan=0.0)
    col = {m: k for k, m in enumerate(members)}
    if formation in ("sequential", "pipeline"):
        total: F64 = d.sum(axis=1)
        return total
    if formation == "parallel":
        return _longest(d)
    if formation == "consensus":
        longest = _longest(d)
        if rounds is None or recorded_consensus is None:
            return longest
        factor = np.where(recorded_consensus, 1.0, rounds)
        scaled: F64 = factor * longest
        return scaled
    if formation == "hierarchical":
        if manager is None or manager not in col:
            return None
        workers = [k for m, k in col.items() if m != manager]
        if sub_teams:
            groups = [[col[m] for m in group if m in col and m != manager] for group in sub_teams]
            spans = [d[:, g].sum(axis=1) for g in groups if g]
            work = _longest(np.stack(spans, axis=1)) if spans else np.zeros(d.shape[0])
        else:
            work = _longest(d[:, workers])
        result: F64 = d[:, col[manager]] + work
        return result
    return None


def _longest(d: F64) -> F64:
    if d.shape[1] == 0:
        return np.zeros(d.shape[0])
    longest: F64 = d.max(axis=1)
    return longest


def matched_quantiles(own: F64, measured: F64) -> F64:
    """Map each value of ``own`` to the value at the same quantile of ``measured``.

    The execution with the k-th smallest own overhead (of n) gets the (k + 0.5)/n quantile
    of the measured overheads: the measured distribution, in the order of the executions'
    own overheads. NaN stays NaN.
    """
    out = np.full(own.shape, np.nan)
    finite = np.isfinite(own)
    if not finite.any() or measured.size == 0:
        return out
    ranks = np.argsort(np.argsort(own[finite], kind="stable"), kind="stable")
    q = (ranks + 0.5) / ranks.size
    out[finite] = np.quantile(np.sort(measured), q)
    return out
