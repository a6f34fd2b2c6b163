"""How many runs per arm the margin test would have needed (normal approximation, log scale).

For a one-sided test at level α with power 1 − β, an observed log ratio r (variant / control)
below the margin's log m, and the variance s² of one log value (unpaired: the mean of the two
arms' sample variances) or of one per-pair log ratio (paired):

    n = (z_α + z_β)² · s² / (r − m)²        per arm, times 2 when unpaired

rounded up, at least 2. The rank tests' asymptotic efficiency relative to the t test is 3/π for
normal data, so for them n is multiplied by π/3 (Noether's approximation). When the observed
effect is not beyond the margin (r ≥ m) no sample size would make a pass likely: the answer is
None with the reason.
"""

from __future__ import annotations

import math

import numpy as np
from scipy import stats  # type: ignore[import-untyped]

from autotune_bot.validation.statistics import FloatArray, Method

__all__ = ["DEFAULT_POWER", "required_runs_per_arm"]

DEFAULT_POWER = 0.8


def required_runs_per_arm(
    log_control: FloatArray,
    log_variant: FloatArray,
    *,
    log_ratio: float,
    margin_ratio: float,
    alpha: float,
    paired: bool,
    method: Method,
    power: float = DEFAULT_POWER,
) -> tuple[int | None, str]:
    """Runs per arm for ``power`` at the observed ``log_ratio``, and a sentence saying so."""
    if not 0 < alpha < 1 or not 0 < power < 1:
        raise ValueError("alpha and power must be in (0, 1)")
    if margin_ratio <= 0:
        return None, "no sample size can show a ratio below 0"
    effect = math.log(margin_ratio) - log_ratio
    observed = math.exp(log_ratio)
    if effect <= 0:
        return None, (
            f"no sample size would be enough: the observed ratio {observed:.3f} is not below "
            f"the margin {margin_ratio:.3f}"
        )
    if paired:
        variance = float(np.var(log_variant - log_control, ddof=1))
    else:
        variance = (float(np.var(log_control, ddof=1)) + float(np.var(log_variant, ddof=1))) / 2
    z = float(stats.norm.ppf(1 - alpha)) + float(stats.norm.ppf(power))
    n = z**2 * variance / effect**2 * (1 if paired else 2)
    if method == "rank":
        n *= math.pi / 3
    runs = max(2, math.ceil(n - 1e-9))
    return runs, (
        f"about {runs} runs per arm would give {power:.0%} power to pass at the observed ratio "
        f"{observed:.3f} (normal approximation)"
    )
