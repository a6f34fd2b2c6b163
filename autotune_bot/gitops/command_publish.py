"""Publishing the change of a ``/autotune`` command: one bot commit on the base branch, its
branch, and its pull request (or local draft).

``rollback N`` and ``ignore X`` both end here. :func:`locate` finds the base as the cycle
does (the remote's default branch, fetched with the proposal branches; locally the
checked-out branch). :func:`publish` commits whole files on the base without touching the
work tree (:func:`~autotune_bot.gitops.commit_files.commit_files`), pushes the branch (or
moves the local branch) and opens the proposal. A branch that exists already is rebuilt
only when it holds nothing but the bot's own commits (with a lease on the commit seen);
otherwise nothing is pushed and the command fails saying so. An open proposal of the same
key is found first and reused as it is (:func:`open_proposal_of`).
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from autotune_bot.errors import AutotuneError
from autotune_bot.gitops.branch_facts import bot_branch_head
from autotune_bot.gitops.commit_files import commit_files
from autotune_bot.gitops.git import GitIdentity
from autotune_bot.gitops.git_refs import (
    BaseRef,
    local_ref,
    repo_prefix,
    text_at,
    tracking_ref,
)
from autotune_bot.gitops.git_remote import proposal_base, put_branch
from autotune_bot.gitops.marker import render_marker
from autotune_bot.gitops.types import Forge, ForgeProposal, Proposal
from autotune_bot.settings.proposals import PullRequestSettings

__all__ = [
    "CommandFailedError",
    "Place",
    "base_text",
    "digest",
    "locate",
    "make_proposal",
    "open_proposal_of",
    "publish",
]


class CommandFailedError(AutotuneError):
    """A command could not be carried out; the message says why in plain words."""


@dataclass(frozen=True)
class Place:
    """Where a command's change goes: the repository, its base, the remote (None: local)."""

    repo: Path
    base: BaseRef
    identity: GitIdentity
    prs: PullRequestSettings
    remote: str | None
    token: str | None = field(repr=False)
    now: datetime
    in_tree: str  # the repository's directory inside the work tree ("" at the top)


def locate(
    repo: Path, prs: PullRequestSettings, remote: str | None, token: str | None, now: datetime
) -> Place:
    """The base branch's current commit (fetched from ``remote`` when there is one)."""
    base = proposal_base(repo, remote, prs.branch_prefix, token=token)
    identity = GitIdentity(prs.author_name, prs.author_email)
    return Place(repo, base, identity, prs, remote, token, now, repo_prefix(repo))


def base_text(place: Place, path: str) -> str | None:
    """The text of ``path`` (relative to the repository) on the base, None when absent."""
    return text_at(place.repo, place.base.sha, place.in_tree + path)


def digest(*parts: str) -> str:
    """A short stable digest of ``parts`` (an evidence key)."""
    return hashlib.sha256("\0".join(parts).encode("utf-8")).hexdigest()[:16]


def make_proposal(
    place: Place,
    *,
    key: str,
    branch: str,
    files: Mapping[str, str],
    diff: str,
    title: str,
    text: str,
    meta: Mapping[str, Any],
) -> Proposal:
    """A proposal whose body is ``text`` followed by the marker of ``meta`` (plus key,
    branch and evidence key); ``files`` relative to the repository."""
    evidence = digest(key, diff)
    full = {"key": key, "branch": branch, "evidence_key": evidence, **meta}
    return Proposal(
        key=key,
        branch=branch,
        files=dict(files),
        diff=diff,
        title=title,
        body=f"{text.rstrip()}\n\n{render_marker(full)}\n",
        evidence_key=evidence,
        validation_status="not_validated",
        labels=tuple(place.prs.labels),
        commit_message=f"{title}\n\nautotune-key: {key}\n",
        metadata={"version": 1, **full},
    )


def open_proposal_of(forge: Forge, key: str, branch: str) -> ForgeProposal | None:
    """The open proposal of ``key`` on the forge, if there is one."""
    for found in forge.list_proposals([branch]):
        if found.key == key and found.state == "open":
            return found
    return None


def publish(place: Place, forge: Forge, proposal: Proposal) -> ForgeProposal:
    """Commit the proposal's files on the base, put its branch there, open the proposal."""
    files = {place.in_tree + path: text for path, text in proposal.files.items()}
    sha = commit_files(
        place.repo,
        place.base.sha,
        files,
        proposal.commit_message or proposal.title,
        place.identity,
        when=place.now,
    )
    branch = proposal.branch
    ref = tracking_ref(place.remote, branch) if place.remote is not None else local_ref(branch)
    current = bot_branch_head(place.repo, ref, place.base.sha, place.identity, branch)
    put_branch(
        place.repo,
        place.remote,
        branch,
        sha,
        expected=current,
        default_branch=place.base.branch,
        token=place.token,
    )
    return forge.open_proposal(proposal, place.base.branch)
