"""`autotune benchmark`: compare two configurations, measured by real runs or from records.

``--before A.yaml --after B.yaml`` runs the benchmark command of ``.autotune.yml``
(``ab_test.command``) for both, interleaved, and prints the comparison table; ``--recorded``
compares the metrics already in the repository of two configurations of one target, told
apart by ``config_fingerprint``/``git_sha``; ``--dry-run`` prints what would be run and runs
nothing. Every output names its evidence (measured / recorded).
"""

from __future__ import annotations

import argparse
import json
import os
import shlex
import sys
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from autotune_bot.errors import UsageError

if TYPE_CHECKING:  # imported when used: every command builds this module's parser
    from autotune_bot.settings import Settings
    from autotune_bot.settings.proposals import ABTestSettings

__all__ = ["add_parser", "benchmark_command"]


def add_parser(sub: Any, common: argparse.ArgumentParser) -> None:
    p = sub.add_parser(
        "benchmark",
        parents=[common],
        help="compare two configurations: real interleaved runs (A/B) or recorded metrics",
    )
    p.add_argument("--before", type=Path, help="the control workflow file (A)")
    p.add_argument("--after", type=Path, help="the variant workflow file (B)")
    p.add_argument("--runs", type=int, help="runs per arm (default: ab_test.runs_per_arm)")
    p.add_argument(
        "--input",
        action="append",
        dest="inputs",
        default=None,
        help="a task input for {input} (repeatable; default: ab_test.inputs); pairs the runs",
    )
    p.add_argument("--method", choices=("t", "rank"), help="default: ab_test.method")
    p.add_argument(
        "--primary", choices=("duration", "cost"), help="default: ab_test.primary_metric"
    )
    p.add_argument("--concurrency", type=int, help="default: ab_test.concurrency")
    p.add_argument(
        "--recorded",
        action="store_true",
        help="compare recorded metrics of two configurations instead of running anything",
    )
    p.add_argument("--target", help="with --recorded: the team id or workflow name")
    p.add_argument("--before-config", help="with --recorded: config_fingerprint or git_sha (A)")
    p.add_argument("--after-config", help="with --recorded: config_fingerprint or git_sha (B)")
    p.add_argument(
        "--list-configs",
        action="store_true",
        help="with --recorded --target: list the target's recorded configurations",
    )
    p.add_argument("--dry-run", action="store_true", help="print the runs; run nothing")
    p.add_argument("--format", choices=("text", "json"), default="text")
    p.add_argument("--output", type=Path, default=None, help="also write the JSON result here")


def _ab_settings(base: ABTestSettings, args: argparse.Namespace) -> ABTestSettings:
    from pydantic import ValidationError

    from autotune_bot.settings.proposals import ABTestSettings

    overrides: dict[str, Any] = {}
    merged = base
    for flag, field, value in (
        ("--runs", "runs_per_arm", args.runs),
        ("--input", "inputs", tuple(args.inputs) if args.inputs is not None else None),
        ("--method", "method", args.method),
        ("--primary", "primary_metric", args.primary),
        ("--concurrency", "concurrency", args.concurrency),
    ):
        if value is not None:
            overrides[field] = value
            try:
                merged = ABTestSettings.model_validate({**base.model_dump(), **overrides})
            except ValidationError as err:
                message = err.errors()[0]["msg"].removeprefix("Value error, ")
                raise UsageError(message, field=flag) from err
    return merged


def _existing(path: Path | None, flag: str) -> Path:
    if path is None:
        raise UsageError("needed (or use --recorded)", field=flag)
    if not path.is_file():
        raise UsageError(f"{path}: no such file", field=flag)
    return path


def _emit(args: argparse.Namespace, as_json: dict[str, Any], text: str) -> None:
    from autotune_bot.cli_tune import write_output

    if args.output is not None:
        write_output(args.output, json.dumps(as_json, indent=2) + "\n")
    if args.format == "json":
        sys.stdout.write(json.dumps(as_json, indent=2) + "\n")
    else:
        sys.stdout.write(text)


