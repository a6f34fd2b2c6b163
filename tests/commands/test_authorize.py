"""Who may run what: permission per verb, roles from the collaborator-permission API, bots."""

from __future__ import annotations

from typing import get_args

import pytest

from autotune_bot.commands.authorize import (
    effective_role,
    is_bot,
    permits,
    required_permission,
)
from autotune_bot.commands.verbs import Verb


@pytest.mark.parametrize(
    ("verb", "needed"),
    [
        ("help", "none"),
        ("status", "none"),
        ("rollback", "write"),
        ("analyze", "write"),
        ("retune", "write"),
        ("ignore", "write"),
    ],
)
def test_required_permission(verb: Verb, needed: str) -> None:
    assert required_permission(verb) == needed


def test_every_verb_has_a_permission_in_the_table() -> None:
    assert {required_permission(verb) for verb in get_args(Verb)} == {"none", "write"}


@pytest.mark.parametrize(
    ("role", "allowed"),
    [
        ("admin", True),
        ("maintain", True),
        ("write", True),
        ("triage", False),
        ("read", False),
        ("none", False),
        (None, False),
        ("", False),
        ("security-manager", False),  # a custom role name: check its base permission instead
        ("Admin", False),  # GitHub writes roles in lower case; anything else is unknown
        ("WRITE", False),
        (" write", False),
        ("owner", False),
    ],
)
def test_write_needs_write_maintain_or_admin(role: str | None, allowed: bool) -> None:
    assert permits(role, "write") is allowed


@pytest.mark.parametrize("role", ["admin", "write", "triage", "read", "none", None, "custom"])
def test_anyone_may_use_commands_that_need_nothing(role: str | None) -> None:
    assert permits(role, "none") is True


def test_an_unknown_permission_level_is_a_programming_error() -> None:
    with pytest.raises(ValueError, match="unknown permission"):
        permits("admin", "admin")  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("role_name", "permission", "effective", "allowed"),
    [
        ("maintain", "write", "maintain", True),
        ("triage", "read", "triage", False),
        ("write", "write", "write", True),
        ("release-manager", "write", "write", True),  # custom role based on write
        ("auditor", "read", "read", False),  # custom role based on read
        (None, "admin", "admin", True),
        (None, None, None, False),
        ("auditor", None, None, False),
    ],
)
def test_effective_role_uses_the_base_permission_for_custom_roles(
    role_name: str | None, permission: str | None, effective: str | None, allowed: bool
) -> None:
    assert effective_role(role_name, permission) == effective
    assert permits(effective_role(role_name, permission), "write") is allowed


@pytest.mark.parametrize(
    ("login", "user_type", "bot"),
    [
        ("octocat", "User", False),
        ("octocat", None, False),
        ("github-actions[bot]", "Bot", True),
        ("dependabot[bot]", None, True),
        ("Renovate[BOT]", "User", True),
        ("some-app", "Bot", True),
        ("some-app", "bot", True),
        ("bot", "User", False),
        ("robot-lover", "User", False),
        ("my-org", "Organization", False),
        ("[bot]x", "User", False),
    ],
)
def test_is_bot(login: str, user_type: str | None, bot: bool) -> None:
    assert is_bot(login, user_type) is bot
