"""`autotune monitor` against the fake GitHub (requests and answers checked against the REST
contract) and a real bare remote, each run from a fresh depth-1 clone: a proposal opened by
`autotune run` is merged with a real merge commit; runs recorded after the merge twice as
slow open exactly one revert pull request, and a rerun opens nothing; runs as fast as
before open none."""

from __future__ import annotations

import json
import os
import subprocess
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from autotune_bot.forge.github_client import GitHubClient
from autotune_bot.gitops.cycle import CycleOptions
from autotune_bot.gitops.github_cycle import github_cycle
from autotune_bot.gitops.github_monitor import monitor_on_github
from autotune_bot.gitops.marker import parse_marker
from autotune_bot.gitops.monitor_cycle import MonitorOptions, MonitorReport
from autotune_bot.monitor.status import parse_status
from tests.github_fake.remote import init_bare_remote, push_commit
from tests.github_fake.server import FAKE_CLOCK, FAKE_TOKEN, FakeGitHub
from tests.gitops.example_files import FILES
from tests.gitops.monitor_data import DEMO_TEAMS, post_merge_records

PROPOSAL = "autotune/code_review/review_team"
MERGED_AT = datetime(2026, 11, 1, 12, 0, tzinfo=UTC)
SETTINGS = "\nmonitoring: {horizon_runs: 40, min_runs: 30}\n"


@pytest.fixture
def remote(tmp_path: Path) -> Path:
    files = {**FILES, ".autotune.yml": FILES[".autotune.yml"] + SETTINGS}
    return init_bare_remote(tmp_path / "remote.git", files)


@pytest.fixture
def fake(remote: Path) -> Iterator[FakeGitHub]:
    with FakeGitHub(remote) as server:
        yield server
    server.assert_clean()


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
        options = CycleOptions(repo=self.checkout(), now=datetime.now(UTC), environ={})
        report = github_cycle(options, self.client())
        assert not report.failed(), report.done

    def monitor(self) -> MonitorReport:
        options = MonitorOptions(repo=self.checkout(), now=datetime.now(UTC))
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


@pytest.fixture
def runs(tmp_path: Path, remote: Path, fake: FakeGitHub) -> Runs:
    return Runs(tmp_path, remote, fake)


def _bot_pulls(fake: FakeGitHub) -> dict[int, str]:
    return {p.number: p.head for p in fake.pulls() if p.head.startswith("autotune/")}


def _status_comments(fake: FakeGitHub, number: int) -> list[str]:
    return [c.body for c in fake.state.comments.values() if c.issue == number]


def test_planted_regression_opens_exactly_one_revert_pull_request(
    runs: Runs, fake: FakeGitHub, remote: Path
) -> None:
    runs.cycle()
    (number,) = _bot_pulls(fake)
    merge = runs.merge(number, slowdown=2.0, runs=36)
    report = runs.monitor()
    assert not report.errors, report.errors
    assert [d.action for d in report.done] == ["opened", "commented"], report.done
    pulls = _bot_pulls(fake)
    reverts = {n: head for n, head in pulls.items() if n != number}
    assert list(reverts.values()) == [f"autotune/revert/{number}"]
    (revert,) = reverts
    meta = parse_marker(fake.pull(revert).body or "")
    assert meta is not None
    assert meta["kind"] == "revert"
    assert meta["reverts"]["ref"] == str(number)
    assert meta["reverts"]["merge_sha"] == merge
    assert f"#{number}" in (fake.pull(revert).body or "")
    # the revert branch on the remote: one commit on main undoing the merge's workflow change
    show = ["git", "--git-dir", str(remote)]
    head = f"refs/heads/autotune/revert/{number}"
    parent = subprocess.run([*show, "rev-parse", f"{head}^"], capture_output=True, text=True)
    main = subprocess.run([*show, "rev-parse", "refs/heads/main"], capture_output=True, text=True)
    assert parent.stdout == main.stdout
    path = "workflows/code_review.yaml"
    now = subprocess.run([*show, "show", f"{head}:{path}"], capture_output=True, text=True)
    assert now.stdout == FILES[path]
    (comment,) = _status_comments(fake, number)
    status = parse_status(comment)
    assert status is not None
    assert status.outcome == "regressed"
    assert status.revert is not None
    assert status.revert.ref == str(revert)
    # a rerun from a fresh clone does nothing new
    again = runs.monitor()
    assert again.done == []
    assert again.effects == []
    assert _bot_pulls(fake) == pulls
    assert _status_comments(fake, number) == [comment]


def test_no_change_opens_no_revert(runs: Runs, fake: FakeGitHub) -> None:
    runs.cycle()
    (number,) = _bot_pulls(fake)
    runs.merge(number, slowdown=1.0, runs=20)
    report = runs.monitor()
    assert not report.errors, report.errors
    assert [d.action for d in report.done] == ["commented"]
    assert list(_bot_pulls(fake)) == [number]
    (comment,) = _status_comments(fake, number)
    assert "**holding** — 20 of 40 post-merge runs watched" in comment
    assert runs.monitor().done == []
