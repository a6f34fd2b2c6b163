"""The strategy contract, checked for every entry of the registry on every target of the demo
repository and on a few constructed targets.

Every built-in strategy: its name is its registry key; it is a team or a workflow strategy
with an optimisation type; each proposal's candidate is a configuration of the right kind that
differs from the current one, can be written into the YAML file by the patcher and reads back
as exactly that candidate; risk and evidence are well formed; every search dimension has the
current value at its ``current`` index; the same target gives the same answer twice. New
registry entries are covered without touching this file.
"""

from __future__ import annotations

import dataclasses
import random
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from autotune_bot.patch.apply import apply_edits
from autotune_bot.settings import Settings, StrategySettings
from autotune_bot.strategies.base import (
    OptimizationStrategy,
    Proposal,
    TeamStrategy,
    TeamTarget,
    WorkflowStrategy,
    WorkflowTarget,
)
from autotune_bot.strategies.registry import STRATEGIES
from autotune_bot.tuning.bindings import bind_team, bind_workflow, prices_for
from autotune_bot.tuning.config import TeamConfig, WorkflowConfig
from autotune_bot.tuning.dimension_names import (
    BUDGET_MULTIPLIERS,
    FORMATION,
    HIERARCHY,
    MEMBERS,
    TIMEOUT_SECONDS,
    TOTAL_TOOL_BUDGET,
    parse_dim,
)
from autotune_bot.tuning.readback import check_team_readback, check_workflow_readback
from autotune_bot.tuning.space_map import apply_team_values, apply_workflow_values
from autotune_bot.tuning.suggestion import OptimizationType
from autotune_bot.tuning.targets import team_sites, workflow_sites
from autotune_bot.tuning.team_edits import team_changes
from autotune_bot.tuning.tuner import default_strategies
from autotune_bot.tuning.workflow_edits import workflow_changes
from autotune_bot.workflow.loader import parse_workflow_text

from .team.conftest import DEMO, Builder, Member, execution, team_yaml
from .workflow.conftest import Record, build_target, timed_runs

Target = TeamTarget | WorkflowTarget

DEMO_TEAMS = ("research_team", "review_team")
DEMO_WORKFLOWS = ("code_review", "deep_research", "release_notes")
BUILT_TEAMS = ("split_crew", "idle_crew")
BUILT_WORKFLOWS = ("busy_chain", "loop")
TEAM_CASES = tuple(f"team:{n}" for n in (*DEMO_TEAMS, *BUILT_TEAMS))
WORKFLOW_CASES = tuple(f"workflow:{n}" for n in (*DEMO_WORKFLOWS, *BUILT_WORKFLOWS))


@dataclass(frozen=True)
class Case:
    """A target with the text of the workflow file it was read from."""

    target: Target
    text: str
    path: str
    document: Any  # the file's round-trip tree (for workflow edits)


def _demo_cases() -> dict[str, Case]:
    """Demo targets built the way the tuner builds them (sites, then bindings)."""
    from autotune_bot.analysis.analyzer import analyze
    from autotune_bot.repository import load_inputs

    inputs = load_inputs(DEMO)
    data, settings = inputs.metrics, inputs.settings
    report = analyze(data.store, data.problems, inputs.workflows, settings)
    cases: dict[str, Case] = {}
    teams, _ = team_sites(report, inputs.workflows, settings)
    for site in teams:
        binding = bind_team(site, data.store, settings)
        team_target = TeamTarget(
            site.report.team_id,
            site.workflow,
            site.node,
            site.report,
            data.store,
            settings,
            binding.current,
        )
        cases[f"team:{site.report.team_id}"] = Case(
            team_target, site.file.text, site.file.path, site.file.document
        )
    flows, _ = workflow_sites(report, inputs.workflows)
    prices = prices_for(data.store, settings)
    for flow in flows:
        wb = bind_workflow(flow, data.store, settings, prices)
        flow_target = WorkflowTarget(
            flow.workflow, wb.graph, flow.report, data.store, settings, wb.current
        )
        cases[f"workflow:{flow.workflow.name}"] = Case(
            flow_target, flow.file.text, flow.file.path, flow.file.document
        )
    return cases


