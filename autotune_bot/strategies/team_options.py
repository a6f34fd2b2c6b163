"""Typed reading of a strategy's options (``strategies: {<name>: {options: {...}}}``).

Each reader takes the option mapping of one strategy, the strategy's name (for the error
message) and the option's default; a value of the wrong type or outside its range raises a
one-line :class:`~autotune_bot.errors.SettingsError` naming the setting.
"""

from __future__ import annotations

import math
from collections.abc import Mapping

from autotune_bot.errors import SettingsError

__all__ = ["bool_option", "float_option", "int_option"]

OptionValue = bool | int | float | str


def _setting(strategy: str, key: str) -> str:
    return f"strategies.{strategy}.options.{key}"


def float_option(
    options: Mapping[str, OptionValue],
    strategy: str,
    key: str,
    default: float,
    *,
    low: float = -math.inf,
    high: float = math.inf,
) -> float:
    """A number within [low, high] (an integer is accepted); ``default`` when absent."""
    value = options.get(key, default)
    if isinstance(value, bool) or not isinstance(value, int | float) or math.isnan(value):
        raise SettingsError(f"expected a number, got {value!r}", field=_setting(strategy, key))
    if not low <= value <= high:
        raise SettingsError(
            f"{value!r} is outside the allowed range {low:g} to {high:g}",
            field=_setting(strategy, key),
        )
    return float(value)


def int_option(
    options: Mapping[str, OptionValue],
    strategy: str,
    key: str,
    default: int,
    *,
    low: int = 0,
) -> int:
    """An integer of at least ``low``; ``default`` when absent."""
    value = options.get(key, default)
    if isinstance(value, bool) or not isinstance(value, int):
        raise SettingsError(f"expected an integer, got {value!r}", field=_setting(strategy, key))
    if value < low:
        raise SettingsError(f"must be at least {low}, got {value}", field=_setting(strategy, key))
    return value


def bool_option(options: Mapping[str, OptionValue], strategy: str, key: str, default: bool) -> bool:
    """``true`` or ``false``; ``default`` when absent."""
    value = options.get(key, default)
    if not isinstance(value, bool):
        raise SettingsError(f"expected true or false, got {value!r}", field=_setting(strategy, key))
    return value
