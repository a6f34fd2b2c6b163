"""What the fake GitHub remembers: pull requests, comments, labels, artifacts, faults, calls."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

__all__ = [
    "ArtifactState",
    "Call",
    "CommentState",
    "FakeState",
    "Fault",
    "LabelState",
    "PullState",
    "Reply",
]


@dataclass
class Reply:
    """An HTTP answer: a status, a JSON value (or raw bytes) and headers."""

    status: int
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)


@dataclass
class Call:
    """One request the fake received (and what it answered)."""

    method: str
    url: str
    headers: dict[str, str]
    body: Any
    operation_id: str | None = None
    status: int | None = None
    error: str | None = None  # the exception raised instead of answering (fault injection)


@dataclass
class Fault:
    """Answer the next ``times`` calls of an operation with an error instead of the result.

    ``status`` with ``message`` and ``headers`` (``Retry-After``...) is an HTTP error; ``error``
    (an exception class, such as ``requests.exceptions.ReadTimeout``) is raised instead.
    ``apply_first`` performs the operation before failing: the write landed, the client
    only saw the failure (what a lost response or a retried POST looks like).
    """

    operation_id: str
    times: int = 1
    status: int = 502
    message: str = "Server Error"
    headers: dict[str, str] = field(default_factory=dict)
    error: type[BaseException] | None = None
    apply_first: bool = False


@dataclass
class PullState:
    number: int
    title: str
    body: str | None
    head: str
    base: str
    user: dict[str, Any]
    created_at: str
    updated_at: str
    state: str = "open"
    draft: bool = False
    maintainer_can_modify: bool = False
    merged: bool = False
    merged_at: str | None = None
    closed_at: str | None = None
    merge_commit_sha: str | None = None
    frozen_head_sha: str | None = None  # the head sha when closed (the branch may be gone)
    labels: list[str] = field(default_factory=list)


@dataclass
class CommentState:
    id: int
    issue: int
    body: str
    user: dict[str, Any]
    created_at: str
    updated_at: str


@dataclass
class LabelState:
    id: int
    name: str
    color: str
    description: str | None


@dataclass
class ArtifactState:
    id: int
    name: str
    data: bytes
    run_id: int
    head_branch: str
    head_sha: str
    head_repository_id: int
    created_at: str
    expired: bool = False
    listed_size: int | None = None  # what the API claims, when not the real size
    send_length: bool = True  # the storage host sends Content-Length

    @property
    def size(self) -> int:
        return len(self.data) if self.listed_size is None else self.listed_size


@dataclass
class FakeState:
    """Everything the fake keeps between requests (git data lives in the bare remote)."""

    pulls: dict[int, PullState] = field(default_factory=dict)
    comments: dict[int, CommentState] = field(default_factory=dict)
    reactions: dict[int, list[dict[str, Any]]] = field(default_factory=dict)
    labels: dict[str, LabelState] = field(default_factory=dict)
    permissions: dict[str, str] = field(default_factory=dict)  # login -> role name
    artifacts: dict[int, ArtifactState] = field(default_factory=dict)
    runs: dict[int, str] = field(default_factory=dict)  # run id -> head branch
    ticks: int = 0
    next_id: int = 100

    def now(self) -> str:
        """A deterministic clock: every call is one second later."""
        self.ticks += 1
        minutes, seconds = divmod(self.ticks, 60)
        hours, minutes = divmod(minutes, 60)
        return f"2026-01-05T{10 + hours:02d}:{minutes:02d}:{seconds:02d}Z"

    def new_id(self) -> int:
        self.next_id += 1
        return self.next_id
