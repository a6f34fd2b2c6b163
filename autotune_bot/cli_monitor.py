"""`autotune monitor`: watch merged autotune changes; comment their status; propose reverts.

Every merged autotune pull request (local drafts with ``--forge local``) is judged on the
runs recorded before and after its merge; its status comment is created or edited, and a
regressed change gets a revert proposal (see docs/monitoring.md). ``--dry-run`` prints
what would be done and writes nothing. Exit status 1 when an effect failed.
"""

from __future__ import annotations

import argparse
import json
import sys
from datetime import UTC, datetime
from typing import Any

__all__ = ["add_parser", "monitor_command"]


def add_parser(sub: Any, common: argparse.ArgumentParser) -> None:
    p = sub.add_parser(
        "monitor",
        parents=[common],
        help="watch merged autotune changes: status comments and revert proposals",
    )
    p.add_argument(
        "--forge",
        choices=("auto", "local", "github"),
        default="auto",
        help="where proposals are (auto: github inside GitHub Actions, else local)",
    )
    p.add_argument("--dry-run", action="store_true", help="judge and print; write nothing")
    p.add_argument(
        "--format",
        choices=("text", "json"),
        default="text",
        help="text (default) or json: outcomes, runs, realised figures, revert links, notes",
    )


def monitor_command(args: argparse.Namespace) -> int:
    import os

    from autotune_bot.actions_env import forge_for
    from autotune_bot.forge.local import LocalForge
    from autotune_bot.gitops.monitor_cycle import MonitorOptions, run_monitor
    from autotune_bot.gitops.monitor_summary import monitor_json, monitor_text

    options = MonitorOptions(
        repo=args.repo, now=datetime.now(UTC), settings_file=args.settings, dry_run=args.dry_run
    )
    if forge_for(args.forge, os.environ) == "github":
        from autotune_bot.actions_env import action_config
        from autotune_bot.gitops.github_monitor import monitor_for_config

        cfg = action_config({**os.environ, "INPUT_FORGE": "github"}, cwd=args.repo)
        report = monitor_for_config(options, cfg)
    else:
        report = run_monitor(options, LocalForge(args.repo))
    if args.format == "json":
        sys.stdout.write(json.dumps(monitor_json(report), indent=2) + "\n")
    else:
        sys.stdout.write("\n".join(monitor_text(report) or ["monitoring: nothing merged"]) + "\n")
    for error in report.errors:
        print(f"autotune: error: {error}", file=sys.stderr)
    return 1 if report.failed() or report.errors else 0
