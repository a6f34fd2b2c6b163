"""Tests of the column builder: record shapes, linking, identities, timestamps, dirty values."""

from __future__ import annotations

import math
from datetime import UTC, datetime
from typing import Any

import msgspec
import numpy as np
import pytest

from autotune_bot.metrics.builder import StoreBuilder
from autotune_bot.metrics.columns import Interner, MetricsStore
from autotune_bot.metrics.problems import ProblemLog
from autotune_bot.metrics.reader import Batch
from autotune_bot.metrics.schema import RawRecord

T0 = datetime(2026, 1, 1, 10, 0, tzinfo=UTC).timestamp()
LINE0 = 100  # batch lines are offset from record indexes so the two cannot be confused


def build(
    *batches: list[dict[str, Any]],
    member_teams: frozenset[str] | None = None,
    display: str = "m.jsonl",
) -> tuple[MetricsStore, ProblemLog]:
    log = ProblemLog(keep=100)
    builder = StoreBuilder(log, member_teams)
    builder.start_file(display)
    index = 0
    for records in batches:
        raws = [msgspec.convert(r, RawRecord, strict=False) for r in records]
        lines = [LINE0 + index + i for i in range(len(raws))]
        builder.add_batch(Batch(raws, index, lines))
        index += len(raws)
    return builder.build(), log


def names(interner: Interner, codes: Any) -> list[str | None]:
    return [interner.name(int(c)) for c in codes]


def problems(log: ProblemLog, kind: str) -> list[tuple[int, int]]:
    """(line, record index) of the problems of a kind, in file order."""
    found = [(p.line, p.record) for p in log.examples.get(kind, [])]
    located = [(line, record) for line, record in found if line is not None and record is not None]
    assert len(located) == len(found), "every problem must be located"
    return sorted(located)


def team(team_id: str = "review", **fields: Any) -> dict[str, Any]:
    rec: dict[str, Any] = {"team_id": team_id, "success": True, "duration_seconds": 10.0}
    rec.update(fields)
    return rec


def run(**fields: Any) -> dict[str, Any]:
    rec: dict[str, Any] = {"run_id": "r1", "success": True, "duration": 30.0}
    rec.update(fields)
    return rec


# --- shapes and columns --------------------------------------------------------------------


def test_team_record_columns() -> None:
    record = {
        "team_id": "review_team",
        "formation": "parallel",
        "member_count": 3,
        "success": True,
        "duration_seconds": 42.7,
        "total_tool_calls": 19,
        "unique_tools_used": ["grep", "read"],
        "recursion_depth": 1,
        "start_time": "2026-01-01T10:00:00+00:00",
        "end_time": "2026-01-01T10:00:42.7+00:00",
        "consensus_achieved": False,
        "consensus_rounds": 2,
        "workflow_id": "wf",
        "git_sha": "abc",
        "cost": 0.5,
        "cost_usd": 0.25,
        "input_tokens": 1200,
        "output_tokens": 300,
    }
    store, log = build([record])
    t = store.teams
    assert len(t) == 1
    assert names(store.team_names, t.team) == ["review_team"]
    assert names(store.formation_names, t.formation) == ["parallel"]
    assert names(store.workflow_names, t.workflow) == ["wf"]
    assert names(store.config_names, t.config) == ["abc"]
    assert names(store.file_names, t.file) == ["m.jsonl"]
    assert t.run.tolist() == [-1]
    assert t.timestamp.tolist() == [T0]
    assert t.success.tolist() == [1]
    assert t.duration.tolist() == [42.7]
    assert t.tool_calls.tolist() == [19.0]
    assert t.member_count.tolist() == [3.0]
    assert t.consensus_rounds.tolist() == [2.0]
    assert t.consensus_achieved.tolist() == [0]
    assert t.cost.tolist() == [0.25]  # cost_usd wins over cost
    assert t.input_tokens.tolist() == [1200.0]
    assert t.output_tokens.tolist() == [300.0]
    assert store.records_read == 1
    assert store.files_read == ("m.jsonl",)
    assert log.total == 0


