"""The Gaussian-process surrogate: encoding, likelihood gradient, fit quality."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy.optimize import check_grad  # type: ignore[import-untyped]

from autotune_bot.search.gaussian_process import (
    Encoder,
    _neg_lml,
    expected_improvement,
    fit_gp,
    group_sq_dists,
)
from autotune_bot.search.space import Dimension, Space
from autotune_bot.search.surrogate import normal_scores

from .spaces import mixed_space, separable


def test_encoder_scales_ordinals_one_hots_categories_and_drops_constants() -> None:
    space = Space(
        (
            Dimension("f", ("a", "b", "c"), 0, "categorical"),
            Dimension("k", (1, 2, 3, 4, 5), 0),
            Dimension("fixed", (9,), 0),
        )
    )
    enc = Encoder(space)
    x = enc.encode(np.array([(0, 0, 0), (2, 4, 0)]))
    assert x.shape == (2, 4)
    assert enc.n_groups == 2
    d = group_sq_dists(enc, x, x)
    assert d[0, 0, 1] == pytest.approx(1.0)  # two categories apart: distance 1
    assert d[1, 0, 1] == pytest.approx(1.0)  # ordinal ends: distance 1


def test_likelihood_gradient_matches_finite_differences() -> None:
    space = mixed_space()
    enc = Encoder(space)
    rng = np.random.default_rng(0)
    points = np.array([[rng.integers(len(d)) for d in space.dimensions] for _ in range(25)])
    y = np.array([separable(tuple(p)) for p in points]) + rng.normal(0, 0.3, 25)
    y = (y - y.mean()) / y.std()
    dists = group_sq_dists(enc, enc.encode(points), enc.encode(points))
    for _ in range(3):
        theta = rng.normal(0, 0.7, enc.n_groups + 2)
        err = check_grad(
            lambda t: _neg_lml(t, dists, y)[0], lambda t: _neg_lml(t, dists, y)[1], theta
        )
        assert err < 1e-4 * max(1.0, float(np.linalg.norm(_neg_lml(theta, dists, y)[1])))


def test_fit_predicts_unseen_points_of_a_separable_function() -> None:
    space = mixed_space()
    enc = Encoder(space)
    rng = np.random.default_rng(1)
    everything = np.array(list(space.all_points()))
    train = everything[rng.choice(len(everything), 40, replace=False)]
    y = np.array([math.log(separable(tuple(p))) for p in train])
    gp = fit_gp(enc, enc.encode(train), y, rng)
    mean, std = gp.predict(enc.encode(everything))
    truth = np.array([math.log(separable(tuple(p))) for p in everything])
    assert np.corrcoef(mean, truth)[0, 1] > 0.9
    assert (std > 0).all()


def test_expected_improvement_prefers_low_means_and_high_uncertainty() -> None:
    ei = expected_improvement(np.array([0.0, 1.0, 1.0]), np.array([0.1, 0.1, 1.0]), best=0.5)
    assert ei[0] > ei[1]
    assert ei[2] > ei[1]
    assert (ei >= 0).all()


def test_normal_scores_are_rank_based_and_average_ties() -> None:
    z = normal_scores(np.array([5.0, 1.0, 1e9, 1.0]))
    assert z[1] == z[3]
    assert z[1] < z[0] < z[2]
    # only the order matters: an outlier weighs no more than any other worst value
    assert np.array_equal(z, normal_scores(np.array([5.0, 1.0, 6.0, 1.0])))
