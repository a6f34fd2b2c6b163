"""Values of the cycle that hold a token: their repr never shows it."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime
from pathlib import Path

from autotune_bot.gitops.apply_effects import EffectTarget
from autotune_bot.gitops.cycle import CycleOptions
from autotune_bot.gitops.git import GitIdentity, HttpAuth
from autotune_bot.gitops.git_refs import BaseRef

TOKEN = "ghs_verySECRETtoken0123456789"
NOW = datetime(2026, 1, 2, 3, 4, tzinfo=UTC)


def test_cycle_options_do_not_show_the_token_or_the_environment() -> None:
    options = CycleOptions(repo=Path("repo"), now=NOW, token=TOKEN, environ={"GITHUB_TOKEN": TOKEN})
    shown = repr(options)
    assert TOKEN not in shown
    assert "GITHUB_TOKEN" not in shown
    assert "repo" in shown  # the rest is still shown
    assert options.token == TOKEN  # and the value is there for the code that needs it
    assert TOKEN not in repr(dataclasses.replace(options, remote="origin"))


def test_effect_target_does_not_show_the_token() -> None:
    target = EffectTarget(
        Path("repo"),
        BaseRef("main", "refs/heads/main", "0" * 40),
        GitIdentity("bot", "bot@example.com"),
        "origin",
        TOKEN,
        NOW,
    )
    assert TOKEN not in repr(target)
    assert "origin" in repr(target)
    assert target.token == TOKEN


def test_every_token_field_of_the_git_values_is_hidden() -> None:
    auth = HttpAuth(url="https://github.com/o/r", token=TOKEN)
    assert TOKEN not in repr(auth)
    for kind in (CycleOptions, EffectTarget, HttpAuth):
        for f in dataclasses.fields(kind):
            if f.name in ("token", "environ"):
                assert f.repr is False, (kind.__name__, f.name)
