"""What went wrong talking to GitHub, in words safe to print.

:func:`classify` turns a PyGithub or ``requests`` exception (or an :class:`HttpStatusError`
from a plain ``requests`` call) into a :class:`Failure`: whether it is worth retrying and how
long GitHub asked to wait. :func:`to_error` turns a failure into the :class:`GitHubError` the
bot raises: for a permission GitHub refused, with the permission it asks for
(``X-Accepted-GitHub-Permissions``, in the words of a workflow's ``permissions:`` block) or a
hint, and as :class:`GitHubPullRequestsNotPermittedError` when the repository does not let
the token open pull requests at all. Messages are built from the status, GitHub's ``message``
(and that response header) and a description of the action, never from request headers, and
every text passes :func:`mask`, so the token cannot leak through an error, a log line or a
repr.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

import requests
from github.GithubException import GithubException

from autotune_bot.errors import AutotuneError

__all__ = [
    "Failure",
    "FailureKind",
    "GitHubError",
    "GitHubPermissionError",
    "GitHubPullRequestsNotPermittedError",
    "GitHubRateLimitError",
    "GitHubRequestError",
    "GitHubUnavailableError",
    "HttpStatusError",
    "accepted_permissions",
    "classify",
    "mask",
    "to_error",
]

FailureKind = Literal["timeout", "connection", "server", "rate_limit", "permission", "request"]
MASK = "***"


class GitHubError(AutotuneError):
    """A GitHub request failed. ``str()`` is one line and never contains the token."""

    def __init__(self, message: str, *, status: int | None = None) -> None:
        self.status = status
        super().__init__(message)


class GitHubUnavailableError(GitHubError):
    """GitHub did not answer (timeouts, connection errors) or kept answering 5xx."""


class GitHubRateLimitError(GitHubError):
    """GitHub's rate limit did not clear within the waits the retry policy allows."""


class GitHubPermissionError(GitHubError):
    """The token is invalid or lacks a permission (401, 403 other than rate limits)."""


class GitHubPullRequestsNotPermittedError(GitHubPermissionError):
    """GitHub refuses to let this token open pull requests in the repository at all (the
    setting "Allow GitHub Actions to create and approve pull requests" is off): no later
    create of the run can succeed."""


class GitHubRequestError(GitHubError):
    """GitHub refused the request itself (404, 409, 422...)."""


class HttpStatusError(Exception):
    """A non-success answer to a plain ``requests`` call (artifact downloads)."""

    def __init__(self, status: int, headers: Mapping[str, str], message: str) -> None:
        self.status = status
        self.headers = {key.lower(): value for key, value in headers.items()}
        self.message = message
        super().__init__(f"{status} {message}")


@dataclass(frozen=True)
class Failure:
    """One failed request, classified."""

    kind: FailureKind
    status: int | None
    message: str  # GitHub's message (masked), or the kind of network error
    transient: bool  # worth retrying
    wait_seconds: float | None = None  # how long GitHub asked to wait (Retry-After, reset)
    # the permissions GitHub accepts for the request (X-Accepted-GitHub-Permissions), in
    # workflow terms: "pull-requests: write", "contents: read and issues: write or ..."
    needs: str | None = None

    @property
    def already_exists(self) -> bool:
        """GitHub's 422 for a second pull request on the same head branch."""
        return self.status == 422 and "already exists" in self.message.lower()


def mask(text: str, secret: str) -> str:
    """``text`` with every occurrence of ``secret`` replaced by ``***``."""
    return text.replace(secret, MASK) if secret else text


def _github_message(data: Any) -> str:
    if not isinstance(data, Mapping):
        return str(data or "")[:300]
    message = str(data.get("message") or "")
    details = []
    for item in data.get("errors") or ():
        if isinstance(item, Mapping):
            said = item.get("message") or " ".join(
                str(item[key]) for key in ("field", "code") if item.get(key)
            )
            details.append(str(said))
        else:
            details.append(str(item))
    details = [detail for detail in details if detail]
    return f"{message} ({'; '.join(details)})" if details else message


