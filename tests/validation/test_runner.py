"""Running a real benchmark command for both arms: small Python scripts as the command."""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path

import pytest

from autotune_bot.errors import InputError
from autotune_bot.settings.proposals import ABTestSettings
from autotune_bot.validation.progress import RunProgress, format_progress, progress_at
from autotune_bot.validation.runner import RunBatch, run_ab

HEADER = """\
import json, os, sys, time
ARM = os.environ["AUTOTUNE_ARM"]
TRIAL = int(os.environ["AUTOTUNE_TRIAL"])
def log(**fields):
    with open(os.environ["TEST_LOG"], "a") as f:
        f.write(json.dumps(fields) + "\\n")
def report(record):
    with open(os.environ["AUTOTUNE_RESULT"], "w") as f:
        json.dump(record, f)
"""


def _script(tmp_path: Path, body: str) -> Path:
    path = tmp_path / "bench.py"
    path.write_text(HEADER + body, encoding="utf-8")
    return path


def _settings(script: Path, *args: str, runs: int = 2, **extra: object) -> ABTestSettings:
    extra.setdefault("max_total_runs", 2 * runs)
    extra.setdefault("run_timeout_seconds", 20.0)
    return ABTestSettings.model_validate(
        {"command": [sys.executable, "-S", str(script), *args], "runs_per_arm": runs, **extra}
    )


def _arms(tmp_path: Path) -> tuple[Path, Path]:
    """Two workflow files with the same name in different folders."""
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    control, variant = tmp_path / "a" / "wf.yaml", tmp_path / "b" / "wf.yaml"
    control.write_text("name: control\n", encoding="utf-8")
    variant.write_text("name: variant\n", encoding="utf-8")
    return control, variant


def _run(tmp_path: Path, settings: ABTestSettings, **kw: object) -> RunBatch:
    control, variant = _arms(tmp_path)
    env = {**os.environ, "TEST_LOG": str(tmp_path / "log.jsonl"), "AUTOTUNE_ARM": "stale"}
    return run_ab(control, variant, settings, cwd=tmp_path, environ=env, **kw)  # type: ignore[arg-type]


def _log(tmp_path: Path) -> list[dict[str, object]]:
    lines = (tmp_path / "log.jsonl").read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines]


def test_placeholders_environment_and_interleaved_order(tmp_path: Path) -> None:
    script = _script(
        tmp_path,
        "wf = open(sys.argv[1]).read()\n"
        "log(argv=sys.argv[1:], arm=ARM, trial=TRIAL, wf=wf,"
        " env_wf=os.environ['AUTOTUNE_WORKFLOW'], result=os.environ['AUTOTUNE_RESULT'],"
        " cwd=os.getcwd(), parent=os.environ['TEST_LOG'])\n",
    )
    batch = _run(tmp_path, _settings(script, "{workflow}", "--input", "{input}", runs=3))
    entries = _log(tmp_path)
    assert [(e["arm"], e["trial"]) for e in entries] == [
        ("control", 0), ("variant", 0), ("variant", 1),
        ("control", 1), ("control", 2), ("variant", 2),
    ]  # fmt: skip
    for e in entries:
        argv = e["argv"]
        assert isinstance(argv, list)
        assert len(argv) == 1
        assert argv[0] == e["env_wf"]
        assert Path(argv[0]).name == "wf.yaml"
        assert Path(argv[0]).is_absolute()
        assert e["wf"] == f"name: {e['arm']}\n"
        assert e["cwd"] == str(tmp_path)
        assert e["parent"] == str(tmp_path / "log.jsonl")
    assert len({e["result"] for e in entries}) == 6  # a fresh result path per run
    assert len({e["env_wf"] for e in entries}) == 2  # one copy per arm
    assert not Path(str(entries[0]["env_wf"])).exists()  # the copies are cleaned up
    assert [r.trial for r in batch.control] == [0, 1, 2]
    assert [r.trial for r in batch.variant] == [0, 1, 2]
    assert (batch.runs_planned, batch.runs_done, batch.stopped_reason) == (6, 6, None)
    assert not batch.paired
    assert all(r.source == "wall_time" and r.success and r.input is None for r in batch.control)


