"""The GitHub requests ``/autotune`` commands need besides the forge's: who the commenter is to
the repository, the acknowledging reaction, and the pull request a command was written on.

- :meth:`GitHubCommands.permission`: ``GET /repos/{o}/{r}/collaborators/{user}/permission``;
  the role is ``role_name`` when it is a built-in role, else ``permission`` (a custom role's
  base); a 404 (not a collaborator) is ``"none"``;
- :meth:`GitHubCommands.react`: ``POST .../issues/comments/{id}/reactions``; GitHub answers
  200 with the existing reaction when the token already reacted so, so a repeat adds none;
- :meth:`GitHubCommands.pull_request`: ``GET .../pulls/{n}``: merged or not, and whether the
  head branch lives in another repository (a fork).

Every request goes through :meth:`GitHubClient.call` (retries, masked errors).
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from autotune_bot.commands.authorize import effective_role
from autotune_bot.commands.plan import PullFacts
from autotune_bot.forge.github_client import GitHubClient
from autotune_bot.forge.github_errors import GitHubError

__all__ = ["REACTION", "GitHubCommands", "PullFacts"]

REACTION = "eyes"


class GitHubCommands:
    """Permission, reaction and pull request reads for the command edge."""

    name = "github"

    def __init__(self, client: GitHubClient) -> None:
        self.client = client

    def __repr__(self) -> str:
        return f"GitHubCommands({self.client!r})"

    def _request(self, verb: str, path: str, body: dict[str, Any] | None = None) -> Any:
        url = f"{self.client.repo().url}{path}"
        requester = self.client.github.requester
        _, data = requester.requestJsonAndCheck(verb, url, input=body)
        return data

    def permission(self, login: str) -> str | None:
        """The role of ``login`` in the repository (``admin``, ``maintain``, ``write``,
        ``triage``, ``read``, or ``none`` for someone who is not a collaborator)."""
        path = f"/collaborators/{quote(login, safe='')}/permission"
        try:
            data = self.client.call(
                f"read the permission of {login}", lambda: self._request("GET", path)
            )
        except GitHubError as err:
            if err.status == 404:
                return "none"
            raise
        if not isinstance(data, dict):
            return None
        role, permission = data.get("role_name"), data.get("permission")
        return effective_role(
            role if isinstance(role, str) else None,
            permission if isinstance(permission, str) else None,
        )

    def react(self, comment_id: str) -> None:
        """Add the :data:`REACTION` to issue comment ``comment_id`` (once: see module doc)."""
        path = f"/issues/comments/{int(comment_id)}/reactions"
        self.client.call(
            f"react to comment {comment_id}",
            lambda: self._request("POST", path, {"content": REACTION}),
        )

    def pull_request(self, ref: str) -> PullFacts:
        """Whether pull request ``ref`` (its number) is merged and whether it is a fork's."""
        number = int(ref)
        repo = self.client.repo()
        pull = self.client.call(f"read pull request #{number}", lambda: repo.get_pull(number))
        head = pull.head.repo
        own = head is not None and head.full_name.lower() == self.client.repository.lower()
        return PullFacts(ref, bool(pull.merged), from_fork=not own, url=pull.html_url)
