"""The GitHub forge under faults: retries, rate limits, timeouts, creates that land twice."""

from __future__ import annotations

from pathlib import Path

import pytest

from autotune_bot.forge.github import GitHubForge
from autotune_bot.forge.github_client import GitHubClient
from autotune_bot.forge.github_errors import (
    GitHubPermissionError,
    GitHubRateLimitError,
    GitHubUnavailableError,
)
from autotune_bot.forge.github_retry import RetryPolicy
from tests.github_fake.proposals import make_proposal, push_branch
from tests.github_fake.remote import BareRemote
from tests.github_fake.server import FAKE_CLOCK, FAKE_TOKEN, FakeGitHub

pytest_plugins = ("tests.github_fake.fixtures",)


@pytest.fixture
def forge(github_client: GitHubClient) -> GitHubForge:
    return GitHubForge(github_client)


def open_one(forge: GitHubForge, remote: Path) -> None:
    proposal = make_proposal()
    push_branch(remote, proposal)
    forge.open_proposal(proposal, base="main")


# -- server errors and network failures ----------------------------------------------------


def test_5xx_is_retried_with_exponential_backoff(
    forge: GitHubForge, fake_github: FakeGitHub, bare_remote: Path, sleeps: list[float]
) -> None:
    open_one(forge, bare_remote)
    fake_github.inject("pulls/list", status=503, times=2)

    assert [p.ref for p in forge.list_proposals()] == ["1"]
    assert sleeps == [2.0, 4.0]  # RetryPolicy(): 2 s, doubling
    statuses = [c.status for c in fake_github.calls_to("pulls/list")]
    assert statuses[-3:] == [503, 503, 200]


def test_5xx_that_does_not_stop_is_a_clear_error(
    forge: GitHubForge, fake_github: FakeGitHub, sleeps: list[float]
) -> None:
    forge.default_branch()
    fake_github.inject("pulls/list", status=502, times=99)

    with pytest.raises(GitHubUnavailableError) as caught:
        forge.list_proposals()

    assert str(caught.value) == (
        "GitHub: cannot list pull requests after 5 attempts: 502 Server Error"
    )
    assert caught.value.status == 502
    assert sleeps == [2.0, 4.0, 8.0, 16.0]
    assert len(fake_github.calls_to("pulls/list")) == 5


def test_timeouts_are_retried_then_reported(
    forge: GitHubForge, fake_github: FakeGitHub, sleeps: list[float]
) -> None:
    fake_github.timeout("repos/get")
    assert forge.default_branch() == "main"
    assert sleeps == [2.0]

    fake_github.timeout("pulls/list", times=99)
    with pytest.raises(GitHubUnavailableError, match="list pull requests after 5 attempts: no"):
        forge.list_proposals()
    assert [c.error for c in fake_github.calls_to("pulls/list")] == ["ReadTimeout"] * 5


def test_an_edit_that_fails_is_retried(
    forge: GitHubForge, fake_github: FakeGitHub, bare_remote: Path, sleeps: list[float]
) -> None:
    proposal = make_proposal()
    push_branch(bare_remote, proposal)
    opened = forge.open_proposal(proposal, base="main")
    fake_github.inject("pulls/update", status=500)

    forge.update_proposal(opened, make_proposal(evidence="ev-2"))

    assert sleeps == [2.0]
    assert fake_github.pull(1).body == make_proposal(evidence="ev-2").body


# -- rate limits -----------------------------------------------------------------------------


@pytest.mark.parametrize("status", [403, 429])
def test_secondary_rate_limit_waits_as_long_as_github_asks(
    forge: GitHubForge, fake_github: FakeGitHub, sleeps: list[float], status: int
) -> None:
    fake_github.rate_limit("repos/get", status=status, retry_after=7)
    assert forge.default_branch() == "main"
    assert sleeps == [7.0]


def test_rate_limit_without_retry_after_waits_a_minute(
    forge: GitHubForge, fake_github: FakeGitHub, sleeps: list[float]
) -> None:
    fake_github.rate_limit("repos/get", status=429, retry_after=None)
    forge.default_branch()
    assert sleeps == [60.0]


def test_primary_rate_limit_waits_until_the_reset(
    forge: GitHubForge, fake_github: FakeGitHub, sleeps: list[float]
) -> None:
    reset = int(FAKE_CLOCK) + 30
    fake_github.inject(
        "repos/get",
        status=403,
        message="API rate limit exceeded for installation ID 1.",
        headers={"x-ratelimit-remaining": "0", "x-ratelimit-reset": str(reset)},
    )
    forge.default_branch()
    assert sleeps == [31.0]  # until the reset, plus a second


