"""The proposal lifecycle decisions, rule by rule, and properties over random forge states."""

from __future__ import annotations

import itertools

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from autotune_bot.gitops.lifecycle import (
    NO_BRANCH,
    Effect,
    OpenProposal,
    PushBranch,
    Skip,
    UpdateProposal,
    plan_effects,
)
from autotune_bot.gitops.types import BranchFacts, ForgeProposal, Proposal, ProposalState

WF = "workflows/code_review.yaml"
HISTORY = ".autotune/history.jsonl"


def proposal(key: str = "code_review/review_team", evidence: str = "ev1") -> Proposal:
    return Proposal(
        key=key,
        branch=f"autotune/{key}",
        files={WF: f"new text of {key}\n", HISTORY: "entry\n"},
        diff="--- a\n+++ b\n",
        title=f"autotune: {key}",
        body=f"body of {key}",
        evidence_key=evidence,
        validation_status="not_validated",
    )


def pr(
    ref: str,
    state: ProposalState = "open",
    key: str = "code_review/review_team",
    evidence: str = "ev1",
    branch: str | None = None,
) -> ForgeProposal:
    return ForgeProposal(
        ref=ref,
        key=key,
        branch=branch or f"autotune/{key}",
        state=state,
        evidence_key=evidence,
        body="old body",
        title="old title",
        head_sha=f"sha-{ref}",
    )


def facts(
    *,
    head: str = "head1",
    foreign: int = 0,
    up_to_date: bool = True,
    matches: bool = False,
    base_changed: frozenset[str] | None = None,
) -> BranchFacts:
    return BranchFacts(
        exists=True,
        head_sha=head,
        foreign_commits=foreign,
        up_to_date_with_base=up_to_date,
        content_matches=matches,
        base_changed_files=base_changed,
    )


def run(
    proposals: list[Proposal],
    existing: list[ForgeProposal] = (),  # type: ignore[assignment]
    branches: dict[str, BranchFacts] | None = None,
    *,
    max_open: int = 5,
    max_per_run: int = 2,
) -> list[Effect]:
    return plan_effects(
        proposals, list(existing), branches or {}, max_open=max_open, max_per_run=max_per_run
    )


P = proposal()
BRANCH = P.branch


# --- new proposals -------------------------------------------------------------------------


def test_a_new_proposal_pushes_a_new_branch_then_opens() -> None:
    assert run([P]) == [PushBranch(P, None), OpenProposal(P)]
    assert run([P], branches={BRANCH: NO_BRANCH}) == [PushBranch(P, None), OpenProposal(P)]


def test_a_branch_left_by_a_failed_create_is_reused() -> None:
    # pushed, then the pull request create failed: no PR, branch with only bot commits
    same = run([P], branches={BRANCH: facts(matches=True)})
    assert same == [OpenProposal(P)]
    differs = run([P], branches={BRANCH: facts(head="abc", matches=False)})
    assert differs == [PushBranch(P, "abc"), OpenProposal(P)]


def test_a_branch_a_person_created_or_pushed_to_is_never_touched() -> None:
    (skip,) = run([P], branches={BRANCH: facts(foreign=2)})
    assert isinstance(skip, Skip)
    assert skip.code == "foreign_commits"
    assert "a person pushed" in skip.reason


# --- open pull requests --------------------------------------------------------------------


def test_open_and_nothing_material_changed_is_left_alone() -> None:
    existing = [pr("7")]
    for branch in (facts(matches=True), facts(matches=False), facts(up_to_date=True)):
        (skip,) = run([P], existing, {BRANCH: branch})
        assert isinstance(skip, Skip)
        assert (skip.code, skip.ref) == ("unchanged", "7")


def test_open_with_changed_evidence_is_rebuilt_in_place_with_a_lease() -> None:
    changed = proposal(evidence="ev2")
    existing = [pr("7", evidence="ev1")]
    effects = run([changed], existing, {BRANCH: facts(head="h7")})
    assert effects == [PushBranch(changed, "h7"), UpdateProposal(existing[0], changed)]
    assert not any(isinstance(e, OpenProposal) for e in effects)


