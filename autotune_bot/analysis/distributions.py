"""Distribution functions for the analyzer, written on math only (no scipy).

The standard normal (cdf, survival function, quantile), Student's t (cdf and quantile, via
the regularized incomplete beta function) and the binomial (cdf and survival function, summed
exactly in log space). Invalid arguments (probabilities outside (0, 1), df ≤ 0, negative
counts, …) raise ``ValueError``: they are programming errors, not user input.
"""

from __future__ import annotations

import math
from statistics import NormalDist

import numpy as np
import numpy.typing as npt

__all__ = [
    "as_floats",
    "binomial_cdf",
    "binomial_sf",
    "check_open_probability",
    "normal_cdf",
    "normal_quantile",
    "normal_sf",
    "t_cdf",
    "t_quantile",
]

_STANDARD_NORMAL = NormalDist()
_EPS = 1e-15
_MAX_CF_TERMS = 100_000
_LARGE_DF = 1e5  # from here on the t tail uses a normalising transform, not the beta fraction


# --- normal distribution -------------------------------------------------------------------


def normal_cdf(x: float) -> float:
    """P[Z ≤ x] for a standard normal Z (accurate in the far lower tail)."""
    return 0.5 * math.erfc(-x / math.sqrt(2.0))


def normal_sf(x: float) -> float:
    """P[Z > x] for a standard normal Z (accurate in the far upper tail)."""
    return 0.5 * math.erfc(x / math.sqrt(2.0))


def normal_quantile(p: float) -> float:
    """Φ⁻¹(p) for 0 < p < 1, by Wichura's AS241 (the standard library's implementation)."""
    check_open_probability(p, "p")
    return _STANDARD_NORMAL.inv_cdf(p)


# --- regularized incomplete beta and Student t ---------------------------------------------


def _log_beta(a: float, b: float) -> float:
    small, large = min(a, b), max(a, b)
    if large < 100.0:
        return math.lgamma(a) + math.lgamma(b) - math.lgamma(a + b)
    # Stirling series for lgamma(large) − lgamma(large + small), free of cancellation.
    total = small + large
    return (
        math.lgamma(small)
        - small * math.log(large)
        - (total - 0.5) * math.log1p(small / large)
        + small
        + (1.0 / large - 1.0 / total) / 12.0
        - (1.0 / large**3 - 1.0 / total**3) / 360.0
    )


def _beta_continued_fraction(a: float, b: float, x: float) -> float:
    """Modified Lentz evaluation of the continued fraction of I_x(a, b)."""
    tiny = 1e-300
    c = 1.0
    d = 1.0 - (a + b) * x / (a + 1.0)
    d = 1.0 / (d if abs(d) > tiny else tiny)
    h = d
    for m in range(1, _MAX_CF_TERMS):
        for coefficient in (
            m * (b - m) * x / ((a + 2 * m - 1.0) * (a + 2 * m)),
            -(a + m) * (a + b + m) * x / ((a + 2 * m) * (a + 2 * m + 1.0)),
        ):
            d = 1.0 + coefficient * d
            d = 1.0 / (d if abs(d) > tiny else tiny)
            c = 1.0 + coefficient / c
            c = c if abs(c) > tiny else tiny
            h *= d * c
        if abs(d * c - 1.0) < _EPS:
            return h
    raise ArithmeticError(f"incomplete beta did not converge for a={a}, b={b}, x={x}")


def _betainc(a: float, b: float, x: float, y: float) -> float:
    """Regularized incomplete beta I_x(a, b); ``y`` is 1 − x, passed to keep its precision."""
    if x <= 0.0:
        return 0.0
    if y <= 0.0:
        return 1.0
    if x > (a + 1.0) / (a + b + 2.0):  # the fraction converges fast on the other side
        return 1.0 - _betainc_fraction(b, a, y, x)
    return _betainc_fraction(a, b, x, y)


def _betainc_fraction(a: float, b: float, x: float, y: float) -> float:
    log_x = math.log1p(-y) if y < 0.5 else math.log(x)
    log_y = math.log1p(-x) if x < 0.5 else math.log(y)
    front = math.exp(a * log_x + b * log_y - _log_beta(a, b))
    return front * _beta_continued_fraction(a, b, x) / a