def test_a_wait_longer_than_the_policy_allows_is_an_error_not_a_sleep(
    fake_github: FakeGitHub, sleeps: list[float]
) -> None:
    client = GitHubClient(
        base_url=fake_github.base_url,
        token=FAKE_TOKEN,
        repository=fake_github.full_name,
        retry=RetryPolicy(max_wait_seconds=120),
        sleep=sleeps.append,
    )
    fake_github.rate_limit("repos/get", retry_after=3600)

    with pytest.raises(GitHubRateLimitError, match=r"asked to wait 3600 s"):
        GitHubForge(client).default_branch()
    assert sleeps == []


def test_total_wait_is_bounded(fake_github: FakeGitHub, sleeps: list[float]) -> None:
    client = GitHubClient(
        base_url=fake_github.base_url,
        token=FAKE_TOKEN,
        repository=fake_github.full_name,
        retry=RetryPolicy(attempts=10, max_total_wait_seconds=20),
        sleep=sleeps.append,
    )
    fake_github.rate_limit("repos/get", retry_after=8, times=99)
    with pytest.raises(GitHubRateLimitError):
        GitHubForge(client).default_branch()
    assert sleeps == [8.0, 8.0]  # a third wait would pass 20 s


# -- creates that land twice, or fail after the push ---------------------------------------


@pytest.mark.parametrize(
    "lost",
    [
        {"status": 502},  # created, then the answer was a 502
        {"status": 422, "message": "A pull request already exists for octo-org:x."},
    ],
)
def test_a_create_that_landed_is_detected_and_reused(
    forge: GitHubForge,
    fake_github: FakeGitHub,
    bare_remote: Path,
    sleeps: list[float],
    lost: dict[str, int | str],
) -> None:
    proposal = make_proposal()
    push_branch(bare_remote, proposal)
    status = int(lost["status"])
    fake_github.inject(
        "pulls/create", status=status, message=str(lost.get("message", "x")), apply_first=True
    )

    opened = forge.open_proposal(proposal, base="main")

    assert len(fake_github.pulls()) == 1
    assert opened.ref == "1"
    assert len(fake_github.calls_to("pulls/create")) == 1  # never resent blindly
    assert fake_github.pull(1).labels == ["autotune"]
    assert sleeps == []


def test_a_create_timeout_after_it_landed_is_reused(
    forge: GitHubForge, fake_github: FakeGitHub, bare_remote: Path
) -> None:
    proposal = make_proposal()
    push_branch(bare_remote, proposal)
    fake_github.timeout("pulls/create", apply_first=True)

    opened = forge.open_proposal(proposal, base="main")

    assert [p.number for p in fake_github.pulls()] == [int(opened.ref)]
    assert len(fake_github.calls_to("pulls/create")) == 1


def test_a_create_that_did_not_land_is_tried_again(
    forge: GitHubForge, fake_github: FakeGitHub, bare_remote: Path, sleeps: list[float]
) -> None:
    proposal = make_proposal()
    push_branch(bare_remote, proposal)
    fake_github.inject("pulls/create", status=502, times=2)

    forge.open_proposal(proposal, base="main")

    assert len(fake_github.pulls()) == 1
    assert [c.status for c in fake_github.calls_to("pulls/create")] == [502, 502, 201]
    assert sleeps == [2.0, 4.0]


def test_a_refused_create_after_the_push_is_recovered_by_the_next_run(
    forge: GitHubForge, fake_github: FakeGitHub, bare_remote: Path
) -> None:
    proposal = make_proposal()
    sha = push_branch(bare_remote, proposal)
    fake_github.inject(
        "pulls/create",
        status=403,
        message="GitHub Actions is not permitted to create or approve pull requests.",
    )

    with pytest.raises(GitHubPermissionError, match="allow GitHub Actions to create pull"):
        forge.open_proposal(proposal, base="main")
    assert fake_github.pulls() == []
    assert BareRemote(bare_remote).branch_sha(proposal.branch) == sha  # the work is kept

    # The next run finds no pull request for the branch and opens exactly one.
    assert forge.list_proposals() == []
    opened = forge.open_proposal(proposal, base="main")
    assert len(fake_github.pulls()) == 1
    assert opened.head_sha == sha


def test_a_create_that_keeps_failing_is_reported_and_the_next_run_opens_one(
    forge: GitHubForge, fake_github: FakeGitHub, bare_remote: Path
) -> None:
    proposal = make_proposal()
    push_branch(bare_remote, proposal)
    fake_github.inject("pulls/create", status=503, times=5)

    with pytest.raises(GitHubUnavailableError, match="after 5 attempts: 503"):
        forge.open_proposal(proposal, base="main")
    forge.open_proposal(proposal, base="main")
    forge.open_proposal(proposal, base="main")

    assert len(fake_github.pulls()) == 1
    assert len(fake_github.calls_to("pulls/create")) == 6
