"""What to do about one new comment: react or not, what to reply, which action to run.

The rules, in order (:func:`plan_command`):

1. a comment by a bot (``is_bot``), or one carrying autotune's reply marker (the bot's own
   replies), gets nothing: no reaction, no reply;
2. a comment not addressed to autotune (``parse_comment`` gave ``None``) gets nothing;
3. a comment whose reply is already marked done gets nothing: running the same event again
   does nothing twice;
4. a malformed or unknown command gets a reply with the problem and the help;
5. a command that needs write access on a pull request from a fork is refused with a reply
   (nothing from a fork is ever run); ``help`` and ``status`` are fine there;
6. a command that needs write access is refused with a reply unless the commenter's role
   (from the collaborator-permission API, never ``author_association``) permits it;
7. anything else runs: the reply says "working on it" first and is edited with the result.

Replies carry ``<!-- autotune:reply {"comment": "<id>", "done": true|false} -->``, which
finds the reply of a command comment again (:func:`find_reply`). Pure.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from autotune_bot.commands.authorize import is_bot, permits, required_permission
from autotune_bot.commands.event import CommentCommand
from autotune_bot.commands.help import help_text
from autotune_bot.commands.parse import MAX_BODY_CHARS, Command, CommandError, history_index
from autotune_bot.commands.quote import code_span
from autotune_bot.gitops.marker import comment_json, strict_json
from autotune_bot.gitops.types import ForgeComment

__all__ = [
    "MAX_REPLY_CHARS",
    "CommandAction",
    "CommandPlan",
    "PullFacts",
    "Refuse",
    "RunAnalyze",
    "RunHelp",
    "RunIgnore",
    "RunRetune",
    "RunRollback",
    "RunStatus",
    "addressed",
    "find_reply",
    "needs_permission",
    "plan_command",
    "reply_body",
    "reply_heading",
    "reply_state",
]

MAX_REPLY_CHARS = MAX_BODY_CHARS  # GitHub refuses a longer comment
_CUT = f"\n\n*(cut here: a comment holds at most {MAX_BODY_CHARS} characters)*"
_REPLY = re.compile(r"<!--[ \t]*autotune:reply[ \t]+(\{[^\n]{0,512}?\})[ \t]*-->")
_FORK = (
    "is not run on pull requests from forks: autotune never runs anything for a fork's "
    "pull request with this repository's permissions. Write it in an issue or on a pull "
    "request of this repository instead."
)


@dataclass(frozen=True)
class PullFacts:
    """What a command needs to know about the pull request it was written on."""

    ref: str  # the forge's handle: the number as text, or a local draft's name
    merged: bool
    from_fork: bool  # the head branch is in another repository (or that repository is gone)
    url: str | None = None


@dataclass(frozen=True)
class RunHelp:
    problem: str | None = None  # what was wrong with the command (safe Markdown), if anything


@dataclass(frozen=True)
class RunStatus:
    pass


@dataclass(frozen=True)
class RunRollback:
    ref: str | None = None  # without N on a pull request: revert it, if it is a merged proposal
    index: int | None = None  # N: the history's N-th change still applied, 0 = the newest


@dataclass(frozen=True)
class RunAnalyze:
    team: str | None = None


@dataclass(frozen=True)
class RunRetune:
    team: str | None = None


@dataclass(frozen=True)
class RunIgnore:
    name: str


@dataclass(frozen=True)
class Refuse:
    reason: str  # safe Markdown


CommandAction = RunHelp | RunStatus | RunRollback | RunAnalyze | RunRetune | RunIgnore | Refuse


@dataclass(frozen=True)
class CommandPlan:
    """What the command edge does for one comment."""

    action: CommandAction | None  # None: nothing at all (no reaction, no reply)
    react: bool  # add the "eyes" reaction to the command comment
    reply: ForgeComment | None  # the earlier reply to edit in place; None: create one
    first_body: str  # the reply posted at once ("" when nothing is posted)
    final: bool  # first_body is the answer itself (help, refusal): nothing more to run
    why: str  # one line for the log


def reply_state(body: str) -> tuple[str, bool] | None:
    """The command comment id and the done flag of the last reply marker in ``body``."""
    found: tuple[str, bool] | None = None
    for match in _REPLY.finditer(body):
        try:
            data = strict_json(match.group(1))
        except (ValueError, RecursionError):
            continue
        if not isinstance(data, dict):
            continue
        comment, done = data.get("comment"), data.get("done", False)
        if isinstance(comment, str) and comment and isinstance(done, bool):
            found = (comment, done)
    return found


def find_reply(comments: Sequence[ForgeComment], comment_id: str) -> ForgeComment | None:
    """The reply to comment ``comment_id`` among ``comments`` (the newest, if several)."""
    found = None
    for comment in comments:
        state = reply_state(comment.body)
        if state is not None and state[0] == comment_id:
            found = comment
    return found


def reply_body(comment_id: str, text: str, *, done: bool) -> str:
    """A reply's body: ``text`` and the hidden marker naming the command comment, at most
    :data:`MAX_REPLY_CHARS` characters (a longer text is cut at a line, saying so)."""
    marker = comment_json({"comment": comment_id, "done": done})
    tail = f"\n\n<!-- autotune:reply {marker} -->\n"
    return _fitted(text.rstrip(), MAX_REPLY_CHARS - len(tail)) + tail


def _fitted(text: str, room: int) -> str:
    if len(text) <= room:
        return text
    head = text[: room - len(_CUT)]
    line_end = head.rfind("\n")
    return (head[:line_end] if line_end > 0 else head) + _CUT


def addressed(route: CommentCommand, command: Command | CommandError | None) -> bool:
    """Whether the comment is worth any request at all (rules 1 and 2)."""
    if command is None or is_bot(route.author_login, route.author_type):
        return False
    return reply_state(route.body) is None


def needs_permission(command: Command | CommandError | None) -> bool:
    """Whether the commenter's role must be asked before planning."""
    return isinstance(command, Command) and required_permission(command.verb) == "write"