def test_missing_optional_team_fields_are_nan_and_minus_one() -> None:
    store, log = build([{"team_id": "t", "success": False, "duration_seconds": 1.0}])
    t = store.teams
    assert t.success.tolist() == [0]
    for column in (t.timestamp, t.tool_calls, t.member_count, t.cost, t.input_tokens):
        assert math.isnan(column[0])
    assert t.consensus_achieved.tolist() == [-1]
    assert t.workflow.tolist() == t.config.tolist() == t.formation.tolist() == [-1]
    assert log.total == 0


def test_member_rows_link_to_their_team_rows() -> None:
    first = team(
        "a",
        member_metrics={
            "security": {
                "role": "reviewer",
                "success": True,
                "duration_seconds": 1.5,
                "tool_calls_used": 7,
                "cost": 0.2,
                "cost_usd": 0.1,
            },
            "perf": {"role": "analyst", "success": False, "duration_seconds": 2.5, "cost": 0.3},
        },
    )
    second = team("b", member_metrics={"style": {"success": None, "duration_seconds": 3.5}})
    store, log = build([first, team("c")], [second])
    m = store.members
    assert len(store.teams) == 3
    assert m.team_row.tolist() == [0, 0, 2]
    assert names(store.team_names, store.teams.team[m.team_row]) == ["a", "a", "b"]
    assert names(store.member_names, m.member) == ["security", "perf", "style"]
    assert m.success.tolist() == [1, 0, -1]
    assert m.duration.tolist() == [1.5, 2.5, 3.5]
    assert m.tool_calls[0] == 7.0
    assert math.isnan(m.tool_calls[1])
    assert m.cost[:2].tolist() == [0.1, 0.3]
    # the member entry without a success value is kept and counted
    assert dict(log.counts) == {"member_problem": 1}
    assert "style has no success value" in log.examples["member_problem"][0].detail


def test_negative_amounts_are_counted_not_silently_dropped() -> None:
    record = team(
        "a",
        total_tool_calls=-3,
        cost=-0.5,
        member_metrics={"m": {"success": True, "duration_seconds": 1.0, "tool_calls_used": -1}},
    )
    store, log = build([record])
    assert math.isnan(store.teams.tool_calls[0])
    assert math.isnan(store.teams.cost[0])
    assert math.isnan(store.members.tool_calls[0])
    assert log.counts["negative_value"] == 3
    details = sorted(p.detail for p in log.examples["negative_value"])
    assert details == [
        "member m: tool_calls_used is -1.0",
        "team a: cost is -0.5",
        "team a: total_tool_calls is -3.0",
    ]


def test_member_tool_calls() -> None:
    calls = [
        {"name": "grep", "args_hash": "h1", "duration_seconds": 0.5, "cached": False},
        {"name": "read", "args_hash": "h2", "cached": True},
        {"name": "grep", "args_hash": "h1", "duration_seconds": 0.25},
        {"name": "grep"},
    ]
    members = {
        "x": {"success": True, "duration_seconds": 1.0},
        "y": {"success": True, "duration_seconds": 1.0, "tool_calls": calls},
    }
    store, _ = build([team("a"), team("b", member_metrics=members)])
    c = store.tool_calls
    assert c.owner_kind.tolist() == [1, 1, 1, 1]
    assert c.owner_row.tolist() == [1, 1, 1, 1]  # member row of "y"
    assert names(store.member_names, store.members.member[c.owner_row]) == ["y"] * 4
    assert names(store.tool_names, c.tool) == ["grep", "read", "grep", "grep"]
    assert c.args_hash[0] == c.args_hash[2] != c.args_hash[1]
    assert names(store.misc_names, c.args_hash) == ["h1", "h2", "h1", None]
    assert c.duration[:1].tolist() == [0.5]
    assert math.isnan(c.duration[1])
    assert c.cached.tolist() == [0, 1, -1, -1]


