"""The `autotune suggest` and `autotune apply` commands."""

from __future__ import annotations

import argparse
import json
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from autotune_bot.errors import UsageError

__all__ = ["add_input_flags", "add_parsers", "apply_command", "suggest_command", "write_output"]

_SIMULATED_LABEL = "Estimates are simulated from recorded traces, not validated by an A/B test."


def add_input_flags(parser: argparse.ArgumentParser, verb: str) -> None:
    """--team-id, --workflow, --config and --metrics: which targets and files a command reads."""
    parser.add_argument(
        "--team-id",
        action="append",
        default=None,
        metavar="ID",
        help=f"{verb} only this team (repeatable); default: every team and workflow",
    )
    parser.add_argument(
        "--workflow",
        action="append",
        default=None,
        metavar="NAME",
        help=f"{verb} only this workflow (repeatable)",
    )
    parser.add_argument(
        "--metrics",
        action="append",
        type=Path,
        default=[],
        metavar="FILE",
        help="read only these metrics files (repeatable)",
    )
    parser.add_argument(
        "--config",
        action="append",
        type=Path,
        default=[],
        metavar="YAML",
        help="read only these workflow files (repeatable)",
    )


def _selection_flags(parser: argparse.ArgumentParser) -> None:
    add_input_flags(parser, "tune")
    parser.add_argument(
        "--algorithm",
        default=None,
        metavar="NAME",
        help="search algorithm (default: search.algorithm of .autotune.yml)",
    )
    parser.add_argument(
        "--max-evaluations",
        type=int,
        default=None,
        metavar="N",
        help="search budget in evaluations (default: search.max_evaluations)",
    )
    parser.add_argument("--seed", type=int, default=None, help="seed of the search")
    parser.add_argument(
        "--no-search",
        action="store_true",
        help="only the strategies' own suggestions, no joint search",
    )


def add_parsers(sub: Any, common: argparse.ArgumentParser) -> None:
    suggest = sub.add_parser(
        "suggest",
        parents=[common],
        help="propose YAML changes with estimated effects (changes nothing)",
    )
    _selection_flags(suggest)
    suggest.add_argument("--format", choices=("text", "json"), default="text")
    suggest.add_argument(
        "--output", type=Path, default=None, help="also write the JSON suggestions to this file"
    )
    apply = sub.add_parser(
        "apply",
        parents=[common],
        help="apply suggestions to the workflow files in the working tree (no commit)",
    )
    _selection_flags(apply)
    mode = apply.add_mutually_exclusive_group()
    mode.add_argument(
        "--interactive", action="store_true", help="ask for each suggestion (y/n/v/q)"
    )
    mode.add_argument(
        "--auto",
        action="store_true",
        help="apply, per target, the best configuration the search ships within the guardrails",
    )
    apply.add_argument("--dry-run", action="store_true", help="print the diff; change no file")
    apply.add_argument(
        "--ab-test",
        action="store_true",
        help="validate each file's change by real A/B runs of ab_test.command and apply only "
        "what passes",
    )


def _plan(args: argparse.Namespace) -> tuple[Any, Any]:
    from autotune_bot.analysis.analyzer import analyze, check_team_ids
    from autotune_bot.repository import load_inputs
    from autotune_bot.tuning.tuner import TunerOptions, plan_tuning

    if args.max_evaluations is not None and args.max_evaluations < 1:
        raise UsageError("must be at least 1", field="--max-evaluations")
    inputs = load_inputs(
        args.repo,
        settings_file=args.settings,
        workflow_files=args.config,
        metrics_files=args.metrics,
        parallel=True,
    )
    store = inputs.metrics.store
    if args.team_id:
        check_team_ids(store, args.team_id, "--team-id")
    workflow_names = args.workflow
    if args.team_id and not args.workflow:
        workflow_names = []
    report = analyze(
        store,
        inputs.metrics.problems,
        inputs.workflows,
        inputs.settings,
        team_ids=args.team_id,
        workflow_names=workflow_names,
        workflow_errors=inputs.workflow_errors,
    )
    options = TunerOptions(
        search=not args.no_search,
        algorithm=args.algorithm,
        max_evaluations=args.max_evaluations,
        seed=args.seed,
        settings_source=inputs.settings_path,
    )
    plan = plan_tuning(report, inputs.workflows, store, inputs.settings, options)
    return inputs, plan


def _report_input_errors(inputs: Any) -> int:
    errors = (*inputs.workflow_errors, *inputs.metrics.unreadable)
    for err in errors:
        print(f"autotune: error: {err}", file=sys.stderr)
    return 1 if errors else 0


def write_output(path: Path, text: str) -> None:
    """Write a report file; a path that cannot be written is a one-line usage error."""
    try:
        path.write_text(text, encoding="utf-8")
    except OSError as err:
        raise UsageError(f"cannot write {path}: {err.strerror or err}", field="--output") from err


