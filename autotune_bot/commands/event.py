"""From a GitHub event (its name and payload) to what ``autotune action`` does with it.

Only two kinds of events lead to work here (``schedule`` and ``workflow_dispatch`` run the
tuning cycle and are dispatched before this module is asked):

- ``issue_comment`` with action ``created``: a :class:`CommentCommand`, the comment that may
  hold an ``/autotune`` command. Edits and deletions are :class:`Notice`: a command runs
  once, when it is written.
- ``pull_request`` with action ``closed``: :class:`MergedPull` when it was merged (monitoring
  starts), else :class:`ClosedPull` (the proposal is not made again until its evidence
  changes). Other actions are :class:`Notice`.

Every field read is type-checked; a payload that lacks one or has the wrong type is an
:class:`EventPayloadError` naming the field (``event.comment.user.login``...). The payload's
``author_association`` is never read: who may run a command is asked from GitHub's
collaborator-permission API. Pure.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from autotune_bot.errors import InputError

__all__ = [
    "ClosedPull",
    "CommentCommand",
    "EventPayloadError",
    "MergedPull",
    "Notice",
    "Route",
    "route_event",
]

# GitHub logins: letters, digits and hyphens (and the "_" of managed users' "<handle>_<short
# code>"), at most 39 characters; apps add "[bot]".
_LOGIN = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9_-]{0,38})(?:\[bot\])?", re.ASCII)
_MAX_ID = 2**63 - 1


class EventPayloadError(InputError):
    """The event payload lacks a field the action needs, or has it with the wrong type."""


@dataclass(frozen=True)
class CommentCommand:
    """A new comment on an issue or a pull request (it may or may not hold a command)."""

    comment_id: str
    issue_number: int
    is_pull_request: bool
    author_login: str
    author_type: str | None  # "User", "Bot", "Organization"... as the payload says
    body: str


@dataclass(frozen=True)
class MergedPull:
    """A pull request was merged: monitor it (when it is one of autotune's proposals)."""

    number: int


@dataclass(frozen=True)
class ClosedPull:
    """A pull request was closed without merge."""

    number: int


@dataclass(frozen=True)
class Notice:
    """Nothing to do for this event; ``text`` says why (a ``::notice::`` line)."""

    text: str


Route = CommentCommand | MergedPull | ClosedPull | Notice


def _error(field: str, message: str) -> EventPayloadError:
    return EventPayloadError(message, field=f"event.{field}")


def _object(value: Any, field: str) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        raise _error(field, f"must be an object, got {type(value).__name__}")
    return value


def _string(parent: Mapping[str, Any], name: str, field: str) -> str:
    value = parent.get(name)
    if not isinstance(value, str):
        raise _error(f"{field}.{name}" if field else name, _wanted("a string", value))
    return value


def _number(parent: Mapping[str, Any], name: str, field: str) -> int:
    value = parent.get(name)
    if isinstance(value, bool) or not isinstance(value, int) or not 0 < value <= _MAX_ID:
        raise _error(f"{field}.{name}", _wanted("a positive whole number", value))
    return value


def _wanted(what: str, value: Any) -> str:
    got = "nothing" if value is None else type(value).__name__
    return f"must be {what}, got {got}"


def _comment(payload: Mapping[str, Any]) -> Route:
    action = _string(payload, "action", "")
    if action != "created":
        return Notice(
            f"autotune: issue_comment '{action}' events are not acted on: a /autotune "
            "command runs once, when its comment is created; nothing to do"
        )
    comment = _object(payload.get("comment"), "comment")
    issue = _object(payload.get("issue"), "issue")
    user = _object(comment.get("user"), "comment.user")
    login = _string(user, "login", "comment.user")
    if not _LOGIN.fullmatch(login):
        raise _error("comment.user.login", "is not a GitHub login")
    kind = user.get("type")
    if kind is not None and not isinstance(kind, str):
        raise _error("comment.user.type", _wanted("a string", kind))
    body = comment.get("body")
    if body is not None and not isinstance(body, str):
        raise _error("comment.body", _wanted("a string", body))
    pull = issue.get("pull_request")
    if pull is not None and not isinstance(pull, Mapping):
        raise _error("issue.pull_request", _wanted("an object", pull))
    return CommentCommand(
        comment_id=str(_number(comment, "id", "comment")),
        issue_number=_number(issue, "number", "issue"),
        is_pull_request=pull is not None,
        author_login=login,
        author_type=kind,
        body=body or "",
    )


def _pull(payload: Mapping[str, Any]) -> Route:
    action = _string(payload, "action", "")
    if action != "closed":
        return Notice(
            f"autotune: pull_request '{action}' events are not acted on (only closed pull "
            "requests: a merge starts monitoring); nothing to do"
        )
    pull = _object(payload.get("pull_request"), "pull_request")
    number = _number(pull, "number", "pull_request")
    merged = pull.get("merged")
    if not isinstance(merged, bool):
        raise _error("pull_request.merged", _wanted("true or false", merged))
    return MergedPull(number) if merged else ClosedPull(number)


def route_event(name: str, payload: Mapping[str, Any]) -> Route:
    """What to do for event ``name`` with ``payload`` (see the module docstring)."""
    if name == "issue_comment":
        return _comment(payload)
    if name == "pull_request":
        return _pull(payload)
    return Notice(
        f"autotune: '{name}' events are not acted on; nothing to do (see "
        "examples/autotune.yml for the triggers to use)"
    )
