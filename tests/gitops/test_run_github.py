"""`autotune run` against the fake GitHub (every request and answer checked against the REST
contract) and a real bare remote, each run from a fresh depth-1 clone as `actions/checkout`
makes it: first run opens pull requests; reruns update in place and never duplicate; a closed
pull request stays closed; a branch a person pushed to is left alone; faults are recovered."""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from autotune_bot.forge.github_client import GitHubClient
from autotune_bot.gitops.cycle import CycleOptions, CycleReport
from autotune_bot.gitops.github_cycle import github_cycle
from autotune_bot.gitops.marker import parse_marker
from tests.github_fake.remote import BareRemote, init_bare_remote, push_commit
from tests.github_fake.server import FAKE_CLOCK, FAKE_TOKEN, FakeGitHub
from tests.gitops.example_files import FILES

REVIEW_BRANCH = "autotune/code_review/review_team"


@pytest.fixture
def remote(tmp_path: Path) -> Path:
    return init_bare_remote(tmp_path / "remote.git", FILES)


@pytest.fixture
def fake(remote: Path) -> Iterator[FakeGitHub]:
    with FakeGitHub(remote) as server:
        yield server
    server.assert_clean()  # no request outside the contract, no answer breaking it


class Runner:
    def __init__(self, tmp_path: Path, remote: Path, fake: FakeGitHub) -> None:
        self.tmp_path, self.remote, self.fake = tmp_path, remote, fake
        self.sleeps: list[float] = []
        self.runs = 0

    def checkout(self) -> Path:
        """A fresh clone as actions/checkout makes it: depth 1, one branch, no identity."""
        self.runs += 1
        work = self.tmp_path / f"checkout{self.runs}"
        subprocess.run(
            ["git", "clone", "-q", "--depth", "1", "--single-branch", "--branch", "main",
             f"file://{self.remote}", str(work)],
            check=True, capture_output=True,
        )  # fmt: skip
        return work

    def run(self) -> CycleReport:
        client = GitHubClient(
            base_url=self.fake.base_url,
            token=FAKE_TOKEN,
            repository=self.fake.full_name,
            seconds_between_writes=None,
            sleep=self.sleeps.append,
            clock=lambda: FAKE_CLOCK,
        )
        now = datetime(2026, 1, 5, 10, self.runs, tzinfo=UTC)
        options = CycleOptions(repo=self.checkout(), now=now, environ={})
        return github_cycle(options, client)


@pytest.fixture
def runner(tmp_path: Path, remote: Path, fake: FakeGitHub) -> Runner:
    return Runner(tmp_path, remote, fake)


def _actions(report: CycleReport) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for d in report.done:
        found.setdefault(d.key, []).append(d.action)
    return found


def _bot_pulls(fake: FakeGitHub) -> list[int]:
    return sorted(p.number for p in fake.pulls() if p.head.startswith("autotune/"))


def _change_settings(remote: Path, extra: str) -> None:
    """A person changes the settings on main."""
    text = FILES[".autotune.yml"] + extra
    push_commit(remote, "main", {".autotune.yml": text}, message="tune settings")


def _move_base_under(remote: Path) -> None:
    """A person pushes to main a change of the review proposal's workflow file that its diff
    does not touch (a comment at the end): a proposal on the old base has to be rebuilt."""
    path = "workflows/code_review.yaml"
    text = FILES[path] + "# reviewed by the platform team\n"
    push_commit(remote, "main", {path: text}, message="comment the workflow")


def _marker(fake: FakeGitHub, number: int) -> dict[str, object]:
    meta = parse_marker(fake.pull(number).body or "")
    assert meta is not None
    return meta


