"""The connection to one GitHub repository: PyGithub client, retries, the masked token.

:class:`GitHubClient` is built from plain values (API URL, token, ``owner/name``); reading
``GITHUB_API_URL`` and the token from the environment is the caller's business. The API URL
may be GitHub Enterprise Server's (``https://ghe.example.com/api/v3``). The token is kept in
a :class:`Secret`, which never shows itself in ``str``/``repr``; errors and log lines are
masked (see :mod:`autotune_bot.forge.github_errors`).
"""

from __future__ import annotations

import math
import re
import time
from collections.abc import Callable, Mapping
from typing import TypeVar

from github import Auth, Github
from github.Repository import Repository

from autotune_bot.errors import UsageError
from autotune_bot.forge.github_retry import Retrier, RetryPolicy
from autotune_bot.secret import Secret

__all__ = ["DEFAULT_API_URL", "GitHubClient", "Secret", "api_url", "is_installation_token"]

DEFAULT_API_URL = "https://api.github.com"
API_VERSION = "2022-11-28"
_REPOSITORY = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?/[A-Za-z0-9._-]+")
T = TypeVar("T")


def api_url(value: str | None) -> str:
    """The REST API base URL: ``value`` (``GITHUB_API_URL``) without a trailing slash, or
    ``https://api.github.com`` when unset or empty."""
    url = (value or "").strip().rstrip("/")
    if not url:
        return DEFAULT_API_URL
    if not re.match(r"https?://[^/\s]+", url):
        raise UsageError(f"not an http(s) URL: {url!r}", field="GITHUB_API_URL")
    return url


def is_installation_token(token: str) -> bool:
    """Whether ``token`` is a GitHub App installation token (``ghs_``), as the job's
    ``GITHUB_TOKEN`` is. For these GitHub's repository answer does not tell what the token may
    do: its ``permissions`` are missing or always say ``push: false``."""
    return token.startswith("ghs_")


class GitHubClient:
    """PyGithub (with its own retries off), a :class:`Retrier` and the repository's name."""

    def __init__(
        self,
        *,
        base_url: str | None,
        token: str,
        repository: str,
        timeout_seconds: float = 30.0,
        per_page: int = 100,
        seconds_between_writes: float | None = 1.0,
        retry: RetryPolicy | None = None,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.time,
        user_agent: str = "autotune-bot",
    ) -> None:
        if not _REPOSITORY.fullmatch(repository):
            raise UsageError(f"not an owner/name repository: {repository!r}", field="repository")
        if not token.strip():
            raise UsageError("the GitHub token is empty", field="token")
        self.base_url = api_url(base_url)
        self.repository = repository
        self.timeout_seconds = timeout_seconds
        self.user_agent = user_agent
        self.token = Secret(token)
        self.retrier = Retrier(retry or RetryPolicy(), sleep=sleep, clock=clock, secret=token)
        self.github = Github(
            base_url=self.base_url,
            auth=Auth.Token(token),
            timeout=max(1, math.ceil(timeout_seconds)),
            per_page=per_page,
            retry=None,  # see autotune_bot.forge.github_retry
            seconds_between_requests=None,
            seconds_between_writes=seconds_between_writes,
            user_agent=user_agent,
        )
        self._repo: Repository | None = None

    def __repr__(self) -> str:
        return f"GitHubClient(base_url={self.base_url!r}, repository={self.repository!r})"

    @property
    def owner(self) -> str:
        return self.repository.split("/", 1)[0]

    def call(self, action: str, request: Callable[[], T], *, retry: bool = True) -> T:
        """Run one request under the retry policy (see :meth:`Retrier.call`)."""
        return self.retrier.call(action, request, retry=retry)

    def repo(self) -> Repository:
        """The repository (fetched once)."""
        if self._repo is None:
            name = self.repository
            self._repo = self.call(f"read repository {name}", lambda: self.github.get_repo(name))
        return self._repo

    def repository_permissions(self) -> Mapping[str, bool] | None:
        """``permissions`` of the repository as GitHub reports it for this token (``pull``,
        ``push``, ``admin``...), or None when the answer has none."""
        found = self.repo().raw_data.get("permissions")
        if not isinstance(found, Mapping):
            return None
        return {str(key): value for key, value in found.items() if isinstance(value, bool)}

    def auth_headers(self) -> dict[str, str]:
        """Headers of a plain ``requests`` call to the API (never to another host)."""
        return {
            "Authorization": f"Bearer {self.token.reveal()}",
            "Accept": "application/vnd.github+json",
            "X-GitHub-Api-Version": API_VERSION,
            "User-Agent": self.user_agent,
        }
