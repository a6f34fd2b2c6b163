"""Which comments the bot may believe: its own, not a look-alike someone posted.

The bot keeps state in hidden markers inside comments (a merged change's monitoring status,
the reply to a slash command). Anyone who can comment can also paste such a marker, to stop
the monitoring of a change ("confirmed"), to ask for a revert ("regressed") or to silence a
command (a reply marked done). So a marker counts only in a comment the bot can have written:

* a local draft's comment (no author: only the bot and the repository's owner write the
  outbox on their own machine);
* a comment of a GitHub App account (a login ending in ``[bot]``, which no person can
  register: ``github-actions[bot]`` for the workflow's token, ``<app>[bot]`` for an App's);
* a comment of one of the ``trusted`` logins: the account that opened the bot's pull request
  (with a personal access token the bot comments as that person).

Pure.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from autotune_bot.gitops.types import ForgeComment

__all__ = ["bot_comments", "bot_may_have_written"]


def bot_may_have_written(comment: ForgeComment, trusted: Iterable[str | None] = ()) -> bool:
    """True when ``comment`` can be the bot's own (see the module's rules)."""
    author = comment.author
    if author is None:
        return True
    login = author.lower()
    if login.endswith("[bot]"):
        return True
    return login in {t.lower() for t in trusted if t}


def bot_comments(
    comments: Sequence[ForgeComment], trusted: Iterable[str | None] = ()
) -> list[ForgeComment]:
    """The comments of ``comments`` the bot can have written, in their order."""
    logins = tuple(trusted)
    return [c for c in comments if bot_may_have_written(c, logins)]