def test_changed_evidence_with_identical_files_only_edits_the_pull_request() -> None:
    changed = proposal(evidence="ev2")
    existing = [pr("7")]
    assert run([changed], existing, {BRANCH: facts(matches=True)}) == [
        UpdateProposal(existing[0], changed)
    ]


def test_base_moved_under_the_proposals_files_rebuilds() -> None:
    existing = [pr("7")]
    touched = facts(head="h", up_to_date=False, base_changed=frozenset({HISTORY, "README.md"}))
    assert run([P], existing, {BRANCH: touched}) == [
        PushBranch(P, "h"),
        UpdateProposal(existing[0], P),
    ]


def test_base_moved_under_the_files_but_content_already_matches() -> None:
    rebuilt = facts(up_to_date=False, matches=True, base_changed=frozenset({WF}))
    (skip,) = run([P], [pr("7")], {BRANCH: rebuilt})
    assert isinstance(skip, Skip)
    assert skip.code == "unchanged"


def test_base_moved_elsewhere_does_not_rebuild() -> None:
    elsewhere = facts(up_to_date=False, base_changed=frozenset({"README.md"}))
    (skip,) = run([P], [pr("7")], {BRANCH: elsewhere})
    assert isinstance(skip, Skip)
    assert skip.code == "unchanged"


def test_base_moved_without_a_file_list_rebuilds_only_when_content_differs() -> None:
    existing = [pr("7")]
    differs = facts(head="h", up_to_date=False, matches=False, base_changed=None)
    assert run([P], existing, {BRANCH: differs}) == [
        PushBranch(P, "h"),
        UpdateProposal(existing[0], P),
    ]
    same = facts(up_to_date=False, matches=True, base_changed=None)
    (skip,) = run([P], existing, {BRANCH: same})
    assert isinstance(skip, Skip)
    assert skip.code == "unchanged"


@pytest.mark.parametrize("evidence", ["ev1", "ev2"])
def test_open_with_a_human_commit_is_left_alone_whatever_changed(evidence: str) -> None:
    human = facts(foreign=1, up_to_date=False, base_changed=frozenset({WF}))
    (skip,) = run([proposal(evidence=evidence)], [pr("7")], {BRANCH: human})
    assert isinstance(skip, Skip)
    assert (skip.code, skip.ref) == ("foreign_commits", "7")


def test_open_whose_branch_vanished_is_pushed_again_and_updated() -> None:
    existing = [pr("7")]
    assert run([P], existing, {}) == [PushBranch(P, None), UpdateProposal(existing[0], P)]


def test_an_open_pull_request_keeps_its_own_branch() -> None:
    old_branch = "bots/code_review/review_team"  # the prefix changed in the settings since
    existing = [pr("7", branch=old_branch)]
    changed = proposal(evidence="ev2")
    effects = run([changed], existing, {old_branch: facts(head="h")})
    push, update = effects
    assert isinstance(push, PushBranch)
    assert push.proposal.branch == old_branch
    assert push.force_with_lease == "h"
    assert isinstance(update, UpdateProposal)
    assert update.proposal.branch == old_branch
    assert update.proposal.files == changed.files


def test_duplicate_open_pull_requests_keep_the_oldest() -> None:
    existing = [pr("12", evidence="old"), pr("9", evidence="old")]  # "12" < "9" as text
    changed = proposal(evidence="ev2")
    effects = run([changed], existing, {BRANCH: facts(head="h")})
    assert effects == [
        Skip(changed.key, "duplicate", "duplicate of #9; left as is", "12"),
        PushBranch(changed, "h"),
        UpdateProposal(existing[1], changed),
    ]


# --- closed and merged ---------------------------------------------------------------------