def test_bad_tool_call_durations_are_reported() -> None:
    bad = [{"name": "grep", "duration_seconds": -2.0}, {"name": "grep", "duration_seconds": 1.0}]
    members = {"y": {"success": True, "duration_seconds": 1.0, "tool_calls": bad}}
    node = {
        "duration": 1.0,
        "success": True,
        "tool_calls": [{"name": "web", "duration_seconds": -1}],
    }
    store, log = build([team("b", member_metrics=members), run(node_metrics={"n": node})])
    durations = store.tool_calls.duration
    assert int(np.isnan(durations).sum()) == 2
    assert durations[~np.isnan(durations)].tolist() == [1.0]
    assert sorted(p.detail for p in log.examples["negative_value"]) == [
        "member y: tool call duration_seconds is -2.0",
        "node n: tool call duration_seconds is -1.0",
    ]


def test_workflow_run_with_nodes_tools_and_tool_calls() -> None:
    record = {
        "run_id": "r1",
        "workflow_id": "research",
        "config_fingerprint": "cfg-1",
        "timestamp": "2026-01-01T10:00:00Z",
        "success": True,
        "duration": 31.2,
        "cost": 0.021,
        "node_metrics": {
            "analyze": {
                "duration": 20.1,
                "input_tokens": 2400,
                "output_tokens": 900,
                "cost": 0.018,
                "model": "big",
                "success": True,
                "tools": {"web_search": {"count": 3, "cost": 0.006}, "fetch": {"count": 1}},
                "tool_calls": [{"name": "web_search", "args_hash": "q1", "cached": False}],
            },
            "fetch": {"duration_seconds": 2.0, "success": False, "error_type": "TimeoutError"},
            "quick": {"duration": 0.0, "cost_usd": 0.5, "cost": 9.0},
        },
    }
    store, log = build([record])
    r = store.runs
    assert len(r) == 1
    assert names(store.workflow_names, r.workflow) == ["research"]
    assert names(store.config_names, r.config) == ["cfg-1"]
    assert r.timestamp.tolist() == [T0]
    assert r.success.tolist() == [1]
    assert r.duration.tolist() == [31.2]
    assert r.cost.tolist() == [0.021]
    n = store.nodes
    assert n.run_row.tolist() == [0, 0, 0]
    assert names(store.node_names, n.node) == ["analyze", "fetch", "quick"]
    assert n.duration.tolist() == [20.1, 2.0, 0.0]  # a zero-length node is not a problem
    assert n.success.tolist() == [1, 0, -1]
    assert n.input_tokens[0] == 2400.0
    assert n.output_tokens[0] == 900.0
    assert n.cost[0] == 0.018
    assert n.cost[2] == 0.5  # cost_usd wins over cost
    assert names(store.model_names, n.model) == ["big", None, None]
    assert names(store.misc_names, n.error_type) == [None, "TimeoutError", None]
    u = store.tool_use
    assert u.node_row.tolist() == [0, 0]
    assert names(store.tool_names, u.tool) == ["web_search", "fetch"]
    assert u.count.tolist() == [3.0, 1.0]
    assert u.cost[0] == 0.006
    assert math.isnan(u.cost[1])
    c = store.tool_calls
    assert c.owner_kind.tolist() == [0]
    assert c.owner_row.tolist() == [0]
    assert names(store.misc_names, c.args_hash) == ["q1"]
    assert len(store.teams) == 0
    assert log.total == 0


def test_run_duration_falls_back_to_duration_seconds() -> None:
    store, _ = build([run(run_id="a", duration=None, duration_seconds=4.0)])
    assert store.runs.duration.tolist() == [4.0]


