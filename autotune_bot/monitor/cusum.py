"""One-sided CUSUM statistics, vectorised over paths (pure numpy).

The upper CUSUM of increments x_1 … x_n is S_0 = 0, S_t = max(0, S_{t-1} + x_t): it grows
while the increments are positive on average (the data look like the alternative) and is held
at 0 otherwise; a detector alarms at the first t with S_t above its threshold. With
W_t = x_1 + … + x_t (W_0 = 0) the recursion has the closed form S_t = W_t − min(W_0 … W_t),
so a batch of paths (one per row, steps along the last axis) is computed with a cumulative
sum and a running minimum rather than a Python loop over steps.

The increments used by the detectors:

* :func:`zscore_increments` — z-scores of log values against a baseline mean and standard
  deviation, clipped to ±``clip`` (so one extreme run cannot alarm alone), minus the
  reference value ``k`` (the CUSUM drifts down by ``k`` per run when nothing changed);
* :func:`bernoulli_increments` — the log-likelihood ratio of an event under rate ``p1``
  against ``p0``: log(p1/p0) when it happens, log((1 − p1)/(1 − p0)) when it does not.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

__all__ = [
    "BoolArray",
    "FloatArray",
    "bernoulli_increments",
    "cusum",
    "first_crossing",
    "path_max",
    "zscore_increments",
]

FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]


def cusum(increments: npt.ArrayLike) -> FloatArray:
    """S_1 … S_n of every path (along the last axis); same shape as ``increments``."""
    x = np.asarray(increments, dtype=np.float64)
    if x.shape[-1] == 0:
        return x.copy()
    walk = np.cumsum(x, axis=-1)
    lowest = np.minimum(np.minimum.accumulate(walk, axis=-1), 0.0)
    path: FloatArray = walk - lowest
    return path


def path_max(increments: npt.ArrayLike) -> FloatArray:
    """The largest S_t of every path (0 for a path with no steps): shape without the last axis."""
    x = np.asarray(increments, dtype=np.float64)
    if x.shape[-1] == 0:
        return np.zeros(x.shape[:-1])
    top: FloatArray = np.maximum(cusum(x).max(axis=-1), 0.0)
    return top


def first_crossing(path: npt.ArrayLike, threshold: float) -> int | None:
    """0-based index of the first S_t strictly above ``threshold`` in a 1-D path, else None."""
    above = np.flatnonzero(np.asarray(path, dtype=np.float64) > threshold)
    return int(above[0]) if above.size else None


def zscore_increments(
    logs: npt.ArrayLike,
    mean: npt.ArrayLike,
    sd: npt.ArrayLike,
    *,
    k: float,
    clip: float,
) -> FloatArray:
    """clip((logs − mean) / sd, −clip, clip) − k; ``mean``/``sd`` broadcast (e.g. one per row)."""
    centre = np.asarray(mean, dtype=np.float64)
    z: FloatArray = (np.asarray(logs, dtype=np.float64) - centre) / np.asarray(sd, dtype=np.float64)
    out: FloatArray = np.clip(z, -clip, clip) - k
    return out


def bernoulli_increments(events: npt.ArrayLike, p0: npt.ArrayLike, p1: npt.ArrayLike) -> FloatArray:
    """Log-likelihood ratio of each event (True = happened) under ``p1`` against ``p0``.

    ``p0`` and ``p1`` broadcast against ``events`` (e.g. one rate per row, shape (paths, 1)).
    """
    q0 = np.asarray(p0, dtype=np.float64)
    q1 = np.asarray(p1, dtype=np.float64)
    if np.any((q0 <= 0) | (q0 >= 1) | (q1 <= 0) | (q1 >= 1)):
        raise ValueError("event rates must lie strictly between 0 and 1")
    hit = np.log(q1 / q0)
    miss = np.log((1.0 - q1) / (1.0 - q0))
    out: FloatArray = np.where(np.asarray(events, dtype=bool), hit, miss)
    return out