def test_result_file_wins_over_stdout(tmp_path: Path) -> None:
    script = _script(
        tmp_path,
        "report({'run_id': 'f', 'duration': 7.5, 'cost_usd': 0.25, 'success': True})\n"
        "print(json.dumps({'run_id': 's', 'duration': 99.0, 'cost': 9.0, 'success': False}))\n",
    )
    batch = _run(tmp_path, _settings(script))
    for r in (*batch.control, *batch.variant):
        assert (r.source, r.duration_seconds, r.cost_usd, r.success) == (
            "result_file", 7.5, 0.25, True,
        )  # fmt: skip


def test_last_nonempty_stdout_line_is_the_record(tmp_path: Path) -> None:
    record = {
        "run_id": "r",
        "duration": 4.0,
        "success": True,
        "node_metrics": {"a": {"cost": 0.5}, "b": {"cost": 0.25}},
    }
    script = _script(
        tmp_path, f"print('warming up')\nprint({json.dumps(json.dumps(record))})\nprint('  ')\n"
    )
    batch = _run(tmp_path, _settings(script))
    r = batch.control[0]
    assert (r.source, r.duration_seconds, r.cost_usd, r.success) == ("stdout", 4.0, 0.75, True)


def test_without_a_record_wall_time_and_exit_status_stand(tmp_path: Path) -> None:
    script = _script(tmp_path, "print('done, no record')\ntime.sleep(0.05)\n")
    start = time.monotonic()
    batch = _run(tmp_path, _settings(script))
    total = time.monotonic() - start
    for r in (*batch.control, *batch.variant):
        assert r.source == "wall_time"
        assert 0.05 <= r.duration_seconds <= total
        assert (r.cost_usd, r.success, r.exit_code, r.timed_out, r.note) == (
            None, True, 0, False, None,
        )  # fmt: skip


def test_failures_are_kept(tmp_path: Path) -> None:
    script = _script(
        tmp_path,
        "if ARM == 'control':\n"
        "    sys.stderr.write('first\\nboom: no model\\n')\n"
        "    sys.exit(3)\n"
        "if TRIAL == 0:\n"
        "    report({'run_id': 1, 'duration': 2.0, 'success': True})\n"
        "    sys.exit(2)\n"
        "report({'run_id': 1, 'duration': 2.0, 'success': False, 'cost': 0.5})\n",
    )
    batch = _run(tmp_path, _settings(script))
    assert len(batch.control) == 2
    assert len(batch.variant) == 2
    for r in batch.control:
        assert (r.success, r.exit_code, r.source) == (False, 3, "wall_time")
        assert r.note == "exit status 3: boom: no model"
    said_ok = batch.variant[0]
    assert (said_ok.success, said_ok.exit_code, said_ok.source) == (False, 2, "result_file")
    assert said_ok.note is not None
    assert "record says success" in said_ok.note
    said_failed = batch.variant[1]
    assert (said_failed.success, said_failed.exit_code, said_failed.cost_usd) == (False, 0, 0.5)


def test_malformed_result_file_still_counts(tmp_path: Path) -> None:
    script = _script(
        tmp_path,
        "open(os.environ['AUTOTUNE_RESULT'], 'w').write('{\"run_id\": 1, \"duration\": ')\n"
        "print(json.dumps({'run_id': 1, 'duration': 5.0, 'success': False}))\n",
    )
    batch = _run(tmp_path, _settings(script))
    r = batch.variant[1]
    assert (r.source, r.success, r.exit_code) == ("wall_time", True, 0)  # not the stdout record
    assert r.duration_seconds < 5.0
    assert r.note is not None
    assert r.note.startswith("AUTOTUNE_RESULT: not JSON")


