"""Who may run which ``/autotune`` command.

The permission a verb needs comes from :data:`~autotune_bot.commands.verbs.VERBS`. The
role to check is what GitHub's collaborator-permission endpoint
(``GET /repos/{owner}/{repo}/collaborators/{username}/permission``) returns, never the
comment's ``author_association``, which only says how the author relates to the repository
(a ``CONTRIBUTOR`` or ``MEMBER`` may have no write access at all). Unknown or missing roles
are refused.
"""

from __future__ import annotations

from autotune_bot.commands.verbs import VERBS, Permission, Verb

__all__ = ["WRITE_ROLES", "effective_role", "is_bot", "permits", "required_permission"]

WRITE_ROLES = frozenset({"admin", "maintain", "write"})
"""``role_name`` / ``permission`` values that grant write access."""

_BUILTIN_ROLES = frozenset({"admin", "maintain", "write", "triage", "read", "none"})


def required_permission(verb: Verb) -> Permission:
    """``none`` for ``help`` and ``status``; ``write`` for every verb that acts.

    ``rollback``, ``retune`` and ``ignore`` open pull requests. ``analyze`` changes nothing
    in the repository, but it runs the analysis on the repository's runner (spending its
    Actions minutes and reading its metrics artifacts) and posts the results, so a reader
    who could start it at will could use the bot to consume resources and publish data the
    maintainers did not ask for; it needs write access too.
    """
    return VERBS[verb].permission


def permits(role: str | None, needed: Permission) -> bool:
    """Whether a collaborator with ``role`` may run a command needing ``needed``.

    ``role`` is the API's ``role_name`` (``admin``, ``maintain``, ``write``, ``triage``,
    ``read``, or a custom role's name) or its ``permission`` (``admin``, ``write``,
    ``read``, ``none``); compare exactly, as GitHub writes them in lower case. ``admin``,
    ``maintain`` and ``write`` permit ``write``; anything else, including ``None`` and
    custom role names, does not (pass :func:`effective_role` for custom roles).
    """
    if needed == "none":
        return True
    if needed == "write":
        return role in WRITE_ROLES
    raise ValueError(f"unknown permission {needed!r}; expected 'none' or 'write'")


def effective_role(role_name: str | None, permission: str | None) -> str | None:
    """The role to check: ``role_name`` when it is a built-in role, else ``permission``.

    A custom repository role has its own name in ``role_name`` and the base role it
    inherits from in ``permission`` (``write`` for a role based on write or maintain).
    """
    if role_name in _BUILTIN_ROLES:
        return role_name
    return permission


def is_bot(login: str, user_type: str | None) -> bool:
    """Whether the account is a bot: its type is ``Bot`` or its login ends in ``[bot]``."""
    if user_type is not None and user_type.casefold() == "bot":
        return True
    return login.casefold().endswith("[bot]")
