"""Formation selection on constructed teams: evidence from history, from the analysis'
formation findings, from consensus rounds and from declared dependencies."""

from __future__ import annotations

from autotune_bot.strategies.formation_selection import (
    FormationSelectionStrategy,
    supported_formations,
)
from autotune_bot.tuning.dimension_names import FORMATION
from autotune_bot.workflow.loader import parse_workflow_text
from autotune_bot.workflow.model import TeamSpec

from .conftest import Builder, Member, Record, candidate, execution, team_yaml

TRIO = ("alpha", "beta", "gamma")


def _runs(
    n: int,
    *,
    first: int = 0,
    formation: str = "sequential",
    duration: float | None = None,
    config: str | None = None,
    rounds: list[int] | None = None,
) -> list[Record]:
    return [
        execution(
            "crew",
            first + i,
            {m: Member(10.0 + (i % 3)) for m in TRIO},
            success=True,
            formation=formation,
            duration=None if duration is None else duration + (i % 4),
            config=config,
            rounds=None if rounds is None else rounds[i],
        )
        for i in range(n)
    ]


def test_sequential_independent_members_go_parallel_with_history(builder: Builder) -> None:
    records = _runs(40, formation="parallel", duration=12.0, config="old")
    records += _runs(40, first=40, config="new")
    target = builder.target(records, team_yaml("crew", "sequential", TRIO), "crew")
    (proposal,) = FormationSelectionStrategy().propose(target)
    assert candidate(proposal).formation == "parallel"
    assert proposal.description == "Switch crew team_formation sequential → parallel"
    assert proposal.evidence[0] == "crew has team_formation: sequential (workflows/flow.yaml:6)."
    assert proposal.evidence[1].startswith(
        "History: configuration old ran parallel (40 executions)"
    )
    assert proposal.evidence[2].startswith("Analysis (workflows/flow.yaml:4): sequential team")
    assert "suboptimal_formation_sequential" in proposal.insights
    (dim,) = FormationSelectionStrategy().dimensions(target)
    assert (dim.name, dim.choices, dim.current, dim.kind) == (
        FORMATION,
        ("sequential", "parallel"),
        0,
        "categorical",
    )
    # without history the analysis finding alone still carries the proposal
    quiet = builder.target(
        records, team_yaml("crew", "sequential", TRIO), "crew", {"use_history": False}
    )
    (alone,) = FormationSelectionStrategy().propose(quiet)
    assert not any(e.startswith("History") for e in alone.evidence)


def test_history_showing_parallel_slower_blocks_the_switch(builder: Builder) -> None:
    records = _runs(40, formation="parallel", duration=90.0, config="old")
    records += _runs(40, first=40, config="new")
    target = builder.target(records, team_yaml("crew", "sequential", TRIO), "crew")
    assert any(i.bottleneck == "suboptimal_formation_sequential" for i in target.report.insights)
    assert FormationSelectionStrategy().propose(target) == []
    assert FormationSelectionStrategy().dimensions(target) == []


def test_dependent_members_are_not_made_parallel(builder: Builder) -> None:
    records = _runs(40, formation="parallel", duration=12.0, config="old")
    records += _runs(40, first=40, config="new")
    yaml = team_yaml("crew", "sequential", TRIO, input_from={"gamma": ["beta"]})
    assert FormationSelectionStrategy().propose(builder.target(records, yaml, "crew")) == []


def test_parallel_team_with_declared_reads_goes_sequential(builder: Builder) -> None:
    yaml = team_yaml("crew", "parallel", TRIO, input_from={"beta": ["alpha"]})
    target = builder.target(_runs(30, formation="parallel"), yaml, "crew")
    (proposal,) = FormationSelectionStrategy().propose(target)
    assert candidate(proposal).formation == "sequential"
    assert any(
        e.startswith("beta (workflows/flow.yaml:") and "declares input_from alpha" in e
        for e in proposal.evidence
    )


def test_consensus_that_rarely_disagrees_goes_parallel(builder: Builder) -> None:
    single = [1] * 40
    target = builder.target(
        _runs(40, formation="consensus", rounds=single),
        team_yaml("crew", "consensus", TRIO),
        "crew",
    )
    (proposal,) = FormationSelectionStrategy().propose(target)
    assert candidate(proposal).formation == "parallel"
    assert "40 of 40 executions settled in one consensus round" in " ".join(proposal.evidence)


def test_consensus_with_real_discussion_stays(builder: Builder) -> None:
    varied = [1 + i % 4 for i in range(40)]
    target = builder.target(
        _runs(40, formation="consensus", rounds=varied),
        team_yaml("crew", "consensus", TRIO),
        "crew",
    )
    assert FormationSelectionStrategy().propose(target) == []


def test_supported_formations_follow_dependencies() -> None:
    def team(**input_from: list[str]) -> TeamSpec:
        wf = parse_workflow_text(team_yaml("crew", "sequential", TRIO, input_from=input_from), "f")
        spec = wf.workflows[0].nodes["crew"].team
        assert spec is not None
        return spec

    assert supported_formations(team(), None) == {"parallel", "consensus", "sequential", "pipeline"}
    assert supported_formations(team(beta=["alpha"]), None) == {"sequential", "pipeline"}
    # alpha reads a member listed after it: only a manager-led formation remains
    assert supported_formations(team(alpha=["gamma"]), "beta") == {"hierarchical"}
