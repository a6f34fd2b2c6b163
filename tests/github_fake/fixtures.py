"""Pytest fixtures for tests against the fake GitHub.

Use them from a test module with ``pytest_plugins = ("tests.github_fake.fixtures",)``.

- ``bare_remote``: a bare git repository whose ``main`` holds :data:`INITIAL_FILES`;
- ``fake_github``: the fake GitHub serving ``octo-org/agents`` on ``https://api.github.com``,
  backed by ``bare_remote``; the test fails if any request or answer broke the REST contract;
- ``sleeps``: the waits the client asked for (its injected ``sleep`` appends to this list);
- ``github_client``: a :class:`GitHubClient` for the fake, sleeping into ``sleeps``, with a
  fixed clock (:data:`FAKE_CLOCK`) and no pause between writes.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from autotune_bot.forge.github_client import GitHubClient
from tests.github_fake.remote import init_bare_remote
from tests.github_fake.server import FAKE_CLOCK, FAKE_TOKEN, FakeGitHub

__all__ = ["INITIAL_FILES", "bare_remote", "fake_github", "github_client", "sleeps"]

INITIAL_FILES = {"README.md": "agents\n", "workflows/review.yaml": "name: review\n"}


@pytest.fixture
def bare_remote(tmp_path: Path) -> Path:
    """A bare repository (``main`` holds :data:`INITIAL_FILES`) acting as the remote."""
    return init_bare_remote(tmp_path / "remote.git", INITIAL_FILES)


@pytest.fixture
def fake_github(bare_remote: Path) -> Iterator[FakeGitHub]:
    """The fake GitHub for ``octo-org/agents``, backed by ``bare_remote``."""
    with FakeGitHub(bare_remote) as fake:
        yield fake
    fake.assert_clean()


@pytest.fixture
def sleeps() -> list[float]:
    return []


@pytest.fixture
def github_client(fake_github: FakeGitHub, sleeps: list[float]) -> GitHubClient:
    return GitHubClient(
        base_url=fake_github.base_url,
        token=FAKE_TOKEN,
        repository=fake_github.full_name,
        seconds_between_writes=None,
        sleep=sleeps.append,
        clock=lambda: FAKE_CLOCK,
    )
