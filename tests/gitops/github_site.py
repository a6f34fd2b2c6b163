"""The repository on the fake GitHub (every request and answer checked against the REST
contract) backed by a real bare remote, for the end-to-end tests of `/autotune` commands and
`autotune monitor`: people's comments and `autotune action` runs (``Site``), bot cycles,
merges with real merge commits and monitor runs from fresh depth-1 clones (``Runs``), and the
fixtures that set them up with monitoring configured."""

from __future__ import annotations

import json
import os
import subprocess
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from autotune_bot.cli import main
from autotune_bot.commands.plan import reply_state
from autotune_bot.forge.github_client import GitHubClient
from autotune_bot.gitops.cycle import CycleOptions
from autotune_bot.gitops.github_cycle import github_cycle
from autotune_bot.gitops.github_monitor import monitor_on_github
from autotune_bot.gitops.monitor_cycle import MonitorOptions, MonitorReport
from tests.github_fake.remote import init_bare_remote, push_commit
from tests.github_fake.server import FAKE_CLOCK, FAKE_TOKEN, FakeGitHub
from tests.github_fake.state import CommentState
from tests.gitops.example_files import FILES
from tests.gitops.monitor_data import DEMO_TEAMS, post_merge_records

PROPOSAL = "autotune/code_review/review_team"
MERGED_AT = datetime(2026, 11, 1, 12, 0, tzinfo=UTC)
PROPOSED_AT = MERGED_AT - timedelta(days=1)  # the bot's cycle that opens the proposal
MONITORED_AT = MERGED_AT + timedelta(days=30)  # after every run recorded after the merge
SETTINGS = "\nmonitoring: {horizon_runs: 40, min_runs: 30}\n"
_PREFIXES = ("GITHUB_", "INPUT_", "RUNNER_", "ACTIONS_")


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


class Runs:
    def __init__(self, tmp_path: Path, remote: Path, fake: FakeGitHub) -> None:
        self.tmp_path, self.remote, self.fake = tmp_path, remote, fake
        self.count = 0

    def checkout(self, depth: bool = True) -> Path:
        self.count += 1
        work = self.tmp_path / f"checkout{self.count}"
        shallow = ["--depth", "1", "--single-branch"] if depth else []
        url = f"file://{self.remote}"
        subprocess.run(
            ["git", "clone", "-q", *shallow, "--branch", "main", url, str(work)],
            check=True, capture_output=True,
        )  # fmt: skip
        return work

    def client(self) -> GitHubClient:
        return GitHubClient(
            base_url=self.fake.base_url,
            token=FAKE_TOKEN,
            repository=self.fake.full_name,
            seconds_between_writes=None,
            sleep=lambda _: None,
            clock=lambda: FAKE_CLOCK,
        )

    def cycle(self) -> None:
        options = CycleOptions(repo=self.checkout(), now=PROPOSED_AT, environ={})
        report = github_cycle(options, self.client())
        assert not report.failed(), report.done

    def monitor(self) -> MonitorReport:
        options = MonitorOptions(repo=self.checkout(), now=MONITORED_AT)
        return monitor_on_github(options, self.client())

    def merge(self, number: int, slowdown: float, runs: int) -> str:
        """A person merges the pull request with a merge commit; then runs are recorded."""
        work = self.checkout(depth=False)
        git = ["git", "-c", "user.name=P", "-c", "user.email=p@example.com"]
        stamp = MERGED_AT.strftime("%Y-%m-%dT%H:%M:%S+00:00")
        env = {**os.environ, "GIT_COMMITTER_DATE": stamp, "GIT_AUTHOR_DATE": stamp}
        subprocess.run([*git, "fetch", "-q", "origin", PROPOSAL], cwd=work, check=True)
        subprocess.run(
            [*git, "merge", "--no-ff", "-q", "-m", "Merge pull request", "FETCH_HEAD"],
            cwd=work, check=True, env=env,
        )  # fmt: skip
        subprocess.run([*git, "push", "-q", "origin", "main"], cwd=work, check=True)
        merge = subprocess.run(
            ["git", "rev-parse", "HEAD"], cwd=work, check=True, capture_output=True, text=True
        ).stdout.strip()
        self.fake.merge_pull(number, merge_sha=merge)
        self.fake.pull(number).merged_at = "2026-11-01T12:00:00Z"  # when the person merged
        records = post_merge_records(
            DEMO_TEAMS, after=MERGED_AT, runs=runs, slowdown=slowdown, seed=7, config=merge
        )
        path = "metrics/teams/review_team_after.json"
        push_commit(self.remote, "main", {path: json.dumps(records)}, message="metrics")
        return merge


def merged_proposal(runs: Runs, fake: FakeGitHub, slowdown: float, count: int) -> int:
    """The bot opens its proposal; a person merges it; ``count`` runs are recorded after."""
    runs.cycle()
    [number] = [p.number for p in fake.pulls() if p.head.startswith("autotune/")]
    runs.merge(number, slowdown=slowdown, runs=count)
    return number


@pytest.fixture
def remote(tmp_path: Path) -> Path:
    """The example repository with monitoring configured, as a bare remote."""
    files = {**FILES, ".autotune.yml": FILES[".autotune.yml"] + SETTINGS}
    return init_bare_remote(tmp_path / "remote.git", files)


@pytest.fixture
def fake(remote: Path) -> Iterator[FakeGitHub]:
    with FakeGitHub(remote) as server:
        yield server
    server.assert_clean()


@pytest.fixture
def site(tmp_path: Path, remote: Path, fake: FakeGitHub, monkeypatch: pytest.MonkeyPatch) -> Site:
    return Site(tmp_path / "site", remote, fake, monkeypatch)


@pytest.fixture
def runs(tmp_path: Path, remote: Path, fake: FakeGitHub) -> Runs:
    return Runs(tmp_path / "runs", remote, fake)