def _split_crew(builder: Builder) -> Case:
    """A sequential team under a lead with two chains of workers, generous budgets and no
    timeout: parallelization, tool budget, member budgets and timeout all have something."""
    members = ("host", "a1", "a2", "b1", "b2")
    records = [
        execution("crew", i, {m: Member(10.0 + i % 3, calls=3) for m in members}, success=True)
        for i in range(60)
    ]
    text = team_yaml(
        "crew",
        "sequential",
        members,
        roles={"host": "team lead"},
        input_from={"a2": ["a1"], "b2": ["b1"]},
        settings={"total_tool_budget": 300},
        tool_budget=60,
    )
    return Case(builder.target(records, text, "crew"), text, "workflows/flow.yaml", None)


def _idle_crew(builder: Builder) -> Case:
    """A sequential team of independent members, one of which fails often to no effect."""
    members = ("core", "helper", "idle")
    records = []
    for i in range(300):
        ok = {"core": i % 10 != 0, "idle": i % 10 not in (3, 6, 9)}
        parts = {
            m: Member(10.0 + i % 4, success=ok.get(m, True), calls=0 if m == "idle" else 4)
            for m in members
        }
        records.append(execution("crew", i, parts, success=ok["core"]))
    text = team_yaml("crew", "sequential", members, settings={"timeout_seconds": 900})
    return Case(builder.target(records, text, "crew"), text, "workflows/flow.yaml", None)


BUSY_CHAIN = """\
workflows:
  wf:
    nodes:
      - id: plan
        goal: "Start"
        output: x
      - id: left
        goal: "Use {{ x }}"
        output: y
        tools: [lookup]
      - id: right
        goal: "Use {{ x }}"
        output: z
        tools: [lookup, search]
      - id: legacy
        goal: "Use {{ x }}"
        output: unused
      - id: write
        goal: "Merge {{ y }} and {{ z }}"
        llm_config:
          model_hint: gpt-4o
"""

LOOP = """\
workflows:
  wf:
    nodes:
      - id: a
        output: x
      - id: b
        goal: "Use {{ x }}"
        output: side
      - id: check
        type: condition
        condition: "x > 1"
        branches: {true: a, false: c}
      - id: c
        goal: "Use {{ x }}"
"""


def _busy_extra(rng: random.Random, i: int, node: str) -> Record:
    if node in ("left", "right"):
        same = f"h{i}"
        calls = [
            {"name": "lookup", "args_hash": same, "duration_seconds": 0.5, "cached": False},
            {"name": "lookup", "args_hash": same, "duration_seconds": 0.4, "cached": False},
            {"name": "lookup", "args_hash": f"{node}{i}", "duration_seconds": 0.6, "cached": False},
            {
                "name": "lookup",
                "args_hash": f"{node}{i}b",
                "duration_seconds": 0.6,
                "cached": False,
            },
        ]
        return {"tool_calls": calls, "tools": {"lookup": {"count": 4, "cost": 0.04}}, "cost": 0.05}
    if node == "write":
        return {
            "input_tokens": round(800 * rng.uniform(0.9, 1.0)),
            "output_tokens": round(300 * rng.uniform(0.9, 1.0)),
            "model": "gpt-4o",
            "cost": 0.005,
        }
    return {"cost": 0.001}


def _workflow_case(directory: Path, text: str, records: list[Record]) -> Case:
    target = build_target(directory, text, records)
    document = parse_workflow_text(text, "workflows/wf.yaml").document
    return Case(target, text, "workflows/wf.yaml", document)


@pytest.fixture(scope="module")
def cases(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Case]:
    out = _demo_cases()
    builder = Builder(tmp_path_factory.mktemp("teams"))
    out["team:split_crew"] = _split_crew(builder)
    out["team:idle_crew"] = _idle_crew(builder)
    medians = {"plan": 2.0, "left": 6.0, "right": 5.0, "legacy": 3.0, "write": 4.0}
    busy = timed_runs(5, 60, medians, success={"legacy": 0.5}, extra=_busy_extra)
    out["workflow:busy_chain"] = _workflow_case(tmp_path_factory.mktemp("busy"), BUSY_CHAIN, busy)
    loop = timed_runs(2, 30, {"a": 2.0, "b": 3.0, "c": 1.0}, success={"b": 0.5})
    out["workflow:loop"] = _workflow_case(tmp_path_factory.mktemp("loop"), LOOP, loop)
    return out


