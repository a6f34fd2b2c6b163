"""Carrying out the post-merge monitor's effects: status comments and revert proposals.

:func:`autotune_bot.monitor.plan.plan_monitor` decides; this module makes a revert's commit
(:func:`autotune_bot.gitops.revert_commit.revert_commit`: a real ``git revert`` of the merge
commit on the base, never touching the work tree), puts it on the revert branch (pushed to the
remote, or a local branch; never the default branch; a branch that already exists is reused
only when every commit on it is the bot's, with a lease on its head), opens the proposal
through the forge, and creates or edits the status comment, with the revert's link once it
is open. An effect that fails is reported and the others go on; a revert that would change
nothing (the change is undone on the base already) is ``noted``, not failed.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Literal

from autotune_bot.errors import AutotuneError
from autotune_bot.gitops.branch_facts import bot_branch_head
from autotune_bot.gitops.git import GitError, GitIdentity
from autotune_bot.gitops.git_refs import BaseRef, local_ref, tracking_ref
from autotune_bot.gitops.git_remote import put_branch
from autotune_bot.gitops.proposals import HISTORY_PATH
from autotune_bot.gitops.revert_commit import NothingToRevertError
from autotune_bot.gitops.types import Forge, ForgeProposal
from autotune_bot.history import history_line
from autotune_bot.monitor.plan import MonitorEffect, OpenRevert, PostStatus
from autotune_bot.monitor.status import RevertLink, ref_link, render_status

__all__ = [
    "MonitorDone",
    "RevertTarget",
    "apply_monitor_effects",
    "describe_monitor_effect",
]

MonitorAction = Literal["commented", "edited", "opened", "noted", "failed"]


@dataclass(frozen=True)
class MonitorDone:
    ref: str  # the merged pull request concerned
    action: MonitorAction
    detail: str
    url: str | None = None
    revert: str | None = None  # the revert proposal opened (its handle)


@dataclass(frozen=True)
class RevertTarget:
    """Where reverts go: the repository, its base, the remote (None: local branches)."""

    repo: Path
    base: BaseRef
    identity: GitIdentity
    remote: str | None
    token: str | None = field(repr=False)
    now: datetime
    in_tree: str = ""  # the repository's place in its work tree ("" at the top)


def describe_monitor_effect(effect: MonitorEffect) -> str:
    """One line saying what an effect does (dry-run output and logs)."""
    if isinstance(effect, OpenRevert):
        return (
            f"{effect.original.ref}: open revert {effect.proposal.branch} of merge commit "
            f"{(effect.original.merged_sha or '?')[:12]}: {effect.proposal.title}"
        )
    how = "create" if effect.comment is None else "edit"
    return f"{effect.ref}: {how} the status comment ({effect.status.outcome})"


def _open_revert(effect: OpenRevert, forge: Forge, target: RevertTarget) -> ForgeProposal:
    from autotune_bot.gitops.revert_commit import revert_commit

    p, original = effect.proposal, effect.original
    if not original.merged_sha:
        raise GitError(f"{original.ref}: no merge commit known")
    if p.branch == target.base.branch:
        raise GitError(f"refusing to use the default branch {p.branch!r} for a revert")
    ref = tracking_ref(target.remote, p.branch) if target.remote else local_ref(p.branch)
    # an existing revert branch is reused only when every commit on it is the bot's
    lease = bot_branch_head(target.repo, ref, target.base.sha, target.identity, p.branch)
    made = revert_commit(
        target.repo,
        base_sha=target.base.sha,
        merge_sha=original.merged_sha,
        identity=target.identity,
        message=p.commit_message or p.title,
        history_path=target.in_tree + HISTORY_PATH,
        history_append=history_line(effect.history_entry),
        fallback_files=effect.fallback_files,
        fallback_problem=effect.fallback_problem,
        when=target.now,
        remote=target.remote,
        token=target.token,
    )
    put_branch(
        target.repo,
        target.remote,
        p.branch,
        made.sha,
        expected=lease,
        default_branch=target.base.branch,
        token=target.token,
    )
    return forge.open_proposal(p, target.base.branch)


def _post(
    effect: PostStatus, forge: Forge, opened: ForgeProposal | None, asked: str | None, now: datetime
) -> MonitorDone:
    body = effect.body
    if opened is not None:
        link = RevertLink(opened.ref, opened.url, "open", asked)
        stamp = now.isoformat(timespec="seconds")
        status = dataclasses.replace(effect.status, revert=link, decided_at=stamp)
        body = render_status(status, effect.decision)
    if effect.comment is None:
        made = forge.create_comment(effect.ref, body)
        return MonitorDone(effect.ref, "commented", f"status {effect.status.outcome}", made.url)
    if effect.comment.body == body:
        return MonitorDone(effect.ref, "edited", "status unchanged", effect.comment.url)
    made = forge.edit_comment(effect.ref, effect.comment, body)
    return MonitorDone(effect.ref, "edited", f"status {effect.status.outcome}", made.url)


def apply_monitor_effects(
    effects: Sequence[MonitorEffect], forge: Forge, target: RevertTarget
) -> list[MonitorDone]:
    """Carry out ``effects`` in order; a failure is reported (``failed``) and the rest go on
    (a status comment still says what was found when its revert could not be opened)."""
    done: list[MonitorDone] = []
    opened: dict[str, tuple[ForgeProposal, str | None]] = {}
    for effect in effects:
        ref = effect.original.ref if isinstance(effect, OpenRevert) else effect.ref
        try:
            if isinstance(effect, OpenRevert):
                made = _open_revert(effect, forge, target)
                opened[ref] = (made, effect.requested_by)
                # plain text (terminal and, escaped, the job summary): "#12" or the draft's name
                name = ref_link(made.ref) if made.ref.isdigit() else made.ref
                detail = f"revert {name} on {effect.proposal.branch}"
                done.append(MonitorDone(ref, "opened", detail, made.url, made.ref))
            else:
                revert, asked = opened.get(ref, (None, None))
                done.append(_post(effect, forge, revert, asked, target.now))
        except NothingToRevertError:  # undone on the base already (by hand): nothing to open
            gone = f"the change is no longer on {target.base.branch}: nothing to revert"
            done.append(MonitorDone(ref, "noted", gone))
        except AutotuneError as err:
            done.append(MonitorDone(ref, "failed", str(err)))
    return done
