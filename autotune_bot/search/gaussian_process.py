"""A small Gaussian-process regressor for mixed ordinal/categorical search spaces (numpy/scipy).

Encoding: an ordinal dimension becomes one column, its choice index scaled to [0, 1]; a
categorical dimension becomes one-hot columns scaled by 1/√2, so two different categories are
at distance 1 like the two ends of an ordinal dimension; single-choice dimensions are dropped.
Kernel: Matérn-5/2 with one length-scale per dimension (ARD; the one-hot columns of a
categorical dimension share theirs), a signal variance and a noise variance. The targets are
standardised; hyper-parameters maximise the log marginal likelihood plus weak log-normal
priors (a MAP fit, see :func:`fit_gp`; analytic gradient, L-BFGS-B, several starts, within
bounds). scipy is imported on first use, so importing the
search registry stays cheap.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from autotune_bot.search.space import Space

__all__ = ["Encoder", "GaussianProcess", "Prior", "expected_improvement", "fit_gp"]

SQRT5 = math.sqrt(5.0)
# bounds of the log hyper-parameters: length-scales, signal variance, noise variance
LOG_LENGTH = (math.log(0.05), math.log(20.0))
LOG_SIGNAL = (math.log(0.05), math.log(20.0))
LOG_NOISE = (math.log(1e-4), math.log(2.0))
JITTER = 1e-8


class Encoder:
    """Maps points (rows of choice indexes) to features; ``groups[c]`` is column c's dimension."""

    def __init__(self, space: Space) -> None:
        cols: list[tuple[int, int, float]] = []  # (dimension, choice or -1, scale)
        for d, dim in enumerate(space.dimensions):
            n = len(dim)
            if n == 1:
                continue
            if dim.kind == "categorical":
                cols.extend((d, j, 1 / math.sqrt(2)) for j in range(n))
            else:
                cols.append((d, -1, 1.0 / (n - 1)))
        used = sorted({c[0] for c in cols})
        self.dims = np.array([c[0] for c in cols], dtype=int)
        self.choice = np.array([c[1] for c in cols], dtype=int)
        self.scale = np.array([c[2] for c in cols], dtype=float)
        self.groups = np.array([used.index(c[0]) for c in cols], dtype=int)
        self.n_groups = len(used)

    def encode(self, points: np.ndarray) -> np.ndarray:
        points = np.asarray(points, dtype=int).reshape(len(points), -1)
        raw = points[:, self.dims]
        onehot = self.choice >= 0
        out = np.where(onehot, (raw == self.choice).astype(float), raw.astype(float))
        return np.asarray(out * self.scale, dtype=float)


