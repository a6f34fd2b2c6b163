"""Running the benchmark command for both arms of an A/B test: the edge that starts the
processes, reads what they report and keeps time.

Each arm's workflow YAML is copied into a temporary directory (file name kept; one copy per
arm, removed afterwards). The runs are made in the order of
:func:`~autotune_bot.validation.schedule.plan_runs`, at most ``ab_test.concurrency`` at a time,
each in a new session with stdin closed and stdout and stderr written to files. When a run's
process exits, whatever it left running in its process group is killed. A run over
``ab_test.run_timeout_seconds`` has its whole process group killed and counts as a failed run
lasting the time limit. Once the costs reported so far reach ``ab_test.max_cost_usd`` no new
pair is started (the pairs already started finish; a budget of 0 allows no run) and the batch
says why it stopped. What a run reported is read from its ``AUTOTUNE_RESULT`` file, else from
the last non-empty line of its stdout, else the wall time and exit status stand
(:mod:`~autotune_bot.validation.run_output`). POSIX only (process groups,
:mod:`~autotune_bot.validation.process_group`).
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
import time
from collections.abc import Callable, Mapping
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass
from pathlib import Path

from autotune_bot.errors import InputError, UsageError
from autotune_bot.settings.proposals import ABTestSettings
from autotune_bot.validation.command import FIELD, fill_command, run_environment
from autotune_bot.validation.process_group import LiveProcesses, wait_and_clear
from autotune_bot.validation.progress import RunProgress, progress_at
from autotune_bot.validation.run_output import exit_note, read_record
from autotune_bot.validation.run_record import run_result
from autotune_bot.validation.runs import RunResult
from autotune_bot.validation.schedule import PlannedRun, plan_runs

__all__ = ["RunBatch", "run_ab"]


@dataclass(frozen=True)
class RunBatch:
    """The runs made for one A/B test, each arm's in trial order."""

    control: tuple[RunResult, ...]
    variant: tuple[RunResult, ...]
    paired: bool  # pairs share a task input
    runs_planned: int
    runs_done: int
    stopped_reason: str | None  # why fewer runs were made than planned
    elapsed_seconds: float


@dataclass(frozen=True)
class _Job:
    run: PlannedRun
    argv: tuple[str, ...]
    env: dict[str, str]
    result: Path
    stdout: Path
    stderr: Path


class _StartError(Exception):
    def __init__(self, program: str, err: OSError) -> None:
        self.program = program
        self.reason = err.strerror or str(err)
        super().__init__(self.reason)


def run_ab(
    control: Path,
    variant: Path,
    settings: ABTestSettings,
    *,
    cwd: Path,
    environ: Mapping[str, str],
    progress: Callable[[RunProgress], None] | None = None,
    clock: Callable[[], float] = time.monotonic,
) -> RunBatch:
    """Run the benchmark command ``settings.runs_per_arm`` times per arm (within the
    budgets) in ``cwd``, with ``environ`` as the parent environment; ``progress`` is called
    in the calling thread before the first run and after each run.

    Raises InputError (field ``ab_test.command``) when the command is wrong or cannot be
    started at all, UsageError when a workflow file cannot be read.
    """
    schedule = plan_runs(settings.runs_per_arm, settings.inputs, settings.max_total_runs)
    start = clock()
    with tempfile.TemporaryDirectory(prefix="autotune-ab-") as tmp:
        root = Path(tmp)
        copies = {
            "control": _copy(control, root / "control"),
            "variant": _copy(variant, root / "variant"),
        }
        (root / "runs").mkdir()
        jobs = [
            _job(k, run, settings, str(copies[run.arm]), root / "runs", environ)
            for k, run in enumerate(schedule.runs)
        ]
        results, stopped = _execute(jobs, settings, cwd, start, clock, progress)
    by_arm = {
        arm: tuple(sorted((r for r in results if r.arm == arm), key=lambda r: r.trial))
        for arm in ("control", "variant")
    }
    return RunBatch(
        control=by_arm["control"],
        variant=by_arm["variant"],
        paired=schedule.paired,
        runs_planned=len(jobs),
        runs_done=len(results),
        stopped_reason=stopped,
        elapsed_seconds=clock() - start,
    )