def _dry_run(args: argparse.Namespace, ab: ABTestSettings, before: Path, after: Path) -> int:
    from autotune_bot.validation.command import fill_command
    from autotune_bot.validation.schedule import plan_runs

    schedule = plan_runs(ab.runs_per_arm, ab.inputs, ab.max_total_runs)
    paths = {"control": str(before), "variant": str(after)}
    commands = [
        fill_command(ab.argv(), workflow=f"<copy of {paths[run.arm]}>", input=run.input)
        for run in schedule.runs
    ]
    as_json = {
        "status": "dry_run",
        "evidence": None,
        "evidence_label": "none: a dry run runs and measures nothing",
        "runs_planned": len(commands),
        "paired": schedule.paired,
        "runs": [
            {"arm": run.arm, "trial": run.trial, "argv": list(argv)}
            for run, argv in zip(schedule.runs, commands, strict=True)
        ],
    }
    lines = [f"Dry run: {len(commands)} runs would be made ({schedule.pairs} pairs), nothing ran."]
    lines += [
        f"  {run.trial:>3} {run.arm:<8} {shlex.join(argv)}"
        for run, argv in zip(schedule.runs[:4], commands, strict=False)
    ]
    if len(commands) > 4:
        lines.append(f"  ... {len(commands) - 4} more")
    _emit(args, as_json, "\n".join(lines) + "\n")
    return 0


def _recorded(args: argparse.Namespace, ab: ABTestSettings, settings: Settings) -> int:
    from autotune_bot.discovery import discover
    from autotune_bot.metrics.ingest import ingest_files
    from autotune_bot.repo_paths import display_path
    from autotune_bot.validation.decision import decide
    from autotune_bot.validation.recorded import (
        TargetKind,
        configurations_of,
        recorded_runs,
        without_duration_notes,
    )
    from autotune_bot.validation.report import result_table, result_to_json

    if not args.target:
        raise UsageError("--recorded needs --target (a team id or workflow name)", field="--target")
    metrics = discover(args.repo, settings).metrics_files  # only metrics: no workflow needed
    store = ingest_files([(p, display_path(args.repo, p)) for p in metrics]).store
    kind: TargetKind = "team" if store.team_names.lookup(args.target) >= 0 else "workflow"
    if args.list_configs:
        found = configurations_of(store, args.target, kind)
        if not found:
            raise UsageError(f"no recorded configurations of {args.target!r}", field="--target")
        for name, count in found.items():
            print(f"{name}\t{count} records")
        return 0
    if not (args.before_config and args.after_config):
        raise UsageError("--recorded needs --before-config and --after-config", field="--recorded")
    cmp = recorded_runs(store, args.target, kind, args.before_config, args.after_config)
    result = decide(cmp.control, cmp.variant, ab, paired=False, evidence="recorded")
    notes = [f"{kind} {args.target}: {args.before_config} → {args.after_config}"]
    if cmp.skipped_unknown_outcome:
        notes.append(f"{cmp.skipped_unknown_outcome} records without an outcome left out")
    result = replace(
        result,
        reasons=(*result.reasons, *notes),
        run_notes=(*result.run_notes, *without_duration_notes(cmp)),
    )
    _emit(args, result_to_json(result), result_table(result))
    return 0


def benchmark_command(args: argparse.Namespace) -> int:
    from autotune_bot.settings import load_settings

    settings, _ = load_settings(args.repo, args.settings)
    ab = _ab_settings(settings.ab_test, args)
    if args.recorded:
        return _recorded(args, ab, settings)
    before = _existing(args.before, "--before")
    after = _existing(args.after, "--after")
    if args.dry_run:
        return _dry_run(args, ab, before, after)

    from autotune_bot.validation.gate import decide_batch
    from autotune_bot.validation.progress import ProgressPrinter
    from autotune_bot.validation.report import result_table, result_to_json
    from autotune_bot.validation.runner import run_ab

    progress = ProgressPrinter(sys.stderr)
    batch = run_ab(before, after, ab, cwd=args.repo, environ=os.environ, progress=progress)
    result = decide_batch(batch, ab)
    _emit(args, result_to_json(result), result_table(result))
    return 0