def group_sq_dists(encoder: Encoder, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Squared distances per dimension group: shape (groups, len(a), len(b))."""
    diff2 = (a[:, None, :] - b[None, :, :]) ** 2
    out = np.zeros((encoder.n_groups, len(a), len(b)))
    for g in range(encoder.n_groups):
        out[g] = diff2[:, :, encoder.groups == g].sum(axis=2)
    return out


def _matern(r: np.ndarray) -> np.ndarray:
    return np.asarray((1.0 + SQRT5 * r + 5.0 / 3.0 * r * r) * np.exp(-SQRT5 * r))


@dataclass(frozen=True)
class Prior:
    """Independent normal priors on the log hyper-parameters (weak; see :func:`fit_gp`)."""

    log_length: tuple[float, float] = (math.log(0.7), 1.0)  # mean, standard deviation
    log_signal: tuple[float, float] = (0.0, 1.0)
    log_noise: tuple[float, float] = (math.log(0.1), 1.5)

    def arrays(self, groups: int) -> tuple[np.ndarray, np.ndarray]:
        pairs = [self.log_length] * groups + [self.log_signal, self.log_noise]
        return np.array([m for m, _ in pairs]), np.array([sd for _, sd in pairs])


def _neg_log_posterior(
    theta: np.ndarray, dists: np.ndarray, y: np.ndarray, prior: Prior | None
) -> tuple[float, np.ndarray]:
    """Negative log marginal likelihood (minus the log prior) and its gradient."""
    nll, grad = _neg_lml(theta, dists, y)
    if prior is None or nll >= 1e10:
        return nll, grad
    mean, sd = prior.arrays(dists.shape[0])
    z = (theta - mean) / sd
    return nll + 0.5 * float(z @ z), grad + z / sd


def _neg_lml(theta: np.ndarray, dists: np.ndarray, y: np.ndarray) -> tuple[float, np.ndarray]:
    """Negative log marginal likelihood and its gradient in the log hyper-parameters."""
    from scipy.linalg import cho_solve, cholesky  # type: ignore[import-untyped]

    g = dists.shape[0]
    inv_l2 = np.exp(-2.0 * theta[:g])
    signal, noise = math.exp(theta[g]), math.exp(theta[g + 1])
    r2 = np.tensordot(inv_l2, dists, axes=1)
    r = np.sqrt(np.maximum(r2, 0.0))
    e = np.exp(-SQRT5 * r)
    kf = signal * (1.0 + SQRT5 * r + 5.0 / 3.0 * r2) * e
    n = len(y)
    k = kf + (noise + JITTER) * np.eye(n)
    try:
        lower = cholesky(k, lower=True)
    except np.linalg.LinAlgError:
        return 1e10, np.zeros_like(theta)
    alpha = cho_solve((lower, True), y)
    log_det = 2.0 * float(np.log(np.diag(lower)).sum())
    nll = 0.5 * (float(y @ alpha) + log_det + n * math.log(2 * math.pi))
    w = np.outer(alpha, alpha) - cho_solve((lower, True), np.eye(n))
    grad = np.empty_like(theta)
    common = signal * 5.0 / 3.0 * (1.0 + SQRT5 * r) * e
    for j in range(g):
        grad[j] = 0.5 * float(np.sum(w * (common * dists[j] * inv_l2[j])))
    grad[g] = 0.5 * float(np.sum(w * kf))
    grad[g + 1] = 0.5 * noise * float(np.trace(w))
    return nll, -grad


@dataclass(frozen=True)
class GaussianProcess:
    """A fitted GP; predictions are in the units of the targets it was fitted on."""

    encoder: Encoder
    x: np.ndarray  # encoded training inputs
    theta: np.ndarray  # log length-scales, log signal variance, log noise variance
    lower: np.ndarray  # Cholesky factor of the training covariance
    alpha: np.ndarray
    y_mean: float
    y_std: float

    @property
    def noise_std(self) -> float:
        return math.sqrt(math.exp(self.theta[-1])) * self.y_std

    def predict(self, x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Posterior mean and standard deviation of the latent function at encoded ``x``."""
        from scipy.linalg import solve_triangular

        g = self.encoder.n_groups
        inv_l2 = np.exp(-2.0 * self.theta[:g])
        signal = math.exp(self.theta[g])
        r2 = np.tensordot(inv_l2, group_sq_dists(self.encoder, x, self.x), axes=1)
        ks = signal * _matern(np.sqrt(np.maximum(r2, 0.0)))
        mean = ks @ self.alpha
        v = solve_triangular(self.lower, ks.T, lower=True)
        var = np.maximum(signal - np.sum(v * v, axis=0), 1e-12)
        return mean * self.y_std + self.y_mean, np.sqrt(var) * self.y_std


def fit_gp(
    encoder: Encoder,
    x: np.ndarray,
    y: np.ndarray,
    rng: np.random.Generator,
    *,
    starts: int = 3,
    warm: np.ndarray | None = None,
    prior: Prior | None = Prior(),
) -> GaussianProcess:
    """Fit hyper-parameters by maximising the log marginal likelihood from several starts.

    With ``prior`` (the default) the weak log-normal priors are added (a MAP fit): with a few
    dozen noisy observations the plain likelihood often prefers tiny length-scales and no noise,
    a surrogate that interpolates the noise and knows nothing between the observations.
    """
    from scipy.linalg import cho_solve, cholesky
    from scipy.optimize import minimize  # type: ignore[import-untyped]

    y = np.asarray(y, dtype=float)
    y_mean = float(y.mean())
    y_std = float(y.std()) or 1.0
    ys = (y - y_mean) / y_std
    g = encoder.n_groups
    dists = group_sq_dists(encoder, x, x)
    bounds = [LOG_LENGTH] * g + [LOG_SIGNAL, LOG_NOISE]
    inits: list[np.ndarray] = []
    if warm is not None and len(warm) == g + 2:
        inits.append(np.asarray(warm, dtype=float))
    inits.append(np.array([math.log(0.5)] * g + [0.0, math.log(0.1)]))
    while len(inits) < max(starts, 1):
        inits.append(
            np.concatenate(
                [
                    rng.uniform(math.log(0.1), math.log(3.0), g),
                    [rng.uniform(-1.0, 1.0), rng.uniform(math.log(0.01), math.log(0.5))],
                ]
            )
        )
    best: tuple[float, np.ndarray] | None = None
    for init in inits[: max(starts, 1)]:
        res = minimize(
            _neg_log_posterior,
            init,
            args=(dists, ys, prior),
            jac=True,
            method="L-BFGS-B",
            bounds=bounds,
        )
        if best is None or res.fun < best[0]:
            best = (float(res.fun), np.asarray(res.x, dtype=float))
    assert best is not None
    theta = best[1]
    inv_l2 = np.exp(-2.0 * theta[:g])
    r = np.sqrt(np.maximum(np.tensordot(inv_l2, dists, axes=1), 0.0))
    k = math.exp(theta[g]) * _matern(r) + (math.exp(theta[g + 1]) + JITTER) * np.eye(len(ys))
    lower = cholesky(k, lower=True)
    alpha = cho_solve((lower, True), ys)
    return GaussianProcess(encoder, x, theta, lower, alpha, y_mean, y_std)


def expected_improvement(mean: np.ndarray, std: np.ndarray, best: float) -> np.ndarray:
    """Expected improvement below ``best`` (minimisation)."""
    from scipy.special import ndtr  # type: ignore[import-untyped]

    std = np.maximum(std, 1e-12)
    z = (best - mean) / std
    pdf = np.exp(-0.5 * z * z) / math.sqrt(2 * math.pi)
    return np.asarray((best - mean) * ndtr(z) + std * pdf)
