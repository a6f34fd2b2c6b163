"""The one-line descriptions of effects that dry runs and logs print."""

from __future__ import annotations

from autotune_bot.gitops.apply_effects import describe_effect
from autotune_bot.gitops.lifecycle import (
    OpenProposal,
    PushBranch,
    Skip,
    SupersedeProposal,
    UpdateProposal,
)
from autotune_bot.gitops.types import ForgeProposal, Proposal

P = Proposal(
    key="wf/team",
    branch="autotune/wf/team",
    files={"w.yaml": "x\n"},
    diff="",
    title="autotune: team formation sequential → parallel",
    body="",
    evidence_key="e1",
    validation_status="not_validated",
)
OPEN = ForgeProposal(
    ref="7", key="wf/team", branch="autotune/wf/team", state="open", evidence_key="e0",
    body="", title="old",
)  # fmt: skip


def test_each_effect_reads_as_one_line() -> None:
    assert describe_effect(PushBranch(P, None)) == "wf/team: create branch autotune/wf/team"
    assert describe_effect(PushBranch(P, "abc")) == "wf/team: rebuild branch autotune/wf/team"
    assert describe_effect(OpenProposal(P)) == (
        "wf/team: open a pull request: autotune: team formation sequential → parallel"
    )
    assert describe_effect(UpdateProposal(OPEN, P)) == "wf/team: update pull request 7 in place"
    assert describe_effect(SupersedeProposal(OPEN, P, "its A/B test failed")) == (
        "wf/team: mark pull request 7 superseded: its A/B test failed"
    )
    assert describe_effect(Skip("wf/team", "closed", "closed without merge")) == (
        "wf/team: skipped (closed): closed without merge"
    )
