"""The lifecycle after a merge, with post-merge monitoring: a key waits while its merged change
is watched, opens again once that change is judged, never re-proposes a change that
regressed, and ignores the monitor's revert proposals."""

from __future__ import annotations

import dataclasses

from autotune_bot.gitops.lifecycle import OpenProposal, PushBranch, Skip, plan_effects
from autotune_bot.gitops.proposals import change_digest
from autotune_bot.gitops.types import ForgeProposal, Proposal
from tests.gitops.test_lifecycle import facts, pr, proposal

KEY = "code_review/review_team"
BRANCH = f"autotune/{KEY}"


def _with_change(p: Proposal, change: str) -> Proposal:
    return dataclasses.replace(p, metadata={**p.metadata, "change": change})


def _plan(
    proposals: list[Proposal],
    existing: list[ForgeProposal],
    *,
    held: dict[str, str] | None,
    regressed: frozenset[str] = frozenset(),
    max_open: int = 5,
    branch_head: str | None = "merged-head",
) -> list[object]:
    found = {BRANCH: facts(head=branch_head, up_to_date=False)} if branch_head else {}
    return list(
        plan_effects(
            proposals,
            existing,
            found,
            max_open=max_open,
            max_per_run=2,
            held=held,
            regressed_changes=regressed,
        )
    )


def test_a_key_waits_while_its_merged_change_is_watched() -> None:
    merged = [pr("4", state="merged", evidence="ev1")]
    effects = _plan([proposal(evidence="ev2")], merged, held={KEY: "merged 4 is being watched"})
    assert effects == [Skip(KEY, "monitoring", "merged 4 is being watched", "4")]


def test_once_judged_a_new_proposal_rebuilds_the_merged_branch_with_a_lease() -> None:
    merged = [pr("4", state="merged", evidence="ev1")]
    effects = _plan([proposal(evidence="ev2")], merged, held={})
    assert [type(e) for e in effects] == [PushBranch, OpenProposal]
    push = effects[0]
    assert isinstance(push, PushBranch)
    assert push.force_with_lease == "merged-head"
    # the same evidence as the merged one is not proposed again
    (same,) = _plan([proposal(evidence="ev1")], merged, held={})
    assert isinstance(same, Skip)
    assert same.code == "merged"


def test_a_change_that_regressed_is_not_proposed_again() -> None:
    change = change_digest("--- a\n+++ b\n@@ -1 +1 @@\n-x: 1\n+x: 2\n")
    p = _with_change(proposal(evidence="ev9"), change)
    (skip,) = _plan([p], [], held={}, regressed=frozenset({change}), branch_head=None)
    assert isinstance(skip, Skip)
    assert skip.code == "reverted"
    other = _with_change(
        proposal(evidence="ev9"), change_digest("--- a\n+++ b\n@@ -1 +1 @@\n-x: 1\n+x: 3\n")
    )
    opened = _plan([other], [], held={}, regressed=frozenset({change}), branch_head=None)
    assert any(isinstance(e, OpenProposal) for e in opened)


def test_without_monitoring_information_a_merged_key_is_skipped_as_before() -> None:
    merged = [pr("4", state="merged", evidence="ev1")]
    (skip,) = _plan([proposal(evidence="ev2")], merged, held=None)
    assert isinstance(skip, Skip)
    assert skip.code == "merged"


def test_revert_proposals_are_neither_stale_nor_counted_in_the_caps() -> None:
    revert = pr("9", state="open", key=f"revert/{KEY}", branch="autotune/revert/4", kind="revert")
    assert revert.kind == "revert"
    effects = _plan([proposal(key="wf/other")], [revert], held={}, max_open=1, branch_head=None)
    assert [type(e) for e in effects] == [PushBranch, OpenProposal]
    assert not any(isinstance(e, Skip) and e.ref == "9" for e in effects)


def test_change_digest_is_the_change_itself() -> None:
    one = "--- a/w.yaml\n+++ b/w.yaml\n@@ -3 +3 @@\n-  f: seq\n+  f: par\n"
    moved = "--- a/w.yaml\n+++ b/w.yaml\n@@ -9 +9 @@\n-  f: seq\n+  f: par\n"
    other = "--- a/w.yaml\n+++ b/w.yaml\n@@ -3 +3 @@\n-  f: seq\n+  f: tree\n"
    assert change_digest(one) == change_digest(moved)
    assert change_digest(one) != change_digest(other)
