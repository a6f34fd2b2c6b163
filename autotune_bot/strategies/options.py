"""Reading a strategy's options (``strategies: {<name>: {options: {...}}}``).

Options are single values (bool, int, float or str). Each reader takes the strategy name
(for the error message), the option name and a default; a value of the wrong type raises a
one-line :class:`~autotune_bot.errors.SettingsError` naming the option. Lists are written as
strings: ``"web_search, arxiv"`` (names) or ``"web_search=arxiv;fetch_url=http_get"``
(pairs).
"""

from __future__ import annotations

from collections.abc import Mapping

from autotune_bot.errors import SettingsError

__all__ = [
    "bool_option",
    "float_option",
    "int_option",
    "names_option",
    "pairs_option",
]

OptionValue = bool | int | float | str


def _field(strategy: str, name: str) -> str:
    return f"strategies.{strategy}.options.{name}"


def _bad(strategy: str, name: str, value: OptionValue, wanted: str) -> SettingsError:
    return SettingsError(f"expected {wanted}, got {value!r}", field=_field(strategy, name))


def int_option(
    options: Mapping[str, OptionValue], strategy: str, name: str, default: int, *, low: int = 1
) -> int:
    """An integer option ≥ ``low``."""
    value = options.get(name, default)
    if isinstance(value, bool) or not isinstance(value, int) or value < low:
        raise _bad(strategy, name, value, f"an integer ≥ {low}")
    return value


def float_option(
    options: Mapping[str, OptionValue],
    strategy: str,
    name: str,
    default: float,
    *,
    low: float = 0.0,
    high: float | None = None,
) -> float:
    """A number within [``low``, ``high``]."""
    value = options.get(name, default)
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise _bad(strategy, name, value, "a number")
    number = float(value)
    if not number >= low or (high is not None and not number <= high):
        bounds = f"≥ {low:g}" if high is None else f"within [{low:g}, {high:g}]"
        raise _bad(strategy, name, value, f"a number {bounds}")
    return number


def bool_option(
    options: Mapping[str, OptionValue], strategy: str, name: str, default: bool
) -> bool:
    value = options.get(name, default)
    if not isinstance(value, bool):
        raise _bad(strategy, name, value, "true or false")
    return value


def names_option(
    options: Mapping[str, OptionValue], strategy: str, name: str
) -> tuple[str, ...] | None:
    """Comma-separated names, or None when the option is not set."""
    if name not in options:
        return None
    value = options[name]
    if not isinstance(value, str):
        raise _bad(strategy, name, value, "comma-separated names")
    return tuple(dict.fromkeys(part.strip() for part in value.split(",") if part.strip()))


def pairs_option(options: Mapping[str, OptionValue], strategy: str, name: str) -> dict[str, str]:
    """``"a=b;c=d"`` as ``{"a": "b", "c": "d"}``; empty when the option is not set."""
    if name not in options:
        return {}
    value = options[name]
    if not isinstance(value, str):
        raise _bad(strategy, name, value, "pairs written as 'a=b;c=d'")
    pairs: dict[str, str] = {}
    for part in value.split(";"):
        if not part.strip():
            continue
        left, sep, right = part.partition("=")
        if not sep or not left.strip() or not right.strip():
            raise _bad(strategy, name, value, "pairs written as 'a=b;c=d'")
        pairs[left.strip()] = right.strip()
    return pairs
