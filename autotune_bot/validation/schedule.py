"""The order of the runs of one A/B test. Pure.

Runs come in pairs, one control run and one variant run; pair ``i`` is trial ``i``. The arm
that goes first alternates: even pairs run control then variant, odd pairs variant then
control (C V V C C V V C …). Plain alternation (C V C V …) would always run the variant
second, so a slow drift of the machine (load, caches, rate limits warming up or running out)
and any advantage of running second (a warm cache, a loaded model) would count for the
variant; with the first arm alternating, every two pairs put each arm in both positions and a
linear drift adds the same to both arms.

With task inputs, pair ``i`` runs ``inputs[i % len(inputs)]`` in both arms, so the two runs
of a pair can be compared with each other (a paired test); without inputs the runs are
unpaired. The total-run budget is spent in whole pairs only.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from autotune_bot.validation.runs import Arm

__all__ = ["PlannedRun", "Schedule", "plan_runs"]


@dataclass(frozen=True)
class PlannedRun:
    """One run to make: the arm, its pair index and its input (None without inputs)."""

    arm: Arm
    trial: int
    input: str | None

    @property
    def starts_pair(self) -> bool:
        """Whether this is the first run of its pair in the schedule."""
        first: Arm = "control" if self.trial % 2 == 0 else "variant"
        return self.arm == first


@dataclass(frozen=True)
class Schedule:
    """Runs in the order they are started; ``paired``: pairs share a task input."""

    runs: tuple[PlannedRun, ...]
    pairs: int
    paired: bool


def plan_runs(runs_per_arm: int, inputs: Sequence[str], max_total_runs: int) -> Schedule:
    """``runs_per_arm`` pairs (fewer if ``max_total_runs`` allows fewer whole pairs)."""
    if runs_per_arm < 0 or max_total_runs < 0:
        raise ValueError("run counts must not be negative")
    pairs = min(runs_per_arm, max_total_runs // 2)
    runs: list[PlannedRun] = []
    for trial in range(pairs):
        task = inputs[trial % len(inputs)] if inputs else None
        order: tuple[Arm, Arm] = (
            ("control", "variant") if trial % 2 == 0 else ("variant", "control")
        )
        runs.extend(PlannedRun(arm, trial, task) for arm in order)
    return Schedule(tuple(runs), pairs, bool(inputs))
