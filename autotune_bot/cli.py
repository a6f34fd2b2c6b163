"""The `autotune` command line."""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Sequence
from pathlib import Path

from autotune_bot import __version__
from autotune_bot.errors import AutotuneError, InputError

__all__ = ["main", "run"]

# Share of a single large metrics file read by this process when a worker starts on the rest
# before the imports: this process also pays for the imports meanwhile.
EARLY_SPLIT = 0.42


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="autotune",
        description="Profile multi-agent workflows, find bottlenecks, propose validated changes.",
    )
    parser.add_argument("--version", action="version", version=f"autotune-bot {__version__}")
    sub = parser.add_subparsers(dest="command", required=True)

    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "--repo",
        type=Path,
        default=Path("."),
        help="repository root (default: the current directory)",
    )
    common.add_argument(
        "--settings",
        type=Path,
        default=None,
        help="settings file (default: .autotune.yml at the repository root)",
    )

    analyze = sub.add_parser(
        "analyze", parents=[common], help="profile executions and report bottlenecks"
    )
    from autotune_bot.cli_tune import add_input_flags

    add_input_flags(analyze, "analyse")
    analyze.add_argument("--format", choices=("text", "json"), default="text")
    analyze.add_argument(
        "--output", type=Path, default=None, help="also write the JSON report to this file"
    )

    from autotune_bot.cli_tune import add_parsers

    add_parsers(sub, common)
    from autotune_bot.cli_rollback import add_parser as add_rollback_parser

    add_rollback_parser(sub, common)
    from autotune_bot.cli_benchmark import add_parser as add_benchmark_parser

    add_benchmark_parser(sub, common)
    from autotune_bot.cli_run import add_parser as add_run_parser

    add_run_parser(sub, common)
    from autotune_bot.cli_monitor import add_parser as add_monitor_parser

    add_monitor_parser(sub, common)
    from autotune_bot.cli_action import add_parser as add_action_parser

    add_action_parser(sub, common)
    sub.add_parser(
        "validate",
        parents=[common],
        help="check .autotune.yml and every workflow file; exit 1 on problems",
    )
    sub.add_parser("schema", help="print the JSON Schema of .autotune.yml")
    return parser


def _analyze(args: argparse.Namespace) -> int:
    teams = frozenset(args.team_id) if args.team_id else None
    early = None
    if len(args.metrics) == 1:
        # One large metrics file: start a worker on its second part before the rest of the
        # program is imported; this process reads the first (smaller) part afterwards.
        from autotune_bot.metrics.parallel import start
        from autotune_bot.repo_paths import display_path

        display = display_path(args.repo, args.metrics[0])
        early = start(args.metrics[0], display, teams, fraction=EARLY_SPLIT)

    from autotune_bot.analysis.analyzer import analyze, check_team_ids
    from autotune_bot.report.json_report import report_to_json
    from autotune_bot.repository import load_inputs

    inputs = load_inputs(
        args.repo,
        settings_file=args.settings,
        workflow_files=args.config,
        metrics_files=args.metrics,
        member_teams=teams,
        early=early,
        parallel=True,
    )
    store = inputs.metrics.store
    if args.team_id:
        check_team_ids(store, args.team_id, "--team-id")
    workflow_names = args.workflow
    if args.team_id and not args.workflow:
        workflow_names = []  # a team-focused run does not analyse whole workflows
    report = analyze(
        store,
        inputs.metrics.problems,
        inputs.workflows,
        inputs.settings,
        team_ids=args.team_id,
        workflow_names=workflow_names,
        workflow_errors=inputs.workflow_errors,
    )
    as_json = report_to_json(report, inputs.settings_path)
    if args.output is not None:
        from autotune_bot.cli_tune import write_output

        write_output(args.output, json.dumps(as_json, indent=2) + "\n")
    if args.format == "json":
        sys.stdout.write(json.dumps(as_json, indent=2) + "\n")
    else:
        from autotune_bot.report.terminal import render_report

        sys.stdout.write(render_report(report))
    for err in (*inputs.workflow_errors, *inputs.metrics.unreadable):
        print(f"autotune: error: {err}", file=sys.stderr)
    return 1 if inputs.workflow_errors or inputs.metrics.unreadable else 0


def _validate(args: argparse.Namespace) -> int:
    from autotune_bot.discovery import discover
    from autotune_bot.repo_paths import display_path
    from autotune_bot.settings import load_settings
    from autotune_bot.workflow.loader import read_workflow_files

    try:
        settings, where = load_settings(args.repo, args.settings)
    except InputError as err:
        _print_errors(err)
        return 1  # validation found a problem (as for workflow files below), not a misuse
    found = discover(args.repo, settings)
    loaded, problems = read_workflow_files(
        (path, display_path(args.repo, path)) for path in found.workflow_files
    )
    for wf_file in loaded:
        for wf in wf_file.workflows:
            for warning in wf.warnings:
                print(f"autotune: warning: {warning}", file=sys.stderr)
    for problem in problems:
        _print_errors(problem)
    source = where or "defaults (no .autotune.yml)"
    print(f"settings: {source}: ok")
    checked = len(found.workflow_files)
    print(
        f"workflow files: {checked - len(problems)} of {checked} ok; "
        f"metrics files found: {len(found.metrics_files)}"
    )
    return 1 if problems else 0


def _print_errors(err: AutotuneError) -> None:
    """One line per problem (a settings file can carry several)."""
    for problem in getattr(err, "problems", [err]):
        print(f"autotune: error: {problem}", file=sys.stderr)


def _schema(_: argparse.Namespace) -> int:
    from autotune_bot.settings import settings_json_schema

    sys.stdout.write(json.dumps(settings_json_schema(), indent=2) + "\n")
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    from autotune_bot.cli_action import action_command
    from autotune_bot.cli_benchmark import benchmark_command
    from autotune_bot.cli_monitor import monitor_command
    from autotune_bot.cli_rollback import rollback_command
    from autotune_bot.cli_run import run_command
    from autotune_bot.cli_tune import apply_command, suggest_command

    handlers = {
        "analyze": _analyze,
        "validate": _validate,
        "schema": _schema,
        "suggest": suggest_command,
        "apply": apply_command,
        "rollback": rollback_command,
        "benchmark": benchmark_command,
        "run": run_command,
        "monitor": monitor_command,
        "action": action_command,
    }
    try:
        return handlers[args.command](args)
    except AutotuneError as err:
        _print_errors(err)
        return 2
    except BrokenPipeError:
        return 0


def run() -> None:
    """Console-script entry point: `main`, then exit without tearing the interpreter down.

    Freeing every object one by one at exit takes a noticeable share of a short run over a
    large metrics file; all output is flushed and every file written is closed by then.
    """
    code = main()
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (BrokenPipeError, ValueError):
            code = code or 0
    os._exit(code)


if __name__ == "__main__":
    run()
