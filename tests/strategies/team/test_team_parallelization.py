"""Parallelization into sub-teams on constructed teams: a sequential team with a lead and
two chains of workers becomes hierarchical; no lead, no split."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from autotune_bot.strategies.base import OptionValue, TeamTarget
from autotune_bot.strategies.team_parallelization import ParallelizationStrategy, find_manager
from autotune_bot.tuning.dimension_names import HIERARCHY
from autotune_bot.workflow.loader import parse_workflow_text

from .conftest import Builder, Member, candidate, execution, team_yaml

MEMBERS = ("host", "a1", "a2", "b1", "b2")
CHAINS = {"a2": ["a1"], "b2": ["b1"]}


def _target(
    builder: Builder,
    *,
    roles: Mapping[str, str] | None = None,
    input_from: Mapping[str, Sequence[str]] | None = None,
    options: Mapping[str, OptionValue] | None = None,
) -> TeamTarget:
    records = [
        execution("crew", i, {m: Member(10.0 + i % 2) for m in MEMBERS}, success=True)
        for i in range(40)
    ]
    yaml = team_yaml(
        "crew",
        "sequential",
        MEMBERS,
        roles=roles if roles is not None else {"host": "team lead"},
        input_from=input_from if input_from is not None else CHAINS,
    )
    return builder.target(records, yaml, "crew", options)


def test_two_chains_under_a_lead_become_sub_teams(builder: Builder) -> None:
    target = _target(builder)
    (proposal,) = ParallelizationStrategy().propose(target)
    config = candidate(proposal)
    assert config.formation == "hierarchical"
    assert config.manager == "host"
    assert config.sub_teams == (("a1", "a2"), ("b1", "b2"))
    assert config.members == MEMBERS
    assert proposal.description == "Split crew into 2 parallel sub-teams under host"
    text = " ".join(proposal.evidence)
    assert "its role reads as a lead ('team lead')" in text
    assert "a1 → a2; b1 → b2" in text
    # 5 members of 10-11 s + 1 s: 53.5 s; side by side the workers take 21 s instead of 42 s
    assert "took 53.5 s on average" in text
    assert "≈ 32.5 s (39.3% less)" in text
    (dim,) = ParallelizationStrategy().dimensions(target)
    assert (dim.name, dim.choices, dim.current) == (
        HIERARCHY,
        (None, ("host", (("a1", "a2"), ("b1", "b2")))),
        0,
    )


def test_no_lead_no_split(builder: Builder) -> None:
    assert ParallelizationStrategy().propose(_target(builder, roles={})) == []


def test_independent_members_are_left_to_formation_selection(builder: Builder) -> None:
    assert ParallelizationStrategy().propose(_target(builder, input_from={})) == []


def test_small_saving_is_not_proposed(builder: Builder) -> None:
    target = _target(builder, options={"min_saving": 0.5})
    assert ParallelizationStrategy().propose(target) == []
    assert ParallelizationStrategy().dimensions(target) == []


def test_find_manager_prefers_is_manager() -> None:
    text = team_yaml("crew", "sequential", ["writer", "editor", "boss"], roles={"editor": "editor"})
    text = text.replace(
        "          - id: boss\n", "          - id: boss\n            is_manager: true\n"
    )
    team = parse_workflow_text(text, "f").workflows[0].nodes["crew"].team
    assert team is not None
    found = find_manager(team)
    assert found is not None
    assert (found[0].id, found[1]) == ("boss", "is_manager: true")
