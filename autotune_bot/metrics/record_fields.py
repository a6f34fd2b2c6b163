"""The fields team and run records share: config identity, time, duration, success.

Where a record's config identity and time come from (its own fields, else the combined
record around it), and the reporting of bad values as data problems of the file being read.
"""

from __future__ import annotations

import math
import operator
from collections.abc import Sequence
from datetime import UTC, datetime
from itertools import repeat
from operator import attrgetter

import numpy as np
import numpy.typing as npt

from autotune_bot.metrics.batch import Batch
from autotune_bot.metrics.problems import DataProblem, ProblemLog
from autotune_bot.metrics.schema import RawRecord, RunRecord, TeamRecord

__all__ = ["FieldChecker", "config_ident", "config_idents", "start_times"]

NAN = math.nan

_UTC_SUFFIXES = ("+00:00", "Z")
_FINGERPRINT = attrgetter("config_fingerprint")
_GIT_SHA = attrgetter("git_sha")
_START_TIME = attrgetter("start_time")


def config_ident(rec: TeamRecord | RunRecord, outer: RawRecord) -> str | None:
    """The config fingerprint of a record, else its git sha (from the outer record if need be)."""
    ident = rec.config_fingerprint or outer.config_fingerprint
    return ident if ident is not None else (rec.git_sha or outer.git_sha)


def _start_time(rec: TeamRecord, outer: RawRecord) -> str | float | None:
    """When a team execution started: its own time, else the outer record's."""
    for value in (rec.start_time, rec.timestamp, outer.timestamp, outer.start_time):
        if value is not None:
            return value
    return None


def config_idents(
    recs: Sequence[TeamRecord | RunRecord], outers: Sequence[RawRecord]
) -> list[str | None]:
    """`config_ident` for many records; plain team records (their own outer record) are
    handled column-wise."""
    if all(map(operator.is_, recs, outers)):
        fingerprints = list(map(_FINGERPRINT, recs))
        shas = list(map(_GIT_SHA, recs))
        return [f if f is not None else g for f, g in zip(fingerprints, shas, strict=True)]
    return [config_ident(r, o) for r, o in zip(recs, outers, strict=True)]


def start_times(recs: list[TeamRecord], outers: list[RawRecord]) -> list[str | float | None]:
    """`_start_time` for many records, column-wise when every record has a start_time."""
    starts = list(map(_START_TIME, recs))
    if None not in starts:
        return starts
    return [_start_time(r, o) for r, o in zip(recs, outers, strict=True)]


class FieldChecker:
    """Checks field values of the records of one file at a time; reports bad ones.

    ``display`` is the file being read, as problems name it.
    """

    def __init__(self, problems: ProblemLog) -> None:
        self.problems = problems
        self.display = ""

    def problem(self, kind: str, batch: Batch, i: int, detail: str) -> None:
        """Report a problem with record ``i`` of ``batch``."""
        self.problems.add(
            DataProblem(kind, self.display, batch.line_of(i), batch.first_index + i, detail)
        )

    def timestamp(self, value: str | float | None, batch: Batch, i: int) -> float:
        if value is None:
            return NAN
        if isinstance(value, float | int):
            return float(value)
        try:
            parsed = datetime.fromisoformat(value)
        except ValueError:
            self.problem("bad_timestamp", batch, i, f"cannot parse timestamp {value!r}")
            return NAN
        if parsed.tzinfo is None:
            parsed = parsed.replace(tzinfo=UTC)
        return parsed.timestamp()

    def timestamps(
        self, values: list[str | float | None], batch: Batch, where: list[int]
    ) -> npt.NDArray[np.float64]:
        """Epoch seconds for many timestamps; numpy parses the common all-UTC case at once."""
        all_text = set(map(type, values)) == {str}
        for suffix in _UTC_SUFFIXES:
            if all_text and all(map(str.endswith, values, repeat(suffix))):  # type: ignore[arg-type]
                cut = -len(suffix)
                try:
                    parsed = np.array([v[:cut] for v in values], dtype="datetime64[us]")  # type: ignore[index]
                except ValueError:
                    break
                if np.isnat(parsed).any():
                    break  # e.g. a bare "+00:00": the per-value path reports it
                return parsed.astype(np.int64) / 1e6
        return np.array(
            [self.timestamp(v, batch, i) for v, i in zip(values, where, strict=True)],
            dtype=np.float64,
        )

    def report_duration(self, value: float | None, batch: Batch, i: int, what: str) -> None:
        """Report a duration that is missing, not a number, negative or zero."""
        if value is None:
            self.problem("missing_duration", batch, i, f"{what} has no duration")
        elif math.isnan(value) or math.isinf(value):
            self.problem("nan_value", batch, i, f"{what} duration is {value}")
        elif value < 0:
            self.problem("negative_duration", batch, i, f"{what} duration is {value}")
        else:
            self.problem("zero_duration", batch, i, f"{what} duration is 0")