def test_closed_without_merge_is_ignored_until_the_evidence_changes() -> None:
    closed = [pr("3", state="closed", evidence="ev1")]
    (skip,) = run([P], closed, {BRANCH: facts()})
    assert isinstance(skip, Skip)
    assert (skip.code, skip.ref) == ("closed", "3")
    assert skip.reason == "closed without merge; ignored until the evidence changes"
    changed = proposal(evidence="ev2")
    assert run([changed], closed, {BRANCH: facts(head="old-head")}) == [
        PushBranch(changed, "old-head"),
        OpenProposal(changed),
    ]
    assert run([changed], closed, {}) == [PushBranch(changed, None), OpenProposal(changed)]


def test_every_closed_evidence_is_remembered() -> None:
    closed = [pr("3", "closed", evidence="ev1"), pr("5", "closed", evidence="ev2")]
    for evidence, ref in (("ev1", "3"), ("ev2", "5")):
        (skip,) = run([proposal(evidence=evidence)], closed)
        assert isinstance(skip, Skip)
        assert (skip.code, skip.ref) == ("closed", ref)
    assert isinstance(run([proposal(evidence="ev3")], closed)[-1], OpenProposal)


def test_closed_with_new_evidence_still_respects_human_commits() -> None:
    closed = [pr("3", state="closed", evidence="ev1")]
    (skip,) = run([proposal(evidence="ev2")], closed, {BRANCH: facts(foreign=1)})
    assert isinstance(skip, Skip)
    assert skip.code == "foreign_commits"


@pytest.mark.parametrize(("evidence", "says"), [("ev1", "already merged"), ("ev2", "monitoring")])
def test_merged_is_skipped(evidence: str, says: str) -> None:
    merged = [pr("4", state="merged", evidence="ev1")]
    (skip,) = run([proposal(evidence=evidence)], merged)
    assert isinstance(skip, Skip)
    assert (skip.code, skip.ref) == ("merged", "4")
    assert says in skip.reason


def test_an_open_pull_request_takes_precedence_over_closed_and_merged() -> None:
    existing = [pr("1", "merged"), pr("2", "closed"), pr("3", "open", evidence="old")]
    effects = run([P], existing, {BRANCH: facts(head="h")})
    assert effects == [PushBranch(P, "h"), UpdateProposal(existing[2], P)]


# --- caps, stale, order --------------------------------------------------------------------


def test_max_open_counts_the_pull_requests_already_open() -> None:
    others = [pr(str(k), key=f"other/{k}") for k in (1, 2)]
    a, b = proposal("w/a"), proposal("w/b")
    effects = run([a, b], others, max_open=3, max_per_run=5)
    assert effects[:2] == [PushBranch(a, None), OpenProposal(a)]
    (skip,) = effects[2:-2]
    assert isinstance(skip, Skip)
    assert skip.code == "max_open"
    assert skip.key == "w/b"
    assert "max_open 3" in skip.reason
    assert [e.code for e in effects[-2:] if isinstance(e, Skip)] == ["stale", "stale"]


def test_max_per_run_caps_new_pull_requests_but_not_updates() -> None:
    a, b, c = proposal("w/a"), proposal("w/b"), proposal("w/c", evidence="new")
    existing = [pr("1", key="w/c", evidence="old")]
    effects = run([c, a, b], existing, {c.branch: facts(head="h")}, max_per_run=1)
    assert effects == [
        PushBranch(c, "h"),
        UpdateProposal(existing[0], c),
        PushBranch(a, None),
        OpenProposal(a),
        Skip("w/b", "max_per_run", "1 pull request(s) opened in this run (max_per_run 1)"),
    ]


def test_capped_proposals_push_nothing() -> None:
    effects = run([proposal("w/a"), proposal("w/b")], max_per_run=1)
    pushed = [e.proposal.key for e in effects if isinstance(e, PushBranch)]
    assert pushed == ["w/a"]


def test_open_pull_requests_not_proposed_again_are_reported_stale() -> None:
    existing = [pr("8", key="gone/x"), pr("9", "closed", key="gone/y")]
    effects = run([], existing)
    assert effects == [
        Skip(
            "gone/x",
            "stale",
            "open, but this run proposes no change for this target; left open",
            "8",
        )
    ]