def _gone(pid: int) -> bool:
    """Whether a process no longer runs (absent, or a zombie nobody reaped yet)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    try:
        status = Path(f"/proc/{pid}/status").read_text(encoding="utf-8")
    except OSError:
        return True
    return any(
        line.split()[1:2] == ["Z"] for line in status.splitlines() if line.startswith("State:")
    )


def test_timeout_kills_the_whole_process_group(tmp_path: Path) -> None:
    script = _script(
        tmp_path,
        "import subprocess\n"
        "child = subprocess.Popen([sys.executable, '-S', '-c', 'import time; time.sleep(60)'])\n"
        "log(child=child.pid, me=os.getpid())\n"
        "time.sleep(60)\n",
    )
    start = time.monotonic()
    batch = _run(tmp_path, _settings(script, run_timeout_seconds=0.5, concurrency=4))
    assert time.monotonic() - start < 10
    for r in (*batch.control, *batch.variant):
        assert (r.timed_out, r.success, r.exit_code, r.duration_seconds, r.source) == (
            True, False, None, 0.5, "wall_time",
        )  # fmt: skip
    pids = [int(str(e[key])) for e in _log(tmp_path) for key in ("child", "me")]
    assert len(pids) == 8
    deadline = time.monotonic() + 5
    while not all(map(_gone, pids)) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert all(map(_gone, pids))


def test_cost_budget_stops_starting_pairs(tmp_path: Path) -> None:
    script = _script(
        tmp_path,
        "log(arm=ARM, trial=TRIAL)\nreport({'run_id': 1, 'duration': 1.0, 'cost_usd': 1.0})\n",
    )
    batch = _run(tmp_path, _settings(script, runs=5, max_cost_usd=2.5))
    # 2 USD after pair 0 (< 2.5: pair 1 starts), 4 USD after pair 1: no pair 2.
    assert (batch.runs_planned, batch.runs_done) == (10, 4)
    assert [r.trial for r in batch.control] == [0, 1]
    assert [r.trial for r in batch.variant] == [0, 1]
    assert batch.stopped_reason is not None
    assert "max_cost_usd" in batch.stopped_reason
    assert len(_log(tmp_path)) == 4


DETERMINISTIC = (
    "report({'run_id': 1, 'duration': 1.0 + TRIAL + (0.5 if ARM == 'variant' else 0.0),"
    " 'cost_usd': 0.125 * (TRIAL + 1), 'success': TRIAL != 1})\n"
)


def test_concurrency_gives_the_same_results(tmp_path: Path) -> None:
    script = _script(tmp_path, DETERMINISTIC)
    (tmp_path / "one").mkdir()
    (tmp_path / "two").mkdir()
    serial = _run(tmp_path / "one", _settings(script, runs=4))
    parallel = _run(tmp_path / "two", _settings(script, runs=4, concurrency=2))
    assert serial.control == parallel.control
    assert serial.variant == parallel.variant
    assert [r.duration_seconds for r in serial.control] == [1.0, 2.0, 3.0, 4.0]
    assert [r.duration_seconds for r in serial.variant] == [1.5, 2.5, 3.5, 4.5]
    assert [r.cost_usd for r in serial.variant] == [0.125, 0.25, 0.375, 0.5]
    assert [r.success for r in serial.control] == [True, False, True, True]


def test_inputs_are_literal_arguments_and_pairs_share_them(tmp_path: Path) -> None:
    inputs = ["x; touch pwned", "$(touch pwned2)", "`touch pwned3` && echo hi > pwned4"]
    script = _script(tmp_path, "log(arm=ARM, trial=TRIAL, argv=sys.argv[1:])\n")
    settings = _settings(script, "--task", "{input}", runs=4, inputs=inputs)
    batch = _run(tmp_path, settings)
    assert batch.paired
    expected = [inputs[i % 3] for i in range(4)]
    assert [r.input for r in batch.control] == expected
    assert [r.input for r in batch.variant] == expected
    for e in _log(tmp_path):
        assert e["argv"] == ["--task", inputs[int(str(e["trial"])) % 3]]
    assert not list(tmp_path.rglob("pwned*"))


def test_a_command_that_cannot_start_fails_once(tmp_path: Path) -> None:
    seen: list[RunProgress] = []
    settings = ABTestSettings.model_validate(
        {"command": [str(tmp_path / "no-such-program"), "{workflow}"], "runs_per_arm": 20}
    )
    with pytest.raises(InputError) as err:
        _run(tmp_path, settings, progress=seen.append)
    assert err.value.field == "ab_test.command"
    assert "no-such-program" in str(err.value)
    assert [p.runs_done for p in seen] == [0]


def test_a_bad_command_fails_before_any_run(tmp_path: Path) -> None:
    script = _script(tmp_path, "log(arm=ARM)\n")
    with pytest.raises(InputError, match=r"\{model\}"):
        _run(tmp_path, _settings(script, "--model={model}"))
    assert not (tmp_path / "log.jsonl").exists()


def test_progress_reports_each_run(tmp_path: Path) -> None:
    script = _script(tmp_path, "")
    seen: list[RunProgress] = []
    _run(tmp_path, _settings(script, runs=2), progress=seen.append)
    assert [(p.runs_done, p.runs_total) for p in seen] == [(0, 4), (1, 4), (2, 4), (3, 4), (4, 4)]
    assert seen[0].eta_seconds is None
    assert all(p.eta_seconds is not None for p in seen[1:])
    assert seen[-1].eta_seconds == 0.0


def test_progress_line() -> None:
    p = progress_at(6, 40, 12.0)
    assert p.eta_seconds == 68.0  # 2 s per run so far, 34 runs to go
    assert format_progress(p) == "A/B runs 6/40, 0:12 elapsed, ~1:08 left"
    assert format_progress(progress_at(0, 40, 0.4)) == "A/B runs 0/40, 0:00 elapsed"
    assert (
        format_progress(progress_at(1, 3, 1900.0)) == "A/B runs 1/3, 31:40 elapsed, ~1:03:20 left"
    )


def test_an_interrupted_batch_leaves_no_process_behind(tmp_path: Path) -> None:
    script = _script(
        tmp_path,
        "log(me=os.getpid())\n"
        "if ARM == 'control' and TRIAL == 0:\n"  # ends once the run beside it has started
        "    while len(open(os.environ['TEST_LOG']).readlines()) < 2:\n"
        "        time.sleep(0.01)\n"
        "else:\n"
        "    time.sleep(60)\n",
    )

    def interrupt(p: RunProgress) -> None:
        if p.runs_done == 1:
            raise KeyboardInterrupt

    start = time.monotonic()
    with pytest.raises(KeyboardInterrupt):
        _run(tmp_path, _settings(script, concurrency=2), progress=interrupt)
    assert time.monotonic() - start < 10
    pids = [int(str(e["me"])) for e in _log(tmp_path)]
    assert len(pids) == 2  # the quick run and the one beside it; no third was started
    deadline = time.monotonic() + 5
    while not all(map(_gone, pids)) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert all(map(_gone, pids))


def test_records_present_but_unusable_are_noted_with_their_reason(tmp_path: Path) -> None:
    from autotune_bot.validation.run_notes import run_notes

    script = _script(
        tmp_path,
        "if ARM == 'control':\n"
        "    report({'duraton_seconds': 5, 'success': True})\n"  # misspelt: no run record
        "else:\n"
        "    print(json.dumps({'duration_seconds': 'abc'}))\n",
    )
    batch = _run(tmp_path, _settings(script, runs=3))
    for r in (*batch.control, *batch.variant):
        assert (r.source, r.success, r.exit_code) == ("wall_time", True, 0)
        assert r.duration_seconds < 5.0  # the wall time, not the misspelt field
    assert batch.control[0].note == (
        "AUTOTUNE_RESULT: no team_id, run_id, node_metrics, duration or workflow_run: "
        "not a run record; wall time used"
    )
    assert batch.variant[0].note is not None
    assert batch.variant[0].note.startswith("last stdout line: bad field: ")
    assert "$.duration_seconds" in batch.variant[0].note
    notes = run_notes(batch.control, batch.variant)
    assert (
        "control: 3 runs' records were not used (AUTOTUNE_RESULT: no team_id, run_id, "
        "node_metrics, duration or workflow_run: not a run record); their wall time counts"
    ) in notes
    (variant_line,) = [n for n in notes if n.startswith("variant: 3 runs' records were not used")]
    assert variant_line.startswith(
        "variant: 3 runs' records were not used (last stdout line: bad field: "
    )
    assert variant_line.endswith("); their wall time counts")


def test_what_a_run_leaves_running_is_killed_when_it_ends(tmp_path: Path) -> None:
    script = _script(
        tmp_path,
        "import subprocess\nchild = subprocess.Popen(['sleep', '30'])\nlog(child=child.pid)\n",
    )
    start = time.monotonic()
    batch = _run(tmp_path, _settings(script, runs=2, concurrency=2))
    assert time.monotonic() - start < 10
    assert all(r.success and r.exit_code == 0 for r in (*batch.control, *batch.variant))
    pids = [int(str(e["child"])) for e in _log(tmp_path)]
    assert len(pids) == 4
    deadline = time.monotonic() + 5
    while not all(map(_gone, pids)) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert all(map(_gone, pids))
