"""The one place proposal effects are carried out (or, in a dry run, only described).

:func:`~autotune_bot.gitops.lifecycle.plan_effects` decides; this module commits a proposal's
files as one bot commit on the base (never touching the working tree or the checked-out
branch), moves or pushes its branch, and opens or updates the pull request through the forge.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Literal

from autotune_bot.errors import AutotuneError
from autotune_bot.gitops.commit_files import commit_files
from autotune_bot.gitops.git import GitIdentity
from autotune_bot.gitops.git_refs import BaseRef
from autotune_bot.gitops.git_remote import put_branch
from autotune_bot.gitops.lifecycle import (
    Effect,
    OpenProposal,
    PushBranch,
    Skip,
    SupersedeProposal,
    UpdateProposal,
)
from autotune_bot.gitops.types import BranchFacts, Forge

__all__ = ["Done", "EffectTarget", "apply_effects", "describe_effect"]

Action = Literal["pushed", "opened", "updated", "skipped", "failed"]


@dataclass(frozen=True)
class Done:
    key: str
    action: Action
    detail: str  # branch and commit, pull request handle, or the reason of a skip
    url: str | None = None


@dataclass(frozen=True)
class EffectTarget:
    """Where effects go: the repository, its base, the remote (None: local branches)."""

    repo: Path
    base: BaseRef
    identity: GitIdentity
    remote: str | None
    token: str | None = field(repr=False)  # never shown
    now: datetime
    commits: Mapping[str, str] = field(default_factory=dict)  # proposal key -> commit made


_REFUSED = (
    "pull request not attempted, branch not pushed: the forge refused new pull requests "
    "earlier in this run"
)


def describe_effect(effect: Effect) -> str:
    """One line saying what an effect does (dry-run output and logs)."""
    if isinstance(effect, PushBranch):
        how = "rebuild" if effect.force_with_lease else "create"
        return f"{effect.proposal.key}: {how} branch {effect.proposal.branch}"
    if isinstance(effect, OpenProposal):
        return f"{effect.proposal.key}: open a pull request: {effect.proposal.title}"
    if isinstance(effect, SupersedeProposal):
        return (
            f"{effect.proposal.key}: mark pull request {effect.existing.ref} superseded: "
            f"{effect.reason}"
        )
    if isinstance(effect, UpdateProposal):
        return f"{effect.proposal.key}: update pull request {effect.existing.ref} in place"
    return f"{effect.key}: skipped ({effect.code}): {effect.reason}"


def _push(target: EffectTarget, effect: PushBranch, facts: BranchFacts | None) -> str:
    p = effect.proposal
    sha = target.commits.get(p.key) or commit_files(
        target.repo,
        target.base.sha,
        dict(p.files),
        p.commit_message or p.title,
        target.identity,
        when=target.now,
    )
    if target.remote is None:
        expected = facts.head_sha if facts is not None and facts.exists else None
    else:
        expected = effect.force_with_lease
    put_branch(
        target.repo,
        target.remote,
        p.branch,
        sha,
        expected=expected,
        default_branch=target.base.branch,
        token=target.token,
    )
    return sha


def apply_effects(
    effects: Sequence[Effect],
    forge: Forge,
    target: EffectTarget,
    facts: dict[str, BranchFacts],
) -> list[Done]:
    """Carry out ``effects`` in order. An effect that fails is reported (``failed``) and the
    later effects of the same proposal are not attempted; other proposals go on. What was
    done before a failure (a pushed branch without its pull request) is picked up by the
    next run."""
    done: list[Done] = []
    failed: set[str] = set()
    to_open = {e.proposal.key for e in effects if isinstance(e, OpenProposal)}
    for effect in effects:
        key = effect.key if isinstance(effect, Skip) else effect.proposal.key
        if key in failed:
            continue
        if isinstance(effect, PushBranch) and key in to_open and forge.refuses_new_proposals:
            failed.add(key)
            done.append(Done(key, "failed", _REFUSED))
            continue
        try:
            done.append(_apply_one(effect, forge, target, facts))
        except AutotuneError as err:
            failed.add(key)
            done.append(Done(key, "failed", str(err)))
    return done


def _apply_one(
    effect: Effect, forge: Forge, target: EffectTarget, facts: dict[str, BranchFacts]
) -> Done:
    if isinstance(effect, Skip):
        return Done(effect.key, "skipped", f"{effect.code}: {effect.reason}")
    if isinstance(effect, PushBranch):
        sha = _push(target, effect, facts.get(effect.proposal.branch))
        return Done(effect.proposal.key, "pushed", f"{effect.proposal.branch} at {sha}")
    if isinstance(effect, OpenProposal):
        made = forge.open_proposal(effect.proposal, target.base.branch)
        return Done(effect.proposal.key, "opened", made.ref, made.url)
    made = forge.update_proposal(effect.existing, effect.proposal)
    return Done(effect.proposal.key, "updated", made.ref, made.url)
