"""`autotune action`: the container action's entry point (no arguments).

Everything comes from the environment GitHub Actions sets (read by
:mod:`autotune_bot.actions_env`): the inputs (``INPUT_<NAME>``), the token, the event, the
forge (github inside Actions, local elsewhere). On ``schedule`` and ``workflow_dispatch`` it
runs the cycle of `autotune run`; ``issue_comment`` and ``pull_request`` events go to
:mod:`autotune_bot.cli_action_events` (``/autotune`` commands, monitoring of a merged
proposal). It then writes the outputs (``$GITHUB_OUTPUT``), the job summary
(``$GITHUB_STEP_SUMMARY``), a report file, and ``::error::``/``::warning::`` annotations.
Events it does not handle end with a notice and exit 0.

A problem that stops the run (a wrong input, a settings error, a missing permission) still
gets an ``::error::`` annotation (on the file and line it concerns, when known), a job summary
saying why the run stopped, and the outputs (``prs_opened`` 0 ...); the exit status is 2. The
files named in messages and annotations are relative to the workspace.
"""

from __future__ import annotations

import argparse
import os
import re
import secrets
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from autotune_bot.actions_env import ActionConfig
from autotune_bot.errors import AutotuneError, InputError

__all__ = ["REPORT", "action_command", "add_parser"]

REPORT = Path(".autotune") / "outbox" / "_run-report.md"
FAILED = 2  # the exit status of a run that stopped (as for any command's fatal error)

# "path:line: message" or "path: message", as InputError renders itself
_LOCATED = re.compile(r"(?P<path>[^:\n]+?)(?::(?P<line>[1-9][0-9]*))?: (?P<rest>.+)", re.DOTALL)


def add_parser(sub: Any, common: argparse.ArgumentParser) -> None:
    del common  # no flags: the action's inputs come from the environment
    sub.add_parser(
        "action", help="entry point of the GitHub Action (inputs from INPUT_* variables)"
    )


@dataclass(frozen=True)
class _Place:
    """Where a run's files are, known even when the inputs could not be read."""

    workspace: Path
    repo_root: Path | None  # None: the inputs were not read (no report file is written)
    output_path: Path | None
    summary_path: Path | None


def _relative(path: Path, workspace: Path) -> str:
    try:
        return path.resolve().relative_to(workspace.resolve()).as_posix()
    except ValueError:
        return str(path)


def _workspace_file(raw: str, place: _Place) -> str | None:
    """``raw`` (absolute, or relative to the repository) as a path relative to the workspace,
    when it names an existing file; else None."""
    path = Path(raw)
    if not path.is_absolute() and place.repo_root is not None:
        path = place.repo_root / path
    if not path.is_absolute() or not path.is_file():
        return None
    return _relative(path, place.workspace)


def _located(text: str, place: _Place) -> tuple[str, str | None, int | None]:
    """``text`` with a leading file name made relative to the workspace, the file and line.

    Messages are kept as text by the cycle report: only a leading ``path:`` (or
    ``path:line:``) naming an existing file counts as a location; anything else is left as
    it is.
    """
    found = _LOCATED.fullmatch(text)
    file = _workspace_file(found["path"], place) if found is not None else None
    if found is None or file is None:
        return text, None, None
    line = int(found["line"]) if found["line"] else None
    where = f"{file}:{line}" if line is not None else file
    return f"{where}: {found['rest']}", file, line


def _problem_located(problem: AutotuneError, place: _Place) -> tuple[str, str | None, int | None]:
    """A stopping problem's text, file and line: from an input error's own ``path`` and
    ``line``, else read from its text as for :func:`_located`."""
    if not isinstance(problem, InputError) or problem.path is None:
        return _located(str(problem), place)
    file = _workspace_file(problem.path, place)
    if file is None:
        return str(problem), None, None
    shown = InputError(problem.message, path=file, line=problem.line, field=problem.field)
    return shown.one_line(), file, problem.line


def _problems(err: AutotuneError) -> list[AutotuneError]:
    problems = getattr(err, "problems", None)  # a settings file can carry several
    return list(problems) if problems else [err]


def _error_lines(err: AutotuneError, place: _Place) -> list[str]:
    from autotune_bot.actions_env import annotation

    return [annotation("error", *_problem_located(p, place)) for p in _problems(err)]


def _outputs(place: _Place, *, opened: int, updated: int, proposals: int, report: str) -> None:
    from autotune_bot.actions_env import write_outputs

    if place.output_path is not None:
        write_outputs(
            place.output_path,
            {
                "prs_opened": opened,
                "prs_updated": updated,
                "proposals": proposals,
                # relative to the workspace: later steps run on the host, not in the container
                "report_path": report,
            },
        )


