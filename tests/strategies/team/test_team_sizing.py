"""Team sizing on constructed teams: a member whose failures never matter is removed,
unless another member reads its output or the team would become too small."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import pytest

from autotune_bot.errors import SettingsError
from autotune_bot.strategies.base import OptionValue, TeamTarget
from autotune_bot.strategies.team_sizing import TeamSizingStrategy
from autotune_bot.tuning.dimension_names import MEMBERS

from .conftest import Builder, Member, Record, candidate, execution, team_yaml


def _records(members: tuple[str, ...]) -> list[Record]:
    """400 runs: `core` fails every 10th run and the team with it; `extra` fails 3 runs in
    10, independently, and the team does not care."""
    out = []
    for i in range(400):
        ok = {"core": i % 10 != 0, "extra": i % 10 not in (3, 6, 9)}
        parts = {
            m: Member(10.0, success=ok.get(m, True), calls=0 if m == "extra" else 4)
            for m in members
        }
        out.append(execution("crew", i, parts, success=ok["core"]))
    return out


def _target(
    builder: Builder,
    members: tuple[str, ...],
    *,
    input_from: Mapping[str, Sequence[str]] | None = None,
    options: Mapping[str, OptionValue] | None = None,
) -> TeamTarget:
    yaml = team_yaml("crew", "parallel", members, input_from=input_from)
    return builder.target(_records(members), yaml, "crew", options)


def test_nil_member_is_removed(builder: Builder) -> None:
    target = _target(builder, ("core", "helper", "extra"))
    (proposal,) = TeamSizingStrategy().propose(target)
    assert candidate(proposal).members == ("core", "helper")
    assert candidate(proposal).formation == target.current.formation
    assert proposal.description == "Remove extra from crew (3 → 2 members)"
    first = proposal.evidence[0]
    assert first.startswith("extra (workflows/flow.yaml:")
    assert "failed 120 of 400 executions (30.0%)" in first
    assert "100.0% when it failed" in first
    assert "The team's success does depend on core" in proposal.evidence[-1]
    (dim,) = TeamSizingStrategy().dimensions(target)
    assert dim.name == MEMBERS
    assert dim.choices == (("core", "helper", "extra"), ("core", "helper"))
    assert dim.current == 0


def test_member_read_by_another_is_kept(builder: Builder) -> None:
    target = _target(builder, ("core", "helper", "extra"), input_from={"helper": ["extra"]})
    assert any(i.bottleneck == "oversized_team" for i in target.report.insights)
    assert TeamSizingStrategy().propose(target) == []
    assert TeamSizingStrategy().dimensions(target) == []


def test_min_members(builder: Builder) -> None:
    pair = ("core", "extra")
    assert TeamSizingStrategy().propose(_target(builder, pair)) == []
    (proposal,) = TeamSizingStrategy().propose(_target(builder, pair, options={"min_members": 1}))
    assert candidate(proposal).members == ("core",)


def test_bad_option_is_a_settings_error(builder: Builder) -> None:
    target = _target(builder, ("core", "helper", "extra"), options={"min_members": "two"})
    with pytest.raises(SettingsError, match=r"strategies\.team_sizing\.options\.min_members"):
        TeamSizingStrategy().propose(target)
