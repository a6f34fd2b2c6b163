"""What to do with each proposal, given the bot's pull requests and its branches: pure decisions.

:func:`plan_effects` compares this run's proposals with what the forge holds (found by marker)
and what git says about each branch, and returns effects for the edges to carry out, in order.
The rules, per proposal key:

1. **An open pull request** is updated in place, never duplicated, on the branch it really
   uses (after a change of ``branch_prefix``, its old branch). If its branch is not the bot's
   any more, it is left alone: a commit on it that the bot did not both author and commit,
   or a head other than the one the bot recorded in the marker (``head``, or
   ``previous_head`` while a rebuild's push is pending). Its branch is rebuilt (one fresh bot
   commit on the current base, force-pushed with a lease on the bot's own head) only when the
   evidence changed materially (:mod:`autotune_bot.gitops.evidence_key`: a different evidence
   key, or the headline figure moved by ``MATERIAL_STEP`` points from the one in the marker)
   or the base moved under one of the proposal's files (a likely conflict; with no list of
   changed files, any base move with different content). A rebuild edits the pull request
   first, recording the new head and the old one, then pushes: whichever of the two fails,
   the branch's head is one the marker names, and the next run carries on. Otherwise nothing
   is pushed and the pull request is not edited, so reruns are quiet (unless it carries a
   superseded notice, which then goes). When the forge holds several open pull requests for
   one key (a create that landed twice), the oldest is kept and the others reported.
2. **A merged pull request** (and no open one): while post-merge monitoring still watches
   the key's newest merged pull request (``held``), the key is skipped ("monitoring"); once
   that one is confirmed or regressed, a new proposal of the key may open like any other
   (its old branch, bot-only and merged, is rebuilt with a lease), unless it has the
   evidence of the merged one ("merged"). A proposal whose change (the marker's ``change``
   digest) was merged before and then regressed or was reverted is skipped ("reverted").
   Without monitoring information (``held`` None) a merged key is skipped as before.
   Revert proposals (marker ``kind`` "revert") are the monitor's: ignored here (never
   "stale", not counted in the caps).
3. **A pull request closed without merge** with the same evidence: skipped, remembered as a
   "no" until the evidence changes materially.
4. **A new pull request**: never on a branch a person pushed to; within the caps (at most
   ``max_open`` open at once, counting those already open, and ``max_per_run`` opened by this
   run; a skip names the cap). A branch left by a create that failed after its push (no pull
   request records it; every commit on it the bot's own) is reused: pushed again only if its
   content differs, then the pull request is opened with its head recorded.
5. **Open pull requests of keys not proposed in this run** are left open. When the run has a
   definite reason for not proposing the change (its A/B test failed, or the search finds the
   current configuration best), the body gets a notice at its top saying so, once per reason.

A branch checked out in a worktree (local forge) is never moved: a proposal that would need
to move it is skipped. Proposals are considered in the order given (``build_proposals`` puts
the most worthwhile first, so they get the capped slots); the forge's list order does not
matter.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

from autotune_bot.gitops.body_stamps import (
    notice_reason,
    restamp,
    same_notice,
    superseded_proposal,
)
from autotune_bot.gitops.evidence_key import improvement_moved
from autotune_bot.gitops.types import BranchFacts, ForgeProposal, Proposal

__all__ = [
    "NO_BRANCH",
    "Effect",
    "OpenProposal",
    "PushBranch",
    "Skip",
    "SkipCode",
    "SupersedeProposal",
    "UpdateProposal",
    "needs_rebuild",
    "plan_effects",
    "recorded_heads",
]

SkipCode = Literal[
    "unchanged",  # open and up to date: nothing material changed
    "closed",  # closed without merge; same evidence
    "merged",
    "foreign_commits",  # a person pushed to the branch
    "checked_out",  # the branch is checked out in a worktree (local forge)
    "max_open",
    "max_per_run",
    "duplicate",  # a second open pull request of the same key
    "stale",  # open, but not proposed by this run
    "monitoring",  # the key's newest merged change is still watched after its merge
    "reverted",  # this very change was merged before and regressed (or was reverted)
]

NO_BRANCH = BranchFacts(
    exists=False,
    head_sha=None,
    foreign_commits=0,
    up_to_date_with_base=False,
    content_matches=False,
)


@dataclass(frozen=True)
class PushBranch:
    """Commit the proposal's files as one bot commit on the base and push its branch.
    ``force_with_lease``: the head the branch must still have (a rebuild of a bot-only branch);
    None: the branch is created (a plain push, which fails if it appeared meanwhile)."""

    proposal: Proposal
    force_with_lease: str | None


@dataclass(frozen=True)
class OpenProposal:
    proposal: Proposal


@dataclass(frozen=True)
class UpdateProposal:
    """Edit the open pull request in place (title, body, labels) to match the proposal."""

    existing: ForgeProposal
    proposal: Proposal


@dataclass(frozen=True)
class SupersedeProposal(UpdateProposal):
    """An update of an open pull request whose change the run no longer proposes: its
    ``proposal`` is the pull request as it is (title, branch, marker) under a notice at the top
    of the body giving ``reason``."""

    reason: str


@dataclass(frozen=True)
class Skip:
    key: str
    code: SkipCode
    reason: str
    ref: str | None = None  # the pull request concerned, if any


Effect = PushBranch | OpenProposal | UpdateProposal | Skip


def needs_rebuild(facts: BranchFacts, proposal: Proposal) -> bool:
    """Whether the base moved under the branch where it can conflict with the proposal."""
    if facts.up_to_date_with_base:
        return False
    if facts.base_changed_files is None:
        return not facts.content_matches
    return any(path in facts.base_changed_files for path in proposal.files)


def recorded_heads(meta: Mapping[str, Any]) -> frozenset[str]:
    """The branch heads a marker records as the bot's: ``head`` and ``previous_head``."""
    found = (meta.get("head"), meta.get("previous_head"))
    return frozenset(h for h in found if isinstance(h, str) and h)


