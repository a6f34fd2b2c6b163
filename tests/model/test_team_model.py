"""The team model against hand-computed expectations on small, exact stores."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from pathlib import Path

import numpy as np
import numpy.typing as npt
import pytest
from analysis.conftest import MemberRun, Record, team_record

from autotune_bot.model.simulated import Refusal, Simulated
from autotune_bot.model.team_model import simulate_team
from autotune_bot.model.traces import TeamTraces, team_traces
from autotune_bot.tuning.config import TeamConfig

from .conftest import ingest, rows_of_team

MEMBERS = ("a", "b", "c")
SEQ = TeamConfig("sequential", MEMBERS, total_tool_budget=60, timeout_seconds=100.0)
INDEPENDENT: Mapping[str, frozenset[str]] = {m: frozenset() for m in MEMBERS}
N = 30


def _a(i: int) -> float:
    return 10.0 + i % 3  # 10, 11, 12


def _execution(
    i: int,
    *,
    formation: str = "sequential",
    overhead: float = 2.0,
    config: str = "new",
    calls: tuple[int, int, int] = (3, 4, 5),
    ok: tuple[bool, bool, bool] = (True, True, True),
    success: bool = True,
    minutes: float | None = None,
) -> Record:
    durations = (_a(i), 20.0, 5.0)
    members = {
        m: MemberRun(d, s, c) for m, d, s, c in zip(MEMBERS, durations, ok, calls, strict=True)
    }
    composed = max(durations) if formation == "parallel" else sum(durations)
    rec = team_record(
        "t",
        duration=composed + overhead,
        success=success,
        members=members,
        minutes=float(i) if minutes is None else minutes,
        formation=formation,
        config=config,
    )
    rec["cost"] = 1.0
    for m, cost in zip(MEMBERS, (0.2, 0.3, 0.5), strict=True):
        rec["member_metrics"][m]["cost"] = cost
    return rec


def _traces(tmp_path: Path, records: list[Record], history: bool = False) -> TeamTraces:
    store = ingest(tmp_path, records)
    older = [rows_of_team(store, "t", "old")] if history else []
    return team_traces(store, rows_of_team(store, "t", "new"), MEMBERS, history=older)


def _run(
    traces: TeamTraces,
    candidate: TeamConfig,
    current: TeamConfig = SEQ,
    *,
    member_budgets: Mapping[str, float] | None = None,
    min_overhead_samples: int = 20,
) -> Simulated:
    sim = simulate_team(
        traces,
        current,
        candidate,
        np.arange(len(traces)),
        INDEPENDENT,
        member_budgets=member_budgets,
        min_overhead_samples=min_overhead_samples,
    )
    assert isinstance(sim, Simulated), sim
    return sim


def _a_durations(n: int = N) -> npt.NDArray[np.float64]:
    return np.array([_a(i) for i in range(n)])


def test_the_current_configuration_reproduces_the_records(tmp_path: Path) -> None:
    traces = _traces(tmp_path, [_execution(i) for i in range(N)])
    sim = _run(traces, SEQ)
    np.testing.assert_allclose(sim.duration, traces.duration)
    np.testing.assert_allclose(sim.cost, 1.0)
    assert sim.success.all()
    assert sim.notes == ()
    assert sim.basis == "recorded executions of t (config new)"


def test_sequential_to_parallel_without_history_keeps_the_own_overhead(tmp_path: Path) -> None:
    traces = _traces(tmp_path, [_execution(i) for i in range(N)])
    sim = _run(traces, replace(SEQ, formation="parallel"))
    # longest member (b, 20 s) + the execution's own overhead (2 s)
    np.testing.assert_allclose(sim.duration, 22.0)
    assert "overhead of parallel not measured; assumed equal to sequential's" in sim.notes
    assert any("success under parallel is not measured" in n for n in sim.notes)
    assert sim.success.all()


def test_a_formation_the_team_has_run_uses_its_measured_overhead(tmp_path: Path) -> None:
    old = [
        _execution(i, formation="parallel", overhead=5.0, config="old", minutes=-100.0 + i)
        for i in range(25)
    ]
    traces = _traces(tmp_path, old + [_execution(i) for i in range(N)], history=True)
    assert traces.history is not None
    assert len(traces.history) == 25
    sim = _run(traces, replace(SEQ, formation="parallel"))
    np.testing.assert_allclose(sim.duration, 25.0)  # 20 s + the measured 5 s
    assert any("taken from 25 recorded executions" in n for n in sim.notes)
    # too few executions of that formation: fall back to the own overhead
    fallback = _run(traces, replace(SEQ, formation="parallel"), min_overhead_samples=26)
    np.testing.assert_allclose(fallback.duration, 22.0)


def test_a_lower_total_budget_fails_the_executions_above_it(tmp_path: Path) -> None:
    heavy = {3, 7, 19}
    records = [_execution(i, calls=(10, 10, 10) if i in heavy else (3, 4, 5)) for i in range(N)]
    traces = _traces(tmp_path, records)
    sim = _run(traces, replace(SEQ, total_tool_budget=20))
    failed = set(np.flatnonzero(~sim.success).tolist())
    assert failed == heavy
    expected = (_a_durations() + 27.0)[sorted(heavy)] * 20 / 30
    np.testing.assert_allclose(sim.duration[sorted(heavy)], expected)
    np.testing.assert_allclose(sim.cost[sorted(heavy)], 20 / 30)
    rest = [i for i in range(N) if i not in heavy]
    np.testing.assert_allclose(sim.duration[rest], traces.duration[rest])
    assert any("3 executions need more than 20 tool calls" in n for n in sim.notes)


def test_a_member_over_its_budget_fails_the_execution(tmp_path: Path) -> None:
    records = [_execution(i, calls=(3, 8 if i < 4 else 4, 5)) for i in range(N)]
    traces = _traces(tmp_path, records)
    current = replace(SEQ, budget_multipliers=(("b", 2.0),))  # cap 10
    sim = _run(traces, SEQ, current=current, member_budgets={"b": 5})  # cap 5
    assert np.flatnonzero(~sim.success).tolist() == [0, 1, 2, 3]
    # b stops after 5 of its 8 calls: 20 s * 5/8 instead of 20 s
    np.testing.assert_allclose(sim.duration[:4], _a_durations(4) + 5.0 + 12.5 + 2.0)
    np.testing.assert_allclose(sim.cost[:4], 1.0 - 0.3 * 3 / 8)
    np.testing.assert_allclose(sim.duration[4:], traces.duration[4:])


def test_a_timeout_below_recorded_durations_fails_them_at_the_timeout(tmp_path: Path) -> None:
    traces = _traces(tmp_path, [_execution(i) for i in range(N)])  # 37, 38, 39 s
    sim = _run(traces, replace(SEQ, timeout_seconds=38.5))
    slow = traces.duration > 38.5
    assert slow.sum() == N // 3
    assert (sim.success == ~slow).all()
    np.testing.assert_allclose(sim.duration[slow], 38.5)
    np.testing.assert_allclose(sim.cost[slow], 38.5 / 39.0)
    np.testing.assert_allclose(sim.duration[~slow], traces.duration[~slow])


def test_raising_a_cap_rescues_nothing_and_says_so(tmp_path: Path) -> None:
    records = [_execution(i, calls=(20, 20, 20), success=False) for i in range(4)]
    records += [_execution(i) for i in range(4, N)]
    traces = _traces(tmp_path, records)
    sim = _run(traces, replace(SEQ, total_tool_budget=200))
    assert not sim.success[:4].any()
    assert sim.success[4:].all()
    assert any("4 at the total budget of 60 calls" in n and "not estimable" in n for n in sim.notes)


def test_removing_a_member_removes_its_time_calls_and_cost(tmp_path: Path) -> None:
    records = [
        _execution(i, ok=(True, True, False), success=False) if i == 0 else _execution(i)
        for i in range(N)
    ]
    records[1] = _execution(1, ok=(False, True, False), success=False)
    traces = _traces(tmp_path, records)
    sim = _run(traces, replace(SEQ, members=("a", "b"), total_tool_budget=7))
    np.testing.assert_allclose(sim.duration, traces.duration - 5.0)
    np.testing.assert_allclose(sim.cost, 0.5)
    # calls drop from 12 to 7: the lower budget of 7 stops nothing
    assert sim.success.tolist() == traces.success.tolist()
    assert "team success without c held at the recorded value" in sim.notes
    assert any(n.startswith("1 failed executions in which only c failed") for n in sim.notes)


def test_removing_a_member_others_read_is_refused(tmp_path: Path) -> None:
    traces = _traces(tmp_path, [_execution(i) for i in range(N)])
    deps = {"a": frozenset(), "b": frozenset({"a"}), "c": frozenset()}
    result = simulate_team(traces, SEQ, replace(SEQ, members=("b", "c")), np.arange(N), deps)
    assert isinstance(result, Refusal)
    assert "b read(s) the output of a" in result.reason


def test_hierarchical_composition_with_sub_teams(tmp_path: Path) -> None:
    ids = ("m", "w1", "w2", "w3")
    records = []
    for i in range(N):
        d = {"m": 6.0, "w1": 4.0 + i % 2, "w2": 3.0, "w3": 5.0}
        rec = team_record(
            "h",
            duration=d["m"] + max(d["w1"], d["w2"], d["w3"]) + 1.0,
            success=True,
            members={k: MemberRun(v) for k, v in d.items()},
            minutes=float(i),
            formation="hierarchical",
        )
        records.append(rec)
    store = ingest(tmp_path, records)
    traces = team_traces(store, rows_of_team(store, "h"), ids)
    current = TeamConfig("hierarchical", ids, 100, None, manager="m")
    split = replace(current, sub_teams=(("w1", "w2"), ("w3",)))
    sim = simulate_team(traces, current, split, np.arange(N), {})
    assert isinstance(sim, Simulated)
    w1 = 4.0 + np.arange(N) % 2
    np.testing.assert_allclose(sim.duration, 6.0 + np.maximum(w1 + 3.0, 5.0) + 1.0)
    parallel = simulate_team(traces, current, replace(current, formation="parallel"), range(N), {})
    assert isinstance(parallel, Simulated)
    np.testing.assert_allclose(parallel.duration, 6.0 + 1.0)  # longest of all four + overhead
    no_manager = simulate_team(traces, current, replace(current, manager=None), range(N), {})
    assert isinstance(no_manager, Refusal)
    assert "without a manager" in no_manager.reason


def test_switching_to_consensus_without_rounds_is_refused(tmp_path: Path) -> None:
    traces = _traces(tmp_path, [_execution(i) for i in range(N)])
    result = simulate_team(traces, SEQ, replace(SEQ, formation="consensus"), range(N), INDEPENDENT)
    assert isinstance(result, Refusal)
    assert "consensus rounds are missing in 30 of 30" in result.reason


def test_switching_to_consensus_uses_the_recorded_rounds(tmp_path: Path) -> None:
    records = [_execution(i) for i in range(N)]
    for i, rec in enumerate(records):
        rec["consensus_rounds"] = 1 + i % 2
    traces = _traces(tmp_path, records)
    sim = _run(traces, replace(SEQ, formation="consensus"))
    np.testing.assert_allclose(sim.duration, 20.0 * (1 + np.arange(N) % 2) + 2.0)


def test_too_few_executions_and_unknown_members_are_refused(tmp_path: Path) -> None:
    traces = _traces(tmp_path, [_execution(i) for i in range(N)])
    few = simulate_team(traces, SEQ, replace(SEQ, formation="parallel"), range(10), INDEPENDENT)
    assert isinstance(few, Refusal)
    assert "only 10 recorded executions" in few.reason
    added = simulate_team(traces, SEQ, replace(SEQ, members=(*MEMBERS, "d")), range(N), {})
    assert isinstance(added, Refusal)
    assert "no recorded executions of member d" in added.reason


def test_member_durations_missing_in_most_executions_refuse_a_formation_change(
    tmp_path: Path,
) -> None:
    records = [_execution(i) for i in range(N)]
    for rec in records[:20]:
        del rec["member_metrics"]
    traces = _traces(tmp_path, records)
    refused = simulate_team(traces, SEQ, replace(SEQ, formation="parallel"), range(N), {})
    assert isinstance(refused, Refusal)
    assert "member durations are missing in 20 of 30" in refused.reason
    # a non-structural change still replays every execution
    budget = _run(traces, replace(SEQ, timeout_seconds=200.0))
    assert budget.n == N


@pytest.mark.parametrize("repeats", [1, 3])
def test_a_resample_with_repeats_is_replayed_as_given(tmp_path: Path, repeats: int) -> None:
    traces = _traces(tmp_path, [_execution(i) for i in range(N)])
    sample = np.repeat(np.arange(N), repeats)
    sim = simulate_team(traces, SEQ, replace(SEQ, formation="parallel"), sample, INDEPENDENT)
    assert isinstance(sim, Simulated)
    assert sim.executions.tolist() == sample.tolist()
    assert sim.n == N


def test_executions_of_another_formation_are_replayed_under_the_configured_one(
    tmp_path: Path,
) -> None:
    old = [_execution(i, formation="parallel", overhead=5.0, config="old") for i in range(N)]
    store = ingest(tmp_path, old + [_execution(i) for i in range(N)])
    traces = team_traces(store, rows_of_team(store, "t"), MEMBERS)  # both configurations
    sim = _run(traces, SEQ)
    expected = np.concatenate([_a_durations(), _a_durations()]) + 25.0 + 2.0
    np.testing.assert_allclose(sim.duration, expected)  # sequential overhead measured: 2 s
    assert any("taken from 30 recorded executions" in n for n in sim.notes)