def suggest_command(args: argparse.Namespace) -> int:
    from autotune_bot.report.suggestions_json import plan_to_json
    from autotune_bot.report.suggestions_text import render_plan

    inputs, plan = _plan(args)
    as_json = plan_to_json(plan)
    if args.output is not None:
        write_output(args.output, json.dumps(as_json, indent=2) + "\n")
    if args.format == "json":
        sys.stdout.write(json.dumps(as_json, indent=2) + "\n")
    else:
        sys.stdout.write(render_plan(plan))
    return _report_input_errors(inputs)


def apply_command(args: argparse.Namespace) -> int:
    from autotune_bot.history import append_history
    from autotune_bot.tuning.file_patches import build_patches, preview_patch
    from autotune_bot.tuning.interactive import choose_interactively
    from autotune_bot.validation.plan_constraints import constraint_notes
    from autotune_bot.workspace import write_patches

    if not (args.interactive or args.auto):
        raise UsageError("choose --auto or --interactive", field="apply")
    if args.auto and args.no_search:
        raise UsageError(
            "--auto applies the configuration the search ships; drop --no-search "
            "(or use --interactive to pick the strategies' suggestions)",
            field="--no-search",
        )
    inputs, plan = _plan(args)
    files = {f.path: f for f in inputs.workflows}
    constraints = inputs.settings.constraints
    for note in constraint_notes(plan):
        print(f"Constraint: {note}")
    if args.auto:
        accepted = [t.best for t in plan.targets if t.best is not None]
        if not accepted:
            print(
                "Nothing worth changing: no configuration beats the current one within the "
                "guardrails on the recorded evidence."
                if plan.targets
                else "Nothing to tune: no team or workflow has recorded executions to go by."
            )
    else:
        accepted = choose_interactively(
            plan,
            ask=input,
            say=print,
            preview=lambda s: preview_patch(s, plan, files, constraints),
        )
    patches, failures = build_patches(accepted, plan, files, constraints)
    for failure in failures:
        print(f"autotune: error: {failure}", file=sys.stderr)
    for patch in patches:
        sys.stdout.write(patch.diff)
    validated: dict[str, Any] = {}
    if args.ab_test and patches:
        if args.dry_run:
            print(
                "A/B test not run (dry run): the estimates are simulated from recorded traces; "
                "validation status dry_run."
            )
        else:
            patches, validated = _ab_gate(
                args, inputs.settings.ab_test, patches, inputs.metrics.store
            )
    if patches and not args.dry_run:
        written = write_patches(args.repo, patches)
        now = datetime.now(UTC)
        mode = "auto" if args.auto else "interactive"
        entries = [_entry(p, plan, now, mode, validated.get(p.path)) for p in patches]
        where = append_history(args.repo, entries)
        print(
            f"Applied to {len(written)} file(s): {', '.join(written)} (working tree only, "
            f"not committed); history: {where.relative_to(args.repo)}"
        )
        if not args.ab_test:
            print(_SIMULATED_LABEL)
    elif patches:
        print(f"Dry run: {len(patches)} file(s) would change; nothing was written.")
        if not args.ab_test:  # with --ab-test the dry run said so already
            print(_SIMULATED_LABEL)
    elif args.ab_test and validated:
        print("Nothing applied: no change passed its A/B test.")
    code = _report_input_errors(inputs)
    return 1 if failures else code


def _entry(patch: Any, plan: Any, now: datetime, mode: str, result: Any) -> dict[str, Any]:
    from autotune_bot.history import apply_entry
    from autotune_bot.validation.report import result_to_json

    if result is None:
        return apply_entry(patch, plan, now=now, mode=mode)
    return apply_entry(
        patch,
        plan,
        now=now,
        mode=mode,
        evidence=result.evidence,
        validation=result_to_json(result),
        validation_status=result.status,
    )


def _ab_gate(
    args: argparse.Namespace, ab: Any, patches: list[Any], store: Any
) -> tuple[list[Any], dict[str, Any]]:
    """Run the A/B test of each patched file; keep the patches that pass."""
    import os

    from autotune_bot.validation.design_note import design_notes, patch_targets
    from autotune_bot.validation.gate import validate_patches
    from autotune_bot.validation.progress import ProgressPrinter
    from autotune_bot.validation.report import result_table

    for patch in patches:  # before any run: can a test of this size see the improvement?
        targets = patch_targets([(s.scope, s.target) for s in patch.suggestions])
        for note in design_notes(ab, targets, store):
            print(f"autotune: warning: {patch.path}: {note}", file=sys.stderr)
    progress = ProgressPrinter(sys.stderr)
    decisions = validate_patches(patches, ab, cwd=args.repo, environ=os.environ, progress=progress)
    for d in decisions:
        print(f"\n{d.patch.path}: {d.reason}")
        if d.result is not None:
            sys.stdout.write(result_table(d.result))
    kept = [d.patch for d in decisions if d.apply]
    return kept, {d.patch.path: d.result for d in decisions}