def test_combined_record_links_teams_to_the_run_and_inherits_outer_fields() -> None:
    combined = {
        "workflow_id": "review_flow",
        "config_fingerprint": "cfg-7",
        "timestamp": "2026-01-01T10:00:00+00:00",
        "workflow_run": {
            "run_id": "r9",
            "success": True,
            "duration": 50.0,
            "node_metrics": {"review_team": {"duration": 40.0}},
        },
        "team_executions": [
            {
                "team_id": "review_team",
                "success": True,
                "duration_seconds": 40.0,
                "member_metrics": {"m": {"success": True, "duration_seconds": 5.0}},
            },
            {
                "team_id": "other",
                "success": False,
                "duration_seconds": 3.0,
                "workflow_id": "own_flow",
                "git_sha": "sha-own",
                "start_time": "2026-01-01T11:00:00+00:00",
            },
        ],
    }
    store, log = build([run(run_id="before"), combined])
    assert len(store.runs) == 2
    t = store.teams
    assert t.run.tolist() == [1, 1]
    assert names(store.team_names, t.team) == ["review_team", "other"]
    assert names(store.workflow_names, t.workflow) == ["review_flow", "own_flow"]
    # The outer fingerprint identifies the configuration even where a team has a git_sha.
    assert names(store.config_names, t.config) == ["cfg-7", "cfg-7"]
    assert t.timestamp.tolist() == [T0, T0 + 3600]
    r = store.runs
    assert names(store.workflow_names, r.workflow)[1] == "review_flow"
    assert names(store.config_names, r.config)[1] == "cfg-7"
    assert r.timestamp[1] == T0
    assert store.nodes.run_row.tolist() == [1]
    assert store.members.team_row.tolist() == [0]
    assert store.records_read == 2
    assert log.total == 0


def test_combined_record_without_workflow_run() -> None:
    combined = {"git_sha": "s", "team_executions": [team("a"), team("b", duration_seconds=2.0)]}
    store, log = build([combined])
    assert store.teams.run.tolist() == [-1, -1]
    assert names(store.config_names, store.teams.config) == ["s", "s"]
    assert len(store.runs) == 0
    assert log.total == 0


@pytest.mark.parametrize(
    ("fields", "config"),
    [
        ({"config_fingerprint": "fp", "git_sha": "sha"}, "fp"),
        ({"git_sha": "sha"}, "sha"),
        ({"config_fingerprint": "fp"}, "fp"),
        ({}, None),
    ],
)
def test_config_identity_prefers_the_fingerprint(
    fields: dict[str, str], config: str | None
) -> None:
    store, _ = build([team(**fields), run(**fields)])
    assert names(store.config_names, store.teams.config) == [config]
    assert names(store.config_names, store.runs.config) == [config]


# --- timestamps ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2026-01-01T10:00:00+00:00", T0),
        ("2026-01-01T10:00:00.250+00:00", T0 + 0.25),
        ("2026-01-01T10:00:00Z", T0),
        ("2026-01-01T10:00:00", T0),  # naive: taken as UTC
        ("2026-01-01T12:00:00+02:00", T0),
        (T0, T0),
        (int(T0), T0),
        (T0 + 0.5, T0 + 0.5),
    ],
)
@pytest.mark.parametrize("field", ["start_time", "timestamp"])
def test_timestamps(field: str, value: str | float, expected: float) -> None:
    stamp: dict[str, Any] = {field: value}
    store, log = build([team(**stamp), run(**stamp)])
    assert store.teams.timestamp.tolist() == [expected]
    assert store.runs.timestamp.tolist() == [expected]
    assert log.total == 0


@pytest.mark.parametrize("suffix", ["Z", "+00:00"])
def test_many_utc_timestamps_at_once(suffix: str) -> None:
    stamps = [f"2026-01-01T10:{i:02d}:00.5{suffix}" for i in range(20)]
    store, log = build([team(start_time=s) for s in stamps])
    assert store.teams.timestamp.tolist() == [T0 + 60 * i + 0.5 for i in range(20)]
    assert log.total == 0


def test_mixed_timestamp_styles_in_one_batch() -> None:
    mixed = ["2026-01-01T10:00:00Z", "2026-01-01T10:00:01+00:00", "2026-01-01T12:00:02+02:00"]
    store, log = build([team(start_time=s) for s in mixed])
    assert store.teams.timestamp.tolist() == [T0, T0 + 1, T0 + 2]
    assert log.total == 0


@pytest.mark.parametrize("garbage", ["yesterday", "+00:00", "2026-13-45T10:00:00Z", ""])
def test_bad_timestamps_are_reported_and_absent(garbage: str) -> None:
    good = "2026-01-01T10:00:00+00:00"
    records = [team(start_time=good), team(start_time=garbage, duration_seconds=2.0)]
    store, log = build(records, [run(timestamp=garbage)])
    assert store.teams.timestamp[0] == T0
    assert math.isnan(store.teams.timestamp[1])
    assert math.isnan(store.runs.timestamp[0])
    assert dict(log.counts) == {"bad_timestamp": 2}
    assert problems(log, "bad_timestamp") == [(LINE0 + 1, 1), (LINE0 + 2, 2)]