def _write_report(place: _Place, markdown: str) -> str:
    """Write the report file; its path relative to the workspace ("" when not written: a
    warning says why, and the run goes on to its summary and outputs)."""
    from autotune_bot.actions_env import annotation

    if place.repo_root is None or not place.repo_root.is_dir():
        return ""
    path = place.repo_root / REPORT
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(markdown, encoding="utf-8")
    except OSError as err:
        shown = _relative(path, place.workspace)
        print(annotation("warning", f"report not written to {shown}: {err.strerror or err}"))
        return ""
    return _relative(path, place.workspace)


def _fail(err: AutotuneError, place: _Place) -> int:
    """Report a problem that stopped the run: annotation, job summary, outputs, exit 2."""
    from autotune_bot.actions_env import append_summary
    from autotune_bot.gitops.markdown import prose

    for line in _error_lines(err, place):
        print(line)
    said = [_problem_located(p, place)[0] for p in _problems(err)]
    markdown = "\n".join(
        [
            "## autotune run",
            "",
            "**The run stopped with an error.**",
            "",
            *(f"- {prose(text)}" for text in said),
            "",
        ]
    )
    report = _write_report(place, markdown)
    _outputs(place, opened=0, updated=0, proposals=0, report=report)
    if place.summary_path is not None:
        append_summary(place.summary_path, markdown)
    return FAILED


def action_command(args: argparse.Namespace) -> int:
    from autotune_bot.actions_env import (
        ActionInputError,
        annotation,
        load_action_config,
        mask,
        workspace_of,
    )

    del args
    env: Mapping[str, str] = os.environ
    cwd = Path.cwd()
    place = _Place(
        workspace=workspace_of(env, cwd=cwd),
        repo_root=None,
        output_path=Path(env["GITHUB_OUTPUT"]) if env.get("GITHUB_OUTPUT") else None,
        summary_path=Path(env["GITHUB_STEP_SUMMARY"]) if env.get("GITHUB_STEP_SUMMARY") else None,
    )
    try:
        cfg = load_action_config(env, cwd=cwd)
    except AutotuneError as err:
        return _fail(err, place)
    if cfg.token is not None and cfg.in_actions:
        print(mask(cfg.token.reveal()))
    place = _Place(cfg.workspace, cfg.repo_root, cfg.output_path, cfg.summary_path)
    if not cfg.event.run:
        print(annotation("notice", cfg.event.notice or "nothing to do for this event"))
        _outputs(place, opened=0, updated=0, proposals=0, report="")
        return 0
    try:
        settings_file = None  # the default .autotune.yml (or .autotune.yaml), or defaults
        if cfg.settings_explicit:
            if not cfg.settings_path.is_file():
                raise ActionInputError(
                    f"settings file {_relative(cfg.settings_path, cfg.workspace)} not found "
                    "(the path is relative to working_directory)",
                    field="inputs.config",
                )
            settings_file = cfg.settings_path
        if cfg.event.name in ("issue_comment", "pull_request"):
            from autotune_bot.cli_action_events import run_event

            return run_event(cfg, _Outputs(place), settings_file)
        return _run(cfg, place, settings_file)
    except AutotuneError as err:
        return _fail(err, place)


class _Outputs:
    """The outputs and report writers of this run, for the event handlers."""

    def __init__(self, place: _Place) -> None:
        self.place = place

    def write(self, *, opened: int = 0, updated: int = 0, markdown: str = "") -> None:
        from autotune_bot.actions_env import append_summary

        report = _write_report(self.place, markdown) if markdown else ""
        _outputs(self.place, opened=opened, updated=updated, proposals=0, report=report)
        if markdown and self.place.summary_path is not None:
            append_summary(self.place.summary_path, markdown)


def _run(cfg: ActionConfig, place: _Place, settings_file: Path | None) -> int:
    from autotune_bot.actions_env import annotation, append_summary, verbatim
    from autotune_bot.gitops.cycle import CycleOptions
    from autotune_bot.gitops.run_summary import summary_markdown, summary_text
    from autotune_bot.validation.progress import ProgressPrinter

    options = CycleOptions(
        repo=cfg.repo_root,
        now=datetime.now(UTC),
        settings_file=settings_file,
        dry_run=cfg.dry_run,
        max_prs=cfg.max_prs,
        progress=ProgressPrinter(sys.stderr),
    )
    from autotune_bot.gitops.github_cycle import run_for_config

    report = run_for_config(options, cfg)
    located = [_located(e, place) for e in report.errors]
    report.errors = [text for text, _, _ in located]
    markdown = summary_markdown(report)
    report_path = _write_report(place, markdown)
    # names in the summary come from the repository: no line of it may act as a command
    sys.stdout.write(verbatim(summary_text(report), secrets.token_hex(16)))
    for note in report.notes:
        print(annotation("warning", note))
    for text, file, line in located:
        print(annotation("error", text, file, line))
    failed = report.failed()
    for d in failed:
        print(annotation("error", f"{d.key}: {d.detail}"))
    _outputs(
        place,
        opened=report.count("opened"),
        updated=report.count("updated"),
        proposals=len(report.proposals),
        report=report_path,
    )
    if place.summary_path is not None:
        append_summary(place.summary_path, markdown)
    return 1 if failed or report.errors else 0
