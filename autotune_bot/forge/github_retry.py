"""Retrying GitHub requests: bounded, honouring ``Retry-After``, with an injectable sleep.

PyGithub's own retry (``GithubRetry``) is switched off: it resends POSTs after a 5xx (a pull
request create can then land twice) and sleeps inside urllib3 where tests cannot see it. Here
every request is one action run by :meth:`Retrier.call`: 5xx answers, timeouts, connection
errors and rate limits (403/429 with ``Retry-After`` or a rate-limit message) are retried
with exponential backoff or the wait GitHub asked for, as long as the policy's per-wait and
total-wait bounds allow; anything else is raised at once as a :class:`GitHubError`.
Non-idempotent writes are run with ``retry=False`` and their callers recover by reading
(a pull request create looks for the pull request before trying again).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

from autotune_bot.forge.github_errors import Failure, GitHubRateLimitError, classify, to_error

__all__ = ["Retrier", "RetryPolicy"]

T = TypeVar("T")
_log = logging.getLogger(__name__)


@dataclass(frozen=True)
class RetryPolicy:
    """How hard to try before giving up."""

    attempts: int = 5  # tries of one request, the first included
    backoff_seconds: float = 2.0  # first wait after a 5xx or a network error; doubles
    max_backoff_seconds: float = 30.0
    rate_limit_seconds: float = 60.0  # a secondary rate limit without Retry-After
    max_wait_seconds: float = 120.0  # a longer requested wait is an error, not a sleep
    max_total_wait_seconds: float = 300.0  # all waits of one request together

    def __post_init__(self) -> None:
        if self.attempts < 1:
            raise ValueError("attempts must be at least 1")


class Retrier:
    """Runs GitHub requests under a :class:`RetryPolicy`."""

    def __init__(
        self,
        policy: RetryPolicy,
        *,
        sleep: Callable[[float], None],
        clock: Callable[[], float],
        secret: str,
    ) -> None:
        self.policy = policy
        self.sleep = sleep
        self.clock = clock
        self._secret = secret

    def __repr__(self) -> str:
        return f"Retrier({self.policy!r})"

    def classify(self, error: BaseException) -> Failure | None:
        return classify(error, now=self.clock(), secret=self._secret)

    def wait_for(self, failure: Failure, attempt: int, waited: float) -> float | None:
        """How long to wait before try ``attempt + 1``; None to give up."""
        policy = self.policy
        if not failure.transient or attempt >= policy.attempts:
            return None
        if failure.wait_seconds is not None:
            wait = failure.wait_seconds
        elif failure.kind == "rate_limit":
            wait = policy.rate_limit_seconds
        else:
            wait = min(policy.backoff_seconds * 2 ** (attempt - 1), policy.max_backoff_seconds)
        if wait > policy.max_wait_seconds or waited + wait > policy.max_total_wait_seconds:
            return None
        return wait

    def pause(self, failure: Failure, action: str, attempt: int, waited: float) -> float:
        """Sleep before the next try and return the new total wait; raise when giving up."""
        wait = self.wait_for(failure, attempt, waited)
        if wait is None:
            error = to_error(failure, action, attempts=attempt)
            if failure.kind == "rate_limit" and failure.transient:
                asked = failure.wait_seconds
                extra = f" (asked to wait {asked:g} s)" if asked is not None else ""
                error = GitHubRateLimitError(f"{error}{extra}", status=failure.status)
            raise error from None
        _log.warning(
            "GitHub: %s failed (%s%s), retrying in %g s",
            action,
            f"{failure.status} " if failure.status is not None else "",
            failure.message,
            wait,
        )
        self.sleep(wait)
        return waited + wait

    def call(self, action: str, request: Callable[[], T], *, retry: bool = True) -> T:
        """``request()``, retried on transient failures when ``retry``; errors translated."""
        attempt, waited = 1, 0.0
        while True:
            try:
                return request()
            except Exception as error:  # classified below; re-raised when not an HTTP failure
                failure = self.classify(error)
                if failure is None:
                    raise
            if not retry:
                raise to_error(failure, action) from None
            waited = self.pause(failure, action, attempt, waited)
            attempt += 1
