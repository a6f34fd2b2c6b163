"""The command edge wired to the forge ``autotune action`` uses: GitHub or local.

GitHub: the forge of pull requests and comments, :class:`GitHubCommands` for roles,
reactions and forks, pushes to ``origin`` with the token, monitoring and the tuning cycle
through their own GitHub wiring (artifacts, preflight).

Local (``forge: local``, an event payload file): comments are the local drafts' comment
files; the comment's draft is named by the payload's ``issue.draft`` (its file name in the
outbox), since local drafts have no numbers. No GitHub is involved only outside GitHub
Actions: then, and only then, the local user counts as a maintainer (the run's notes say
so).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Any

from autotune_bot.actions_env import ActionConfig
from autotune_bot.commands.event import CommentCommand, EventPayloadError
from autotune_bot.commands.quote import code_span
from autotune_bot.errors import AutotuneError
from autotune_bot.gitops.command_actions import CommandOptions, RevertOutcome, Runners
from autotune_bot.gitops.command_cycle import CommandReport, LocalHost, run_command
from autotune_bot.gitops.cycle import CycleOptions, CycleReport
from autotune_bot.gitops.markdown import prose
from autotune_bot.gitops.monitor_cycle import MonitorOptions, MonitorReport
from autotune_bot.settings.proposals import PullRequestSettings

__all__ = ["command_for_config", "local_draft", "revert_outcome"]

REMOTE = "origin"


def revert_outcome(report: MonitorReport, ref: str) -> RevertOutcome:
    """What a monitoring run asked to revert ``ref`` did, for the command's reply."""
    from autotune_bot.monitor.status import ref_link

    lines = []
    for done in report.reverts:
        if done.action == "opened" and done.revert is not None:
            # "#12" links itself on GitHub; a local draft is named with its path
            where = f" ({code_span(done.url)})" if done.url and not done.revert.isdigit() else ""
            lines.append(f"opened {ref_link(done.revert)}{where}")
        elif done.action == "opened":
            lines.append(f"opened {prose(done.detail, 200)}")
    errors = [d.detail for d in report.reverts if d.action == "failed"] + report.errors
    notes = list(report.notes)
    if not lines:
        existing = [w.revert for w in report.watched if w.ref == ref and w.revert is not None]
        lines += [f"one exists already: {ref_link(r)}; no other is opened" for r in existing]
        # monitoring's note that it is open says the same (one saying it was declined stays)
        notes = [
            n
            for n in notes
            if not any(
                n.startswith(f"{ref}: ") and "already open" in n and r in n for r in existing
            )
        ]
    opened = sum(1 for d in report.reverts if d.action == "opened")
    return RevertOutcome(tuple(lines), tuple(notes), tuple(errors), opened)


def local_draft(payload: Mapping[str, Any]) -> str:
    """The local draft a command comment is on: the payload's ``issue.draft``."""
    issue = payload.get("issue")
    draft = issue.get("draft") if isinstance(issue, Mapping) else None
    if not isinstance(draft, str) or not draft.endswith(".md") or "/" in draft:
        raise EventPayloadError(
            "the local forge needs the draft's file name in the outbox (e.g. "
            "autotune__code_review__review_team.md)",
            field="event.issue.draft",
        )
    return draft


def _pull_settings(options: CommandOptions) -> PullRequestSettings:
    """The settings' pull-request part; the defaults when the settings cannot be read (the
    command that needs them says why it failed)."""
    from autotune_bot.settings import load_settings

    try:
        return load_settings(options.repo, options.settings_file)[0].pull_requests
    except AutotuneError:
        return PullRequestSettings()


def command_for_config(
    route: CommentCommand, cfg: ActionConfig, options: CommandOptions
) -> CommandReport:
    """Carry out the comment's command with the forge ``cfg`` chose."""
    from autotune_bot.gitops.github_cycle import run_for_config

    def revert(ref: str, login: str) -> RevertOutcome:
        from autotune_bot.gitops.github_monitor import monitor_for_config

        asked = MonitorOptions(
            repo=options.repo,
            now=options.now,
            settings_file=options.settings_file,
            only_ref=ref,
            requested_by=login,
        )
        return revert_outcome(monitor_for_config(asked, cfg), ref)

    def cycle(run: CycleOptions) -> CycleReport:
        return run_for_config(run, cfg)

    runners = Runners(revert=revert, cycle=cycle)
    if cfg.forge == "github":
        from autotune_bot.forge.github import GitHubForge
        from autotune_bot.forge.github_client import GitHubClient
        from autotune_bot.forge.github_commands import GitHubCommands

        assert cfg.token is not None  # action_config refuses the github forge without one
        assert cfg.repository is not None
        token = cfg.token.reveal()
        client = GitHubClient(base_url=cfg.api_url, token=token, repository=cfg.repository)
        forge = GitHubForge.from_settings(client, _pull_settings(options))
        remote = dataclasses.replace(options, remote=REMOTE, token=token)
        return run_command(route, remote, forge, GitHubCommands(client), runners)
    from autotune_bot.forge.local import LocalForge

    local = LocalForge(options.repo)
    host = LocalHost(local, maintainer=not cfg.in_actions)
    draft = local_draft(cfg.event_payload)
    report = run_command(route, options, local, host, runners, ref=draft)
    report.notes += list(dict.fromkeys(host.notes))
    return report
