"""Comments on the bot's pull requests: the issue comments of a pull request number.

Listing reads the comments oldest first (GitHub's order), at most :data:`MAX_COMMENT_PAGES`
pages of the client's ``per_page`` (100): the first 1,000 comments of a pull request. A
longer thread is cut there, with a warning; the bot's own status comments are written early
in a thread, so they are among those read.

The pull request is addressed by number alone (a lazy PyGithub object): listing, creating
or editing a comment costs exactly one request each, and reads no issue or pull request.
Editing sends nothing when the body is unchanged. Creating a comment is not blindly
resent: after a transient failure the comments are read again, and a comment that already
has this very body (a create that landed although its answer was lost) is returned instead
of a second one.
"""

from __future__ import annotations

import functools
import logging

from github.Issue import Issue
from github.IssueComment import IssueComment
from github.Repository import Repository

from autotune_bot.forge.github_client import GitHubClient
from autotune_bot.forge.github_errors import GitHubRequestError, to_error
from autotune_bot.gitops.types import ForgeComment

__all__ = ["MAX_COMMENT_BODY", "MAX_COMMENT_PAGES", "GitHubComments"]

_log = logging.getLogger(__name__)
#: Pages of comments (of the client's ``per_page``, 100) read by one listing.
MAX_COMMENT_PAGES = 10
#: The longest comment body GitHub accepts (characters).
MAX_COMMENT_BODY = 65536


def _number(text: str, what: str) -> int:
    if not (text.isascii() and text.isdigit()) or int(text) < 1:
        raise GitHubRequestError(f"GitHub: not a {what} number: {text!r}")
    return int(text)


def _comment(found: IssueComment) -> ForgeComment:
    user = found.user
    return ForgeComment(
        id=str(found.id),
        body=found.body or "",
        author=user.login if user is not None else None,
        url=found.html_url,
    )


class GitHubComments:
    """The issue comments of one repository's pull requests."""

    def __init__(self, client: GitHubClient, *, max_pages: int = MAX_COMMENT_PAGES) -> None:
        self.client = client
        self.max_pages = max_pages
        self._repo: Repository | None = None

    def _issue(self, ref: str) -> Issue:
        number = _number(ref, "pull request")
        if self._repo is None:
            # Lazy objects: addressing the repository and the issue sends no request.
            lazy = self.client.github.withLazy(True)
            self._repo = lazy.get_repo(self.client.repository)
        return self._repo.get_issue(number)

    def list_comments(self, ref: str) -> list[ForgeComment]:
        """The comments of pull request ``ref``, oldest first (at most :attr:`max_pages`
        pages)."""
        listing = self._issue(ref).get_comments()
        per_page = self.client.github.per_page
        found: list[ForgeComment] = []
        for page in range(self.max_pages):
            got = self.client.call(
                f"list comments of #{ref}" + (f" (page {page + 1})" if page else ""),
                functools.partial(listing.get_page, page),
            )
            found += [_comment(item) for item in got]
            if len(got) < per_page:
                return found
        _log.warning(
            "GitHub: pull request #%s has more than %d comments; only those were read",
            ref,
            len(found),
        )
        return found

    def create_comment(self, ref: str, body: str) -> ForgeComment:
        """Add a comment to pull request ``ref``."""
        _check_body(body)
        issue = self._issue(ref)
        retrier = self.client.retrier
        action = f"comment on #{ref}"
        attempt, waited = 1, 0.0
        while True:
            try:
                return _comment(issue.create_comment(body))
            except Exception as error:  # classified below; re-raised when not an HTTP failure
                failure = retrier.classify(error)
                if failure is None:
                    raise
            if not failure.transient:
                raise to_error(failure, action) from None
            landed = [c for c in self.list_comments(ref) if c.body == body]
            if landed:
                _log.warning(
                    "GitHub: %s: the failed request created comment %s", action, landed[-1].id
                )
                return landed[-1]
            waited = retrier.pause(failure, action, attempt, waited)
            attempt += 1

    def edit_comment(self, ref: str, comment: ForgeComment, body: str) -> ForgeComment:
        """Replace the body of ``comment`` (on pull request ``ref``), when it changed."""
        if comment.body == body:
            return comment
        _check_body(body)
        target = self._issue(ref).get_comment(_number(comment.id, "comment"))
        self.client.call(f"edit comment {comment.id} of #{ref}", lambda: target.edit(body))
        return _comment(target)


def _check_body(body: str) -> None:
    if len(body) > MAX_COMMENT_BODY:
        raise GitHubRequestError(
            f"GitHub: comment body is too long ({len(body)} characters; GitHub accepts at "
            f"most {MAX_COMMENT_BODY})"
        )
