"""Small spaces and noiseless problems shared by the search tests."""

from __future__ import annotations

from autotune_bot.search.space import Dimension, Point, Space


def mixed_space() -> Space:
    """4 × 5 × 3 × 2 = 120 points, current point (1, 2, 1, 0)."""
    return Space(
        (
            Dimension("formation", ("seq", "par", "pipe", "vote"), 1, "categorical"),
            Dimension("team", (1, 2, 3, 4, 5), 2),
            Dimension("tier", ("small", "medium", "large"), 1),
            Dimension("cache", ("off", "on"), 0, "categorical"),
        )
    )


# per-dimension costs of a separable problem; the optimum is (2, 4, 0, 1) with value 0
COSTS = ((3.0, 2.0, 0.0, 5.0), (4.0, 3.0, 2.0, 1.0, 0.0), (0.0, 1.5, 4.0), (2.0, 0.0))
OPTIMUM: Point = (2, 4, 0, 1)


def separable(point: Point) -> float:
    return 1.0 + sum(c[i] for c, i in zip(COSTS, point, strict=True))


def tiny_spaces() -> dict[str, Space]:
    return {
        "one dimension": Space((Dimension("only", ("a", "b", "c"), 2, "categorical"),)),
        "single choices": Space(
            (
                Dimension("fixed", (7,), 0),
                Dimension("free", (1, 2, 3), 0),
                Dimension("also fixed", ("x",), 0, "categorical"),
            )
        ),
        "single point": Space((Dimension("fixed", (1,), 0), Dimension("also", ("x",), 0))),
    }
