"""Turning one reported JSON record into a run's duration, cost and success."""

from __future__ import annotations

import json
import math

import pytest

from autotune_bot.validation.run_record import (
    RecordError,
    RecordFigures,
    parse_record,
    run_result,
    wall_time_reasons,
)


def parse(record: object) -> RecordFigures:
    return parse_record(json.dumps(record))


def test_workflow_run_record_of_the_formats_document() -> None:
    got = parse(
        {
            "run_id": "r1",
            "success": True,
            "duration": 31.2,
            "cost": 0.021,
            "node_metrics": {
                "analyze": {"duration": 20.1, "cost": 0.018, "success": True},
                "fetch": {"duration": 2.0, "success": False, "error_type": "TimeoutError"},
            },
        }
    )
    assert (got.duration_seconds, got.cost_usd, got.success) == (31.2, 0.021, True)


def test_run_without_a_total_cost_sums_its_node_costs() -> None:
    got = parse(
        {
            "run_id": "r2",
            "success": False,
            "duration_seconds": 12.0,
            "node_metrics": {
                "a": {"cost": 0.25},
                "b": {"cost_usd": 0.5, "cost": 99.0},  # cost_usd wins
                "c": {"duration": 1.0},
            },
        }
    )
    assert got.duration_seconds == 12.0
    assert got.cost_usd == 0.75
    assert got.success is False
    assert any("2 of 3 nodes" in note for note in got.notes)


def test_cost_usd_wins_over_cost() -> None:
    assert parse({"run_id": 1, "duration": 3, "cost": 9.0, "cost_usd": 0.5}).cost_usd == 0.5


def test_a_bare_duration_seconds_record_is_a_run() -> None:
    got = parse({"duration_seconds": 3, "success": True})
    assert (got.duration_seconds, got.cost_usd, got.success) == (3.0, None, True)


def test_team_execution_record() -> None:
    got = parse({"team_id": "review", "success": True, "duration_seconds": 42.7, "cost_usd": 0.3})
    assert (got.duration_seconds, got.cost_usd, got.success) == (42.7, 0.3, True)


def test_team_cost_from_members_only_when_every_member_has_one() -> None:
    members = {"a": {"cost": 0.125}, "b": {"cost_usd": 0.25}}
    got = parse({"team_id": "t", "success": True, "duration_seconds": 5, "member_metrics": members})
    assert got.cost_usd == 0.375
    members["c"] = {"duration_seconds": 1.0}
    got = parse({"team_id": "t", "success": True, "duration_seconds": 5, "member_metrics": members})
    assert got.cost_usd is None


def test_combined_record_uses_the_workflow_run_and_fills_from_the_outer_record() -> None:
    got = parse(
        {
            "success": True,
            "cost_usd": 0.5,
            "workflow_run": {"run_id": "r", "duration": 8.0},
            "team_executions": [{"team_id": "t", "duration_seconds": 99, "success": False}],
        }
    )
    assert (got.duration_seconds, got.cost_usd, got.success) == (8.0, 0.5, True)


def test_combined_record_with_team_executions_only() -> None:
    one = parse({"team_executions": [{"team_id": "t", "duration_seconds": 4, "success": True}]})
    assert (one.duration_seconds, one.success) == (4.0, True)
    teams = [
        {"team_id": "a", "duration_seconds": 4, "success": True, "cost": 0.5},
        {"team_id": "b", "duration_seconds": 6, "success": False, "cost": 0.25},
    ]
    two = parse({"team_executions": teams})
    assert two.duration_seconds is None  # they may have overlapped: the wall time stands in
    assert (two.cost_usd, two.success) == (0.75, False)
    assert any("wall time" in note for note in two.notes)
    outer = parse({"team_executions": teams, "duration": 7.0, "success": True})
    assert (outer.duration_seconds, outer.success) == (7.0, True)


@pytest.mark.parametrize("bad", [-1.0, 0.0, math.nan, math.inf])
def test_a_bad_duration_is_left_out_with_a_note(bad: float) -> None:
    got = parse_record(json.dumps({"run_id": 1, "duration": bad, "success": True, "cost": -2.0}))
    assert got.duration_seconds is None
    assert got.cost_usd is None
    assert got.success is True
    assert len(got.notes) == 2


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("not json", "not JSON"),
        ("[1, 2]", "a JSON list"),
        ('{"success": true, "cost": 1}', "not a run record"),
        ('{"run_id": 1, "duration": "slow"}', "bad field"),
        ('{"team_executions": []}', "neither"),
    ],
)
def test_texts_that_are_not_records(text: str, reason: str) -> None:
    with pytest.raises(RecordError, match=reason):
        parse_record(text)


def test_run_result_timeout_is_a_failure_at_the_time_limit() -> None:
    r = run_result(
        arm="control", trial=2, input=None, wall_seconds=0.5, exit_code=None,
        timed_out=True, record=None, source="wall_time",
    )  # fmt: skip
    assert (r.duration_seconds, r.success, r.exit_code, r.timed_out) == (0.5, False, None, True)
    assert r.note is not None
    assert "timed out" in r.note


def test_run_result_exit_status_and_record_must_both_say_success() -> None:
    ok = RecordFigures(2.0, 0.1, True)
    bad = RecordFigures(2.0, 0.1, False)
    unknown = RecordFigures(None, None, None)

    def result(code: int, rec: RecordFigures | None):  # type: ignore[no-untyped-def]
        return run_result(
            arm="variant", trial=0, input="t", wall_seconds=3.0, exit_code=code,
            timed_out=False, record=rec, source="stdout",
        )  # fmt: skip

    assert result(0, ok).success
    assert result(0, ok).note is None
    assert not result(0, bad).success
    failed = result(2, ok)
    assert not failed.success
    assert failed.note is not None
    assert "exited with status 2" in failed.note
    assert result(0, unknown).success
    assert result(0, unknown).duration_seconds == 3.0  # wall time stands in
    assert result(0, ok).duration_seconds == 2.0
    assert not result(1, None).success
    assert result(1, None).cost_usd is None


def _result(record: RecordFigures | None, notes: tuple[str, ...] = ()):  # type: ignore[no-untyped-def]
    return run_result(
        arm="control",
        trial=0,
        input=None,
        wall_seconds=3.5,
        exit_code=0,
        timed_out=False,
        record=record,
        source="result_file",
        notes=notes,
    )


def test_a_record_without_a_duration_says_the_wall_time_stands_in() -> None:
    r = _result(parse({"run_id": "x", "success": True, "cost_usd": 0.5}))
    assert (r.duration_seconds, r.cost_usd, r.success) == (3.5, 0.5, True)
    assert r.note == "the record gives no duration; wall time used"
    assert wall_time_reasons(r.note) == ("the record gives no duration",)
    bad = _result(parse({"run_id": "x", "duration": -2.0}))
    assert bad.duration_seconds == 3.5
    assert wall_time_reasons(bad.note) == ("record duration -2.0 is not a positive number",)
    good = _result(parse({"run_id": "x", "duration": 2.0}))
    assert (good.duration_seconds, good.note, wall_time_reasons(good.note)) == (2.0, None, ())


def test_wall_time_reasons_reads_every_such_note() -> None:
    note = "a; wall time used; exit status 1: x; wall time used"
    assert wall_time_reasons(note) == ("a", "exit status 1: x")
    assert wall_time_reasons("exit status 1: boom") == ()
    assert wall_time_reasons(None) == ()