def accepted_permissions(header: str | None) -> str | None:
    """GitHub's ``X-Accepted-GitHub-Permissions`` in the words of a workflow's
    ``permissions:`` block: sets separated by ``;`` are alternatives (``or``), the permissions
    of a set separated by ``,`` are all needed (``and``); ``pull_requests=write`` reads
    ``pull-requests: write``."""
    alternatives = []
    for group in (header or "").split(";"):
        needed = []
        for item in group.split(","):
            name, _, level = item.strip().partition("=")
            if name.strip():
                key = name.strip().replace("_", "-")
                needed.append(f"{key}: {level.strip()}" if level.strip() else key)
        if needed:
            alternatives.append(" and ".join(needed))
    return " or ".join(alternatives) or None


def _seconds(value: str | None) -> float | None:
    try:
        return max(0.0, float(value)) if value is not None else None
    except ValueError:
        return None


def _from_status(
    status: int, headers: Mapping[str, str], message: str, now: float, secret: str
) -> Failure:
    headers = {key.lower(): str(value) for key, value in headers.items()}
    message = mask(message, secret)
    lowered = message.lower()
    retry_after = _seconds(headers.get("retry-after"))
    if status in (403, 429):
        if headers.get("x-ratelimit-remaining") == "0" and "x-ratelimit-reset" in headers:
            reset = _seconds(headers["x-ratelimit-reset"])
            wait = retry_after if retry_after is not None else max(0.0, (reset or now) - now) + 1
            return Failure("rate_limit", status, message, True, wait)
        if status == 429 or retry_after is not None or "rate limit" in lowered:
            return Failure("rate_limit", status, message, True, retry_after)
    if status >= 500:
        return Failure("server", status, message, True, retry_after)
    if status in (401, 403):
        needs = accepted_permissions(headers.get("x-accepted-github-permissions"))
        return Failure("permission", status, message, False, needs=needs)
    return Failure("request", status, message, False)


def classify(error: BaseException, *, now: float, secret: str) -> Failure | None:
    """The failure ``error`` stands for; None when it is not a GitHub or HTTP failure."""
    if isinstance(error, GithubException):
        return _from_status(
            error.status, error.headers or {}, _github_message(error.data), now, secret
        )
    if isinstance(error, HttpStatusError):
        return _from_status(error.status, error.headers, error.message, now, secret)
    if isinstance(error, requests.exceptions.RetryError):
        return Failure("server", None, "too many error answers", True)
    if isinstance(error, requests.exceptions.Timeout):
        return Failure("timeout", None, "no answer in time", True)
    if isinstance(error, requests.exceptions.ConnectionError):
        return Failure("connection", None, "connection failed", True)
    if isinstance(error, requests.exceptions.RequestException):
        return Failure("connection", None, type(error).__name__, False)
    return None


_NOT_PERMITTED = "not permitted to create or approve pull requests"
_HINTS = {
    _NOT_PERMITTED: (
        "allow GitHub Actions to create pull requests (repository or organization settings, "
        "Actions > General > Workflow permissions) or use a GitHub App or personal token"
    ),
    "resource not accessible by integration": (
        "the workflow's token lacks a permission: grant contents: write, pull-requests: "
        "write, issues: write and actions: read in the workflow's permissions"
    ),
    "bad credentials": "the token is invalid or expired",
}


def to_error(failure: Failure, action: str, *, attempts: int = 1) -> GitHubError:
    """The error to raise for ``failure`` while doing ``action`` ("open pull request ...")."""
    tries = f" after {attempts} attempts" if attempts > 1 else ""
    status = f"{failure.status} " if failure.status is not None else ""
    text = f"GitHub: cannot {action}{tries}: {status}{failure.message}".rstrip(": ")
    hint = next((h for key, h in _HINTS.items() if key in failure.message.lower()), None)
    if failure.needs is not None and _NOT_PERMITTED not in failure.message.lower():
        hint = (
            f"the token needs {failure.needs} for this: grant it in the job's permissions: "
            "block (or to the GitHub App or personal token)"
        )
    if hint is not None:
        text += f"; {hint}"
    text = " ".join(text.split())
    if failure.kind in ("timeout", "connection", "server"):
        return GitHubUnavailableError(text, status=failure.status)
    if failure.kind == "rate_limit":
        return GitHubRateLimitError(text, status=failure.status)
    if failure.kind == "permission":
        if _NOT_PERMITTED in failure.message.lower():
            return GitHubPullRequestsNotPermittedError(text, status=failure.status)
        return GitHubPermissionError(text, status=failure.status)
    return GitHubRequestError(text, status=failure.status)
