"""The GitHub forge: the bot's proposals as pull requests, found again by their marker.

Pull requests are listed (``state=all``, most recently updated first, at most
:data:`MAX_LIST_PAGES` pages) and kept when their head branch is in this repository, the
body carries a valid ``autotune:proposal`` marker naming that very branch, and either the
branch starts with the current branch prefix or the pull request carries one of the bot's
labels: so a prefix changed in the settings does not make the bot forget its pull requests
(they have its label), nor does a label someone removed (the branch has the prefix). When
the listing stops at the page limit, the pull requests of each of this run's proposal
branches are also looked up by head (``head=owner:branch``, any state), so a proposal
closed long ago is still found. The search API is never used (it lags behind new pull
requests).

Opening a proposal first looks for an open pull request of its branch and reuses it; a
create that fails is never blindly resent: on a transient failure or GitHub's "A pull
request already exists" the branch's pull requests are read again and an existing one is
reused, so a create that landed although its answer was lost opens no duplicate. Updates
edit the title and body in place, and only when they changed. Labels come from the settings
and the proposal. Reviewers are not requested: the REST contract the bot is tested against
has no review-request operation.

Comments are the pull request's issue comments (:mod:`autotune_bot.forge.github_comments`:
oldest first, at most :data:`~autotune_bot.forge.github_comments.MAX_COMMENT_PAGES` pages).
A merged pull request's ``merged_at`` is reported timezone-aware, in UTC.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from github.PullRequest import PullRequest

from autotune_bot.forge.github_client import GitHubClient
from autotune_bot.forge.github_comments import MAX_COMMENT_PAGES, GitHubComments
from autotune_bot.forge.github_errors import GitHubRequestError, to_error
from autotune_bot.gitops.marker import parse_marker
from autotune_bot.gitops.types import ForgeComment, ForgeProposal, Proposal, ProposalState
from autotune_bot.settings.proposals import PullRequestSettings

__all__ = ["MAX_LIST_PAGES", "GitHubForge"]

_log = logging.getLogger(__name__)
#: Pages of pull requests (of the client's ``per_page``, 100) read by one listing.
MAX_LIST_PAGES = 10


class GitHubForge:
    """Proposals as pull requests of one GitHub repository."""

    name = "github"
    refuses_new_proposals = False

    def __init__(
        self,
        client: GitHubClient,
        *,
        labels: Sequence[str] = ("autotune",),
        branch_prefix: str = "autotune/",
        max_pages: int = MAX_LIST_PAGES,
        comment_pages: int = MAX_COMMENT_PAGES,
    ) -> None:
        self.client = client
        self.labels = tuple(labels)
        self.branch_prefix = branch_prefix
        self.max_pages = max_pages
        self.comments = GitHubComments(client, max_pages=comment_pages)

    @classmethod
    def from_settings(cls, client: GitHubClient, settings: PullRequestSettings) -> GitHubForge:
        return cls(client, labels=settings.labels, branch_prefix=settings.branch_prefix)

    def __repr__(self) -> str:
        return f"GitHubForge({self.client!r})"

    # -- the Forge protocol ----------------------------------------------------------------

    def default_branch(self) -> str:
        return self.client.repo().default_branch

    def list_proposals(self, branches: Sequence[str] = ()) -> list[ForgeProposal]:
        """The bot's pull requests in any state, by number: those among the
        :attr:`max_pages` pages of the most recently updated pull requests, and, when there
        are more, those of ``branches`` (looked up by head)."""
        repo = self.client.repo()
        listing = repo.get_pulls(state="all", sort="updated", direction="desc")
        per_page = self.client.github.per_page
        pulls: dict[int, PullRequest] = {}
        complete = False
        for page in range(self.max_pages):
            got = self.client.call(
                "list pull requests" + (f" (page {page + 1})" if page else ""),
                functools.partial(listing.get_page, page),
            )
            pulls.update((pull.number, pull) for pull in got)
            if len(got) < per_page:
                complete = True
                break
        if not complete:
            for branch in dict.fromkeys(branches):
                pulls.update((pull.number, pull) for pull in self._pulls_of(branch, "all"))
        found = []
        for number in sorted(pulls):
            proposal = self._recognise(pulls[number])
            if proposal is not None:
                found.append(proposal)
        return found

    def open_proposal(self, proposal: Proposal, base: str) -> ForgeProposal:
        """Open a pull request of ``proposal.branch`` into ``base`` (or reuse the open one)."""
        pull = self._open_pull_of(proposal)
        if pull is None:
            pull = self._create(proposal, base)
        else:
            _log.info(
                "pull request #%d of %s is already open: updating it", pull.number, proposal.branch
            )
            pull = self._edit(pull, proposal)
        self._label(pull, proposal)
        return self._described(pull)

    def update_proposal(self, existing: ForgeProposal, proposal: Proposal) -> ForgeProposal:
        """Edit the pull request ``existing`` in place: title and body, when they changed."""
        number = int(existing.ref)
        repo = self.client.repo()
        pull = self.client.call(f"read pull request #{number}", lambda: repo.get_pull(number))
        if pull.head.ref != proposal.branch:
            raise GitHubRequestError(
                f"GitHub: pull request #{number} is of branch {pull.head.ref!r}, "
                f"not {proposal.branch!r}"
            )
        pull = self._edit(pull, proposal)
        self._label(pull, proposal)
        return self._described(pull)

    def list_comments(self, ref: str) -> list[ForgeComment]:
        """The comments of pull request ``ref`` (a number), oldest first, bounded."""
        return self.comments.list_comments(ref)

    def create_comment(self, ref: str, body: str) -> ForgeComment:
        return self.comments.create_comment(ref, body)

    def edit_comment(self, ref: str, comment: ForgeComment, body: str) -> ForgeComment:
        """Edit ``comment`` in place; no request when ``body`` is its body already."""
        return self.comments.edit_comment(ref, comment, body)

    # -- pull requests ---------------------------------------------------------------------

    def _recognise(self, pull: PullRequest) -> ForgeProposal | None:
        head = pull.head
        if head.repo is None or head.repo.full_name.lower() != self.client.repository.lower():
            return None  # a fork's branch: not the bot's, whatever its body says
        meta = parse_marker(pull.body or "")
        if meta is None or meta.get("branch") != head.ref:
            return None
        labelled = any(label.name in self.labels for label in pull.labels)
        if not (labelled or head.ref.startswith(self.branch_prefix)):
            return None  # a marker copied into someone's pull request, say
        return self._described(pull, meta)

    def _described(self, pull: PullRequest, meta: dict[str, Any] | None = None) -> ForgeProposal:
        if meta is None:
            meta = parse_marker(pull.body or "") or {}
        state: ProposalState = "open" if pull.state == "open" else "closed"
        if pull.merged_at is not None:
            state = "merged"
        return ForgeProposal(
            ref=str(pull.number),
            key=str(meta.get("key", "")),
            branch=pull.head.ref,
            state=state,
            evidence_key=str(meta.get("evidence_key", "")),
            body=pull.body or "",
            title=pull.title,
            url=pull.html_url,
            head_sha=pull.head.sha,
            merged_sha=pull.merge_commit_sha if state == "merged" else None,
            metadata=meta,
            merged_at=_utc(pull.merged_at) if state == "merged" else None,
            author=pull.user.login if pull.user is not None else None,
        )

    def _pulls_of(self, branch: str, state: str) -> list[PullRequest]:
        """The pull requests (``state``: open or all) whose head is ``branch`` of this
        repository, oldest first."""
        repo = self.client.repo()
        head = f"{self.client.owner}:{branch}"
        pulls = self.client.call(
            f"list pull requests of {branch}",
            lambda: list(repo.get_pulls(state=state, head=head, sort="created", direction="asc")),
        )
        return [pull for pull in pulls if pull.head.ref == branch]

    def _open_pull_of(self, proposal: Proposal) -> PullRequest | None:
        """The open pull request of the proposal's branch; an error if it is not the bot's."""
        pulls = self._pulls_of(proposal.branch, "open")
        if not pulls:
            return None
        pull = pulls[0]  # the oldest: a create that landed twice keeps the first
        meta = parse_marker(pull.body or "")
        if meta is None or meta.get("key") != proposal.key:
            raise GitHubRequestError(
                f"GitHub: branch {proposal.branch!r} already has pull request #{pull.number}, "
                "which autotune did not open for this proposal; leaving it alone"
            )
        return pull

    def _create(self, proposal: Proposal, base: str) -> PullRequest:
        repo = self.client.repo()
        retrier = self.client.retrier
        action = f"open a pull request for {proposal.branch}"
        attempt, waited = 1, 0.0
        while True:
            try:
                return repo.create_pull(
                    base=base,
                    head=proposal.branch,
                    title=proposal.title,
                    body=proposal.body,
                    draft=False,
                )
            except Exception as error:  # classified below; re-raised when not an HTTP failure
                failure = retrier.classify(error)
                if failure is None:
                    raise
            if not (failure.transient or failure.already_exists):
                raise to_error(failure, action) from None
            # The create may have landed (a lost answer, or GitHub saw it twice): look first.
            existing = self._open_pull_of(proposal)
            if existing is not None:
                _log.warning(
                    "GitHub: %s: reusing pull request #%d that the failed request created",
                    action,
                    existing.number,
                )
                return self._edit(existing, proposal)
            if failure.already_exists:
                raise to_error(failure, action) from None
            waited = retrier.pause(failure, action, attempt, waited)
            attempt += 1

    def _edit(self, pull: PullRequest, proposal: Proposal) -> PullRequest:
        if pull.title == proposal.title and (pull.body or "") == proposal.body:
            return pull
        number = pull.number
        self.client.call(
            f"update pull request #{number}",
            lambda: pull.edit(title=proposal.title, body=proposal.body),
        )
        return pull

    def _label(self, pull: PullRequest, proposal: Proposal) -> None:
        have = {label.name for label in pull.labels}
        wanted = list(dict.fromkeys([*self.labels, *proposal.labels]))
        missing = [name for name in wanted if name not in have]
        if missing:
            self.client.call(
                f"label pull request #{pull.number}", lambda: pull.add_to_labels(*missing)
            )


def _utc(moment: datetime | None) -> datetime | None:
    """``moment`` as a timezone-aware UTC datetime (PyGithub versions differ: naive UTC or
    aware)."""
    if moment is None:
        return None
    if moment.tzinfo is None or moment.utcoffset() is None:
        return moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)
