"""The command plan: every rule (bots, the bot's own replies, not a command, answered
already, malformed, forks, permissions, what runs) as a table, and the reply marker."""

from __future__ import annotations

import dataclasses

import pytest

from autotune_bot.commands.event import CommentCommand
from autotune_bot.commands.help import help_text
from autotune_bot.commands.parse import parse_comment
from autotune_bot.commands.plan import (
    CommandPlan,
    Refuse,
    RunAnalyze,
    RunHelp,
    RunIgnore,
    RunRetune,
    RunRollback,
    RunStatus,
    find_reply,
    needs_permission,
    plan_command,
    reply_body,
    reply_state,
)
from autotune_bot.gitops.types import ForgeComment

ROUTE = CommentCommand("501", 7, True, "alice", "User", "/autotune status")


def plan(
    body: str,
    *,
    role: str | None = "write",
    fork: bool = False,
    reply: ForgeComment | None = None,
    **route: object,
) -> CommandPlan:
    r = dataclasses.replace(ROUTE, body=body, **route)  # type: ignore[arg-type]
    return plan_command(
        r, parse_comment(body), permission=role, from_fork=fork, existing_reply=reply
    )


def nothing(p: CommandPlan) -> bool:
    return p.action is None and not p.react and p.first_body == ""


@pytest.mark.parametrize(
    ("body", "route"),
    [
        ("/autotune rollback", {"author_login": "dependabot[bot]", "author_type": "Bot"}),
        ("/autotune help", {"author_login": "helper", "author_type": "Bot"}),
        ("/autotune help", {"author_login": "github-actions[bot]", "author_type": None}),
        ("just a comment", {}),
        ("> /autotune rollback", {}),
        (reply_body("400", "/autotune rollback", done=False), {}),
    ],
)
def test_bots_replies_and_plain_comments_get_nothing(body: str, route: dict[str, object]) -> None:
    assert nothing(plan(body, **route))


def test_a_comment_answered_already_gets_nothing() -> None:
    done = ForgeComment("900", reply_body("501", "done", done=True))
    assert nothing(plan("/autotune rollback", reply=done))
    assert nothing(plan("/autotune help", reply=done))


def test_an_unfinished_reply_is_edited_in_place() -> None:
    working = ForgeComment("900", reply_body("501", "working", done=False))
    p = plan("/autotune status", reply=working)
    assert p.reply == working
    assert isinstance(p.action, RunStatus)


@pytest.mark.parametrize("body", ["/autotune rolback", "/autotune", "/autotune rollback x y"])
def test_malformed_commands_are_answered_with_the_problem_and_help(body: str) -> None:
    p = plan(body, role=None)
    assert isinstance(p.action, RunHelp)
    assert p.action.problem is not None
    assert p.final
    assert p.react
    assert p.action.problem in p.first_body
    assert help_text().strip() in p.first_body
    assert reply_state(p.first_body) == ("501", True)


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ("/autotune status", RunStatus()),
        ("/autotune rollback", RunRollback(ref="7")),
        ("/autotune rollback 2", RunRollback(index=2)),
        ("/autotune analyze review_team", RunAnalyze("review_team")),
        ("/autotune analyze", RunAnalyze(None)),
        ("/autotune retune review_team", RunRetune("review_team")),
        ("/autotune ignore caching", RunIgnore("caching")),
    ],
)
def test_permitted_commands_run_after_a_working_reply(body: str, expected: object) -> None:
    p = plan(body, role="maintain")
    assert p.action == expected
    assert p.react
    assert not p.final
    assert reply_state(p.first_body) == ("501", False)
    assert "Working on it" in p.first_body


def test_rollback_without_n_in_an_issue_is_history_entry_zero() -> None:
    p = plan("/autotune rollback", is_pull_request=False)
    assert p.action == RunRollback(ref=None, index=None)


@pytest.mark.parametrize("role", ["read", "triage", "none", None, "custom-role"])
@pytest.mark.parametrize(
    "body", ["/autotune rollback", "/autotune analyze", "/autotune retune", "/autotune ignore x"]
)
def test_write_commands_without_write_access_are_refused(body: str, role: str | None) -> None:
    p = plan(body, role=role)
    assert isinstance(p.action, Refuse)
    assert "write access" in p.action.reason
    assert p.final
    assert p.react
    assert "Nothing was run" in p.first_body
    assert reply_state(p.first_body) == ("501", True)


@pytest.mark.parametrize("role", ["write", "maintain", "admin"])
def test_write_commands_on_fork_pull_requests_are_refused_whatever_the_role(role: str) -> None:
    p = plan("/autotune rollback", role=role, fork=True)
    assert isinstance(p.action, Refuse)
    assert "forks" in p.action.reason
    assert p.final


@pytest.mark.parametrize("body", ["/autotune help", "/autotune status"])
def test_help_and_status_need_no_role_and_run_on_forks(body: str) -> None:
    p = plan(body, role=None, fork=True)
    assert isinstance(p.action, RunHelp | RunStatus)
    assert p.react
    assert not needs_permission(parse_comment(body))


def test_help_is_answered_at_once() -> None:
    p = plan("/autotune help", role=None)
    assert p.action == RunHelp()
    assert p.final
    assert help_text().strip() in p.first_body


def test_needs_permission_only_for_write_commands() -> None:
    assert needs_permission(parse_comment("/autotune rollback 1"))
    assert not needs_permission(parse_comment("/autotune nonsense"))
    assert not needs_permission(None)


def test_the_reply_marker_is_found_again_and_the_newest_wins() -> None:
    comments = [
        ForgeComment("1", "hello"),
        ForgeComment("2", reply_body("501", "first", done=False)),
        ForgeComment("3", reply_body("777", "other", done=True)),
        ForgeComment("4", reply_body("501", "second", done=True)),
    ]
    assert find_reply(comments, "501") == comments[3]
    assert find_reply(comments, "777") == comments[2]
    assert find_reply(comments, "9") is None


@pytest.mark.parametrize(
    "body",
    [
        '<!-- autotune:reply {"comment": 501} -->',
        '<!-- autotune:reply {"comment": "501", "done": "yes"} -->',
        "<!-- autotune:reply {not json} -->",
        '<!-- autotune:reply ["501"] -->',
    ],
)
def test_malformed_reply_markers_are_not_replies(body: str) -> None:
    assert reply_state(body) is None


def test_the_commenters_text_is_quoted_inertly() -> None:
    p = plan("/autotune rolback `x` @everyone", role=None)
    heading = p.first_body.splitlines()[0]
    assert heading.count("`") == 2  # one code span, whatever the comment held