def _ref_order(p: ForgeProposal) -> tuple[int, int, str]:
    return (0, int(p.ref), p.ref) if p.ref.isdigit() else (1, 0, p.ref)


def _short(sha: str | None) -> str:
    return (sha or "?")[:12]


def _not_the_bots(
    key: str, branch: str, found: BranchFacts, record: ForgeProposal | None
) -> Skip | None:
    """The skip for a branch the bot no longer owns (None: it is the bot's, or absent)."""
    ref = record.ref if record is not None else None
    if not found.exists:
        return None
    if found.foreign_commits > 0:
        reason = f"a person pushed to {branch}; autotune no longer touches this branch"
        return Skip(key, "foreign_commits", reason, ref)
    heads = recorded_heads(record.metadata) if record is not None else frozenset()
    if heads and found.head_sha not in heads:
        reason = (
            f"{branch} is at {_short(found.head_sha)}, not at the commit autotune last pushed "
            f"({', '.join(sorted(_short(h) for h in heads))}); autotune no longer touches "
            "this branch"
        )
        return Skip(key, "foreign_commits", reason, ref)
    return None


def _checked_out(key: str, branch: str, found: BranchFacts, ref: str | None) -> Skip:
    reason = (
        f"{branch} is checked out in the worktree {found.checked_out_in}; autotune does not "
        "move a checked-out branch"
    )
    return Skip(key, "checked_out", reason, ref)


def _same_evidence(pr: ForgeProposal, proposal: Proposal) -> bool:
    return pr.evidence_key == proposal.evidence_key and not improvement_moved(
        pr.metadata, proposal.metadata
    )


def _with_head(proposal: Proposal, head: str | None, previous: str | None = None) -> Proposal:
    if head is None:
        return proposal
    return restamp(proposal, head=head, previous_head=previous)


def _update(
    proposal: Proposal,
    existing: ForgeProposal,
    facts: Mapping[str, BranchFacts],
    commits: Mapping[str, str],
) -> list[Effect]:
    branch = existing.branch
    if proposal.branch != branch:  # e.g. the branch prefix changed since
        proposal = restamp(proposal, branch=branch)
    found = facts.get(branch, NO_BRANCH)
    foreign = _not_the_bots(proposal.key, branch, found, existing)
    if foreign is not None:
        return [foreign]
    new_head = commits.get(proposal.key)
    if not found.exists:
        stamped = _with_head(proposal, new_head)
        return [UpdateProposal(existing, stamped), PushBranch(stamped, None)]
    changed = not _same_evidence(existing, proposal)
    if not changed and (found.content_matches or not needs_rebuild(found, proposal)):
        if notice_reason(existing.body) is None:
            reason = (
                "open and up to date"
                if found.content_matches
                else "open; the evidence has not changed materially and the base did not "
                "move under it"
            )
            return [Skip(proposal.key, "unchanged", reason, existing.ref)]
        # proposed again after a superseded notice: the notice goes, nothing is pushed
        return [UpdateProposal(existing, _with_head(proposal, found.head_sha))]
    if found.content_matches:
        return [UpdateProposal(existing, _with_head(proposal, found.head_sha))]
    if found.checked_out_in is not None:
        return [_checked_out(proposal.key, branch, found, existing.ref)]
    stamped = _with_head(proposal, new_head, found.head_sha)
    return [UpdateProposal(existing, stamped), PushBranch(stamped, found.head_sha)]


def _stale(
    key: str,
    pr: ForgeProposal,
    facts: Mapping[str, BranchFacts],
    withdrawn: Mapping[str, str],
    now: datetime | None,
) -> Effect:
    left = "open, but this run proposes no change for this target; left open"
    why = withdrawn.get(key)
    if why is None:
        return Skip(key, "stale", left, pr.ref)
    foreign = _not_the_bots(key, pr.branch, facts.get(pr.branch, NO_BRANCH), pr)
    if foreign is not None:
        return foreign
    if same_notice(pr.body, why):
        return Skip(key, "stale", f"{left}; already marked superseded: {why}", pr.ref)
    updated = superseded_proposal(pr, why, now)
    if updated is None:
        return Skip(key, "stale", f"{left}; a superseded notice would not fit: {why}", pr.ref)
    return SupersedeProposal(pr, updated, why)


