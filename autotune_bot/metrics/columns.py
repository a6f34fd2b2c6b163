"""Columnar metrics: numpy arrays, one row per execution, strings interned as integer codes.

A :class:`MetricsStore` is what ingestion produces and what the profiler reads. Missing
numbers are NaN; missing booleans are -1 (``int8``: 1 true, 0 false, -1 unknown); missing
codes are -1. Row indexes link tables: a member row points at its team-execution row, a
node row at its workflow-run row, a tool row at its owner.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

__all__ = [
    "Interner",
    "MemberTable",
    "MetricsStore",
    "NodeTable",
    "RunTable",
    "TeamTable",
    "ToolCallTable",
    "ToolUseTable",
]

F64 = npt.NDArray[np.float64]
I32 = npt.NDArray[np.int32]
I8 = npt.NDArray[np.int8]


@dataclass
class Interner:
    """Maps strings to dense integer codes and back."""

    codes: dict[str, int] = field(default_factory=dict)
    names: list[str] = field(default_factory=list)

    def code(self, name: str | None) -> int:
        if name is None:
            return -1
        found = self.codes.get(name)
        if found is None:
            found = len(self.names)
            self.codes[name] = found
            self.names.append(name)
        return found

    def codes_of(self, names: Sequence[str | None]) -> I32:
        """Codes of many names at once (None → -1), interning new ones."""
        # First-occurrence order (not set order) keeps codes the same from run to run.
        table = {name: self.code(name) for name in dict.fromkeys(names)}
        return np.fromiter(map(table.__getitem__, names), dtype=np.int32, count=len(names))

    def name(self, code: int) -> str | None:
        return self.names[code] if code >= 0 else None

    def lookup(self, name: str) -> int:
        """The code of ``name``, or -1 if it never occurred (does not intern)."""
        return self.codes.get(name, -1)


@dataclass(frozen=True)
class TeamTable:
    """One row per team-node execution (docs/input-formats.md)."""

    team: I32
    config: I32
    workflow: I32
    formation: I32
    file: I32
    run: I32  # row in RunTable when the record came inside a combined record, else -1
    timestamp: F64  # seconds since the epoch
    success: I8
    duration: F64
    tool_calls: F64
    member_count: F64
    consensus_rounds: F64
    consensus_achieved: I8
    cost: F64
    input_tokens: F64
    output_tokens: F64

    def __len__(self) -> int:
        return int(self.team.shape[0])


@dataclass(frozen=True)
class MemberTable:
    """One row per member entry of a team execution."""

    team_row: I32
    member: I32
    success: I8
    duration: F64
    tool_calls: F64
    cost: F64

    def __len__(self) -> int:
        return int(self.team_row.shape[0])


@dataclass(frozen=True)
class RunTable:
    """One row per whole-workflow run (docs/input-formats.md)."""

    workflow: I32
    config: I32
    file: I32
    timestamp: F64
    success: I8
    duration: F64
    cost: F64

    def __len__(self) -> int:
        return int(self.workflow.shape[0])


@dataclass(frozen=True)
class NodeTable:
    """One row per node entry of a workflow run."""

    run_row: I32
    node: I32
    model: I32
    error_type: I32
    success: I8
    duration: F64
    input_tokens: F64
    output_tokens: F64
    cost: F64

    def __len__(self) -> int:
        return int(self.run_row.shape[0])


@dataclass(frozen=True)
class ToolUseTable:
    """Aggregated tool use of a node (`tools: {name: {count, cost}}`)."""

    node_row: I32
    tool: I32
    count: F64
    cost: F64

    def __len__(self) -> int:
        return int(self.node_row.shape[0])


@dataclass(frozen=True)
class ToolCallTable:
    """Individual tool calls (`tool_calls: [...]`) of nodes (owner_kind 0) or members (1)."""

    owner_kind: I8
    owner_row: I32
    tool: I32
    args_hash: I32  # -1 when the call has no args_hash
    duration: F64
    cached: I8

    def __len__(self) -> int:
        return int(self.owner_row.shape[0])


@dataclass(frozen=True)
class MetricsStore:
    teams: TeamTable
    members: MemberTable
    runs: RunTable
    nodes: NodeTable
    tool_use: ToolUseTable
    tool_calls: ToolCallTable
    team_names: Interner
    member_names: Interner
    workflow_names: Interner
    node_names: Interner
    tool_names: Interner
    config_names: Interner  # config_fingerprint / git_sha identities
    formation_names: Interner
    model_names: Interner
    misc_names: Interner  # roles, error types, args hashes
    file_names: Interner
    files_read: tuple[str, ...]
    records_read: int
