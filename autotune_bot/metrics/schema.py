"""The record shapes of metrics files, as msgspec structs.

One struct, :class:`RawRecord`, holds the union of the fields of the three shapes in
docs/input-formats.md (team execution record, workflow run record, combined record): a file may hold
any of them and JSON objects carry no tag to tell them apart. Fields the analysis does not
use are left out, so the decoder skips them without building Python objects — that is what
makes ingestion of large files fast. Counts are floats so that ``12.0`` is accepted; the
builder checks the values themselves.

Types are deliberately narrow (``float | None`` rather than ``Any``): a record whose fields
have the wrong JSON type fails the fast decoder and is re-read by the tolerant path in
``metrics.tolerant``, which reports the exact field.
"""

from __future__ import annotations

import msgspec

__all__ = [
    "MemberRecord",
    "NodeRecord",
    "RawRecord",
    "RunRecord",
    "TeamRecord",
    "ToolAggregate",
    "ToolCallRecord",
]


class ToolCallRecord(msgspec.Struct, gc=False):
    name: str | None = None
    args_hash: str | None = None
    duration_seconds: float | None = None
    cached: bool | None = None


class MemberRecord(msgspec.Struct, gc=False):
    success: bool | None = None
    duration_seconds: float | None = None
    tool_calls_used: float | None = None
    cost: float | None = None
    cost_usd: float | None = None
    tool_calls: list[ToolCallRecord] | None = None


class ToolAggregate(msgspec.Struct, gc=False):
    count: float | None = None
    cost: float | None = None


class NodeRecord(msgspec.Struct, gc=False):
    duration: float | None = None
    duration_seconds: float | None = None
    success: bool | None = None
    input_tokens: float | None = None
    output_tokens: float | None = None
    cost: float | None = None
    cost_usd: float | None = None
    model: str | None = None
    error_type: str | None = None
    tools: dict[str, ToolAggregate] | None = None
    tool_calls: list[ToolCallRecord] | None = None


class _Common(msgspec.Struct, gc=False):
    workflow_id: str | None = None
    config_fingerprint: str | None = None
    git_sha: str | None = None
    timestamp: str | float | None = None
    start_time: str | float | None = None
    success: bool | None = None
    cost: float | None = None
    cost_usd: float | None = None
    input_tokens: float | None = None
    output_tokens: float | None = None


class TeamRecord(_Common, gc=False):
    team_id: str | None = None
    formation: str | None = None
    member_count: float | None = None
    duration_seconds: float | None = None
    total_tool_calls: float | None = None
    consensus_achieved: bool | None = None
    consensus_rounds: float | None = None
    member_metrics: dict[str, MemberRecord] | None = None


class RunRecord(_Common, gc=False):
    run_id: str | int | None = None
    duration: float | None = None
    duration_seconds: float | None = None
    node_metrics: dict[str, NodeRecord] | None = None


class RawRecord(TeamRecord, gc=False):
    """Any metrics record: the fields of team executions and workflow runs, and the two
    containers of a combined record."""

    run_id: str | int | None = None
    duration: float | None = None
    node_metrics: dict[str, NodeRecord] | None = None
    workflow_run: RunRecord | None = None
    team_executions: list[TeamRecord] | None = None