def _after_merge(
    proposal: Proposal,
    merged: Sequence[ForgeProposal],
    held: Mapping[str, str] | None,
    regressed_changes: Collection[str],
) -> Skip | None:
    """The skip of a proposal whose key or change was merged before (None: it may go on)."""
    last = merged[-1] if merged else None
    ref = last.ref if last is not None else None
    change = proposal.metadata.get("change")
    if isinstance(change, str) and change in regressed_changes:
        reason = "this change was merged before and regressed (or was reverted); not proposed again"
        return Skip(proposal.key, "reverted", reason, ref)
    if last is None:
        return None
    if held is None:
        reason = (
            "already merged"
            if _same_evidence(last, proposal)
            else "merged; the next proposal for this target waits for post-merge monitoring"
        )
        return Skip(proposal.key, "merged", reason, ref)
    if proposal.key in held:
        return Skip(proposal.key, "monitoring", held[proposal.key], ref)
    if _same_evidence(last, proposal):
        return Skip(proposal.key, "merged", "already merged", ref)
    return None


def plan_effects(
    proposals: Sequence[Proposal],
    existing: Sequence[ForgeProposal],
    facts: Mapping[str, BranchFacts],
    *,
    max_open: int,
    max_per_run: int,
    commits: Mapping[str, str] | None = None,
    withdrawn: Mapping[str, str] | None = None,
    now: datetime | None = None,
    held: Mapping[str, str] | None = None,
    regressed_changes: Collection[str] = frozenset(),
) -> list[Effect]:
    """The effects that bring the forge in line with ``proposals`` (rules: module docstring).

    ``facts`` by branch name (a branch missing from it does not exist); ``commits``: by
    proposal key, the commit a push of the proposal makes (recorded in the marker as the
    branch's head; without one, only heads read from git are recorded); ``withdrawn``: by
    key, the definite reason this run does not propose a target (a superseded notice for its
    open pull request); ``now`` dates that notice. ValueError when two proposals share a key.
    ``held``: by key, why post-merge monitoring holds new proposals back (None: no
    monitoring information); ``regressed_changes``: change digests that regressed.
    """
    keys = [p.key for p in proposals]
    if len(set(keys)) != len(keys):
        raise ValueError("two proposals with the same key")
    commits = commits or {}
    existing = [pr for pr in existing if pr.kind == "proposal"]
    by_key: dict[str, list[ForgeProposal]] = {}
    for pr in sorted(existing, key=_ref_order):
        by_key.setdefault(pr.key, []).append(pr)
    open_now = sum(1 for pr in existing if pr.state == "open")
    opened = 0
    effects: list[Effect] = []
    for proposal in proposals:
        prs = by_key.get(proposal.key, [])
        opens = [pr for pr in prs if pr.state == "open"]
        if opens:
            keep = opens[0]
            effects += [
                Skip(proposal.key, "duplicate", f"duplicate of #{keep.ref}; left as is", pr.ref)
                for pr in opens[1:]
            ]
            effects += _update(proposal, keep, facts, commits)
            continue
        merged = [pr for pr in prs if pr.state == "merged"]
        skip = _after_merge(proposal, merged, held, regressed_changes)
        if skip is not None:
            effects.append(skip)
            continue
        rejected = [pr for pr in prs if pr.state == "closed" and _same_evidence(pr, proposal)]
        if rejected:
            reason = "closed without merge; ignored until the evidence changes"
            effects.append(Skip(proposal.key, "closed", reason, rejected[-1].ref))
            continue
        found = facts.get(proposal.branch, NO_BRANCH)
        foreign = _not_the_bots(proposal.key, proposal.branch, found, None)
        if foreign is not None:
            effects.append(foreign)
            continue
        push = not found.exists or not found.content_matches
        if push and found.checked_out_in is not None:
            effects.append(_checked_out(proposal.key, proposal.branch, found, None))
            continue
        if open_now >= max_open:
            reason = f"{open_now} autotune pull requests are open (max_open {max_open})"
            effects.append(Skip(proposal.key, "max_open", reason))
            continue
        if opened >= max_per_run:
            reason = f"{opened} pull request(s) opened in this run (max_per_run {max_per_run})"
            effects.append(Skip(proposal.key, "max_per_run", reason))
            continue
        if push:
            stamped = _with_head(proposal, commits.get(proposal.key))
            effects.append(PushBranch(stamped, found.head_sha if found.exists else None))
        else:
            stamped = _with_head(proposal, found.head_sha)
        effects.append(OpenProposal(stamped))
        open_now += 1
        opened += 1
    proposed = set(keys)
    for key in sorted(set(by_key) - proposed):
        effects += [
            _stale(key, pr, facts, withdrawn or {}, now) for pr in by_key[key] if pr.state == "open"
        ]
    return effects
