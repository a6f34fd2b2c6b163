"""`autotune run`: the full cycle on a repository, proposals through the local or GitHub forge.

The local forge (the default outside GitHub Actions) commits each proposal on a local branch
and writes its pull request as Markdown under ``.autotune/outbox/``; the checked-out branch and
the working tree are never touched. ``--forge github`` publishes pull requests on GitHub (the
repository, token and API URL come from the environment, as in GitHub Actions).
"""

from __future__ import annotations

import argparse
import json
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from autotune_bot.errors import UsageError

__all__ = ["add_parser", "run_command"]


def add_parser(sub: Any, common: argparse.ArgumentParser) -> None:
    p = sub.add_parser(
        "run",
        parents=[common],
        help="the full cycle: analyse, tune, validate, and open or update proposals",
    )
    p.add_argument(
        "--forge",
        choices=("auto", "local", "github"),
        default="auto",
        help="where proposals go (auto: github inside GitHub Actions, else local)",
    )
    p.add_argument("--dry-run", action="store_true", help="plan and print; write nothing")
    p.add_argument(
        "--max-prs", type=int, default=None, help="most new proposals (default: settings)"
    )
    p.add_argument("--format", choices=("text", "json"), default="text")
    p.add_argument(
        "--summary", type=Path, default=None, help="also write the Markdown summary here"
    )


def run_command(args: argparse.Namespace) -> int:
    import os

    from autotune_bot.forge.local import LocalForge
    from autotune_bot.gitops.cycle import CycleOptions, run_cycle
    from autotune_bot.gitops.run_summary import summary_json, summary_markdown, summary_text
    from autotune_bot.validation.progress import ProgressPrinter

    if args.max_prs is not None and args.max_prs < 0:
        raise UsageError("must be 0 or more", field="--max-prs")
    from autotune_bot.actions_env import forge_for

    forge_name = forge_for(args.forge, os.environ)
    options = CycleOptions(
        repo=args.repo,
        now=datetime.now(UTC),
        settings_file=args.settings,
        dry_run=args.dry_run,
        max_prs=args.max_prs,
        progress=ProgressPrinter(sys.stderr),
    )
    if forge_name == "github":
        from autotune_bot.actions_env import action_config
        from autotune_bot.gitops.github_cycle import run_for_config

        cfg = action_config({**os.environ, "INPUT_FORGE": "github"}, cwd=args.repo)
        report = run_for_config(options, cfg)
    else:
        report = run_cycle(options, LocalForge(args.repo))
    if args.summary is not None:
        from autotune_bot.cli_tune import write_output

        write_output(args.summary, summary_markdown(report))
    if args.format == "json":
        sys.stdout.write(json.dumps(summary_json(report), indent=2) + "\n")
    else:
        sys.stdout.write(summary_text(report))
    for error in report.errors:
        print(f"autotune: error: {error}", file=sys.stderr)
    return 1 if report.failed() or report.errors else 0