def _action(route: CommentCommand, command: Command, ref: str) -> CommandAction:
    arg = command.args[0] if command.args else None
    if command.verb == "help":
        return RunHelp()
    if command.verb == "status":
        return RunStatus()
    if command.verb == "rollback":
        index = history_index(command)
        on_pull = route.is_pull_request and index is None
        return RunRollback(ref=ref if on_pull else None, index=index)
    if command.verb == "analyze":
        return RunAnalyze(arg)
    if command.verb == "retune":
        return RunRetune(arg)
    assert command.verb == "ignore"
    assert arg is not None  # the parser checked the arity
    return RunIgnore(arg)


def _nothing(why: str) -> CommandPlan:
    return CommandPlan(None, react=False, reply=None, first_body="", final=True, why=why)


def _answer(
    route: CommentCommand, reply: ForgeComment | None, action: CommandAction, text: str, why: str
) -> CommandPlan:
    body = reply_body(route.comment_id, text, done=True)
    return CommandPlan(action, react=True, reply=reply, first_body=body, final=True, why=why)


def reply_heading(route: CommentCommand, line: str) -> str:
    return f"> {code_span(line, 120)} — @{route.author_login}\n\n"


def plan_command(
    route: CommentCommand,
    command: Command | CommandError | None,
    *,
    permission: str | None,
    from_fork: bool,
    existing_reply: ForgeComment | None,
    run_url: str | None = None,
    ref: str | None = None,
) -> CommandPlan:
    """The plan for one comment (rules: module docstring). ``permission``: the commenter's
    role as the API gives it (None when not asked); ``from_fork``: the comment is on a pull
    request whose head is in another repository; ``existing_reply``: the bot's reply to this
    comment found earlier (:func:`find_reply`); ``run_url``: the workflow run, linked from
    the "working on it" reply; ``ref``: the forge's handle of the issue or pull request
    (the number by default; a local draft's name)."""
    if is_bot(route.author_login, route.author_type):
        return _nothing(f"comment by the bot account {route.author_login}: ignored")
    if reply_state(route.body) is not None:
        return _nothing("an autotune reply: ignored")
    if command is None:
        return _nothing("not an /autotune command")
    if existing_reply is not None and (reply_state(existing_reply.body) or ("", False))[1]:
        return _nothing(f"comment {route.comment_id} was answered already: nothing to do twice")
    if isinstance(command, CommandError):
        text = f"{reply_heading(route, command.line)}{command.message}\n\n{help_text()}"
        return _answer(route, existing_reply, RunHelp(command.message), text, "malformed command")
    head = reply_heading(route, command.line)
    verb = code_span(f"/autotune {command.verb}")
    if required_permission(command.verb) == "write":
        if from_fork:
            reason = f"{verb} {_FORK}"
            return _answer(route, existing_reply, Refuse(reason), head + reason, "fork")
        if not permits(permission, "write"):
            has = f"has the role {code_span(permission)}" if permission else "has no role"
            reason = (
                f"{verb} needs write access to this repository (the write, maintain or admin "
                f"role); @{route.author_login} {has} here. Nothing was run."
            )
            return _answer(route, existing_reply, Refuse(reason), head + reason, "no permission")
    action = _action(route, command, ref if ref is not None else str(route.issue_number))
    if isinstance(action, RunHelp):
        return _answer(route, existing_reply, action, head + help_text(), "help")
    run = f" ([workflow run]({run_url}))" if run_url else ""
    body = reply_body(route.comment_id, f"{head}:hourglass: Working on it{run}…", done=False)
    return CommandPlan(
        action, react=True, reply=existing_reply, first_body=body, final=False, why=command.verb
    )
