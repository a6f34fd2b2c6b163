"""How many runs per arm a test would need (normal approximation on the log scale).

For a one-sided test at level α with power 1 − β, a true log ratio r (variant / control) at
distance e = |r − log t| from the threshold t the test compares with, and the variance s² of
one unit's log value (unpaired: the mean of the two arms' sample variances of log values;
paired: the variance of the per-unit log ratios, a unit being a distinct input whose pairs
are averaged, or a pair):

    n = (z_α + z_β)² · s² / e²        units, times 2 when unpaired

rounded up, at least 2. The rank tests' asymptotic efficiency relative to the t test is 3/π for
normal data, so for them n is multiplied by π/3 (Noether's approximation), and n is at least
the fewest units with which their exact test can reach p < α at all (α 0.05: 5 paired units,
4 runs per arm unpaired). Paired with inputs
repeated m times on average, the runs per arm are n · m: the same design with more distinct
inputs (more repeats of the same inputs do not shrink the between-input spread).

The observed effect tells which decision more runs would lead to: a ratio below the margin
points to ``passed`` (threshold: the margin), above 1 to ``failed`` (threshold: 1); in between
neither becomes likely. The success rate uses the normal approximation of a difference of two
proportions. Every figure is None when it cannot be computed (non-finite, e.g. from extreme
values); nothing here raises on finite input.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal

import numpy as np
from scipy import stats  # type: ignore[import-untyped]

from autotune_bot.validation.statistics import FloatArray, Method

__all__ = [
    "DEFAULT_POWER",
    "RunsNeeded",
    "log_variance",
    "required_runs_per_arm",
    "runs_to_show",
    "safe_exp",
    "success_runs_to_show",
    "units_to_show",
]

DEFAULT_POWER = 0.8


@dataclass(frozen=True)
class RunsNeeded:
    """Runs per arm for ``power`` at the observed effect, the decision they would lead to, and
    a sentence saying so (or why there is no such figure)."""

    runs: int | None
    decision: Literal["passed", "failed"] | None
    sentence: str


def safe_exp(x: float) -> float:
    """exp that saturates at infinity instead of raising (ratios of extreme values)."""
    return math.exp(x) if x < 709.0 else math.inf


def log_variance(log_control: FloatArray, log_variant: FloatArray, *, paired: bool) -> float | None:
    """Variance of one unit on the log scale (see the module text); None when not finite."""
    with np.errstate(over="ignore", invalid="ignore"):
        if paired:
            variance = float(np.var(log_variant - log_control, ddof=1))
        else:
            variance = (float(np.var(log_control, ddof=1)) + float(np.var(log_variant, ddof=1))) / 2
    return variance if math.isfinite(variance) else None


def units_to_show(
    variance: float, effect: float, *, alpha: float, power: float, paired: bool, method: Method
) -> int | None:
    """Units (runs per arm unpaired, paired units paired) to detect a log-scale ``effect`` > 0."""
    _check_levels(alpha, power)
    if not (math.isfinite(variance) and math.isfinite(effect)) or effect <= 0 or variance < 0:
        return None
    z = float(stats.norm.ppf(1 - alpha)) + float(stats.norm.ppf(power))
    with np.errstate(all="ignore"):  # numpy scalars: overflow gives inf, never an exception
        n = float(np.float64(z) ** 2 * variance / np.float64(effect) ** 2 * (1 if paired else 2))
    if method == "rank":
        n *= math.pi / 3
    if not math.isfinite(n):
        return None
    return max(_rank_floor(alpha, paired=paired) if method == "rank" else 2, math.ceil(n - 1e-9))


def _rank_floor(alpha: float, *, paired: bool) -> int:
    """The fewest units with which the exact rank test can give p < α at all: the signed-rank
    test's smallest p-value is 2^−n, Mann-Whitney's (n per arm) 1 / C(2n, n)."""
    n = 2
    while (2.0**-n if paired else 1.0 / math.comb(2 * n, n)) >= alpha and n < 64:
        n += 1
    return n


def runs_to_show(
    log_control: FloatArray,
    log_variant: FloatArray,
    *,
    effect: float,
    alpha: float,
    paired: bool,
    method: Method,
    pairs_per_unit: float = 1.0,
    power: float = DEFAULT_POWER,
) -> int | None:
    """Runs per arm to detect a log-scale ``effect`` > 0, the spread taken from the data."""
    variance = log_variance(log_control, log_variant, paired=paired)
    if variance is None:
        return None
    units = units_to_show(variance, effect, alpha=alpha, power=power, paired=paired, method=method)
    if units is None:
        return None
    return max(2, math.ceil(units * pairs_per_unit - 1e-9)) if paired else units


def required_runs_per_arm(
    log_control: FloatArray,
    log_variant: FloatArray,
    *,
    log_ratio: float,
    margin_ratio: float,
    alpha: float,
    paired: bool,
    method: Method,
    pairs_per_unit: float = 1.0,
    power: float = DEFAULT_POWER,
) -> RunsNeeded:
    """Runs per arm for ``power`` to reach the decision the observed ``log_ratio`` points to:
    ``passed`` below the margin, ``failed`` above 1, none in between."""
    _check_levels(alpha, power)
    observed = safe_exp(log_ratio) if math.isfinite(log_ratio) else math.nan
    log_margin = math.log(margin_ratio) if margin_ratio > 0 else -math.inf
    decision: Literal["passed", "failed"]
    if log_ratio < log_margin:
        decision, effect, goal = "passed", log_margin - log_ratio, f"below {margin_ratio:.3f}"
    elif log_ratio > 0:
        decision, effect, goal = "failed", log_ratio, "above 1"
    else:
        return RunsNeeded(None, None, _between(observed, margin_ratio))
    runs = runs_to_show(
        log_control,
        log_variant,
        effect=effect,
        alpha=alpha,
        paired=paired,
        method=method,
        pairs_per_unit=pairs_per_unit,
        power=power,
    )
    if runs is None:
        return RunsNeeded(
            None, None, f"runs needed not computable: the spread of the {len(log_control)} "
            "values is not finite (extreme values)"
        )  # fmt: skip
    design = ""
    if paired and pairs_per_unit > 1:
        units = math.ceil(runs / pairs_per_unit - 1e-9)
        design = f" ({units} distinct inputs with about {pairs_per_unit:.3g} pairs each)"
    return RunsNeeded(
        runs,
        decision,
        f"about {runs} runs per arm{design} would give {power:.0%} power to show the ratio "
        f"{goal} (verdict {decision}) if the true ratio were the observed {observed:.3f} "
        "(normal approximation)",
    )


def success_runs_to_show(
    rate_control: float,
    rate_variant: float,
    *,
    margin: float,
    alpha: float,
    power: float = DEFAULT_POWER,
) -> int | None:
    """Runs per arm to show the variant's success rate more than ``margin`` below the
    control's, if the true rates were the observed ones (normal approximation); None when the
    observed drop is not beyond the margin."""
    _check_levels(alpha, power)
    effect = rate_control - rate_variant - margin
    if not effect > 0:
        return None
    variance = rate_control * (1 - rate_control) + rate_variant * (1 - rate_variant)
    z = float(stats.norm.ppf(1 - alpha)) + float(stats.norm.ppf(power))
    return max(2, math.ceil(z**2 * variance / effect**2 - 1e-9))


def _between(observed: float, margin_ratio: float) -> str:
    return (
        f"no number of runs would make a verdict likely: the observed ratio {observed:.3f} lies "
        f"between the margin {margin_ratio:.3f} and 1 (neither passed nor failed)"
    )


def _check_levels(alpha: float, power: float) -> None:
    if not 0 < alpha < 1 or not 0 < power < 1:
        raise ValueError("alpha and power must be in (0, 1)")
