"""What a simulation returns: per-execution arrays for one configuration, or a refusal.

Both team and workflow simulations replay recorded executions through a configuration; the
arrays are aligned with ``executions`` (indexes into the traces the simulation read), so two
simulations of the same traces can be compared execution by execution.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

__all__ = ["Refusal", "Simulated"]

F64 = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.intp]
BoolArray = npt.NDArray[np.bool_]


@dataclass(frozen=True)
class Refusal:
    """The data cannot support a prediction for this candidate; ``reason`` says why."""

    reason: str


@dataclass(frozen=True)
class Simulated:
    """Predicted outcome of each replayed execution under one configuration.

    ``duration`` in seconds, ``cost`` in USD (NaN where no cost was recorded), ``success``
    per execution. ``basis`` names what was replayed, without the count ("recorded
    executions of review_team (config 16c2a43)"); ``notes`` state every assumption the
    numbers rest on.
    """

    executions: IntArray  # indexes into the traces, ascending
    duration: F64
    cost: F64
    success: BoolArray
    notes: tuple[str, ...]
    basis: str

    def __post_init__(self) -> None:
        n = self.executions.shape[0]
        if not (self.duration.shape[0] == self.cost.shape[0] == self.success.shape[0] == n):
            raise ValueError("simulated arrays differ in length")

    @property
    def n(self) -> int:
        """Distinct recorded executions replayed."""
        return int(np.unique(self.executions).size)