def _log1p_square_over(t: float, df: float) -> float:
    """log(1 + t²/df) without overflowing t²."""
    return math.log1p(t * t / df) if t < 1e100 else 2.0 * math.log(t) - math.log(df)


def _t_upper_tail(t: float, df: float) -> float:
    """P[T > t] for t ≥ 0."""
    if df >= _LARGE_DF:  # Hill's (1970, algorithm 395) normalising transform, error ≲ 1e-13
        b = 48.0 * (df - 0.5) ** 2
        y = (df - 0.5) * _log1p_square_over(t, df)
        z = (((((-0.4 * y - 3.3) * y - 24.0) * y - 85.5) / (0.8 * y * y + 100.0 + b) + y + 3.0) / b
             + 1.0) * math.sqrt(y)  # fmt: skip
        return normal_sf(z)
    if t >= 1e100:  # leading term of I_x(df/2, 1/2) with x = df / t², exact to double precision
        log_x = math.log(df) - 2.0 * math.log(t)
        return math.exp(df / 2.0 * log_x - _log_beta(df / 2.0, 0.5)) / df
    denominator = df + t * t
    return 0.5 * _betainc(df / 2.0, 0.5, df / denominator, t * t / denominator)


def _t_log_pdf(t: float, df: float) -> float:
    log_norm = -_log_beta(df / 2.0, 0.5) - 0.5 * math.log(df)
    return log_norm - (df + 1.0) / 2.0 * _log1p_square_over(t, df)


def t_cdf(x: float, df: float) -> float:
    """P[T ≤ x] for Student's t with ``df`` > 0 degrees of freedom (df = inf is normal)."""
    _check_df(df)
    if math.isinf(df):
        return normal_cdf(x)
    if math.isnan(x):
        return math.nan
    if math.isinf(x):
        return 1.0 if x > 0 else 0.0
    tail = _t_upper_tail(abs(x), df)
    return 1.0 - tail if x > 0 else tail


def t_quantile(p: float, df: float) -> float:
    """Student-t quantile for 0 < p < 1 and df > 0; relative error ≲ 1e-12 for df ≥ 1.

    Closed forms for df = 1 and 2. Otherwise Hill's algorithm 396 (CACM, 1970) gives a start
    (a power-law tail approximation far out) that Newton steps on log P[T > t] against log t
    refine; the tail comes from the incomplete beta function, or for df ≥ 10⁵ from Hill's
    normalising transform. Returns ±inf when the quantile exceeds the float range.
    """
    check_open_probability(p, "p")
    _check_df(df)
    if p == 0.5:
        return 0.0
    if math.isinf(df):
        return normal_quantile(p)
    tail = min(p, 1.0 - p)  # exact for p ≥ 0.5 (Sterbenz)
    sign = -1.0 if p < 0.5 else 1.0
    if df == 1.0:
        return sign / math.tan(math.pi * tail)
    if df == 2.0:
        return sign * (1.0 - 2.0 * tail) / math.sqrt(2.0 * tail * (1.0 - tail))
    return sign * _refine_t(_hill_start(2.0 * tail, df), tail, df)


def _hill_start(two_sided: float, df: float) -> float:
    """Approximate upper quantile for a two-sided tail probability."""
    a = 1.0 / (df - 0.5) if df > 0.5 else 2.0
    b = 48.0 / (a * a)
    c = ((20700.0 * a / b - 98.0) * a - 16.0) * a + 96.36
    d = ((94.5 / (b + c) - 3.0) / b + 1.0) * math.sqrt(a * math.pi / 2.0) * df
    log_y = 2.0 / df * math.log(d * two_sided)
    if log_y < -600.0 or df < 1.0:  # power-law tail: P[T > t] ≈ df^(df/2−1) t^(−df) / B
        log_df = math.log(df)
        log_t = (df / 2.0 - 1.0) * log_df - _log_beta(df / 2.0, 0.5) - math.log(two_sided / 2)
        return math.exp(min(log_t / df, 709.0))
    y = math.exp(log_y)
    if y > 0.05 + a or (df < 2.1 and two_sided > 0.5):
        x = normal_quantile(0.5 * two_sided)
        y = x * x
        if df < 5.0:
            c += 0.3 * (df - 4.5) * (x + 0.6)
        c = (((0.05 * d * x - 5.0) * x - 7.0) * x - 2.0) * x + b + c
        y = (((((0.4 * y + 6.3) * y + 36.0) * y + 94.5) / c - y - 3.0) / b + 1.0) * x
        y = math.expm1(a * y * y)
    else:
        y = ((1.0 / (((df + 6.0) / (df * y) - 0.089 * d - 0.822) * (df + 2.0) * 3.0)
              + 0.5 / (df + 4.0)) * y - 1.0) * (df + 1.0) / (df + 2.0) + 1.0 / y  # fmt: skip
    return math.sqrt(df * y)


