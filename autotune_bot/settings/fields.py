"""Constrained scalar types used by the settings models.

Each constraint raises ``ValueError`` with a short, user-facing message (``must be between
0 and 1 (got 1.5)``) and adds the matching keywords to the JSON Schema, so editors can
check values too. Scalars are strict: ``true`` is not a number and ``"20"`` is not an
integer.
"""

from __future__ import annotations

import math
import re
import shlex
from dataclasses import dataclass
from typing import Annotated, Any

from pydantic import (
    AfterValidator,
    BeforeValidator,
    GetCoreSchemaHandler,
    GetJsonSchemaHandler,
    Strict,
)
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import CoreSchema, core_schema

__all__ = [
    "BranchPrefix",
    "Command",
    "Email",
    "Fraction",
    "Identifier",
    "NonEmptyStr",
    "NonNegativeFloat",
    "NonNegativeInt",
    "OpenFraction",
    "OptionValue",
    "PositiveFloat",
    "PositiveInt",
    "Range",
    "Ratio",
    "RelativePath",
    "format_number",
]


def format_number(value: float) -> str:
    """``1.0`` → ``1``, ``0.25`` → ``0.25``: numbers as a user would write them."""
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    return repr(value)


class _Checked:
    """A constraint on a field: pydantic runs ``check`` after its own type validation."""

    __slots__ = ()

    def check(self, value: Any) -> Any:
        raise NotImplementedError

    def __get_pydantic_core_schema__(
        self, source: Any, handler: GetCoreSchemaHandler
    ) -> CoreSchema:
        return core_schema.no_info_after_validator_function(self.check, handler(source))


@dataclass(frozen=True, slots=True)
class Range(_Checked):
    """A numeric bound: ``lo``/``hi`` inclusive unless ``*_open``; finite values only."""

    lo: float | None = None
    hi: float | None = None
    lo_open: bool = False
    hi_open: bool = False

    def describe(self) -> str:
        lo, hi = self.lo, self.hi
        if lo is not None and hi is not None:
            if not self.lo_open and not self.hi_open:
                return f"must be between {format_number(lo)} and {format_number(hi)}"
            if self.lo_open and self.hi_open:
                return f"must be strictly between {format_number(lo)} and {format_number(hi)}"
            low = "greater than" if self.lo_open else "at least"
            high = "less than" if self.hi_open else "at most"
            return f"must be {low} {format_number(lo)} and {high} {format_number(hi)}"
        if lo is not None:
            return f"must be {'greater than' if self.lo_open else 'at least'} {format_number(lo)}"
        if hi is not None:
            return f"must be {'less than' if self.hi_open else 'at most'} {format_number(hi)}"
        return "must be a finite number"

    def check(self, value: float) -> float:
        if isinstance(value, float) and not math.isfinite(value):
            raise ValueError(f"must be a finite number (got {value!r})")
        too_low = self.lo is not None and (value <= self.lo if self.lo_open else value < self.lo)
        too_high = self.hi is not None and (value >= self.hi if self.hi_open else value > self.hi)
        if too_low or too_high:
            raise ValueError(f"{self.describe()} (got {format_number(value)})")
        return value

    def __get_pydantic_json_schema__(
        self, schema: CoreSchema, handler: GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        result = handler(schema)
        if self.lo is not None:
            result["exclusiveMinimum" if self.lo_open else "minimum"] = self.lo
        if self.hi is not None:
            result["exclusiveMaximum" if self.hi_open else "maximum"] = self.hi
        return result


@dataclass(frozen=True, slots=True)
class Text(_Checked):
    """A string check: non-blank, optionally matching ``pattern`` (explained by ``what``)."""

    pattern: str | None = None
    what: str = ""

    def check(self, value: str) -> str:
        if not value.strip():
            raise ValueError("must not be empty")
        if self.pattern is not None and re.fullmatch(self.pattern, value) is None:
            raise ValueError(f"must be {self.what} (got {value!r})")
        return value

    def __get_pydantic_json_schema__(
        self, schema: CoreSchema, handler: GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        result = handler(schema)
        result["minLength"] = 1
        if self.pattern is not None:
            result["pattern"] = f"^(?:{self.pattern})$"
        return result


def _relative_path(value: str) -> str:
    """Reject absolute paths and ``..``; drop a leading ``./``."""
    if value.startswith(("/", "\\")) or re.match(r"[A-Za-z]:[/\\]", value):
        raise ValueError(f"must be relative to the repository root (got {value!r})")
    parts = [part for part in value.replace("\\", "/").split("/") if part not in ("", ".")]
    if ".." in parts:
        raise ValueError(f"must stay inside the repository, without '..' (got {value!r})")
    if not parts:
        raise ValueError(f"must name a path inside the repository (got {value!r})")
    return "/".join(parts) + ("/" if value.endswith("/") else "")


def _command(value: Any) -> Any:
    """Accept a string (split like a shell would) or a non-empty list of strings."""
    if isinstance(value, str):
        try:
            argv = shlex.split(value)
        except ValueError as err:
            raise ValueError(f"cannot be split into arguments: {err} (got {value!r})") from err
        if not argv:
            raise ValueError("must not be empty")
        return value
    if isinstance(value, list | tuple):
        if not value or not all(isinstance(item, str) and item for item in value):
            raise ValueError("must be a non-empty list of non-empty strings")
        return tuple(value)
    raise ValueError("must be a string or a list of strings")


def _option_value(value: Any) -> Any:
    if value is None or not isinstance(value, bool | int | float | str):
        raise ValueError("must be a single value (a string, number or true/false)")
    return value


NonEmptyStr = Annotated[str, Strict(), Text()]
Identifier = Annotated[
    str,
    Strict(),
    Text(r"[A-Za-z_][A-Za-z0-9_.-]*", "an identifier (letters, digits, '_', '-' or '.')"),
]
Email = Annotated[str, Strict(), Text(r"[^@\s]+@[^@\s]+", "an e-mail address")]
BranchPrefix = Annotated[
    str,
    Strict(),
    Text(
        r"(?!.*\.\.)(?!.*//)[A-Za-z0-9_][A-Za-z0-9_./-]*",
        "a git branch name prefix (letters, digits, '_', '-', '.', '/'; no '..')",
    ),
]
RelativePath = Annotated[str, Strict(), Text(), AfterValidator(_relative_path)]

PositiveInt = Annotated[int, Strict(), Range(lo=1)]
NonNegativeInt = Annotated[int, Strict(), Range(lo=0)]
PositiveFloat = Annotated[float, Strict(), Range(lo=0, lo_open=True)]
NonNegativeFloat = Annotated[float, Strict(), Range(lo=0)]
Fraction = Annotated[float, Strict(), Range(lo=0, hi=1)]
OpenFraction = Annotated[float, Strict(), Range(lo=0, hi=1, lo_open=True, hi_open=True)]
Ratio = Annotated[float, Strict(), Range(lo=1)]

Command = Annotated[str | tuple[str, ...], BeforeValidator(_command)]
OptionValue = Annotated[bool | int | float | str, BeforeValidator(_option_value)]