def test_first_run_opens_and_rerun_updates_in_place(runner: Runner, fake: FakeGitHub) -> None:
    first = runner.run()
    assert first.errors == []
    opened = [d for d in first.done if d.action == "opened"]
    assert len(opened) == len(first.proposals) >= 1
    numbers = _bot_pulls(fake)
    assert len(numbers) == len(first.proposals)
    review = next(p for p in fake.pulls() if p.head == REVIEW_BRANCH)
    meta = _marker(fake, review.number)
    assert meta["branch"] == REVIEW_BRANCH
    remote = BareRemote(runner.remote)
    head = remote.branch_sha(REVIEW_BRANCH)
    assert head is not None
    assert meta["head"] == head  # the marker records the commit the bot pushed
    assert remote.commit(head).author_email == "autotune-bot@users.noreply.github.com"
    assert remote.branch_sha("main") != head  # never pushed to main

    second = runner.run()  # nothing changed: quiet
    assert {a for acts in _actions(second).values() for a in acts} == {"skipped"}
    assert _bot_pulls(fake) == numbers
    assert len(fake.calls_to("pulls/create")) == len(numbers)

    _move_base_under(runner.remote)
    third = runner.run()
    # the pull request is edited first (recording the coming head), then the branch pushed
    assert _actions(third)["code_review/review_team"] == ["updated", "pushed"]
    assert _bot_pulls(fake) == numbers  # still one pull request per key
    assert len(fake.calls_to("pulls/create")) == len(numbers)
    rebuilt = remote.branch_sha(REVIEW_BRANCH)
    main = remote.branch_sha("main")
    assert rebuilt is not None
    assert main is not None
    assert rebuilt != head
    assert remote.count_between(main, rebuilt) == 1  # one fresh commit on the new base
    meta = _marker(fake, review.number)
    assert (meta["head"], meta["previous_head"]) == (rebuilt, head)

    fourth = runner.run()  # and quiet again
    assert {a for acts in _actions(fourth).values() for a in acts} == {"skipped"}
    assert remote.branch_sha(REVIEW_BRANCH) == rebuilt


def test_closed_pull_request_stays_ignored(runner: Runner, fake: FakeGitHub) -> None:
    runner.run()
    review = next(p for p in fake.pulls() if p.head == REVIEW_BRANCH)
    fake.close_pull(review.number)
    again = runner.run()
    assert _actions(again)["code_review/review_team"] == ["skipped"]
    assert [p.number for p in fake.pulls(head=REVIEW_BRANCH)] == [review.number]
    assert fake.pull(review.number).state == "closed"


def test_branch_a_person_pushed_to_is_left_alone(runner: Runner, fake: FakeGitHub) -> None:
    runner.run()
    remote = BareRemote(runner.remote)
    human = push_commit(
        runner.remote, REVIEW_BRANCH, {"NOTES.md": "reviewer notes\n"}, message="notes"
    )
    _move_base_under(runner.remote)  # what rebuilds a bot-only branch (the first test)
    again = runner.run()
    review = [d for d in again.done if d.key == "code_review/review_team"]
    assert [d.action for d in review] == ["skipped"]
    assert review[0].detail.startswith("foreign_commits")
    assert remote.branch_sha(REVIEW_BRANCH) == human


def test_create_that_landed_despite_an_error_is_reused(runner: Runner, fake: FakeGitHub) -> None:
    fake.inject("pulls/create", status=502, times=1, apply_first=True)
    report = runner.run()
    assert report.errors == []
    assert len(fake.pulls(head=REVIEW_BRANCH)) == 1  # one pull request, not two


def test_create_failing_after_the_push_is_recovered_next_run(
    runner: Runner, fake: FakeGitHub
) -> None:
    fake.inject("pulls/create", status=422, times=10, message="Validation Failed")
    first = runner.run()
    failed = [d for d in first.done if d.action == "failed"]
    assert failed
    assert fake.pulls() == []
    pushed_head = BareRemote(runner.remote).branch_sha(REVIEW_BRANCH)
    assert pushed_head is not None  # the branch went out before the create failed
    fake.faults.clear()
    second = runner.run()
    assert "opened" in _actions(second)["code_review/review_team"]
    assert len(fake.pulls(head=REVIEW_BRANCH)) == 1
    remote = BareRemote(runner.remote)
    head = remote.branch_sha(REVIEW_BRANCH)
    assert head is not None
    # the branch was reused: refreshed with a lease on the bot's own head, one bot commit
    main = remote.branch_sha("main")
    assert main is not None
    assert remote.count_between(main, head) == 1
    assert remote.commit(head).author_email == "autotune-bot@users.noreply.github.com"
    (pull,) = fake.pulls(head=REVIEW_BRANCH)
    assert _marker(fake, pull.number)["head"] == head  # the reused branch's head recorded


