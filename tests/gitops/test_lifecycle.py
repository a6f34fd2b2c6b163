"""The proposal lifecycle decisions, rule by rule, and properties over random forge states."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from autotune_bot.gitops.body_stamps import notice_reason, restamp
from autotune_bot.gitops.lifecycle import (
    NO_BRANCH,
    Effect,
    OpenProposal,
    PushBranch,
    Skip,
    SupersedeProposal,
    UpdateProposal,
    plan_effects,
    recorded_heads,
)
from autotune_bot.gitops.marker import parse_marker, render_marker
from autotune_bot.gitops.types import BranchFacts, ForgeProposal, Proposal, ProposalState

NOW = datetime(2026, 5, 6, 7, 8, tzinfo=UTC)
WF = "workflows/code_review.yaml"
HISTORY = ".autotune/history.jsonl"


def proposal(
    key: str = "code_review/review_team", evidence: str = "ev1", percent: float | None = None
) -> Proposal:
    meta: dict[str, Any] = {}
    if percent is not None:
        meta = {"improvement": {"metric": "duration", "percent": percent}}
    return Proposal(
        key=key,
        branch=f"autotune/{key}",
        files={WF: f"new text of {key}\n", HISTORY: "entry\n"},
        diff="--- a\n+++ b\n",
        title=f"autotune: {key}",
        body=f"body of {key}",
        evidence_key=evidence,
        validation_status="not_validated",
        metadata=meta,
    )


def pr(
    ref: str,
    state: ProposalState = "open",
    key: str = "code_review/review_team",
    evidence: str = "ev1",
    branch: str | None = None,
    **marker: Any,
) -> ForgeProposal:
    """A pull request of the bot; ``marker``: more fields of its marker (head, improvement)."""
    branch = branch or f"autotune/{key}"
    meta = {"version": 1, "key": key, "branch": branch, "evidence_key": evidence, **marker}
    return ForgeProposal(
        ref=ref,
        key=key,
        branch=branch,
        state=state,
        evidence_key=evidence,
        body=f"old body\n\n{render_marker(meta)}\n" if marker else "old body",
        title="old title",
        head_sha=f"sha-{ref}",
        metadata=meta if marker else {},
    )


def stamped(p: Proposal, head: str, previous: str | None = None) -> Proposal:
    """``p`` with the head (and previous head) the lifecycle records in its marker."""
    return restamp(p, head=head, previous_head=previous)


def facts(
    *,
    head: str = "head1",
    foreign: int = 0,
    up_to_date: bool = True,
    matches: bool = False,
    base_changed: frozenset[str] | None = None,
    checked_out: str | None = None,
) -> BranchFacts:
    return BranchFacts(
        exists=True,
        head_sha=head,
        foreign_commits=foreign,
        up_to_date_with_base=up_to_date,
        content_matches=matches,
        base_changed_files=base_changed,
        checked_out_in=checked_out,
    )


def run(
    proposals: list[Proposal],
    existing: list[ForgeProposal] = (),  # type: ignore[assignment]
    branches: dict[str, BranchFacts] | None = None,
    *,
    max_open: int = 5,
    max_per_run: int = 2,
    commits: dict[str, str] | None = None,
    withdrawn: dict[str, str] | None = None,
) -> list[Effect]:
    return plan_effects(
        proposals,
        list(existing),
        branches or {},
        max_open=max_open,
        max_per_run=max_per_run,
        commits=commits,
        withdrawn=withdrawn,
        now=NOW,
    )


P = proposal()
BRANCH = P.branch


# --- new proposals -------------------------------------------------------------------------


def test_a_new_proposal_pushes_a_new_branch_then_opens() -> None:
    assert run([P]) == [PushBranch(P, None), OpenProposal(P)]
    assert run([P], branches={BRANCH: NO_BRANCH}) == [PushBranch(P, None), OpenProposal(P)]


def test_a_new_proposal_records_the_commit_it_pushes_in_its_marker() -> None:
    push, opened = run([P], commits={P.key: "c0ffee"})
    assert push == PushBranch(stamped(P, "c0ffee"), None)
    assert opened == OpenProposal(stamped(P, "c0ffee"))
    meta = parse_marker(opened.proposal.body)
    assert meta is not None
    assert (meta["head"], meta["key"], meta["branch"]) == ("c0ffee", P.key, BRANCH)
    assert "previous_head" not in meta


def test_a_branch_left_by_a_failed_create_is_reused() -> None:
    # pushed, then the pull request create failed: no PR, branch with only bot commits
    same = run([P], branches={BRANCH: facts(head="abc", matches=True)}, commits={P.key: "new"})
    assert same == [OpenProposal(stamped(P, "abc"))]  # the head it already has
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
    # the pull request is edited first, then the branch moves (see the next test)
    assert effects == [UpdateProposal(existing[0], changed), PushBranch(changed, "h7")]
    assert not any(isinstance(e, OpenProposal) for e in effects)


def test_a_rebuild_records_the_new_head_and_the_old_one_before_it_pushes() -> None:
    changed = proposal(evidence="ev2")
    existing = [pr("7", evidence="ev1", head="h7")]
    update, push = run([changed], existing, {BRANCH: facts(head="h7")}, commits={P.key: "n1"})
    assert isinstance(update, UpdateProposal)
    meta = parse_marker(update.proposal.body)
    assert meta is not None
    assert (meta["head"], meta["previous_head"]) == ("n1", "h7")
    assert push == PushBranch(stamped(changed, "n1", "h7"), "h7")


def test_changed_evidence_with_identical_files_only_edits_the_pull_request() -> None:
    changed = proposal(evidence="ev2")
    existing = [pr("7")]
    assert run([changed], existing, {BRANCH: facts(head="h", matches=True)}) == [
        UpdateProposal(existing[0], stamped(changed, "h"))
    ]


def test_base_moved_under_the_proposals_files_rebuilds() -> None:
    existing = [pr("7")]
    touched = facts(head="h", up_to_date=False, base_changed=frozenset({HISTORY, "README.md"}))
    assert run([P], existing, {BRANCH: touched}) == [
        UpdateProposal(existing[0], P),
        PushBranch(P, "h"),
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
        UpdateProposal(existing[0], P),
        PushBranch(P, "h"),
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
    assert run([P], existing, {}) == [UpdateProposal(existing[0], P), PushBranch(P, None)]


def test_an_open_pull_request_keeps_its_own_branch() -> None:
    old_branch = "bots/code_review/review_team"  # the prefix changed in the settings since
    existing = [pr("7", branch=old_branch)]
    changed = proposal(evidence="ev2")
    effects = run([changed], existing, {old_branch: facts(head="h")})
    update, push = effects
    assert isinstance(push, PushBranch)
    assert push.proposal.branch == old_branch
    assert push.force_with_lease == "h"
    assert isinstance(update, UpdateProposal)
    assert update.proposal.branch == old_branch
    assert update.proposal.files == changed.files
    meta = parse_marker(update.proposal.body)  # the marker names the branch it really is on
    assert meta is not None
    assert meta["branch"] == old_branch


def test_an_open_pull_request_on_an_old_branch_unchanged_is_left_alone() -> None:
    old_branch = "bots/code_review/review_team"
    existing = [pr("7", branch=old_branch)]
    (skip,) = run([P], existing, {old_branch: facts(head="h", matches=True)})
    assert skip == Skip(P.key, "unchanged", "open and up to date", "7")
    # its branch unknown to git (not fetched, say): never a new pull request on the new one
    effects = run([P], existing, {})
    assert not any(isinstance(e, OpenProposal) for e in effects)
    assert all(e.proposal.branch == old_branch for e in effects if isinstance(e, PushBranch))


def test_duplicate_open_pull_requests_keep_the_oldest() -> None:
    existing = [pr("12", evidence="old"), pr("9", evidence="old")]  # "12" < "9" as text
    changed = proposal(evidence="ev2")
    effects = run([changed], existing, {BRANCH: facts(head="h")})
    assert effects == [
        Skip(changed.key, "duplicate", "duplicate of #9; left as is", "12"),
        UpdateProposal(existing[1], changed),
        PushBranch(changed, "h"),
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
    assert effects == [UpdateProposal(existing[2], P), PushBranch(P, "h")]


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
        UpdateProposal(existing[0], c),
        PushBranch(c, "h"),
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


# --- whose branch it is: recorded heads, committers ------------------------------------


def test_a_branch_whose_head_is_not_the_recorded_one_is_left_alone() -> None:
    # e.g. a person rewrote the bot's commit with the bot's own identity configured
    changed = proposal(evidence="ev2")
    existing = [pr("7", head="h-bot")]
    (skip,) = run([changed], existing, {BRANCH: facts(head="h-other")}, commits={P.key: "n"})
    assert isinstance(skip, Skip)
    assert (skip.code, skip.ref) == ("foreign_commits", "7")
    assert "not at the commit autotune last pushed (h-bot)" in skip.reason


def test_the_recorded_head_or_the_one_before_a_pending_push_is_the_bots() -> None:
    changed = proposal(evidence="ev2")
    # the last run edited the pull request (head n1, previous h0), then its push failed
    existing = [pr("7", head="n1", previous_head="h0")]
    for tip in ("n1", "h0"):
        effects = run([changed], existing, {BRANCH: facts(head=tip)}, commits={P.key: "n2"})
        assert effects[-1] == PushBranch(stamped(changed, "n2", tip), tip)
    (skip,) = run([changed], existing, {BRANCH: facts(head="h-1")})
    assert isinstance(skip, Skip)
    assert skip.code == "foreign_commits"


def test_a_marker_without_a_head_falls_back_to_the_commits() -> None:
    # pull requests made before heads were recorded: the author and committer check decides
    changed = proposal(evidence="ev2")
    effects = run([changed], [pr("7")], {BRANCH: facts(head="h")})
    assert effects == [UpdateProposal(pr("7"), changed), PushBranch(changed, "h")]


# --- the headline figure ---------------------------------------------------------------


def test_a_closed_proposal_returns_only_when_its_figure_moved_five_points() -> None:
    closed = [pr("3", "closed", improvement={"metric": "duration", "percent": -20.0})]
    for percent in (-20.0, -23.0, -17.4, -24.9):
        (skip,) = run([proposal(percent=percent)], closed)
        assert isinstance(skip, Skip)
        assert (skip.code, skip.ref) == ("closed", "3")
    for percent in (-25.0, -15.0):
        assert isinstance(run([proposal(percent=percent)], closed)[-1], OpenProposal)


def test_an_open_proposal_is_rebuilt_only_when_its_figure_moved_five_points() -> None:
    existing = [pr("7", improvement={"metric": "duration", "percent": -40.0})]
    (skip,) = run([proposal(percent=-43.0)], existing, {BRANCH: facts(head="h")})
    assert isinstance(skip, Skip)
    assert skip.code == "unchanged"
    moved = proposal(percent=-46.0)
    assert run([moved], existing, {BRANCH: facts(head="h")}) == [
        UpdateProposal(existing[0], moved),
        PushBranch(moved, "h"),
    ]


# --- checked-out branches (local forge) ------------------------------------------------


def test_a_branch_checked_out_in_a_worktree_is_not_moved() -> None:
    busy = facts(head="h", up_to_date=False, base_changed=frozenset({WF}), checked_out="/w")
    (skip,) = run([P], [pr("7")], {BRANCH: busy})
    assert isinstance(skip, Skip)
    assert (skip.code, skip.ref) == ("checked_out", "7")
    assert "checked out in the worktree /w" in skip.reason
    (skip,) = run([P], [], {BRANCH: busy})  # a branch left without a pull request
    assert isinstance(skip, Skip)
    assert skip.code == "checked_out"
    # nothing to move: the pull request is still opened
    same = facts(head="h", matches=True, checked_out="/w")
    assert run([P], [], {BRANCH: same}) == [OpenProposal(stamped(P, "h"))]


# --- superseded ------------------------------------------------------------------------


def test_an_open_pull_request_no_longer_proposed_for_a_definite_reason_is_marked() -> None:
    existing = [pr("8", key="gone/x", head="h8")]
    why = "the A/B test failed: the variant is slower"
    (effect,) = run([], existing, {"autotune/gone/x": facts(head="h8")}, withdrawn={"gone/x": why})
    assert isinstance(effect, SupersedeProposal)
    assert isinstance(effect, UpdateProposal)  # carried out as an update in place
    assert (effect.existing, effect.reason) == (existing[0], why)
    body = effect.proposal.body
    assert body.startswith("<!-- autotune:superseded ")
    assert (
        "⚠ **Superseded:** the latest run (2026-05-06) no longer proposes this change: "
        "the A/B test failed: the variant is slower" in body
    )
    assert body.endswith(existing[0].body)  # the rest kept, the marker last
    assert parse_marker(body) == existing[0].metadata
    assert notice_reason(body) == why
    assert (effect.proposal.branch, effect.proposal.title) == ("autotune/gone/x", "old title")


def test_a_superseded_notice_is_written_once_per_reason() -> None:
    why = "the search finds the current configuration best: no change beats it"
    first = run([], [pr("8", key="gone/x")], withdrawn={"gone/x": why})[0]
    assert isinstance(first, SupersedeProposal)
    marked = ForgeProposal(**{**vars(pr("8", key="gone/x")), "body": first.proposal.body})
    (again,) = run([], [marked], withdrawn={"gone/x": why})
    assert isinstance(again, Skip)
    assert again.code == "stale"
    assert "already marked superseded" in again.reason
    other = run([], [marked], withdrawn={"gone/x": "the A/B test failed"})[0]
    assert isinstance(other, SupersedeProposal)
    assert other.proposal.body.count("autotune:superseded {") == 1  # replaced, not stacked


def test_no_notice_without_a_definite_reason_or_on_a_branch_that_is_not_the_bots() -> None:
    existing = [pr("8", key="gone/x")]
    (stale,) = run([], existing)  # a transient skip (uncommitted edits, a budget...)
    assert isinstance(stale, Skip)
    assert stale.code == "stale"
    human = {"autotune/gone/x": facts(foreign=1)}
    (skip,) = run([], existing, human, withdrawn={"gone/x": "the A/B test failed"})
    assert isinstance(skip, Skip)
    assert skip.code == "foreign_commits"


def test_a_superseded_pull_request_proposed_again_loses_its_notice() -> None:
    first = run([], [pr("7")], withdrawn={P.key: "the A/B test failed"})[0]
    assert isinstance(first, SupersedeProposal)
    marked = ForgeProposal(**{**vars(pr("7")), "body": first.proposal.body})
    # the same evidence again, nothing to push: the body is replaced, the notice gone
    (update,) = run([P], [marked], {BRANCH: facts(head="h", matches=True)})
    assert update == UpdateProposal(marked, stamped(P, "h"))
    assert notice_reason(update.proposal.body) is None


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


def _pr_with_head(
    ref: str, state: ProposalState, key: str, evidence: str, head: str | None
) -> ForgeProposal:
    if head is None:
        return pr(ref, state, key, evidence)
    return pr(ref, state, key, evidence, head=head)


forge_prs = st.builds(
    _pr_with_head,
    ref=st.integers(1, 40).map(str),
    state=st.sampled_from(["open", "closed", "merged"]),
    key=st.sampled_from(KEYS),
    evidence=st.sampled_from(["e1", "e2"]),
    head=st.sampled_from([None, "h1", "h2"]),
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
            # never a branch whose head is not one its (oldest) open pull request recorded
            opens = [p for p in existing if p.state == "open" and p.key == e.proposal.key]
            if opens and found.exists:
                heads = recorded_heads(min(opens, key=lambda p: int(p.ref)).metadata)
                assert not heads or found.head_sha in heads
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
    # a push comes right after the update of its open pull request (which records the new
    # head first) or right before the open of a new one, with the same proposal
    for k, e in enumerate(effects):
        if isinstance(e, PushBranch):
            before = effects[k - 1] if k else None
            after = effects[k + 1] if k + 1 < len(effects) else None
            paired = (isinstance(before, UpdateProposal) and before.proposal == e.proposal) or (
                isinstance(after, OpenProposal) and after.proposal == e.proposal
            )
            assert paired
