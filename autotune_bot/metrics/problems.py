"""Dirty-data bookkeeping: every problem in a metrics file is counted and located.

Nothing is dropped silently: a record that cannot be used is counted under a problem kind,
and the first few occurrences of each kind keep their file and line so the report can point
at them. Memory stays bounded however dirty the input is.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

__all__ = ["PROBLEM_KINDS", "DataProblem", "ProblemLog"]

# kind -> what it means (and what happened to the record), for reports and docs.
PROBLEM_KINDS: dict[str, str] = {
    "unreadable_file": "the file cannot be opened or decompressed; skipped",
    "malformed_json": "not valid JSON; skipped",
    "truncated": "incomplete last record (file cut short); skipped",
    "not_an_object": "a JSON value that is not an object; skipped",
    "line_too_long": "a line longer than 16 MiB (one record cannot be that long); skipped "
    "without being read whole",
    "bad_field_type": "a field has the wrong JSON type; record skipped",
    "unknown_shape": "an object that is neither a team nor a workflow run record; skipped",
    "missing_duration": "no duration; excluded from duration statistics",
    "nan_value": "duration is NaN or infinite; excluded from duration statistics",
    "negative_duration": "negative duration; excluded from duration statistics",
    "zero_duration": "zero duration; excluded from duration statistics",
    "missing_success": "success is missing or null; excluded from success statistics",
    "duplicate": "repeat of an earlier record with the same time (or run id) and the same "
    "values; the repeat is ignored",
    "bad_timestamp": "unparseable timestamp; treated as absent",
    "negative_value": "negative count, token or cost value; treated as absent",
    "member_problem": "a member entry has a bad duration or no success value; that value is "
    "left out of the member's statistics",
    "node_problem": "a node entry has a bad duration; it is left out of the node's statistics",
}


@dataclass(frozen=True, slots=True)
class DataProblem:
    kind: str
    path: str
    line: int | None
    record: int | None  # 0-based index of the record in its file, when known
    detail: str

    def location(self) -> str:
        where = self.path
        if self.line is not None:
            where += f":{self.line}"
        if self.record is not None:
            where += f" (record #{self.record + 1})"
        return where

    def one_line(self) -> str:
        return f"{self.location()}: {self.kind}: {self.detail}"


@dataclass
class ProblemLog:
    """Counts problems by kind and keeps the first ``keep`` examples of each."""

    keep: int = 5
    counts: Counter[str] = field(default_factory=Counter)
    examples: dict[str, list[DataProblem]] = field(default_factory=dict)
    per_file: Counter[str] = field(default_factory=Counter)

    def add(self, problem: DataProblem) -> None:
        self.counts[problem.kind] += 1
        self.per_file[problem.path] += 1
        kept = self.examples.setdefault(problem.kind, [])
        if len(kept) < self.keep:
            kept.append(problem)

    @property
    def total(self) -> int:
        return sum(self.counts.values())
