"""Event routing: which GitHub events and actions lead to a command, to monitoring, or to a
notice, and how malformed payloads are reported (one line naming the field)."""

from __future__ import annotations

from typing import Any

import pytest

from autotune_bot.commands.event import (
    ClosedPull,
    CommentCommand,
    EventPayloadError,
    MergedPull,
    Notice,
    route_event,
)


def comment_event(**changes: Any) -> dict[str, Any]:
    payload: dict[str, Any] = {
        "action": "created",
        "issue": {"number": 7, "pull_request": {"url": "https://api.github.com/x"}},
        "comment": {
            "id": 1234,
            "body": "/autotune help",
            "user": {"login": "alice", "type": "User"},
            "author_association": "OWNER",
        },
    }
    payload.update(changes)
    return payload


def pull_event(action: str = "closed", merged: Any = True, number: Any = 3) -> dict[str, Any]:
    return {"action": action, "pull_request": {"number": number, "merged": merged}}


def test_a_new_comment_on_a_pull_request_is_a_comment_command() -> None:
    route = route_event("issue_comment", comment_event())
    assert route == CommentCommand(
        comment_id="1234",
        issue_number=7,
        is_pull_request=True,
        author_login="alice",
        author_type="User",
        body="/autotune help",
    )


def test_a_comment_on_an_issue_is_not_on_a_pull_request() -> None:
    route = route_event("issue_comment", comment_event(issue={"number": 9}))
    assert isinstance(route, CommentCommand)
    assert (route.issue_number, route.is_pull_request) == (9, False)


@pytest.mark.parametrize(
    ("name", "payload", "expected"),
    [
        ("pull_request", pull_event(), MergedPull(3)),
        ("pull_request", pull_event(merged=False), ClosedPull(3)),
    ],
)
def test_closed_pull_requests(name: str, payload: dict[str, Any], expected: object) -> None:
    assert route_event(name, payload) == expected


@pytest.mark.parametrize(
    ("name", "payload", "words"),
    [
        ("issue_comment", comment_event(action="edited"), "'edited'"),
        ("issue_comment", comment_event(action="deleted"), "'deleted'"),
        ("pull_request", pull_event(action="opened"), "'opened'"),
        ("pull_request", pull_event(action="synchronize"), "'synchronize'"),
        ("push", {}, "'push'"),
    ],
)
def test_other_actions_and_events_are_notices(
    name: str, payload: dict[str, Any], words: str
) -> None:
    route = route_event(name, payload)
    assert isinstance(route, Notice)
    assert words in route.text


def test_author_association_is_never_read() -> None:
    owner = route_event("issue_comment", comment_event())
    stranger = comment_event()
    stranger["comment"]["author_association"] = "NONE"
    assert route_event("issue_comment", stranger) == owner


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"issue": {"number": 1}}, "event.action"),
        (comment_event(comment=None), "event.comment"),
        (comment_event(issue={"number": "7"}), "event.issue.number"),
        (comment_event(issue={"number": True}), "event.issue.number"),
        (comment_event(issue={"number": 0}), "event.issue.number"),
        (comment_event(issue={"number": 7, "pull_request": "yes"}), "event.issue.pull_request"),
        (comment_event(comment={"id": 1, "body": "x", "user": {}}), "event.comment.user.login"),
        (
            comment_event(comment={"id": 1, "body": "x", "user": {"login": "a;rm -rf"}}),
            "event.comment.user.login",
        ),
        (
            comment_event(comment={"id": 1, "body": 5, "user": {"login": "a"}}),
            "event.comment.body",
        ),
        (
            comment_event(comment={"id": "1", "body": "x", "user": {"login": "a"}}),
            "event.comment.id",
        ),
        (
            comment_event(comment={"id": 1, "body": "x", "user": {"login": "a", "type": 1}}),
            "event.comment.user.type",
        ),
    ],
)
def test_malformed_comment_payloads_name_the_field(payload: dict[str, Any], field: str) -> None:
    with pytest.raises(EventPayloadError) as caught:
        route_event("issue_comment", payload)
    assert caught.value.field == field
    assert "\n" not in str(caught.value)


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        (pull_event(merged=None), "event.pull_request.merged"),
        (pull_event(merged="true"), "event.pull_request.merged"),
        (pull_event(number=None), "event.pull_request.number"),
        ({"action": "closed"}, "event.pull_request"),
    ],
)
def test_malformed_pull_payloads_name_the_field(payload: dict[str, Any], field: str) -> None:
    with pytest.raises(EventPayloadError) as caught:
        route_event("pull_request", payload)
    assert caught.value.field == field
