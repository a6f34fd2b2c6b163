"""Before any run: can an A/B test of this size see the improvement it is looking for?

The sample size is fixed in advance (no peeking), so it should come from a power
calculation. :func:`check_design` does that calculation for a planned test, with the normal
approximation on the log scale the tests use: for ``n`` independent units per arm, a planning
spread σ of log durations (or costs), a one-sided level α and power 1 − β (z = z_α + z_β),

* standard error of the log ratio: se = σ·√(2/n) unpaired, σ/√n paired;
* the smallest true ratio that passes the margin test (H0 ratio ≥ m, m = 1 − min_improvement)
  with that power: r* = m · exp(−z · se), i.e. a detectable improvement of 1 − r*;
* units needed for a target improvement g (ratio 1 − g < m):
  n = z² · σ² · (2 unpaired, 1 paired) / (log m − log(1 − g))².

``rank`` multiplies σ² by π/3 (the rank tests' asymptotic relative efficiency for normal
data). What σ means: unpaired, the spread of one run's log value in one arm; paired, the
spread of one unit's log ratio variant/control, where a unit is a distinct input. With
``distinct_inputs`` k below the runs per arm, inputs repeat and the paired tests see k units
(one mean log ratio per input): σ is then the spread of an input's mean log ratio at that
many repeats, and more runs on the same inputs do not help; the runs needed are given for
the same design with more inputs (``inputs_for_target`` of them). Rank tests also have a
floor: the smallest p-value the exact signed-rank test can give with k units is 2^−k, and the
exact Mann-Whitney test with n runs per arm 1 / C(2n, n); when that floor is not below α no
amount of evidence can pass (``smallest_p``).

Pure: callers print :attr:`DesignCheck.warning` before the runs.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

from scipy import stats  # type: ignore[import-untyped]

from autotune_bot.validation.power import DEFAULT_POWER, units_to_show
from autotune_bot.validation.statistics import Method

__all__ = ["DesignCheck", "check_design"]


@dataclass(frozen=True)
class DesignCheck:
    """What a planned A/B test can detect (normal approximation; see the module text)."""

    runs_per_arm: int
    units: int  # independent units per arm the test will see (runs, or distinct inputs)
    power: float
    detectable_improvement: float | None  # None: no improvement short of 100 % is detectable
    target_improvement: float  # min_improvement + extra_improvement
    runs_for_target: int | None  # runs per arm for `power` at the target; None: not computable
    inputs_for_target: int | None  # paired: distinct inputs needed for the target
    smallest_p: float | None  # rank tests: the exact test's smallest possible p-value
    warning: str | None  # a sentence for the user when the design falls short, else None


def check_design(
    runs_per_arm: int,
    *,
    alpha: float,
    min_improvement: float,
    sigma: float,
    paired: bool,
    extra_improvement: float = 0.05,
    distinct_inputs: int | None = None,
    method: Method = "t",
    power: float = DEFAULT_POWER,
) -> DesignCheck:
    """Detectable improvement of a test with ``runs_per_arm`` and the runs per arm needed to
    detect ``min_improvement + extra_improvement`` with ``power`` (default 80 %)."""
    _check(runs_per_arm, alpha, min_improvement, sigma, extra_improvement, distinct_inputs)
    if not 0 < power < 1:
        raise ValueError(f"power must be in (0, 1), got {power}")
    if paired and distinct_inputs is not None and distinct_inputs < 2:
        paired = False  # one input cannot be paired: the decision analyses such runs unpaired
    units = runs_per_arm
    if paired and distinct_inputs is not None:
        units = min(runs_per_arm, distinct_inputs)
    efficiency = math.pi / 3 if method == "rank" else 1.0
    z = float(stats.norm.ppf(1 - alpha)) + float(stats.norm.ppf(power))
    se = sigma * math.sqrt(efficiency * (1 if paired else 2) / units)
    margin = 1.0 - min_improvement
    detectable = None
    if margin > 0:
        ratio = margin * math.exp(-z * se)  # z·se ≥ 0: no overflow
        detectable = 1.0 - ratio if ratio > 0 else None
    target = min_improvement + extra_improvement
    runs_needed = inputs_needed = None
    if margin > 0 and target < 1:
        effect = math.log(margin) - math.log1p(-target)
        with_sigma = _squared(sigma)
        needed = None
        if with_sigma is not None:
            needed = units_to_show(
                with_sigma, effect, alpha=alpha, power=power, paired=paired, method=method
            )
        if needed is not None:
            per_unit = runs_per_arm / units
            runs_needed = max(2, math.ceil(needed * per_unit - 1e-9)) if paired else needed
            inputs_needed = needed if paired else None
    smallest = _smallest_p(units, paired=paired) if method == "rank" else None
    check = DesignCheck(
        runs_per_arm=runs_per_arm,
        units=units,
        power=power,
        detectable_improvement=detectable,
        target_improvement=target,
        runs_for_target=runs_needed,
        inputs_for_target=inputs_needed,
        smallest_p=smallest,
        warning=None,
    )
    return _with_warning(check, alpha=alpha, sigma=sigma, paired=paired)


def _with_warning(check: DesignCheck, *, alpha: float, sigma: float, paired: bool) -> DesignCheck:
    inputs = ""
    if paired and check.units < check.runs_per_arm:
        inputs = f", {check.units} distinct inputs"
    design = (
        f"{check.runs_per_arm} runs per arm ({'paired' if paired else 'unpaired'}{inputs}, "
        f"planning spread σ {sigma:.3g} of log values)"
    )
    parts = []
    if check.smallest_p is not None and check.smallest_p >= alpha:
        parts.append(
            f"with {design} the exact rank test cannot reach p < {alpha:g} (its smallest "
            f"p-value is {check.smallest_p:.3g}): it can never pass"
        )
    short = check.runs_for_target is None or check.runs_for_target > check.runs_per_arm
    if short:
        seen = (
            f"only a true improvement of at least {check.detectable_improvement:.1%} passes"
            if check.detectable_improvement is not None
            else "no true improvement short of 100 % passes"
        )
        need = "cannot be computed"
        if check.runs_for_target is not None:
            need = f"needs about {check.runs_for_target} runs per arm"
            if check.inputs_for_target is not None and check.units < check.runs_per_arm:
                need += f" ({check.inputs_for_target} distinct inputs)"
        parts.append(
            f"with {design} {seen} with {check.power:.0%} power; a "
            f"{check.target_improvement:.0%} improvement {need} (normal approximation)"
        )
    if not parts:
        return check
    return replace(check, warning="; ".join(parts))


def _smallest_p(units: int, *, paired: bool) -> float:
    if paired:
        return 2.0**-units if units < 1075 else 0.0
    return 1.0 / math.comb(2 * units, units) if units < 500 else 0.0


def _squared(sigma: float) -> float | None:
    squared = sigma * sigma  # a float product saturates at inf instead of raising
    return squared if math.isfinite(squared) else None


def _check(
    runs_per_arm: int,
    alpha: float,
    min_improvement: float,
    sigma: float,
    extra_improvement: float,
    distinct_inputs: int | None,
) -> None:
    if runs_per_arm < 2:
        raise ValueError(f"runs_per_arm must be at least 2, got {runs_per_arm}")
    if not 0 < alpha < 1:
        raise ValueError(f"alpha must be in (0, 1), got {alpha}")
    if not 0 <= min_improvement <= 1:
        raise ValueError(f"min_improvement must be in [0, 1], got {min_improvement}")
    if not (math.isfinite(sigma) and sigma >= 0):
        raise ValueError(f"sigma must be a finite number ≥ 0, got {sigma}")
    if not (math.isfinite(extra_improvement) and extra_improvement > 0):
        raise ValueError(f"extra_improvement must be a finite number > 0, got {extra_improvement}")
    if distinct_inputs is not None and distinct_inputs < 1:
        raise ValueError(f"distinct_inputs must be at least 1, got {distinct_inputs}")