def _copy(source: Path, folder: Path) -> Path:
    folder.mkdir()
    target = folder / source.name
    try:
        shutil.copyfile(source, target)
    except OSError as err:
        raise UsageError(
            f"cannot copy the workflow: {err.strerror or err}", path=str(source)
        ) from None
    return target


def _job(
    k: int,
    run: PlannedRun,
    settings: ABTestSettings,
    workflow: str,
    folder: Path,
    environ: Mapping[str, str],
) -> _Job:
    stem = folder / f"{k:04d}-{run.arm}-{run.trial}"
    result = stem.with_suffix(".result.json")
    argv = fill_command(settings.argv(), workflow=workflow, input=run.input)
    env = run_environment(
        environ, workflow=workflow, arm=run.arm, trial=run.trial, result=str(result)
    )
    return _Job(run, argv, env, result, stem.with_suffix(".stdout"), stem.with_suffix(".stderr"))


def _execute(
    jobs: list[_Job],
    settings: ABTestSettings,
    cwd: Path,
    start: float,
    clock: Callable[[], float],
    progress: Callable[[RunProgress], None] | None,
) -> tuple[list[RunResult], str | None]:
    budget = settings.max_cost_usd
    results: list[RunResult] = []
    spent = 0.0
    stopped: str | None = None
    live = LiveProcesses()
    pending: set[Future[RunResult]] = set()
    queue = iter(jobs)
    upcoming = next(queue, None)
    if progress is not None:
        progress(progress_at(0, len(jobs), clock() - start))
    pool = ThreadPoolExecutor(max_workers=settings.concurrency, thread_name_prefix="ab-run")
    try:
        while upcoming is not None or pending:
            while upcoming is not None and len(pending) < settings.concurrency:
                if upcoming.run.starts_pair and budget is not None and spent >= budget:
                    stopped = (
                        f"cost budget reached: {spent:g} USD reported by {len(results)} runs, "
                        f"limit {budget:g} (ab_test.max_cost_usd)"
                    )
                    upcoming = None
                    break
                timeout = settings.run_timeout_seconds
                pending.add(pool.submit(_run_one, upcoming, cwd, timeout, clock, live))
                upcoming = next(queue, None)
            if not pending:
                break
            done, pending = wait(pending, return_when=FIRST_COMPLETED)
            for future in done:
                result = future.result()
                results.append(result)
                spent += result.cost_usd or 0.0
                if progress is not None:
                    progress(progress_at(len(results), len(jobs), clock() - start))
    except _StartError as err:
        live.kill_all()
        raise InputError(f"cannot start {err.program!r}: {err.reason}", field=FIELD) from None
    except BaseException:
        live.kill_all()
        raise
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
    return results, stopped


def _run_one(
    job: _Job, cwd: Path, timeout: float, clock: Callable[[], float], live: LiveProcesses
) -> RunResult:
    run = job.run
    with job.stdout.open("wb") as out, job.stderr.open("wb") as err:
        began = clock()
        try:
            proc = subprocess.Popen(
                job.argv,
                cwd=cwd,
                env=job.env,
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=err,
                start_new_session=True,
            )
        except OSError as error:
            raise _StartError(job.argv[0], error) from None
        live.add(proc)
        try:
            code = wait_and_clear(proc, timeout)
            wall = clock() - began if code is not None else timeout
        finally:
            live.remove(proc)
    if code is None:
        return run_result(
            arm=run.arm,
            trial=run.trial,
            input=run.input,
            wall_seconds=wall,
            exit_code=None,
            timed_out=True,
            record=None,
            source="wall_time",
        )
    record, source, notes = read_record(job.result, job.stdout)
    if code != 0:
        notes.append(exit_note(code, job.stderr))
    return run_result(
        arm=run.arm,
        trial=run.trial,
        input=run.input,
        wall_seconds=wall,
        exit_code=code,
        timed_out=False,
        record=record,
        source=source,
        notes=notes,
    )
