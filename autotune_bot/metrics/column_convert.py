"""Turning a batch of decoded structs into numpy columns, one field at a time.

Shared by the team and run converters. Pulling one attribute out of every struct with
``map(attrgetter(...))`` and handing numpy a list of plain floats is several times faster
than any per-record loop or a list of tuples; bad values are found with array operations
and only those are reported one by one.
"""

from __future__ import annotations

from collections.abc import Callable
from operator import attrgetter
from typing import Any

import numpy as np
import numpy.typing as npt

from autotune_bot.metrics.batch import Batch
from autotune_bot.metrics.record_fields import FieldChecker

__all__ = ["amounts", "flags", "numbers", "report_amounts"]


def numbers(records: list[Any], fields: tuple[str, ...]) -> npt.NDArray[np.float64]:
    """A (len(records), len(fields)) float array; None becomes NaN."""
    size = len(records)
    out = np.empty((size, len(fields)), dtype=np.float64)
    for k, name in enumerate(fields):
        column = list(map(attrgetter(name), records))
        try:  # the common case, every value a number: the fastest conversion numpy has
            out[:, k] = np.fromiter(column, dtype=np.float64, count=size)
        except TypeError:  # some None: numpy turns them into NaN, more slowly
            if column[0] is None and column.count(None) == size:
                out[:, k] = np.nan
            else:
                out[:, k] = np.array(column, dtype=np.float64)
    return out


def flags(values: list[bool | None]) -> npt.NDArray[np.int8]:
    """Booleans as int8: 1 true, 0 false, -1 absent."""
    try:
        return np.fromiter(values, dtype=np.int8, count=len(values))
    except TypeError:  # some None
        as_float = np.array(values, dtype=np.float64)
        return np.where(np.isnan(as_float), -1, as_float).astype(np.int8)


def amounts(values: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
    """Counts, tokens and costs: negative or infinite values become NaN (absent)."""
    return np.where((values >= 0) & np.isfinite(values), values, np.nan)


def report_amounts(
    checks: FieldChecker,
    nums: npt.NDArray[np.float64],
    fields: tuple[str, ...],
    batch: Batch,
    where: Callable[[int], int],
    label: Callable[[int], str],
) -> None:
    """Report every negative or infinite count, token number or cost as `negative_value`
    ("<label(row)>: <field> is <value>"); ``where(row)`` is the row's record index in the
    batch. Labels are built only for the rows reported."""
    bad_rows, bad_cols = np.nonzero((nums < 0) | np.isinf(nums))
    for j, k in zip(bad_rows.tolist(), bad_cols.tolist(), strict=True):
        detail = f"{label(j)}: {fields[k]} is {nums[j, k]}"
        checks.problem("negative_value", batch, where(j), detail)
