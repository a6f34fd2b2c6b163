"""`/autotune` commands end to end: `autotune action` run in-process on an ``issue_comment``
event against the fake GitHub (every request and answer checked against the REST contract)
and a real bare remote, from a depth-1 clone as `actions/checkout` makes it."""

from __future__ import annotations

import copy
import json
import os
import subprocess
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from autotune_bot.cli import main
from autotune_bot.commands.plan import reply_state
from autotune_bot.forge.github_client import GitHubClient
from autotune_bot.gitops.cycle import CycleOptions
from autotune_bot.gitops.github_cycle import github_cycle
from tests.github_fake.remote import BareRemote, init_bare_remote
from tests.github_fake.server import FAKE_CLOCK, FAKE_TOKEN, FakeGitHub
from tests.github_fake.state import CommentState
from tests.gitops.example_files import FILES

_PREFIXES = ("GITHUB_", "INPUT_", "RUNNER_", "ACTIONS_")


@pytest.fixture
def remote(tmp_path: Path) -> Path:
    return init_bare_remote(tmp_path / "remote.git", FILES)


@pytest.fixture
def fake(remote: Path) -> Iterator[FakeGitHub]:
    with FakeGitHub(remote) as server:
        yield server
    server.assert_clean()


class Site:
    """The repository on the fake GitHub, people's comments, and action runs."""

    def __init__(
        self, tmp_path: Path, remote: Path, fake: FakeGitHub, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        self.tmp_path, self.remote, self.fake, self.mp = tmp_path, remote, fake, monkeypatch
        self.runs = 0
        # no pause between writes (PyGithub would sleep a second before each)
        original = GitHubClient.__init__

        def quick(client: GitHubClient, **kwargs: Any) -> None:
            kwargs["seconds_between_writes"] = None
            original(client, **kwargs)

        monkeypatch.setattr(GitHubClient, "__init__", quick)

    def checkout(self) -> Path:
        self.runs += 1
        work = self.tmp_path / f"checkout{self.runs}"
        subprocess.run(
            ["git", "clone", "-q", "--depth", "1", "--single-branch", "--branch", "main",
             f"file://{self.remote}", str(work)],
            check=True, capture_output=True,
        )  # fmt: skip
        return work

    def comment(self, number: int, body: str, login: str = "alice", kind: str = "User") -> int:
        """Someone comments on issue or pull request ``number``."""
        state = self.fake.state
        now = state.now()
        user = self.fake.canned.user(login, user_id=4000 + len(login), kind=kind)
        comment = CommentState(state.new_id(), number, body, user, now, now)
        state.comments[comment.id] = comment
        return comment.id

    def action(
        self, capsys: pytest.CaptureFixture[str], number: int, comment_id: int, **extra: Any
    ) -> tuple[int, list[str]]:
        comment = self.fake.state.comments[comment_id]
        payload = {
            "action": extra.get("action", "created"),
            "issue": {"number": number, "pull_request": {"url": "x"}},
            "comment": {
                "id": comment_id,
                "body": comment.body,
                "user": {"login": comment.user["login"], "type": comment.user["type"]},
                "author_association": "OWNER",  # never believed
            },
            "repository": {"default_branch": "main"},
        }
        work = self.checkout()
        event = self.tmp_path / f"event{self.runs}.json"
        event.write_text(json.dumps(payload))
        for name in list(os.environ):
            if name.startswith(_PREFIXES):
                self.mp.delenv(name)
        self.mp.chdir(work)
        for name, value in {
            "GITHUB_ACTIONS": "true",
            "GITHUB_REPOSITORY": self.fake.full_name,
            "GITHUB_API_URL": self.fake.base_url,
            "GITHUB_WORKSPACE": str(work),
            "GITHUB_EVENT_NAME": "issue_comment",
            "GITHUB_EVENT_PATH": str(event),
            "GITHUB_RUN_ID": "99",
            "INPUT_GITHUB_TOKEN": FAKE_TOKEN,
        }.items():
            self.mp.setenv(name, value)
        code = main(["action"])
        out = capsys.readouterr().out
        return code, [line for line in out.splitlines() if line.startswith("::")]

    def replies(self, number: int) -> list[CommentState]:
        return [
            c
            for c in self.fake.state.comments.values()
            if c.issue == number and reply_state(c.body) is not None
        ]

    def open_bot_proposals(self) -> None:
        client = GitHubClient(
            base_url=self.fake.base_url,
            token=FAKE_TOKEN,
            repository=self.fake.full_name,
            seconds_between_writes=None,
            clock=lambda: FAKE_CLOCK,
        )
        options = CycleOptions(
            repo=self.checkout(), now=datetime(2026, 1, 5, 9, tzinfo=UTC), environ={}
        )
        github_cycle(options, client)

    def reactions(self, comment_id: int) -> list[dict[str, Any]]:
        return self.fake.state.reactions.get(comment_id, [])


@pytest.fixture
def site(tmp_path: Path, remote: Path, fake: FakeGitHub, monkeypatch: pytest.MonkeyPatch) -> Site:
    return Site(tmp_path, remote, fake, monkeypatch)


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
