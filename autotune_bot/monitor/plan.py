"""What post-merge monitoring does on a run: status comments and revert proposals, decided purely.

Input: each merged autotune proposal (kind ``proposal``) with its status comment (found by
its marker), this run's verdict, and a prepared revert where one may be needed; and the
forge's revert proposals (kind ``revert``, found by marker). Output: effects for the edge.
The rules:

1. Only the newest merged proposal of a key is monitored; an older one says once that it is
   superseded (by the newer pull request) and is left alone after that.
2. ``confirmed``, ``regressed`` and ``superseded`` are final: a later run keeps the outcome
   (and the figures) its comment records, whatever the runs since say, and edits the
   comment only to link a revert (or its new state).
3. A regressed change, or one a person asked to roll back (``requested_by``), gets a revert
   proposal, unless its pull request already has one (listed by the forge, or recorded by
   its status comment): at most one open revert per merged pull request, and a revert
   closed without merge is never proposed again ("revert declined"). A revert is never
   monitored and never reverted.
4. The status comment is created once and then edited in place, only when its text changes
   (so reruns are quiet); a comment whose outcome does not change keeps its date.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from autotune_bot.gitops.types import ForgeComment, ForgeProposal, Proposal
from autotune_bot.monitor.status import RevertLink, StatusRecord, render_status
from autotune_bot.monitor.types import MonitorDecision

__all__ = [
    "MonitorEffect",
    "MonitorPlan",
    "OpenRevert",
    "PostStatus",
    "PreparedRevert",
    "Watch",
    "newest_merged",
    "plan_monitor",
    "revert_link",
    "reverts_of",
]


@dataclass(frozen=True)
class PreparedRevert:
    proposal: Proposal  # title, body, branch and marker of the revert
    history_entry: Mapping[str, Any]  # the rollback entry its commit appends
    fallback_files: Mapping[str, str] | None  # the patch method's texts (None: git revert only)
    fallback_problem: str = ""  # why there are none (the commit fails with it on a conflict)


@dataclass(frozen=True)
class Watch:
    """One merged autotune proposal as this run sees it."""

    proposal: ForgeProposal
    comment: ForgeComment | None = None  # its status comment, if the bot made one
    status: StatusRecord | None = None  # what that comment records
    decision: MonitorDecision | None = None  # this run's verdict (None: none possible)
    reason: str = ""  # why there is no verdict
    superseded_by: str | None = None  # a newer merged proposal of the same key
    requested_by: str | None = None  # a person asked for a rollback now
    revert: PreparedRevert | None = None  # ready when a revert may be opened
    revert_problem: str = ""  # why no revert could be prepared


@dataclass(frozen=True)
class PostStatus:
    """Create (``comment`` None) or edit the status comment of ``ref``. When a revert is
    opened in the same run, the edge adds its link to ``status`` and renders again."""

    ref: str
    comment: ForgeComment | None
    body: str
    status: StatusRecord
    decision: MonitorDecision | None


@dataclass(frozen=True)
class OpenRevert:
    original: ForgeProposal
    proposal: Proposal
    history_entry: Mapping[str, Any]
    fallback_files: Mapping[str, str] | None
    requested_by: str | None = None
    fallback_problem: str = ""  # why there are no fallback files


MonitorEffect = PostStatus | OpenRevert


@dataclass
class MonitorPlan:
    effects: list[MonitorEffect] = field(default_factory=list)
    statuses: dict[str, StatusRecord] = field(default_factory=dict)  # by merged ref
    notes: list[str] = field(default_factory=list)


def _when(p: ForgeProposal) -> tuple[float, int, str]:
    stamp = p.merged_at.timestamp() if p.merged_at is not None else float("-inf")
    return (stamp, int(p.ref) if p.ref.isdigit() else -1, p.ref)


def newest_merged(merged: Sequence[ForgeProposal]) -> tuple[list[ForgeProposal], dict[str, str]]:
    """The newest merged proposal of each key, and ``ref -> newer ref`` for the others."""
    by_key: dict[str, list[ForgeProposal]] = {}
    for p in sorted(merged, key=_when):
        by_key.setdefault(p.key, []).append(p)
    newest = [prs[-1] for prs in by_key.values()]
    older = {p.ref: prs[-1].ref for prs in by_key.values() for p in prs[:-1]}
    return sorted(newest, key=_when), older


def reverts_of(p: ForgeProposal, reverts: Sequence[ForgeProposal]) -> list[ForgeProposal]:
    """The bot's revert proposals of merged pull request ``p`` (those naming it, and a
    ``/autotune rollback N`` of the history entry it applied): open ones first, then merged,
    then closed, each oldest first."""
    order = {"open": 0, "merged": 1, "closed": 2}
    entry = p.metadata.get("history_entry")
    found = []
    for r in reverts:
        of = r.metadata.get("reverts")
        if r.kind != "revert" or not isinstance(of, Mapping):
            continue
        same_entry = isinstance(entry, str) and bool(entry) and of.get("history_entry") == entry
        if of.get("ref") == p.ref or same_entry:
            found.append(r)
    return sorted(found, key=lambda r: (order[r.state], _when(r)))


def revert_link(r: ForgeProposal) -> RevertLink:
    """What a status comment says of revert proposal ``r``."""
    asked = r.metadata.get("requested_by")
    return RevertLink(r.ref, r.url, r.state, asked if isinstance(asked, str) else None)


def _outcome(w: Watch) -> StatusRecord:
    p, d, old = w.proposal, w.decision, w.status
    if old is not None and old.outcome in ("confirmed", "regressed", "superseded"):
        return old
    sha = p.merged_sha or ""
    if w.superseded_by is not None:
        return StatusRecord(
            p.ref, p.key, "superseded", 0, 0, 0, "", superseded_by=w.superseded_by, merge_sha=sha
        )
    if d is None:
        reason = w.reason or "no verdict"
        return StatusRecord(p.ref, p.key, "not_monitored", 0, 0, 0, "", reason, merge_sha=sha)
    reason = ""
    if d.outcome == "not_monitored":
        reason = next((n for n in d.notes if n.startswith("not monitored")), "") or w.reason
        reason = reason.removeprefix("not monitored: ") or "the data cannot support a decision"
    figures = None
    if d.outcome == "confirmed" and d.realised is not None:
        from autotune_bot.history_outcomes import realised_json

        figures = realised_json(d.realised)
    return StatusRecord(
        p.ref, p.key, d.outcome, d.post_runs, d.baseline_runs, d.horizon, "", reason,
        merge_sha=sha, realised=figures,
    )  # fmt: skip


def plan_monitor(
    watches: Sequence[Watch], reverts: Sequence[ForgeProposal], *, now: datetime
) -> MonitorPlan:
    """The effects for ``watches`` given the forge's revert proposals (rules: module
    docstring). ``now`` dates a comment whose text changes."""
    plan = MonitorPlan()
    for w in watches:
        p = w.proposal
        if p.kind != "proposal":
            plan.notes.append(f"{p.ref}: a revert proposal; never monitored or reverted")
            continue
        record = _outcome(w)
        existing = reverts_of(p, reverts)
        wants = record.outcome == "regressed" or w.requested_by is not None
        opening: OpenRevert | None = None
        if existing:
            record = dataclasses.replace(record, revert=revert_link(existing[0]))
            if w.requested_by is not None:
                state = "declined earlier" if existing[0].state == "closed" else existing[0].state
                plan.notes.append(
                    f"{p.ref}: rollback requested by {w.requested_by}: a revert is already "
                    f"{state} ({existing[0].ref}); no other is opened"
                )
        elif w.status is not None and w.status.revert is not None:
            # recorded by the status comment, though the forge no longer lists it (GitHub
            # lists a bounded number of recently updated pull requests): still the one revert
            recorded = w.status.revert
            record = dataclasses.replace(record, revert=recorded)
            if w.requested_by is not None:
                plan.notes.append(
                    f"{p.ref}: rollback requested by {w.requested_by}: its status records "
                    f"revert {recorded.ref} ({recorded.state}); no other is opened"
                )
        elif wants and w.revert is not None:
            opening = OpenRevert(
                p,
                w.revert.proposal,
                w.revert.history_entry,
                w.revert.fallback_files,
                w.requested_by,
                w.revert.fallback_problem,
            )
        elif wants:
            plan.notes.append(f"{p.ref}: no revert opened: {w.revert_problem or 'not prepared'}")
        old = w.status
        if old is not None and old.final and opening is None and record.revert == old.revert:
            plan.statuses[p.ref] = old  # decided, and nothing new to link
            continue
        kept = dataclasses.replace(record, decided_at=w.status.decided_at if w.status else "")
        same = render_status(kept, w.decision)
        if opening is not None:
            plan.effects.append(opening)
        if opening is not None or w.comment is None or same != w.comment.body:
            stamped = dataclasses.replace(record, decided_at=now.isoformat(timespec="seconds"))
            if w.comment is not None and w.status is not None and same == w.comment.body:
                stamped = kept  # only the revert link is new: it is added after opening
            body = render_status(stamped, w.decision)
            plan.effects.append(PostStatus(p.ref, w.comment, body, stamped, w.decision))
            record = stamped
        else:
            record = kept
        plan.statuses[p.ref] = record
    return plan