def _refine_t(t: float, tail: float, df: float) -> float:
    """Newton on g(u) = log P[T > eᵘ] − log tail, u = log t (g is concave and decreasing)."""
    log_tail = math.log(tail)
    for _ in range(60):
        if math.isinf(t):
            return t
        current = _t_upper_tail(t, df)
        if current <= 0.0:  # far beyond the root
            step = -10.0
        else:
            slope = t * math.exp(_t_log_pdf(t, df) - math.log(current))
            step = max(-10.0, min(10.0, (math.log(current) - log_tail) / slope))
        t *= math.exp(step)
        if abs(step) < 1e-13:
            break
    return t


# --- binomial distribution -----------------------------------------------------------------


def _binomial_outward_sum(start: int, n: int, p: float, upward: bool) -> float:
    """Σ pmf(j) from ``start`` away from the mode (pmf ratios stay < 1), in log space."""
    log_pmf = (
        math.lgamma(n + 1.0)
        - math.lgamma(start + 1.0)
        - math.lgamma(n - start + 1.0)
        + start * math.log(p)
        + (n - start) * math.log1p(-p)
    )
    odds = p / (1.0 - p)
    total, term, j = 1.0, 1.0, start
    while (j < n if upward else j > 0) and term > total * 1e-17:
        term *= (n - j) * odds / (j + 1) if upward else j / ((n - j + 1) * odds)
        total += term
        j += 1 if upward else -1
    return math.exp(log_pmf + math.log(total))


def binomial_cdf(k: int, n: int, p: float) -> float:
    """P[X ≤ k] for X ~ Binomial(n, p), exact up to rounding (≈1e-9 relative at n = 10⁶)."""
    _check_binomial(n, p)
    if k < 0:
        return 0.0
    if k >= n or p == 0.0:
        return 1.0
    if p == 1.0:
        return 0.0
    if k < n * p:
        return _binomial_outward_sum(k, n, p, upward=False)
    return 1.0 - _binomial_outward_sum(k + 1, n, p, upward=True)


def binomial_sf(k: int, n: int, p: float) -> float:
    """P[X ≥ k] for X ~ Binomial(n, p) (note: ≥, not >)."""
    _check_binomial(n, p)
    if k <= 0:
        return 1.0
    if k > n or p == 0.0:
        return 0.0
    if p == 1.0:
        return 1.0
    if k > n * p:
        return _binomial_outward_sum(k, n, p, upward=True)
    return 1.0 - _binomial_outward_sum(k - 1, n, p, upward=False)


# --- argument checks -----------------------------------------------------------------------


def check_open_probability(p: float, name: str) -> None:
    """Raise ``ValueError`` unless 0 < p < 1; ``name`` is how the argument is called."""
    if not 0.0 < p < 1.0:
        raise ValueError(f"{name} must be in (0, 1), got {p}")


def _check_df(df: float) -> None:
    if not df > 0.0:
        raise ValueError(f"degrees of freedom must be > 0, got {df}")


def _check_binomial(n: int, p: float) -> None:
    if n < 0 or not 0.0 <= p <= 1.0:
        raise ValueError(f"need n ≥ 0 and 0 ≤ p ≤ 1, got n={n}, p={p}")


def as_floats(values: npt.ArrayLike) -> npt.NDArray[np.float64]:
    """A flat float array of ``values``; raises ValueError when any is NaN."""
    data = np.asarray(values, dtype=np.float64).ravel()
    if bool(np.any(np.isnan(data))):
        raise ValueError("values contain NaN")
    return data
