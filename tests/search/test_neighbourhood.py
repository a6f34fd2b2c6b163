"""Moves, indexes and sampling over a space."""

from __future__ import annotations

import numpy as np

from autotune_bot.search.neighbourhood import (
    index_of,
    neighbours,
    point_at,
    sample_unvisited,
    two_move_neighbours,
)

from .spaces import mixed_space


def test_neighbours_step_ordinals_and_jump_categories() -> None:
    space = mixed_space()  # current (1, 2, 1, 0)
    around = neighbours(space, space.current)
    assert set(around) == {
        (0, 2, 1, 0), (2, 2, 1, 0), (3, 2, 1, 0),  # any other formation
        (1, 1, 1, 0), (1, 3, 1, 0),  # team ± 1
        (1, 2, 0, 0), (1, 2, 2, 0),  # tier ± 1
        (1, 2, 1, 1),  # cache on
    }  # fmt: skip
    edge = neighbours(space, (0, 0, 0, 0))
    assert (0, 1, 0, 0) in edge
    assert all(p[1] >= 0 and p[2] >= 0 for p in edge)


def test_two_moves_exclude_the_point_and_its_neighbours() -> None:
    space = mixed_space()
    near = {space.current, *neighbours(space, space.current)}
    two = two_move_neighbours(space, space.current)
    assert two
    assert not near & set(two)
    assert (1, 4, 1, 0) in two  # team + 2
    assert (0, 2, 1, 1) in two  # formation and cache


def test_index_round_trip_matches_enumeration_order() -> None:
    space = mixed_space()
    points = list(space.all_points())
    assert [index_of(space, p) for p in points] == list(range(space.size))
    assert [point_at(space, i) for i in range(space.size)] == points


def test_sample_unvisited_covers_the_rest_then_stops() -> None:
    space = mixed_space()
    rng = np.random.default_rng(0)
    visited = set(list(space.all_points())[:100])
    rest = set()
    for _ in range(20):
        p = sample_unvisited(space, rng, visited)
        assert p is not None
        assert p not in visited
        visited.add(p)
        rest.add(p)
    assert len(rest) == 20
    assert sample_unvisited(space, rng, visited) is None
