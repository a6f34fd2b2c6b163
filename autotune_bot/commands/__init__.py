"""``/autotune`` slash commands in issue and pull-request comments: the pure core.

- :mod:`~autotune_bot.commands.verbs`: the table of verbs (arguments, permission, summary),
  the single source the other modules read;
- :mod:`~autotune_bot.commands.parse`: ``parse_comment`` turns a comment body into a
  ``Command``, a ``CommandError`` (reply with help) or ``None`` (not addressed to autotune);
- :mod:`~autotune_bot.commands.authorize`: the permission a verb needs, whether a
  collaborator's role grants it, whether an account is a bot;
- :mod:`~autotune_bot.commands.help`: the help reply;
- :mod:`~autotune_bot.commands.quote`: showing untrusted text inertly in a Markdown reply;
- :mod:`~autotune_bot.commands.ignore_patch`: the settings edit of ``/autotune ignore``
  (not imported here, so that parsing a comment does not load the YAML and settings code).

Nothing here does I/O; the command edge reads events, asks GitHub and replies.
"""

from __future__ import annotations

from autotune_bot.commands.authorize import is_bot, permits, required_permission
from autotune_bot.commands.help import help_text
from autotune_bot.commands.parse import Command, CommandError, Verb, parse_comment
from autotune_bot.commands.quote import code_span

__all__ = [
    "Command",
    "CommandError",
    "Verb",
    "code_span",
    "help_text",
    "is_bot",
    "parse_comment",
    "permits",
    "required_permission",
]
