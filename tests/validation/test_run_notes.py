"""The per-arm notes on where run figures came from and why runs failed."""

from __future__ import annotations

from autotune_bot.validation.run_notes import run_notes
from autotune_bot.validation.runs import Arm, ResultSource, RunResult


def _run(
    arm: Arm,
    trial: int,
    *,
    ok: bool = True,
    source: ResultSource = "result_file",
    exit_code: int | None = 0,
    timed_out: bool = False,
    note: str | None = None,
) -> RunResult:
    return RunResult(arm, trial, None, 1.0, None, ok, exit_code, timed_out, source, note)


def test_failures_are_counted_by_reason_most_common_first() -> None:
    control = [_run("control", t) for t in range(4)]
    variant = [
        _run("variant", 0, ok=False, source="wall_time", exit_code=1, note="exit 1: boom"),
        _run("variant", 1, ok=False, source="wall_time", exit_code=1, note="exit 1: boom"),
        _run("variant", 2, ok=False, source="wall_time", exit_code=None, timed_out=True),
        _run("variant", 3),
    ]
    assert run_notes(control, variant) == (
        "control: figures from 4 × AUTOTUNE_RESULT record",
        "variant: figures from 1 × AUTOTUNE_RESULT record, "
        "3 × wall time and exit status (no usable record)",
        "variant: 3 of 4 runs failed: 2 × exit 1: boom; 1 × timed out after 1 s",
    )


def test_reasons_beyond_three_are_summarised() -> None:
    variant = [_run("variant", t, ok=False, exit_code=t + 1) for t in range(5)]
    (_, failures) = run_notes([], variant)
    assert failures.startswith("variant: 5 of 5 runs failed: 1 × exit status 1;")
    assert failures.endswith("; and 2 other reasons")
    assert run_notes([], []) == ()


def test_a_record_saying_failure_is_named() -> None:
    (_, failures) = run_notes([_run("control", 0, ok=False)], [])
    assert failures == "control: 1 of 1 runs failed: 1 × the record says success: false"


UNUSED = "AUTOTUNE_RESULT: not a JSON object; wall time used"


def test_records_the_wall_time_replaced_are_counted_with_their_reasons() -> None:
    variant = [
        _run("variant", 0, source="wall_time", note=UNUSED),
        _run("variant", 1, source="wall_time", note=UNUSED),
        _run("variant", 2, source="wall_time", note="last stdout line: bad field; wall time used"),
        _run("variant", 3, source="wall_time"),  # no record at all: nothing to say
        _run("variant", 4, note="record duration -1.0 is not a positive number; wall time used"),
    ]
    control = [_run("control", 0, source="wall_time", note=UNUSED)]
    notes = run_notes(control, variant)
    assert notes == (
        "control: figures from 1 × wall time and exit status (no usable record)",
        "control: 1 run's record was not used (AUTOTUNE_RESULT: not a JSON object); "
        "its wall time counts",
        "variant: figures from 1 × AUTOTUNE_RESULT record, "
        "4 × wall time and exit status (no usable record)",
        "variant: 3 runs' records were not used (2 × AUTOTUNE_RESULT: not a JSON object; "
        "1 × last stdout line: bad field); their wall time counts",
        "variant: 1 run's record gave no usable duration (record duration -1.0 is not a "
        "positive number); its wall time counts",
    )


def test_a_failed_run_with_an_unused_record_is_in_both_lines() -> None:
    note = f"{UNUSED}; exit status 2: boom"
    run = _run("control", 0, ok=False, source="wall_time", exit_code=2, note=note)
    assert run_notes([run], []) == (
        "control: figures from 1 × wall time and exit status (no usable record)",
        "control: 1 run's record was not used (AUTOTUNE_RESULT: not a JSON object); "
        "its wall time counts",
        f"control: 1 of 1 runs failed: 1 × {note}",
    )
