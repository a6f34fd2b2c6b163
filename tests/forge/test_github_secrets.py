"""The token never shows: not in errors (or their causes), log records, reprs."""

from __future__ import annotations

import logging
import traceback
from collections.abc import Callable
from pathlib import Path

import pytest

from autotune_bot.errors import AutotuneError, UsageError
from autotune_bot.forge.github import GitHubForge
from autotune_bot.forge.github_artifacts import GitHubArtifacts
from autotune_bot.forge.github_client import GitHubClient, Secret, api_url
from autotune_bot.forge.github_errors import GitHubPermissionError
from tests.github_fake.proposals import make_proposal, push_branch
from tests.github_fake.server import FAKE_TOKEN, FakeGitHub

pytest_plugins = ("tests.github_fake.fixtures",)

WRONG_TOKEN = "ghp_wrongTOKEN0123456789abcdefSECRET"


def everything_about(error: BaseException) -> str:
    """All text an error can show: message, repr, args, traceback, causes and contexts."""
    parts = [str(error), repr(error), repr(error.args)]
    parts += traceback.format_exception(error)
    for linked in (error.__cause__, error.__context__):
        if linked is not None:
            parts.append(everything_about(linked))
    return "\n".join(parts)


def provoke(action: Callable[[], object]) -> AutotuneError:
    with pytest.raises(AutotuneError) as caught:
        action()
    return caught.value


def test_no_error_log_or_repr_shows_the_token(
    fake_github: FakeGitHub,
    github_client: GitHubClient,
    bare_remote: Path,
    caplog: pytest.LogCaptureFixture,
    tmp_path: Path,
) -> None:
    caplog.set_level(logging.DEBUG)  # PyGithub, urllib3 and our own loggers, everything
    forge = GitHubForge(github_client)
    proposal = make_proposal()
    push_branch(bare_remote, proposal)
    errors: list[AutotuneError] = []
    fake_github.inject("pulls/list", status=502, times=5)
    errors.append(provoke(forge.list_proposals))
    fake_github.timeout("pulls/list", times=5)
    errors.append(provoke(forge.list_proposals))
    fake_github.rate_limit("pulls/list", retry_after=9999)
    errors.append(provoke(forge.list_proposals))
    fake_github.inject("pulls/create", status=403, message="Resource not accessible by integration")
    errors.append(provoke(lambda: forge.open_proposal(proposal, base="main")))
    errors.append(provoke(lambda: forge.open_proposal(proposal, base="no-such-branch")))
    fake_github.inject("actions/download-artifact", status=401, message="Bad credentials")
    artifact = fake_github.add_artifact("autotune-metrics", {"m.json": b"{}"})
    downloads = GitHubArtifacts(github_client)
    [info] = [a for a in downloads.list_artifacts() if a.id == artifact]
    errors.append(provoke(lambda: downloads.download([info], tmp_path / "out")))
    wrong = GitHubClient(
        base_url=fake_github.base_url, token=WRONG_TOKEN, repository=fake_github.full_name
    )
    bad = provoke(GitHubForge(wrong).list_proposals)
    errors.append(bad)

    assert isinstance(bad, GitHubPermissionError)
    assert "token is invalid or expired" in str(bad)
    assert len(errors) == 7
    shown = [everything_about(error) for error in errors]
    shown += [record.getMessage() for record in caplog.records]
    shown += [repr(x) for x in (github_client, wrong, forge, downloads, github_client.retrier)]
    shown += [str(github_client.token), repr(github_client.token)]
    for text in shown:
        assert FAKE_TOKEN not in text
        assert WRONG_TOKEN not in text
    assert any("retrying in" in record.getMessage() for record in caplog.records)
    # The token did reach GitHub (and only the API host), so the test is not vacuous.
    assert fake_github.calls[0].headers["Authorization"] == f"token {FAKE_TOKEN}"


def test_secret_reveals_only_on_request() -> None:
    secret = Secret("abc123")
    assert (str(secret), repr(secret), f"{secret}") == ("***", "Secret('***')", "***")
    assert secret.reveal() == "abc123"


def test_client_values_are_checked() -> None:
    with pytest.raises(UsageError, match="repository: not an owner/name repository: 'agents'"):
        GitHubClient(base_url=None, token="t", repository="agents")
    with pytest.raises(UsageError, match="token: the GitHub token is empty"):
        GitHubClient(base_url=None, token=" ", repository="o/r")
    assert api_url(None) == api_url("") == "https://api.github.com"
    assert api_url("https://ghe.example.com/api/v3/") == "https://ghe.example.com/api/v3"
    with pytest.raises(UsageError, match="GITHUB_API_URL: not an http"):
        api_url("ghe.example.com")