def test_a_rebuild_whose_push_failed_is_finished_by_the_next_run(
    runner: Runner, fake: FakeGitHub
) -> None:
    runner.run()
    remote = BareRemote(runner.remote)
    (pull,) = fake.pulls(head=REVIEW_BRANCH)
    old = remote.branch_sha(REVIEW_BRANCH)
    hook = runner.remote / "hooks" / "pre-receive"  # the remote refuses pushes for a while
    hook.parent.mkdir(exist_ok=True)
    hook.write_text("#!/bin/sh\necho 'pushes are paused' >&2\nexit 1\n")
    hook.chmod(0o755)
    _move_base_under(runner.remote)
    second = runner.run()
    # the pull request was edited first, recording the coming head and the current one
    assert _actions(second)["code_review/review_team"] == ["updated", "failed"]
    assert remote.branch_sha(REVIEW_BRANCH) == old
    meta = _marker(fake, pull.number)
    assert meta["previous_head"] == old
    assert meta["head"] != old
    hook.unlink()
    third = runner.run()  # the branch is at a head the marker names: the bot's, rebuilt
    assert _actions(third)["code_review/review_team"] == ["updated", "pushed"]
    rebuilt = remote.branch_sha(REVIEW_BRANCH)
    assert rebuilt != old
    assert _marker(fake, pull.number)["head"] == rebuilt
    assert [p.number for p in fake.pulls(head=REVIEW_BRANCH)] == [pull.number]


def test_server_errors_and_rate_limits_are_waited_out(runner: Runner, fake: FakeGitHub) -> None:
    fake.inject("pulls/list", status=503, times=1)
    fake.rate_limit("pulls/create", status=429, retry_after=3)
    report = runner.run()
    assert report.errors == []
    assert 3 in runner.sleeps or 3.0 in runner.sleeps
    assert len(fake.pulls(head=REVIEW_BRANCH)) == 1


def test_metrics_artifacts_are_read_besides_the_repository(
    runner: Runner, fake: FakeGitHub
) -> None:
    recent = FILES["metrics/runs/code_review.jsonl"].splitlines()[-20:]
    fake.add_artifact(
        "autotune-metrics-123", {"runs/recent.jsonl": ("\n".join(recent) + "\n").encode()}
    )
    report = runner.run()
    assert report.errors == []
    assert any("autotune-metrics-123" in note for note in report.notes)
    assert len(fake.pulls(head=REVIEW_BRANCH)) == 1  # workflows were still read


def test_a_changed_branch_prefix_keeps_one_pull_request_per_key(
    runner: Runner, fake: FakeGitHub
) -> None:
    runner.run()
    numbers = _bot_pulls(fake)
    review = next(p for p in fake.pulls() if p.head == REVIEW_BRANCH)
    others = [p for p in fake.pulls() if p.head != REVIEW_BRANCH]
    for pull in others:
        fake.close_pull(pull.number)  # declined
    _change_settings(runner.remote, "pull_requests: {branch_prefix: 'bots/'}\n")
    _move_base_under(runner.remote)  # the review proposal is rebuilt: on its own branch
    second = runner.run()
    assert second.errors == []
    assert _actions(second)["code_review/review_team"] == ["updated", "pushed"]
    for pull in others:
        assert _actions(second)[str(_marker(fake, pull.number)["key"])] == ["skipped"]
        assert fake.pull(pull.number).state == "closed"
    assert _bot_pulls(fake) == numbers  # no new pull request, nothing declined came back
    assert len(fake.calls_to("pulls/create")) == len(numbers)
    remote = BareRemote(runner.remote)
    assert not [b for b in remote.branches() if b.startswith("bots/")]
    meta = _marker(fake, review.number)
    assert (meta["branch"], meta["head"]) == (REVIEW_BRANCH, remote.branch_sha(REVIEW_BRANCH))
    third = runner.run()
    assert {a for acts in _actions(third).values() for a in acts} == {"skipped"}