# --- dirty values --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("duration", "kind"),
    [
        (-3.0, "negative_duration"),
        (0.0, "zero_duration"),
        (None, "missing_duration"),
        (math.nan, "nan_value"),
        (math.inf, "nan_value"),
    ],
)
def test_bad_durations_are_counted_and_excluded(duration: float | None, kind: str) -> None:
    bad_team = {"team_id": "t", "success": True}
    bad_run = {"run_id": "r", "success": True}
    if duration is not None:
        bad_team["duration_seconds"] = duration
        bad_run["duration"] = duration
    store, log = build([team(), bad_team, run(), bad_run])
    assert store.teams.duration[0] == 10.0
    assert math.isnan(store.teams.duration[1])
    assert store.runs.duration[0] == 30.0
    assert math.isnan(store.runs.duration[1])
    assert store.teams.success.tolist() == [1, 1]  # the rows are kept
    assert dict(log.counts) == {kind: 2}
    assert problems(log, kind) == [(LINE0 + 1, 1), (LINE0 + 3, 3)]


def test_bad_member_durations_are_member_problems() -> None:
    members = {
        "ok": {"success": True, "duration_seconds": 2.0},
        "neg": {"success": True, "duration_seconds": -1.0},
        "zero": {"success": True, "duration_seconds": 0.0},
        "none": {"success": True},
        "nan": {"success": True, "duration_seconds": math.nan},
    }
    store, log = build([team("a"), team("b", member_metrics=members)])
    assert store.members.duration[0] == 2.0
    assert np.isnan(store.members.duration[1:]).all()
    assert dict(log.counts) == {"member_problem": 4}
    assert problems(log, "member_problem") == [(LINE0 + 1, 1)] * 4
    details = [p.detail for p in log.examples["member_problem"]]
    assert all(name in " ".join(details) for name in ("neg", "zero", "none", "nan"))


def test_bad_node_durations_are_node_problems() -> None:
    nodes = {"neg": {"duration": -2.0}, "nan": {"duration": math.nan}, "none": {}}
    store, log = build([run(node_metrics=nodes)])
    assert np.isnan(store.nodes.duration).all()
    assert dict(log.counts) == {"node_problem": 2}


def test_null_success_is_counted_and_unknown() -> None:
    store, log = build([team(success=None), run(success=None), team("b")])
    assert store.teams.success.tolist() == [-1, 1]
    assert store.runs.success.tolist() == [-1]
    assert dict(log.counts) == {"missing_success": 2}
    assert problems(log, "missing_success") == [(LINE0, 0), (LINE0 + 1, 1)]


def test_negative_counts_and_costs_become_absent() -> None:
    store, _ = build([team(total_tool_calls=-1, cost=-0.5, input_tokens=-3, member_count=2)])
    t = store.teams
    assert np.isnan([t.tool_calls[0], t.cost[0], t.input_tokens[0]]).all()
    assert t.member_count[0] == 2.0


# --- duplicates and shapes -----------------------------------------------------------------


def test_exact_duplicates_count_the_repeat_not_the_original() -> None:
    original = team(
        start_time="2026-01-01T10:00:00Z",
        member_metrics={"m": {"success": True, "duration_seconds": 1.0}},
    )
    combined = {"workflow_run": run(run_id="c"), "team_executions": [team("inner")]}
    store, log = build(
        [original, run(), team("other"), dict(original)],
        [run(), combined, dict(combined), dict(original)],
    )
    assert names(store.team_names, store.teams.team) == ["review", "other", "inner"]
    assert len(store.runs) == 2
    assert len(store.members) == 1
    assert dict(log.counts) == {"duplicate": 4}
    assert problems(log, "duplicate") == [
        (LINE0 + 3, 3),
        (LINE0 + 4, 4),
        (LINE0 + 6, 6),
        (LINE0 + 7, 7),
    ]
    assert store.records_read == 8


