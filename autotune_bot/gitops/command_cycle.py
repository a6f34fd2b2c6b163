"""The command edge: one ``issue_comment`` event, carried out as its plan says.

:func:`run_command` parses the comment, asks only what the plan needs (the earlier reply
among the comments, the commenter's role for a write command, the pull request for a fork
check), plans (:func:`~autotune_bot.commands.plan.plan_command`), then: adds the "eyes"
reaction, creates the reply ("working on it", or at once the answer of ``help`` or a
refusal), runs the action and edits the same reply in place with the result. The result is
marked done in the reply's marker, so the same event run again does nothing; a failed
command's reply says what failed (one line, no trace, no token) and is not marked done, so
running the event again tries again.

The platform-specific parts are a :class:`CommandHost` (GitHub:
:class:`~autotune_bot.forge.github_commands.GitHubCommands`; local: :class:`LocalHost`) and
the :class:`~autotune_bot.gitops.command_actions.Runners`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol

from autotune_bot.commands.event import CommentCommand
from autotune_bot.commands.parse import Command, parse_comment
from autotune_bot.commands.plan import (
    CommandAction,
    CommandPlan,
    PullFacts,
    Refuse,
    RunAnalyze,
    RunHelp,
    RunIgnore,
    RunRetune,
    RunRollback,
    RunStatus,
    addressed,
    find_reply,
    needs_permission,
    plan_command,
    reply_body,
    reply_heading,
    reply_state,
)
from autotune_bot.errors import AutotuneError
from autotune_bot.gitops.command_actions import (
    ActionContext,
    CommandOptions,
    Outcome,
    Runners,
    analyze_outcome,
    retune_outcome,
    revert_pull_outcome,
    status_outcome,
)
from autotune_bot.gitops.comment_trust import bot_comments
from autotune_bot.gitops.markdown import prose
from autotune_bot.gitops.types import Forge, ForgeComment

__all__ = ["CommandHost", "CommandReport", "LocalHost", "run_command"]


class CommandHost(Protocol):
    """What the command edge asks the platform besides the forge."""

    name: str

    def permission(self, login: str) -> str | None:
        """The role of ``login`` (``admin`` ... ``read``, ``none``), None when unknown."""
        ...

    def react(self, comment_id: str) -> None: ...

    def pull_request(self, ref: str) -> PullFacts: ...


class LocalHost:
    """Commands with the local forge: no reactions, no forks, and a role for the local user.

    Only when no GitHub is involved (``maintainer``: outside GitHub Actions) is the local
    user treated as a maintainer; otherwise the role is unknown and write commands are
    refused."""

    name = "local"

    def __init__(self, forge: Forge, *, maintainer: bool) -> None:
        self.forge = forge
        self.maintainer = maintainer
        self.notes: list[str] = []

    def permission(self, login: str) -> str | None:
        if not self.maintainer:
            self.notes.append(
                "local forge inside GitHub Actions: the commenter's role cannot be checked; "
                "write commands are refused"
            )
            return None
        self.notes.append(f"local forge, no GitHub involved: {login} is treated as a maintainer")
        return "maintain"

    def react(self, comment_id: str) -> None:
        self.notes.append(f"local forge: no reaction to comment {comment_id}")

    def pull_request(self, ref: str) -> PullFacts:
        found = next((p for p in self.forge.list_proposals() if p.ref == ref), None)
        merged = found is not None and found.state == "merged"
        return PullFacts(ref, merged, from_fork=False, url=found.url if found else None)


@dataclass
class CommandReport:
    """What the command edge did for one comment."""

    why: str  # the plan's reason (or why nothing was planned)
    action: str | None = None  # the action's name ("RunStatus"...), None: nothing was done
    ok: bool = True  # False: the command failed (the step exits non-zero)
    reply_url: str | None = None
    outcome: str = ""  # the reply's result text
    opened: int = 0  # pull requests the command opened
    updated: int = 0  # pull requests the command updated in place
    notes: list[str] = field(default_factory=list)


def _carry_out(
    action: CommandAction, ctx: ActionContext, route: CommentCommand, ref: str
) -> Outcome:
    from autotune_bot.gitops.command_changes import ignore_outcome, rollback_entry_outcome

    if isinstance(action, RunStatus):
        return status_outcome(ctx)
    if isinstance(action, RunRollback):
        if action.index is None and action.ref is not None:
            done = revert_pull_outcome(ctx, action, action.ref)
            if done is not None:
                return done
            return Outcome(
                "This pull request is not a merged autotune proposal, so there is nothing of "
                "it to revert. To undo a recorded change, write `/autotune rollback N` "
                "(`N` = 0 for the latest change still applied)."
            )
        return rollback_entry_outcome(ctx, action.index or 0)
    if isinstance(action, RunAnalyze):
        return analyze_outcome(ctx, action)
    if isinstance(action, RunRetune):
        return retune_outcome(ctx, action)
    if isinstance(action, RunIgnore):
        return ignore_outcome(ctx, action.name)
    assert isinstance(action, RunHelp | Refuse)  # answered by the plan itself
    raise AssertionError(f"{type(action).__name__} has no action to run ({route.comment_id})")


def _post(forge: Forge, ref: str, reply: ForgeComment | None, body: str) -> ForgeComment:
    return (
        forge.create_comment(ref, body) if reply is None else forge.edit_comment(ref, reply, body)
    )


def _plan(
    route: CommentCommand,
    options: CommandOptions,
    forge: Forge,
    host: CommandHost,
    ref: str,
) -> CommandPlan:
    command = parse_comment(route.body)
    if not addressed(route, command):
        return plan_command(route, command, permission=None, from_fork=False, existing_reply=None)
    existing = find_reply(bot_comments(forge.list_comments(ref)), route.comment_id)
    done = existing is not None and (reply_state(existing.body) or ("", False))[1]
    writes = needs_permission(command) and not done
    permission = host.permission(route.author_login) if writes else None
    fork = writes and route.is_pull_request and host.pull_request(ref).from_fork
    return plan_command(
        route,
        command,
        permission=permission,
        from_fork=fork,
        existing_reply=existing,
        run_url=options.run_url,
        ref=ref,
    )


def run_command(
    route: CommentCommand,
    options: CommandOptions,
    forge: Forge,
    host: CommandHost,
    runners: Runners,
    *,
    ref: str | None = None,
) -> CommandReport:
    """Carry out the command in ``route``'s comment (see the module docstring). ``ref``: the
    forge's handle of the issue or pull request (default: its number). Raises
    :class:`AutotuneError` only when the reply itself cannot be written."""
    ref = ref if ref is not None else str(route.issue_number)
    plan = _plan(route, options, forge, host, ref)
    report = CommandReport(why=plan.why)
    if plan.action is None:
        return report
    report.action = type(plan.action).__name__
    if plan.react:
        host.react(route.comment_id)
    reply = _post(forge, ref, plan.reply, plan.first_body)
    report.reply_url = reply.url
    if plan.final:
        return report
    command = parse_comment(route.body)
    assert isinstance(command, Command)
    head = reply_heading(route, command.line)
    ctx = ActionContext(options, forge, runners, route.author_login)
    try:
        outcome = _carry_out(plan.action, ctx, route, ref)
    except AutotuneError as err:
        outcome = Outcome(f"**Failed:** {prose(str(err), 1000)}", ok=False)
    except Exception as err:  # a bug: say so in the reply, then let it surface
        failed = Outcome(f"**Failed:** internal error ({type(err).__name__})", ok=False)
        _post(forge, ref, reply, reply_body(route.comment_id, head + failed.text, done=False))
        raise
    text = outcome.text
    if not outcome.ok and options.run_url:
        text += f"\n\nDetails: [workflow run]({options.run_url}). Run the event again to retry."
    body = reply_body(route.comment_id, head + text, done=outcome.ok)
    _post(forge, ref, reply, body)
    report.ok, report.outcome = outcome.ok, text
    report.opened, report.updated = outcome.opened, outcome.updated
    return report
