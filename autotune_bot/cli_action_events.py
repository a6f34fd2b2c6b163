"""``autotune action`` on ``issue_comment`` and ``pull_request`` events.

- ``issue_comment`` (created): the ``/autotune`` command in the comment, carried out by the
  command edge (:mod:`autotune_bot.gitops.command_wiring`); a failed command exits 1;
- ``pull_request`` closed and merged: monitoring of that pull request only (``only_ref``);
- ``pull_request`` closed without merge: a notice (a proposal closed unmerged is not made
  again until its evidence changes: the cycle's lifecycle rule);
- any other action of these events: a notice, exit 0.

A dry run (``dry_run: true``) carries out no command and opens no revert. What is printed
is made of fixed words, numbers and escaped annotation text; the replies themselves go to
the forge, and the job summary says what happened.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Protocol

from autotune_bot.actions_env import ActionConfig, annotation
from autotune_bot.commands.event import ClosedPull, CommentCommand, MergedPull, route_event

__all__ = ["run_event"]


class Outputs(Protocol):
    def write(self, *, opened: int = 0, updated: int = 0, markdown: str = "") -> None: ...


def _notice(text: str, outputs: Outputs) -> int:
    print(annotation("notice", text))
    outputs.write()
    return 0


def _lines(kind: str, texts: Sequence[str]) -> None:
    for text in texts:
        print(annotation("warning" if kind == "note" else "error", text))


def _merged(cfg: ActionConfig, pull: MergedPull, outputs: Outputs, settings: Path | None) -> int:
    from autotune_bot.gitops.github_monitor import monitor_for_config
    from autotune_bot.gitops.monitor_cycle import MonitorOptions

    options = MonitorOptions(
        repo=cfg.repo_root,
        now=datetime.now(UTC),
        settings_file=settings,
        dry_run=cfg.dry_run,
        only_ref=str(pull.number),
    )
    report = monitor_for_config(options, cfg)
    _lines("note", report.notes)
    failed = [f"{d.ref}: {d.detail}" for d in report.failed()]
    _lines("error", [*report.errors, *failed])
    lines = ["## autotune monitoring", "", f"Merged pull request #{pull.number}:", ""]
    lines += [
        f"- {w.ref}: {w.outcome} ({w.post_runs} of {w.horizon} runs after the merge)"
        for w in report.watched
    ] or ["- not an autotune proposal being monitored"]
    opened = sum(1 for d in report.reverts if d.action == "opened")
    outputs.write(opened=opened, markdown="\n".join(lines) + "\n")
    return 1 if report.errors or failed else 0


def _comment(
    cfg: ActionConfig, route: CommentCommand, outputs: Outputs, settings: Path | None
) -> int:
    from autotune_bot.gitops.command_actions import CommandOptions
    from autotune_bot.gitops.command_wiring import command_for_config

    if cfg.dry_run:
        return _notice("autotune: dry run: the /autotune command is not carried out", outputs)
    options = CommandOptions(
        repo=cfg.repo_root, now=datetime.now(UTC), settings_file=settings, run_url=cfg.run_url
    )
    report = command_for_config(route, cfg, options)
    _lines("note", report.notes)
    if report.action is None:
        return _notice(f"autotune: comment {route.comment_id}: {report.why}", outputs)
    status = "done" if report.ok else "failed"
    print(annotation("notice", f"autotune: comment {route.comment_id}: {report.why}: {status}"))
    if not report.ok:
        print(annotation("error", f"the command of comment {route.comment_id} failed"))
    reply = f"[the reply]({report.reply_url})" if report.reply_url else "the reply"
    markdown = (
        f"## autotune command\n\nComment {route.comment_id} ({report.why}): {status}; "
        f"see {reply}.\n\n{report.outcome}\n"
    )
    outputs.write(opened=report.opened, updated=report.updated, markdown=markdown)
    return 0 if report.ok else 1


def run_event(cfg: ActionConfig, outputs: Outputs, settings: Path | None) -> int:
    """Handle an ``issue_comment`` or ``pull_request`` event (see the module docstring)."""
    assert cfg.event.name is not None
    route = route_event(cfg.event.name, cfg.event_payload)
    if isinstance(route, CommentCommand):
        return _comment(cfg, route, outputs, settings)
    if isinstance(route, MergedPull):
        return _merged(cfg, route, outputs, settings)
    if isinstance(route, ClosedPull):
        return _notice(
            f"autotune: proposal #{route.number} closed without merge: not proposed again "
            "until its evidence changes",
            outputs,
        )
    return _notice(route.text, outputs)
