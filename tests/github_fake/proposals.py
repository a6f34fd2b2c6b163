"""Proposals and bot branches for tests of the GitHub forge."""

from __future__ import annotations

from pathlib import Path

from autotune_bot.gitops.marker import render_marker
from autotune_bot.gitops.types import Proposal
from tests.github_fake.remote import push_commit

__all__ = ["BOT_EMAIL", "BOT_NAME", "make_proposal", "push_branch"]

BOT_NAME = "autotune-bot"
BOT_EMAIL = "autotune-bot@users.noreply.github.com"


def make_proposal(
    key: str = "review/review_team",
    *,
    evidence: str = "ev-1",
    title: str | None = None,
    text: str = "Lower max_rounds of review_team from 5 to 3.",
    labels: tuple[str, ...] = (),
    prefix: str = "autotune/",
) -> Proposal:
    """A proposal whose body ends with its marker (as the PR body renderer writes it)."""
    branch = f"{prefix}{key}"
    meta = {
        "key": key,
        "branch": branch,
        "evidence_key": evidence,
        "file": "workflows/review.yaml",
        "validation_status": "not_validated",
        "target_kind": "team",
    }
    return Proposal(
        key=key,
        branch=branch,
        files={"workflows/review.yaml": f"name: review\n# {evidence}\n"},
        diff="",
        title=title or f"autotune({key}): lower max_rounds",
        body=f"{text}\n\n{render_marker(meta)}",
        evidence_key=evidence,
        validation_status="not_validated",
        labels=labels,
        metadata=meta,
    )


def push_branch(remote: Path, proposal: Proposal, *, author_email: str = BOT_EMAIL) -> str:
    """Commit the proposal's files as one commit on ``main`` and (force-)push it as the
    proposal's branch, like the bot does; the new sha."""
    return push_commit(
        remote,
        proposal.branch,
        proposal.files,
        message=proposal.title,
        author_name=BOT_NAME,
        author_email=author_email,
        start="main",
        force=True,
    )