def test_the_forge_list_order_does_not_matter() -> None:
    props = [proposal("w/a", "e2"), proposal("w/b"), proposal("w/c")]
    existing = [
        pr("5", key="w/a", evidence="e1"),
        pr("3", "closed", key="w/b", evidence="ev1"),
        pr("11", key="w/a", evidence="e1"),
        pr("2", key="z/stale"),
    ]
    branches = {"autotune/w/a": facts(head="h")}
    first = run(props, existing, branches)
    for order in itertools.permutations(existing):
        assert run(props, list(order), branches) == first


def test_two_proposals_with_one_key_are_refused() -> None:
    with pytest.raises(ValueError, match="same key"):
        run([P, proposal(evidence="other")])


# --- properties over random states ---------------------------------------------------------

KEYS = [f"w/t{k}" for k in range(5)]
branch_facts = st.builds(
    BranchFacts,
    exists=st.booleans(),
    head_sha=st.sampled_from(["h1", "h2", None]),
    foreign_commits=st.integers(0, 2),
    up_to_date_with_base=st.booleans(),
    content_matches=st.booleans(),
    base_changed_files=st.none() | st.frozensets(st.sampled_from([WF, HISTORY, "x"])),
)
forge_prs = st.builds(
    pr,
    ref=st.integers(1, 40).map(str),
    state=st.sampled_from(["open", "closed", "merged"]),
    key=st.sampled_from(KEYS),
    evidence=st.sampled_from(["e1", "e2"]),
)


@settings(max_examples=300, deadline=None)
@given(
    keys=st.lists(st.sampled_from(KEYS), unique=True, max_size=5),
    evidence=st.lists(st.sampled_from(["e1", "e2"]), min_size=5, max_size=5),
    existing=st.lists(forge_prs, max_size=8, unique_by=lambda p: p.ref),
    states=st.dictionaries(st.sampled_from([f"autotune/{k}" for k in KEYS]), branch_facts),
    max_open=st.integers(1, 6),
    max_per_run=st.integers(1, 3),
)
def test_invariants(
    keys: list[str],
    evidence: list[str],
    existing: list[ForgeProposal],
    states: dict[str, BranchFacts],
    max_open: int,
    max_per_run: int,
) -> None:
    props = [proposal(k, e) for k, e in zip(keys, evidence, strict=False)]
    effects = plan_effects(props, existing, states, max_open=max_open, max_per_run=max_per_run)
    opened = [e.proposal.key for e in effects if isinstance(e, OpenProposal)]
    updated = [e.proposal.key for e in effects if isinstance(e, UpdateProposal)]
    already_open = sum(1 for p in existing if p.state == "open")
    # caps
    assert len(opened) <= max_per_run
    assert len(opened) == 0 or already_open + len(opened) <= max_open
    # no duplicates: never a second pull request for a key that has an open one
    assert len(set(opened)) == len(opened)
    open_keys = {p.key for p in existing if p.state == "open"}
    assert not set(opened) & open_keys
    assert not set(opened) & set(updated)
    for e in effects:
        if isinstance(e, PushBranch):
            found = states.get(e.proposal.branch, NO_BRANCH)
            # never a branch a person pushed to; a lease on the bot's own head when it exists
            assert not (found.exists and found.foreign_commits > 0)
            assert e.force_with_lease == (found.head_sha if found.exists else None)
        if isinstance(e, OpenProposal):
            # closed with this evidence, or merged: never reopened as a new proposal
            same_key = [p for p in existing if p.key == e.proposal.key]
            assert not any(p.state == "merged" for p in same_key)
            assert not any(
                p.state == "closed" and p.evidence_key == e.proposal.evidence_key for p in same_key
            )
    # every proposal is accounted for: opened, updated or skipped
    decided = set(opened) | set(updated) | {e.key for e in effects if isinstance(e, Skip)}
    assert set(keys) <= decided
    # pushes come right before the open or update of the same proposal
    for k, e in enumerate(effects):
        if isinstance(e, PushBranch):
            after = effects[k + 1]
            assert isinstance(after, OpenProposal | UpdateProposal)
            assert after.proposal == e.proposal
