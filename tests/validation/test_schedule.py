"""The order of A/B runs: pairs, alternating first arm, inputs, the run budget."""

from __future__ import annotations

import pytest

from autotune_bot.validation.schedule import PlannedRun, plan_runs


def test_first_arm_alternates_between_pairs() -> None:
    plan = plan_runs(3, (), 100)
    assert plan.runs == (
        PlannedRun("control", 0, None),
        PlannedRun("variant", 0, None),
        PlannedRun("variant", 1, None),
        PlannedRun("control", 1, None),
        PlannedRun("control", 2, None),
        PlannedRun("variant", 2, None),
    )
    assert plan.pairs == 3
    assert not plan.paired
    assert [r.starts_pair for r in plan.runs] == [True, False, True, False, True, False]


@pytest.mark.parametrize("pairs", [2, 4, 6, 10])
def test_a_linear_drift_adds_the_same_to_both_arms(pairs: int) -> None:
    runs = plan_runs(pairs, (), 100).runs
    control = sum(pos for pos, r in enumerate(runs) if r.arm == "control")
    variant = sum(pos for pos, r in enumerate(runs) if r.arm == "variant")
    assert control == variant


def test_plain_alternation_would_not_cancel_drift() -> None:
    # The check above can fail: with C V C V the variant's positions sum to one more per pair.
    runs = plan_runs(4, (), 100).runs
    abab = ["control", "variant"] * 4
    assert [r.arm for r in runs] != abab
    assert (
        sum(i for i, a in enumerate(abab) if a == "variant")
        - sum(i for i, a in enumerate(abab) if a == "control")
        == 4
    )


def test_inputs_cycle_over_pairs_and_make_them_paired() -> None:
    plan = plan_runs(5, ("a", "b"), 100)
    assert plan.paired
    assert [(r.trial, r.input) for r in plan.runs] == [
        (0, "a"), (0, "a"), (1, "b"), (1, "b"), (2, "a"),
        (2, "a"), (3, "b"), (3, "b"), (4, "a"), (4, "a"),
    ]  # fmt: skip


def test_run_budget_allows_whole_pairs_only() -> None:
    plan = plan_runs(5, (), 7)
    assert plan.pairs == 3
    assert len(plan.runs) == 6
    assert plan_runs(5, (), 1).runs == ()


def test_negative_counts_are_rejected() -> None:
    with pytest.raises(ValueError, match="negative"):
        plan_runs(-1, (), 4)
