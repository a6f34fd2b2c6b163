"""What to do with each proposal, given the bot's pull requests and its branches: pure decisions.

:func:`plan_effects` compares this run's proposals with what the forge holds (found by marker)
and what git says about each branch, and returns effects for the edges to carry out, in order.
The rules, per proposal key:

1. **An open pull request** is updated in place, never duplicated. If a person pushed to its
   branch, it is left alone. Its branch is rebuilt (one fresh bot commit on the current base,
   force-pushed with a lease on the bot's own head) only when the evidence changed materially
   (a different evidence key) or the base moved under one of the proposal's files (a likely
   conflict; with no list of changed files, any base move with different content). Otherwise
   nothing is pushed and the pull request is not edited, so reruns are quiet. When the forge
   holds several open pull requests for one key (a create that landed twice), the oldest is
   kept and the others reported.
2. **A merged pull request** (and no open one): skipped; what happens after a merge is the
   post-merge monitoring's business.
3. **A pull request closed without merge** with the same evidence key: skipped, remembered as a
   "no" until the evidence changes materially; a different evidence key may be proposed again.
4. **A new pull request**: never on a branch a person pushed to; within the caps (at most
   ``max_open`` open at once, counting those already open, and ``max_per_run`` opened by this
   run; a skip names the cap). A branch left by a create that failed after its push is reused:
   pushed again only if its content differs, then the pull request is opened.

Proposals are considered in the order given (``build_proposals`` puts the most worthwhile
first, so they get the capped slots); the forge's list order does not matter. Open pull
requests of keys not proposed in this run are reported as stale and left open.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

from autotune_bot.gitops.types import BranchFacts, ForgeProposal, Proposal

__all__ = [
    "NO_BRANCH",
    "Effect",
    "OpenProposal",
    "PushBranch",
    "Skip",
    "SkipCode",
    "UpdateProposal",
    "needs_rebuild",
    "plan_effects",
]

SkipCode = Literal[
    "unchanged",  # open and up to date: nothing material changed
    "closed",  # closed without merge; same evidence
    "merged",
    "foreign_commits",  # a person pushed to the branch
    "max_open",
    "max_per_run",
    "duplicate",  # a second open pull request of the same key
    "stale",  # open, but not proposed by this run
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


def _ref_order(p: ForgeProposal) -> tuple[int, int, str]:
    return (0, int(p.ref), p.ref) if p.ref.isdigit() else (1, 0, p.ref)


def _foreign(key: str, branch: str, ref: str | None) -> Skip:
    return Skip(
        key,
        "foreign_commits",
        f"a person pushed to {branch}; autotune no longer touches this branch",
        ref,
    )


def _update(
    proposal: Proposal, existing: ForgeProposal, facts: Mapping[str, BranchFacts]
) -> list[Effect]:
    if proposal.branch != existing.branch:  # e.g. the branch prefix changed since
        proposal = dataclasses.replace(proposal, branch=existing.branch)
    found = facts.get(existing.branch, NO_BRANCH)
    if found.exists and found.foreign_commits > 0:
        return [_foreign(proposal.key, existing.branch, existing.ref)]
    if not found.exists:
        return [PushBranch(proposal, None), UpdateProposal(existing, proposal)]
    changed = existing.evidence_key != proposal.evidence_key
    if found.content_matches and not changed:
        return [Skip(proposal.key, "unchanged", "open and up to date", existing.ref)]
    if not changed and not needs_rebuild(found, proposal):
        reason = "open; the evidence has not changed materially and the base did not move under it"
        return [Skip(proposal.key, "unchanged", reason, existing.ref)]
    effects: list[Effect] = []
    if not found.content_matches:
        effects.append(PushBranch(proposal, found.head_sha))
    effects.append(UpdateProposal(existing, proposal))
    return effects


def plan_effects(
    proposals: Sequence[Proposal],
    existing: Sequence[ForgeProposal],
    facts: Mapping[str, BranchFacts],
    *,
    max_open: int,
    max_per_run: int,
) -> list[Effect]:
    """The effects that bring the forge in line with ``proposals`` (rules: module docstring).
    ``facts`` by branch name; a branch missing from it does not exist. ValueError when two
    proposals share a key."""
    keys = [p.key for p in proposals]
    if len(set(keys)) != len(keys):
        raise ValueError("two proposals with the same key")
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
            effects += _update(proposal, keep, facts)
            continue
        merged = [pr for pr in prs if pr.state == "merged"]
        if merged:
            last = merged[-1]
            reason = (
                "already merged"
                if last.evidence_key == proposal.evidence_key
                else "merged; the next proposal for this target waits for post-merge monitoring"
            )
            effects.append(Skip(proposal.key, "merged", reason, last.ref))
            continue
        rejected = [
            pr for pr in prs if pr.state == "closed" and pr.evidence_key == proposal.evidence_key
        ]
        if rejected:
            reason = "closed without merge; ignored until the evidence changes"
            effects.append(Skip(proposal.key, "closed", reason, rejected[-1].ref))
            continue
        found = facts.get(proposal.branch, NO_BRANCH)
        if found.exists and found.foreign_commits > 0:
            effects.append(_foreign(proposal.key, proposal.branch, None))
            continue
        if open_now >= max_open:
            reason = f"{open_now} autotune pull requests are open (max_open {max_open})"
            effects.append(Skip(proposal.key, "max_open", reason))
            continue
        if opened >= max_per_run:
            reason = f"{opened} pull request(s) opened in this run (max_per_run {max_per_run})"
            effects.append(Skip(proposal.key, "max_per_run", reason))
            continue
        if not found.exists:
            effects.append(PushBranch(proposal, None))
        elif not found.content_matches:
            effects.append(PushBranch(proposal, found.head_sha))
        effects.append(OpenProposal(proposal))
        open_now += 1
        opened += 1
    proposed = set(keys)
    for key in sorted(set(by_key) - proposed):
        for pr in by_key[key]:
            if pr.state == "open":
                reason = "open, but this run proposes no change for this target; left open"
                effects.append(Skip(key, "stale", reason, pr.ref))
    return effects
