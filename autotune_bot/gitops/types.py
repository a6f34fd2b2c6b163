"""The values the GitOps cycle passes between its pure planner and its edges (git, forges).

A :class:`Proposal` is one change the bot wants reviewed: one tuning target's configuration,
as the file contents it leads to, with its title and body. A :class:`ForgeProposal` is what a
forge already holds (an open, closed or merged pull request of the bot, found by its hidden
marker). The planner compares the two and returns effects; only the effects applier does I/O.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal, Protocol

__all__ = [
    "BranchFacts",
    "Forge",
    "ForgeComment",
    "ForgeProposal",
    "Proposal",
    "ProposalState",
]

ProposalState = Literal["open", "closed", "merged"]


@dataclass(frozen=True)
class Proposal:
    """One change the bot proposes (one tuning target)."""

    key: str  # stable id of the target: "<workflow>/<team-or-node>"
    branch: str  # "<branch_prefix><workflow>/<team-or-node>": "autotune/code_review/review_team"
    files: Mapping[str, str]  # repository-relative path -> full new text (workflow + history)
    diff: str  # the workflow change as a unified diff (for the body and the logs)
    title: str
    body: str  # rendered Markdown, including the hidden marker
    evidence_key: str  # digest of what the proposal rests on; "materially changed" = differs
    validation_status: str  # passed / inconclusive / ... / not_validated
    labels: tuple[str, ...] = ()
    reviewers: tuple[str, ...] = ()
    commit_message: str = ""
    metadata: Mapping[str, Any] = field(default_factory=dict)  # what the marker carries


@dataclass(frozen=True)
class ForgeProposal:
    """A pull request (or local draft) the bot made earlier, as the forge reports it."""

    ref: str  # the forge's handle: the PR number as text, or the outbox file name
    key: str
    branch: str
    state: ProposalState
    evidence_key: str
    body: str
    title: str
    url: str | None = None
    head_sha: str | None = None
    merged_sha: str | None = None  # merge commit, when merged
    metadata: Mapping[str, Any] = field(default_factory=dict)
    merged_at: datetime | None = None  # when it was merged (timezone-aware), when merged
    author: str | None = None  # the account that opened it (None: a local draft)

    @property
    def kind(self) -> str:
        """``"proposal"`` (a tuning change) or ``"revert"`` (a revert the bot opened)."""
        kind = self.metadata.get("kind", "proposal")
        return kind if isinstance(kind, str) else "proposal"


@dataclass(frozen=True)
class ForgeComment:
    """A comment on a pull request or issue (or on a local draft)."""

    id: str
    body: str
    author: str | None = None
    url: str | None = None


@dataclass(frozen=True)
class BranchFacts:
    """What git says about a proposal's branch before the bot touches it."""

    exists: bool
    head_sha: str | None
    # commits on the branch (not on base) that the bot identity did not both author and commit
    foreign_commits: int
    up_to_date_with_base: bool  # the branch contains the current base commit
    content_matches: bool  # the branch's files already equal the proposal's files
    # files the base changed since the branch forked from it (None: not known); a rebuild is
    # only needed when the base moved under one of the proposal's own files
    base_changed_files: frozenset[str] | None = None
    # the worktree that has the branch checked out (local branches only): it is never moved
    checked_out_in: str | None = None


class Forge(Protocol):
    """Where proposals are published: ``local`` (branches + Markdown drafts) or ``github``."""

    name: str

    @property
    def refuses_new_proposals(self) -> bool:
        """True once the forge refused new proposals for the rest of the run (e.g. GitHub does
        not let the token open pull requests): their branches are not pushed either."""
        ...

    def list_proposals(self, branches: Sequence[str] = ()) -> list[ForgeProposal]:
        """The bot's proposals in any state, found by marker. ``branches``: this run's
        proposal branches, whose pull requests a forge that lists only the recent ones looks
        up as well."""
        ...

    def open_proposal(self, proposal: Proposal, base: str) -> ForgeProposal: ...

    def update_proposal(self, existing: ForgeProposal, proposal: Proposal) -> ForgeProposal: ...

    def list_comments(self, ref: str) -> list[ForgeComment]:
        """The comments on proposal ``ref`` (any pull request or draft of the forge), oldest
        first; a forge may read only a bounded number of them (see its documentation)."""
        ...

    def create_comment(self, ref: str, body: str) -> ForgeComment:
        """Add a comment with ``body`` to ``ref``."""
        ...

    def edit_comment(self, ref: str, comment: ForgeComment, body: str) -> ForgeComment:
        """Replace the body of ``comment`` (a comment on ``ref``); nothing is written when
        the body is unchanged."""
        ...
