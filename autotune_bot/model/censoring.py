"""Tool budgets and timeouts applied to replayed executions (censoring).

A lower cap stops an execution early: an execution that needs more tool calls than the
candidate budget fails when it reaches the budget, having spent budget / calls of its time
and cost (calls are taken to be spread evenly over the execution); one that takes longer
than the candidate timeout fails at the timeout, having spent timeout / duration of its
cost. A cap only censors what the configuration that ran did not already let through: an
execution that exceeded its own budget or timeout and was not stopped is not stopped by an
unchanged or higher cap either.

A higher cap cannot be credited with anything: an execution that failed at the old cap
might have succeeded with more room, or not. :func:`stopped_at_cap` counts such failures so
the caller can say the effect is not estimable; they stay failed.
"""

from __future__ import annotations

import math

import numpy as np
import numpy.typing as npt

__all__ = ["cap_calls", "cap_duration", "stopped_at_cap"]

F64 = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]

_AT_TIMEOUT = 0.98  # a failed execution this close to the timeout is taken to have hit it


def cap_calls(calls: F64, new_cap: float, old_cap: float) -> tuple[BoolArray, F64]:
    """Which executions a budget of ``new_cap`` calls stops (calls > new cap, and the cap
    was lowered), and the share of their work done by then (1 where not stopped)."""
    stopped = np.isfinite(calls) & (calls > new_cap) & (new_cap < old_cap)
    share = np.ones(calls.shape)
    share[stopped] = new_cap / calls[stopped]
    return stopped, share


def cap_duration(
    duration: F64, recorded: F64, new_timeout: float | None, old_timeout: float | None
) -> tuple[BoolArray, F64]:
    """Which executions a timeout stops and the share of their cost spent by then.

    ``duration``: the candidate's durations; ``recorded``: the durations as recorded under
    ``old_timeout``. Stopped: candidate duration > new timeout, unless the recorded execution
    already ran past the old timeout and the timeout was not lowered.
    """
    new = math.inf if new_timeout is None else new_timeout
    old = math.inf if old_timeout is None else old_timeout
    stopped = (duration > new) & ((new < old) | (recorded <= old))
    share = np.ones(duration.shape)
    share[stopped] = new / duration[stopped]
    return stopped, share


def stopped_at_cap(
    failed: BoolArray, used: F64, old_cap: float | None, *, timeout: bool = False
) -> int:
    """Failures that reached the old cap (calls ≥ budget, or duration ≥ 98% of the timeout):
    a raised cap might rescue them, which the data cannot tell."""
    if old_cap is None or not math.isfinite(old_cap):
        return 0
    limit = old_cap * _AT_TIMEOUT if timeout else old_cap
    return int((failed & np.isfinite(used) & (used >= limit)).sum())
