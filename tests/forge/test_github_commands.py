"""`GitHubCommands` against the fake GitHub (requests and answers checked against the REST
contract): the commenter's role (``role_name``, a custom role's base ``permission``, 404 as
``none``), the acknowledging reaction added once, and the facts of a pull request (merged,
from a fork)."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from autotune_bot.commands.authorize import permits
from autotune_bot.forge.github_client import GitHubClient
from autotune_bot.forge.github_commands import REACTION, GitHubCommands
from autotune_bot.forge.github_errors import GitHubError
from tests.github_fake.server import FakeGitHub
from tests.github_fake.state import CommentState

pytest_plugins = ("tests.github_fake.fixtures",)


@pytest.fixture
def commands(github_client: GitHubClient) -> GitHubCommands:
    return GitHubCommands(github_client)


@pytest.mark.parametrize("role", ["admin", "maintain", "write", "triage", "read"])
def test_the_role_is_the_role_name(
    commands: GitHubCommands, fake_github: FakeGitHub, role: str
) -> None:
    fake_github.set_permission("pat", role)
    assert commands.permission("pat") == role  # not the coarser `permission` (maintain: write)
    [call] = fake_github.calls_to("repos/get-collaborator-permission-level")
    assert call.url.endswith("/repos/octo-org/agents/collaborators/pat/permission")


@pytest.mark.parametrize(("base", "allowed"), [("write", True), ("read", False)])
def test_a_custom_role_counts_as_its_base_permission(
    commands: GitHubCommands, fake_github: FakeGitHub, base: str, allowed: bool
) -> None:
    answer = fake_github.canned.collaborator_permission

    def custom(login: str, permission: str, role: str) -> Any:
        value = answer(login, permission, role)
        value["role_name"] = "release-manager"  # a custom repository role
        value["user"]["role_name"] = "release-manager"
        return value

    fake_github.canned.collaborator_permission = custom  # type: ignore[method-assign]
    fake_github.set_permission("cara", base)
    role = commands.permission("cara")
    assert role == base
    assert permits(role, "write") is allowed


def test_someone_who_is_not_a_collaborator_has_the_role_none(
    commands: GitHubCommands, fake_github: FakeGitHub
) -> None:
    assert commands.permission("stranger") == "none"  # the API answers 404
    assert not permits(commands.permission("stranger"), "write")


def test_a_server_error_is_not_taken_for_no_role(
    commands: GitHubCommands, fake_github: FakeGitHub
) -> None:
    fake_github.set_permission("pat", "admin")
    fake_github.inject("repos/get-collaborator-permission-level", status=500, times=10)
    with pytest.raises(GitHubError) as raised:
        commands.permission("pat")
    assert raised.value.status == 500


def _comment(fake: FakeGitHub, number: int) -> int:
    state = fake.state
    now = state.now()
    user = fake.canned.user("alice", user_id=4005)
    comment = CommentState(state.new_id(), number, "/autotune help", user, now, now)
    state.comments[comment.id] = comment
    return comment.id


def test_react_adds_one_eyes_reaction_even_when_repeated(
    commands: GitHubCommands, fake_github: FakeGitHub
) -> None:
    number = fake_github.open_pull_as_person("feature", "main", "A change")
    comment = _comment(fake_github, number)
    commands.react(str(comment))
    commands.react(str(comment))
    assert [r["content"] for r in fake_github.state.reactions[comment]] == [REACTION]
    calls = fake_github.calls_to("reactions/create-for-issue-comment")
    assert [c.status for c in calls] == [201, 200]  # the second: GitHub's "already there"


def test_react_refuses_an_id_that_is_not_a_number(commands: GitHubCommands) -> None:
    with pytest.raises(ValueError, match="invalid literal"):
        commands.react("1/../../pulls")  # never put into the request path


def test_pull_request_facts_of_an_open_and_a_merged_pull_request(
    commands: GitHubCommands, fake_github: FakeGitHub
) -> None:
    number = fake_github.open_pull_as_person("feature", "main", "A change")
    facts = commands.pull_request(str(number))
    assert (facts.ref, facts.merged, facts.from_fork) == (str(number), False, False)
    assert facts.url == f"https://github.com/octo-org/agents/pull/{number}"
    fake_github.merge_pull(number)
    assert commands.pull_request(str(number)).merged is True


def _head_repo(fake: FakeGitHub, **changes: Any) -> None:
    """Answer pull requests with a head repository changed by ``changes``."""
    answer = fake.canned.pull_request

    def changed(pull: Any, default_branch: str) -> Any:
        value = answer(pull, default_branch)
        head = copy.deepcopy(value["head"])
        head["repo"].update(changes)
        return {**value, "head": head}

    fake.canned.pull_request = changed  # type: ignore[method-assign]


def test_a_head_in_another_repository_is_a_fork(
    commands: GitHubCommands, fake_github: FakeGitHub
) -> None:
    number = fake_github.open_pull_as_person("feature", "main", "A change")
    _head_repo(fake_github, full_name="mallory/agents", id=31337, name="agents")
    assert commands.pull_request(str(number)).from_fork is True


def test_the_same_repository_in_other_letter_case_is_no_fork(
    commands: GitHubCommands, fake_github: FakeGitHub
) -> None:
    number = fake_github.open_pull_as_person("feature", "main", "A change")
    _head_repo(fake_github, full_name="Octo-Org/Agents")
    assert commands.pull_request(str(number)).from_fork is False


def test_a_missing_pull_request_is_an_error(commands: GitHubCommands) -> None:
    with pytest.raises(GitHubError) as raised:
        commands.pull_request("999")
    assert raised.value.status == 404
