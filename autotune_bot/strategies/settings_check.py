"""Check the ``strategies:`` section of ``.autotune.yml`` against the registry: every name a
registered strategy, every option one the strategy documents (with a did-you-mean)."""

from __future__ import annotations

import difflib

from autotune_bot.errors import SettingsError
from autotune_bot.settings import Settings
from autotune_bot.strategies.registry import STRATEGIES

__all__ = ["check_strategy_settings"]


def _hint(name: str, known: list[str]) -> str:
    close = difflib.get_close_matches(name, known, n=1)
    suffix = f"; did you mean {close[0]!r}?" if close else ""
    return f"known: {', '.join(known) or 'none'}{suffix}"


def check_strategy_settings(settings: Settings, source: str | None = None) -> None:
    """Raise :class:`SettingsError` for an unknown strategy or option."""
    for name, section in settings.strategies.items():
        cls = STRATEGIES.get(name)
        if cls is None:
            raise SettingsError(
                f"unknown strategy {name!r}; {_hint(name, list(STRATEGIES))}",
                path=source,
                field=f"strategies.{name}",
            )
        known = sorted(getattr(cls, "options", {}))
        for option in section.options:
            if option not in known:
                raise SettingsError(
                    f"unknown option {option!r}; {_hint(option, known)}",
                    path=source,
                    field=f"strategies.{name}.options.{option}",
                )