def test_records_differing_in_one_field_are_not_duplicates() -> None:
    base = team(start_time="2026-01-01T10:00:00Z")
    variants = [
        base,
        team(start_time="2026-01-01T10:00:01Z"),
        team("x", start_time=base["start_time"]),
        {**base, "success": False},
        {**base, "total_tool_calls": 3},
        {**base, "cost": 1.0},
        {**base, "git_sha": "s"},
        {**base, "duration_seconds": 11.0},
    ]
    store, log = build(variants)
    assert len(store.teams) == len(variants)
    assert log.total == 0


def test_dedup_keys_do_not_collide_on_small_whole_numbers() -> None:
    # Equal times and durations: only small whole numbers tell these records apart.
    records = [
        team(
            f"team{t}",
            total_tool_calls=calls,
            success=ok,
            git_sha=f"sha{c}",
            duration_seconds=12.0,
            start_time="2026-01-01T10:00:00Z",
        )
        for t in range(10)
        for c in range(3)
        for calls in range(41)
        for ok in (True, False)
    ]
    store, log = build(records)
    assert len(store.teams) == len(records)
    assert log.counts["duplicate"] == 0


def test_equal_records_without_a_time_or_run_id_are_all_kept() -> None:
    # Two executions without a timestamp may legitimately be equal: only records that say
    # which run they are (a time or a run id) are checked for duplicates.
    untimed = team(duration_seconds=12.0, total_tool_calls=3)
    plain_run = {"success": True, "duration": 30.0}
    store, log = build([untimed, dict(untimed), plain_run, dict(plain_run)])
    assert len(store.teams) == 2
    assert len(store.runs) == 2
    assert log.total == 0


def test_unknown_shapes_are_reported() -> None:
    store, log = build([{"hello": "world"}, team(), {"member_metrics": {}}, {}])
    assert len(store.teams) == 1
    assert dict(log.counts) == {"unknown_shape": 3}
    assert problems(log, "unknown_shape") == [(LINE0, 0), (LINE0 + 2, 2), (LINE0 + 3, 3)]
    assert store.records_read == 4


def test_member_teams_limits_member_rows_but_keeps_all_team_rows() -> None:
    calls = [{"name": "grep", "args_hash": "h"}]
    members = {
        "m1": {"success": True, "duration_seconds": 1.0, "tool_calls": calls},
        "m2": {"success": True, "duration_seconds": 2.0, "tool_calls": calls},
    }
    records = [
        team("keep", member_metrics=members),
        team("drop", member_metrics=members),
        team("keep", duration_seconds=5.0, member_metrics=members),
    ]
    store, log = build(records, member_teams=frozenset({"keep"}))
    assert names(store.team_names, store.teams.team) == ["keep", "drop", "keep"]
    assert store.members.team_row.tolist() == [0, 0, 2, 2]
    assert names(store.member_names, store.members.member) == ["m1", "m2", "m1", "m2"]
    assert store.tool_calls.owner_row.tolist() == [0, 1, 2, 3]
    assert log.total == 0


def test_rows_from_several_files_carry_their_file() -> None:
    log = ProblemLog()
    builder = StoreBuilder(log)
    for display, team_id in [("a.jsonl", "x"), ("b.json", "y")]:
        builder.start_file(display)
        raw = msgspec.convert(team(team_id), RawRecord)
        builder.add_batch(Batch([raw, msgspec.convert(run(run_id=team_id), RawRecord)], 0, [1, 2]))
    store = builder.build()
    assert names(store.file_names, store.teams.file) == ["a.jsonl", "b.json"]
    assert names(store.file_names, store.runs.file) == ["a.jsonl", "b.json"]
    assert store.files_read == ("a.jsonl", "b.json")
    assert store.records_read == 4


def test_empty_store_has_typed_empty_columns() -> None:
    store, _ = build()
    assert len(store.teams) == len(store.members) == len(store.runs) == 0
    assert len(store.nodes) == len(store.tool_use) == len(store.tool_calls) == 0
    assert store.teams.duration.dtype == np.float64
    assert store.teams.team.dtype == np.int32
    assert store.members.success.dtype == np.int8