def _params() -> list[Any]:
    params = []
    for name, cls in STRATEGIES.items():
        for case in TEAM_CASES if issubclass(cls, TeamStrategy) else WORKFLOW_CASES:
            params.append(pytest.param(name, case, id=f"{name}-{case}"))
    return params


def _with_options(case: Case, name: str) -> Target:
    """The case's target with this strategy's options from the target's settings."""
    found = case.target.settings.strategies.get(name)
    options = dict(found.options) if found is not None else {}
    return dataclasses.replace(case.target, options=options)


def _current_value(target: Target, name: str) -> Any:
    """The value the current configuration has for search dimension ``name``."""
    config = target.current
    if isinstance(config, TeamConfig):
        if name == HIERARCHY:
            return (config.manager, config.sub_teams) if config.sub_teams else None
        return {
            FORMATION: config.formation,
            MEMBERS: config.members,
            TOTAL_TOOL_BUDGET: config.total_tool_budget,
            TIMEOUT_SECONDS: config.timeout_seconds,
            BUDGET_MULTIPLIERS: config.budget_multipliers,
        }[name]
    kind, nodes = parse_dim(name)
    node = nodes[0]
    if kind == "prune":
        return node in config.removed
    if kind == "parallel":
        return nodes in config.parallel_groups
    if kind == "model":
        return config.model(node)
    if kind == "tools":
        assert isinstance(target, WorkflowTarget)
        return dict(config.tools).get(node, tuple(target.workflow.nodes[node].tools))
    table = config.cached if kind == "cache" else config.batched
    assert kind in ("cache", "batch"), name
    return dict(table).get(node, ())


def _written(target: Target, config: TeamConfig | WorkflowConfig) -> Any:
    """``config`` without tool lists equal to the lists the file already has (the search
    treats such a choice as no change)."""
    if isinstance(config, TeamConfig):
        return config
    nodes = target.workflow.nodes
    tools = tuple((n, t) for n, t in config.tools if tuple(nodes[n].tools) != tuple(t))
    return dataclasses.replace(config, tools=tools)


def _patched(case: Case, target: Target, candidate: TeamConfig | WorkflowConfig) -> list[str]:
    """Write ``candidate`` into the case's file and read it back: the mismatches."""
    if isinstance(target, TeamTarget):
        assert isinstance(candidate, TeamConfig)
        team = team_changes(target.workflow, target.node, target.current, candidate)
        assert team, "a candidate that differs from the current one must change the file"
        text = apply_edits(case.text, [c.edit for c in team], case.path)
        assert text != case.text
        return check_team_readback(text, case.path, target.workflow.name, target.node.id, candidate)
    assert isinstance(candidate, WorkflowConfig)
    flow = workflow_changes(target.workflow, target.current, candidate, document=case.document)
    assert flow, "a candidate that differs from the current one must change the file"
    text = apply_edits(case.text, [c.edit for c in flow], case.path)
    assert text != case.text
    removed = candidate.removed - target.current.removed
    groups = [g for g in candidate.parallel_groups if g not in target.current.parallel_groups]
    return check_workflow_readback(
        text, case.path, target.workflow.name, candidate, removed, groups, original=target.workflow
    )


def test_demo_cases_are_every_demo_target(cases: dict[str, Case]) -> None:
    demo = {key for key in cases if key.split(":")[1] in (*DEMO_TEAMS, *DEMO_WORKFLOWS)}
    # the fixture found exactly the tunable teams and workflows of the demo repository
    assert demo == {f"team:{t}" for t in DEMO_TEAMS} | {f"workflow:{w}" for w in DEMO_WORKFLOWS}
    assert set(cases) == {*TEAM_CASES, *WORKFLOW_CASES}


