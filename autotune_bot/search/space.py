"""The search space: named dimensions, each a finite, ordered tuple of choices.

A configuration is a tuple of choice indexes, one per dimension (:data:`Point`); the
current configuration is one point of the space. Dimensions are *ordinal* when neighbouring
choices are similar (budgets, timeouts, team sizes, model tiers) and *categorical* otherwise
(formations), which is what neighbourhood moves and surrogate encodings need to know.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

__all__ = ["Dimension", "Point", "Space"]

Point = tuple[int, ...]


@dataclass(frozen=True, slots=True)
class Dimension:
    name: str
    choices: tuple[Any, ...]
    current: int  # index of the current value in ``choices``
    kind: Literal["ordinal", "categorical"] = "ordinal"

    def __post_init__(self) -> None:
        if not self.choices:
            raise ValueError(f"dimension {self.name!r} has no choices")
        if not 0 <= self.current < len(self.choices):
            raise ValueError(f"dimension {self.name!r}: current index out of range")
        if len(set(map(repr, self.choices))) != len(self.choices):
            raise ValueError(f"dimension {self.name!r} repeats a choice")

    def __len__(self) -> int:
        return len(self.choices)


@dataclass(frozen=True, slots=True)
class Space:
    dimensions: tuple[Dimension, ...]

    def __post_init__(self) -> None:
        names = [d.name for d in self.dimensions]
        if len(set(names)) != len(names):
            raise ValueError("dimension names must be unique")

    @property
    def current(self) -> Point:
        return tuple(d.current for d in self.dimensions)

    @property
    def size(self) -> int:
        return math.prod(len(d) for d in self.dimensions)

    def values(self, point: Point) -> dict[str, Any]:
        """The configuration a point stands for, by dimension name."""
        return {d.name: d.choices[i] for d, i in zip(self.dimensions, point, strict=True)}

    def point(self, values: Mapping[str, Any]) -> Point:
        """The point of a configuration given by name (missing names take the current value)."""
        out = []
        for d in self.dimensions:
            if d.name in values:
                out.append(d.choices.index(values[d.name]))
            else:
                out.append(d.current)
        return tuple(out)

    def contains(self, point: Sequence[int]) -> bool:
        return len(point) == len(self.dimensions) and all(
            0 <= i < len(d) for d, i in zip(self.dimensions, point, strict=True)
        )

    def all_points(self) -> Iterator[Point]:
        """Every point, in lexicographic order (only sensible for small spaces)."""
        if not self.dimensions:
            yield ()
            return
        first, rest = self.dimensions[0], Space(self.dimensions[1:])
        for i in range(len(first)):
            for tail in rest.all_points():
                yield (i, *tail)
