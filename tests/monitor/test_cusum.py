"""CUSUM helpers against small hand-computed cases."""

from __future__ import annotations

import math

import numpy as np
import pytest

from autotune_bot.monitor.cusum import (
    bernoulli_increments,
    cusum,
    first_crossing,
    path_max,
    zscore_increments,
)


def test_cusum_follows_the_recursion_by_hand() -> None:
    # S = max(0, S + x): 1, max(0, -1) = 0, 3, 2.5, max(0, -1.5) = 0, 2
    assert cusum([1.0, -2.0, 3.0, -0.5, -4.0, 2.0]).tolist() == pytest.approx(
        [1.0, 0.0, 3.0, 2.5, 0.0, 2.0]
    )


def test_cusum_of_a_negative_start_stays_at_zero() -> None:
    assert cusum([-1.0, -1.0, 0.5]).tolist() == pytest.approx([0.0, 0.0, 0.5])


def test_rows_are_independent_paths() -> None:
    rows = np.array([[1.0, -2.0, 3.0], [-1.0, 2.0, 2.0]])
    together = cusum(rows)
    for row, path in zip(rows, together, strict=True):
        assert path.tolist() == pytest.approx(cusum(row).tolist())
    assert together[1].tolist() == pytest.approx([0.0, 2.0, 4.0])
    assert path_max(rows).tolist() == pytest.approx([3.0, 4.0])


def test_empty_paths() -> None:
    assert cusum(np.zeros((3, 0))).shape == (3, 0)
    assert path_max(np.zeros((3, 0))).tolist() == [0.0, 0.0, 0.0]


def test_matches_a_plain_loop_on_random_steps() -> None:
    x = np.random.default_rng(3).normal(-0.2, 1.0, 500)
    s, expected = 0.0, []
    for step in x:
        s = max(0.0, s + step)
        expected.append(s)
    assert cusum(x).tolist() == pytest.approx(expected, abs=1e-9)


def test_first_crossing_is_strict() -> None:
    path = [0.5, 2.0, 3.0, 1.0]
    assert first_crossing(path, 2.0) == 2
    assert first_crossing(path, 1.9) == 1
    assert first_crossing(path, 3.0) is None


def test_bernoulli_increments_are_log_likelihood_ratios() -> None:
    got = bernoulli_increments([True, False], 0.05, 0.20)
    assert got.tolist() == pytest.approx([math.log(4.0), math.log(0.8 / 0.95)])


def test_bernoulli_rates_broadcast_per_row() -> None:
    got = bernoulli_increments(np.ones((2, 3), dtype=bool), np.array([[0.1], [0.2]]), 0.4)
    assert got[:, 0].tolist() == pytest.approx([math.log(4.0), math.log(2.0)])


@pytest.mark.parametrize(("p0", "p1"), [(0.0, 0.2), (0.1, 1.0)])
def test_bernoulli_rejects_degenerate_rates(p0: float, p1: float) -> None:
    with pytest.raises(ValueError, match="strictly between 0 and 1"):
        bernoulli_increments([True], p0, p1)


def test_zscores_are_clipped_then_shifted() -> None:
    got = zscore_increments([1.0, 3.0, 100.0, -100.0], 1.0, 2.0, k=0.25, clip=4.0)
    assert got.tolist() == pytest.approx([-0.25, 0.75, 3.75, -4.25])
