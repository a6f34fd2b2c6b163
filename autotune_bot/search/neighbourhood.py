"""Moves and sampling over a :class:`~autotune_bot.search.space.Space`.

A *move* changes one dimension: an ordinal dimension steps to the next or previous choice, a
categorical dimension jumps to any other choice. Points also have a mixed-radix index
(:func:`index_of` / :func:`point_at`), which lets small spaces be sampled without replacement.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable

import numpy as np

from autotune_bot.search.space import Point, Space

__all__ = [
    "index_of",
    "neighbours",
    "point_at",
    "random_point",
    "sample_unvisited",
    "two_move_neighbours",
]


def neighbours(space: Space, point: Point) -> list[Point]:
    """Every point one move away from ``point``, in dimension order."""
    out: list[Point] = []
    for d, (dim, i) in enumerate(zip(space.dimensions, point, strict=True)):
        if dim.kind == "categorical":
            targets: Iterable[int] = (j for j in range(len(dim)) if j != i)
        else:
            targets = (j for j in (i - 1, i + 1) if 0 <= j < len(dim))
        out.extend((*point[:d], j, *point[d + 1 :]) for j in targets)
    return out


def two_move_neighbours(space: Space, point: Point) -> list[Point]:
    """Points exactly two moves away (distinct from ``point`` and its neighbours)."""
    first = neighbours(space, point)
    near = {point, *first}
    out: dict[Point, None] = {}
    for p in first:
        for q in neighbours(space, p):
            if q not in near:
                out[q] = None
    return list(out)


def index_of(space: Space, point: Point) -> int:
    """The point's position in :meth:`Space.all_points` order."""
    index = 0
    for dim, i in zip(space.dimensions, point, strict=True):
        index = index * len(dim) + i
    return index


def point_at(space: Space, index: int) -> Point:
    """Inverse of :func:`index_of`."""
    if not 0 <= index < space.size:
        raise ValueError("index outside the space")
    out: list[int] = []
    for dim in reversed(space.dimensions):
        index, i = divmod(index, len(dim))
        out.append(i)
    return tuple(reversed(out))


def random_point(space: Space, rng: np.random.Generator) -> Point:
    return tuple(int(rng.integers(len(d))) for d in space.dimensions)


def sample_unvisited(
    space: Space, rng: np.random.Generator, visited: Collection[Point]
) -> Point | None:
    """A uniformly random point not in ``visited``; None when every point is visited."""
    size = space.size
    if len(visited) >= size:
        return None
    # rejection sampling while most points are free, exact draw over the rest otherwise
    if len(visited) <= size // 2:
        while True:
            p = random_point(space, rng)
            if p not in visited:
                return p
    taken = {index_of(space, p) for p in visited}
    free = [i for i in range(size) if i not in taken]
    return point_at(space, free[int(rng.integers(len(free)))])
