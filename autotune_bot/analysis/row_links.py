"""Following row references between metrics tables in linear time.

Member rows point at team rows, node rows at run rows, tool rows at node rows. Selecting
"the member rows of these team rows" with ``np.isin`` sorts both sides; a boolean mask over
the referenced table does it in one pass, which matters at hundreds of thousands of rows.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

__all__ = ["referencing", "slots"]

IntArray = npt.NDArray[np.intp]


def referencing(refs: npt.NDArray[np.int32], rows: IntArray, size: int) -> IntArray:
    """Indexes ``i`` with ``refs[i]`` in ``rows`` (``refs`` index a table of ``size`` rows;
    -1 means no reference and never matches)."""
    chosen = np.zeros(size + 1, dtype=bool)  # the extra last slot absorbs -1
    chosen[rows] = True
    return np.flatnonzero(chosen[refs])


def slots(rows: IntArray, refs: npt.NDArray[np.int32], size: int) -> IntArray:
    """For each reference, its position within ``rows`` (every reference must be in rows)."""
    position = np.full(size, -1, dtype=np.intp)
    position[rows] = np.arange(rows.size)
    found: IntArray = position[refs]
    return found