def test_registry_names_and_kinds() -> None:
    assert len(STRATEGIES) >= 12
    for key, cls in STRATEGIES.items():
        strategy = cls()
        assert strategy.name == key
        assert isinstance(strategy, TeamStrategy | WorkflowStrategy)
        assert isinstance(strategy, OptimizationStrategy)
        assert isinstance(strategy.optimization_type, OptimizationType)
        assert strategy.optimization_type is not OptimizationType.COMBINED
        expected = "team" if isinstance(strategy, TeamStrategy) else "workflow"
        assert strategy.scope == expected
    # no two strategies share an optimisation type
    types = [cls.optimization_type for cls in STRATEGIES.values()]
    assert len(set(types)) == len(types)


@pytest.mark.parametrize(("name", "case_id"), _params())
def test_contract(cases: dict[str, Case], name: str, case_id: str) -> None:
    case = cases[case_id]
    strategy = STRATEGIES[name]()
    target = _with_options(case, name)
    team = isinstance(target, TeamTarget)
    kind = TeamConfig if team else WorkflowConfig
    propose: Callable[[Any], list[Proposal]] = strategy.propose
    proposals = propose(target)
    assert isinstance(proposals, list)
    for p in proposals:
        assert isinstance(p, Proposal)
        assert p.type is strategy.optimization_type
        assert isinstance(p.candidate, kind)
        assert p.candidate != target.current, f"{name} proposed a no-op: {p.description}"
        assert p.description.strip()
        assert 0.0 <= p.risk_level <= 1.0
        assert isinstance(p.evidence, tuple)
        assert p.evidence
        assert all(isinstance(e, str) and e.strip() for e in p.evidence)
        problems = _patched(case, target, p.candidate)
        assert problems == [], f"{name}: {p.description}: {problems}"
    dimensions = strategy.dimensions(target)  # type: ignore[arg-type]
    apply_values = apply_team_values if team else apply_workflow_values
    for dim in dimensions:
        now = dim.choices[dim.current]
        assert now == _current_value(target, dim.name), dim.name
        assert len(dim.choices) >= 2, f"{dim.name} offers no alternative"
        same = apply_values(target.current, {dim.name: now})  # type: ignore[arg-type]
        assert _written(target, same) == target.current, dim.name
    # determinism: the same target gives the same answer
    assert propose(target) == proposals
    assert strategy.dimensions(target) == dimensions  # type: ignore[arg-type]


def test_constructed_cases_exercise_the_strategies(cases: dict[str, Case]) -> None:
    """The constructed targets are not trivially empty: most strategies find something on
    at least one target, so the contract checks above ran on real proposals."""
    proposing = set()
    for name, cls in STRATEGIES.items():
        ids = TEAM_CASES if issubclass(cls, TeamStrategy) else WORKFLOW_CASES
        for case_id in ids:
            if cls().propose(_with_options(cases[case_id], name)):  # type: ignore[arg-type]
                proposing.add(name)
    assert {
        "team_sizing",
        "formation_selection",
        "tool_budget",
        "timeout_tuning",
        "member_selection",
        "parallelization",
        "pruning",
        "node_parallelization",
        "model_selection",
        "caching",
        "batching",
    } <= proposing


@pytest.mark.parametrize("name", list(STRATEGIES))
def test_seed_style_suggest_is_refused_with_a_hint(name: str) -> None:
    strategy = STRATEGIES[name]()
    with pytest.raises(TypeError) as info:
        strategy.suggest([], {"formation": "sequential", "member_count": 5})
    message = str(info.value)
    assert name in message
    assert "PerformanceAutotuner" in message
    assert "\n" not in message


@pytest.mark.parametrize("name", list(STRATEGIES))
def test_disabled_strategy_is_not_used(name: str) -> None:
    settings = Settings(strategies={name: StrategySettings(enabled=False)})
    used = [s.name for s in default_strategies(settings)]
    assert name not in used
    assert sorted(used) == sorted(n for n in STRATEGIES if n != name)
    # the settings file spelling gives the same
    parsed = Settings.model_validate({"strategies": {name: {"enabled": False}}})
    assert [s.name for s in default_strategies(parsed)] == used


def test_every_strategy_is_used_by_default() -> None:
    assert [s.name for s in default_strategies(Settings())] == list(STRATEGIES)
    assert all(
        isinstance(s, TeamStrategy | WorkflowStrategy) for s in default_strategies(Settings())
    )
