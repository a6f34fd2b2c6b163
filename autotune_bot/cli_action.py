"""`autotune action`: the container action's entry point (no arguments).

Everything comes from the environment GitHub Actions sets (read by
:mod:`autotune_bot.actions_env`): the inputs (``INPUT_<NAME>``), the token, the event, the
forge (github inside Actions, local elsewhere). It runs the cycle of `autotune run`, then
writes the outputs (``$GITHUB_OUTPUT``), the job summary (``$GITHUB_STEP_SUMMARY``), a report
file, and ``::error::``/``::warning::`` annotations. Events it does not handle end with a
notice and exit 0.
"""

from __future__ import annotations

import argparse
import os
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

__all__ = ["action_command", "add_parser"]

REPORT = Path(".autotune") / "outbox" / "_run-report.md"


def add_parser(sub: Any, common: argparse.ArgumentParser) -> None:
    del common  # no flags: the action's inputs come from the environment
    sub.add_parser(
        "action", help="entry point of the GitHub Action (inputs from INPUT_* variables)"
    )


def _relative(path: Path, workspace: Path) -> str:
    try:
        return path.resolve().relative_to(workspace.resolve()).as_posix()
    except ValueError:
        return str(path)


def action_command(args: argparse.Namespace) -> int:
    from autotune_bot.actions_env import (
        annotation,
        append_summary,
        load_action_config,
        mask,
        write_outputs,
    )
    from autotune_bot.cli_tune import write_output
    from autotune_bot.gitops.cycle import CycleOptions
    from autotune_bot.gitops.run_summary import summary_markdown, summary_text
    from autotune_bot.validation.progress import ProgressPrinter

    del args
    cfg = load_action_config(os.environ, cwd=Path.cwd())
    if cfg.token is not None and cfg.in_actions:
        print(mask(cfg.token.reveal()))
    if not cfg.event.run:
        print(annotation("notice", cfg.event.notice or "nothing to do for this event"))
        return 0
    settings_file = cfg.settings_path if cfg.settings_path.is_file() else None
    options = CycleOptions(
        repo=cfg.repo_root,
        now=datetime.now(UTC),
        settings_file=settings_file,
        dry_run=cfg.dry_run,
        max_prs=cfg.max_prs,
        progress=ProgressPrinter(sys.stderr),
    )
    if cfg.forge == "github":
        from autotune_bot.gitops.github_cycle import run_on_github

        assert cfg.token is not None  # action_config refuses the github forge without one
        assert cfg.repository is not None
        report = run_on_github(
            options, token=cfg.token, repository=cfg.repository, api_url=cfg.api_url
        )
    else:
        from autotune_bot.forge.local import LocalForge
        from autotune_bot.gitops.cycle import run_cycle

        report = run_cycle(options, LocalForge(cfg.repo_root))
    markdown = summary_markdown(report)
    report_path = cfg.repo_root / REPORT
    report_path.parent.mkdir(parents=True, exist_ok=True)
    write_output(report_path, markdown)
    sys.stdout.write(summary_text(report))
    for note in report.notes:
        print(annotation("warning", note))
    failed = [d for d in report.done if d.action == "failed"]
    for message in (*report.errors, *(f"{d.key}: {d.detail}" for d in failed)):
        print(annotation("error", message))
    if cfg.output_path is not None:
        write_outputs(
            cfg.output_path,
            {
                "prs_opened": report.count("opened"),
                "prs_updated": report.count("updated"),
                "proposals": len(report.proposals),
                # relative to the workspace: later steps run on the host, not in the container
                "report_path": _relative(report_path, cfg.workspace),
            },
        )
    if cfg.summary_path is not None:
        append_summary(cfg.summary_path, markdown)
    return 1 if failed or report.errors else 0
