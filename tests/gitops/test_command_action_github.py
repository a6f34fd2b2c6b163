"""`/autotune` commands end to end: `autotune action` run in-process on an ``issue_comment``
event against the fake GitHub (every request and answer checked against the REST contract)
and a real bare remote, from a depth-1 clone as `actions/checkout` makes it."""

from __future__ import annotations

import copy
import subprocess
from pathlib import Path
from typing import Any

import pytest

from autotune_bot.commands.plan import reply_state
from tests.github_fake.remote import BareRemote, init_bare_remote
from tests.github_fake.server import FakeGitHub
from tests.gitops.example_files import FILES
from tests.gitops.github_site import Site


@pytest.fixture
def remote(tmp_path: Path) -> Path:
    """The example repository without monitoring settings."""
    return init_bare_remote(tmp_path / "remote.git", FILES)


def _person_pull(fake: FakeGitHub) -> int:
    return fake.open_pull_as_person("feature", "main", "A person's change")


def _branches(remote: Path) -> list[str]:
    return sorted(BareRemote(remote).branches())


def test_rollback_from_a_reader_is_refused_with_a_reply(
    site: Site, fake: FakeGitHub, remote: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    number = _person_pull(fake)
    fake.set_permission("rita", "read")
    before = _branches(remote)
    comment = site.comment(number, "/autotune rollback", login="rita")
    code, _ = site.action(capsys, number, comment)
    assert code == 0  # a refusal is an answer, not a failure
    [reply] = site.replies(number)
    assert "needs write access" in reply.body
    assert "`read`" in reply.body
    assert reply_state(reply.body) == (str(comment), True)
    assert [r["content"] for r in site.reactions(comment)] == ["eyes"]
    assert _branches(remote) == before
    assert fake.calls_to("pulls/create") == []
    assert len(fake.calls_to("repos/get-collaborator-permission-level")) == 1


def test_rollback_from_someone_without_any_role_is_refused(
    site: Site, fake: FakeGitHub, capsys: pytest.CaptureFixture[str]
) -> None:
    number = _person_pull(fake)
    comment = site.comment(number, "/autotune retune", login="stranger")  # a 404: not a member
    code, _ = site.action(capsys, number, comment)
    assert code == 0
    [reply] = site.replies(number)
    assert "has no role" in reply.body or "`none`" in reply.body
    assert fake.calls_to("pulls/create") == []


def test_help_from_anyone_needs_no_permission_and_reruns_do_nothing_twice(
    site: Site, fake: FakeGitHub, capsys: pytest.CaptureFixture[str]
) -> None:
    number = _person_pull(fake)
    comment = site.comment(number, "/autotune help", login="visitor")
    assert site.action(capsys, number, comment)[0] == 0
    [reply] = site.replies(number)
    assert "/autotune rollback [N]" in reply.body
    assert fake.calls_to("repos/get-collaborator-permission-level") == []
    writes = [c for c in fake.calls if c.method != "GET"]
    assert site.action(capsys, number, comment)[0] == 0  # the same event again
    assert [c for c in fake.calls if c.method != "GET"] == writes
    assert len(site.replies(number)) == 1
    assert len(site.reactions(comment)) == 1


def test_an_unknown_command_is_answered_with_help(
    site: Site, fake: FakeGitHub, capsys: pytest.CaptureFixture[str]
) -> None:
    number = _person_pull(fake)
    comment = site.comment(number, "/autotune rolback 1")
    assert site.action(capsys, number, comment)[0] == 0
    [reply] = site.replies(number)
    assert "rollback" in reply.body  # did you mean
    assert "/autotune status" in reply.body  # the help


def test_a_bot_comment_gets_nothing(
    site: Site, fake: FakeGitHub, capsys: pytest.CaptureFixture[str]
) -> None:
    number = _person_pull(fake)
    comment = site.comment(number, "/autotune rollback", login="helper[bot]", kind="Bot")
    code, commands = site.action(capsys, number, comment)
    assert code == 0
    assert site.replies(number) == []
    assert site.reactions(comment) == []
    assert [c for c in fake.calls if c.method != "GET"] == []
    assert any("bot account" in line for line in commands)


def test_an_edited_comment_is_a_notice(
    site: Site, fake: FakeGitHub, capsys: pytest.CaptureFixture[str]
) -> None:
    number = _person_pull(fake)
    comment = site.comment(number, "/autotune help")
    code, commands = site.action(capsys, number, comment, action="edited")
    assert code == 0
    assert any(line.startswith("::notice::") and "'edited'" in line for line in commands)
    assert fake.calls == []


def test_a_write_command_on_a_fork_pull_request_is_refused(
    site: Site, fake: FakeGitHub, remote: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    number = _person_pull(fake)
    answer = fake.canned.pull_request

    def from_fork(pull: Any, default_branch: str) -> Any:
        value = answer(pull, default_branch)
        head = copy.deepcopy(value["head"])
        head["repo"].update(full_name="mallory/agents", id=31337, name="agents")
        return {**value, "head": head}

    fake.canned.pull_request = from_fork  # type: ignore[method-assign]
    fake.set_permission("alice", "admin")
    before = _branches(remote)
    comment = site.comment(number, "/autotune ignore caching")
    assert site.action(capsys, number, comment)[0] == 0
    [reply] = site.replies(number)
    assert "not run on pull requests from forks" in reply.body
    assert _branches(remote) == before
    assert fake.calls_to("pulls/create") == []


def test_status_lists_the_open_proposals_with_links(
    site: Site, fake: FakeGitHub, capsys: pytest.CaptureFixture[str]
) -> None:
    site.open_bot_proposals()
    [pull] = [p for p in fake.pulls() if p.head.startswith("autotune/")]
    comment = site.comment(pull.number, "/autotune status", login="visitor")
    assert site.action(capsys, pull.number, comment)[0] == 0
    [reply] = site.replies(pull.number)
    assert f"- #{pull.number} `code_review/review_team`" in reply.body  # GitHub links #N
    assert "No merged autotune proposal" in reply.body
    assert reply_state(reply.body) == (str(comment), True)


def test_ignore_from_a_maintainer_opens_one_settings_pull_request(
    site: Site, fake: FakeGitHub, remote: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    number = _person_pull(fake)
    fake.set_permission("alice", "maintain")
    comment = site.comment(number, "/autotune ignore caching")
    assert site.action(capsys, number, comment)[0] == 0
    [settings_pull] = fake.pulls(head="autotune/settings/ignore-caching")
    [reply] = site.replies(number)
    assert f"#{settings_pull.number}" in reply.body
    assert "Working on it" not in reply.body
    changed = subprocess.run(
        ["git", "show", "autotune/settings/ignore-caching:.autotune.yml"],
        cwd=remote, check=True, capture_output=True, text=True,
    ).stdout  # fmt: skip
    assert "caching" in changed
    assert site.action(capsys, number, comment)[0] == 0  # again: nothing twice
    assert len(fake.calls_to("pulls/create")) == 1
    assert len(site.replies(number)) == 1
    assert len(fake.calls_to("reactions/create-for-issue-comment")) == 1
