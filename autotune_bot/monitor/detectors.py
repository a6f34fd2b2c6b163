"""The post-merge detectors: one per kind of regression, behind one small contract.

Each detector turns the post-merge runs into CUSUM increments against the baseline (the runs
before the merge) and can simulate those increments when nothing changed, which is what its
threshold is calibrated on (:mod:`autotune_bot.monitor.calibrate`). The registry
:data:`DETECTORS` is the list :func:`autotune_bot.monitor.decide.decide` runs, in this order:

* ``duration`` — "performance below baseline" (seed 002), duration regressions (seed 003
  §5.5): z = (log duration − baseline mean of logs) / baseline SD of logs, clipped to ±4 so
  one extreme run cannot alarm alone, increments z − 0.25 (tuned to a shift of about half a
  baseline SD, which is what a 1.25× slowdown is at σ 0.5).
* ``tail`` — "P95 up by more than 50 %" (seed 002), slow anomalies (seed 003 §5.5): whether a
  run is slower than the baseline's empirical 95th percentile, as a Bernoulli CUSUM of rate
  0.05 (no change) against 0.20. Under no change the share of such runs depends only on ranks,
  so this null holds for any continuous duration distribution.
* ``failures`` — "success rate down by more than 10 %" (seed 002), error spikes (seed 003
  §5.5): a Bernoulli CUSUM of failures with q0 = (f + 1) / (n + 2) from the baseline's f
  failures in n runs (shrunk away from 0 and 1) against q1 = min(2·q0, 0.5 + q0/2).
* ``cost`` — cost regressions (seed 003 §5.5): as ``duration`` on log cost.

Runs without a usable duration (missing, zero or not finite) are skipped by ``duration`` and
``tail``; every run, with or without a duration, counts for ``failures``; ``cost`` uses the
runs that record a cost. Quality is not recorded per run, so quality regressions have no
detector. Null simulations assume i.i.d. runs, and log-normal durations and costs (the
baseline mean and SD are drawn from their exact sampling distributions for the baseline size,
so the noise of estimating them is part of the null, and the z-scores do not depend on the
true mean and SD: the null is exact for log-normal data).

``failures`` has no such pivot: how often its CUSUM crosses depends on the true failure rate,
which a baseline of a few dozen runs pins down poorly (5 failures in 50 runs fit rates from
0.03 to 0.2). Its null keeps the observed q0 and q1 and draws each path's true rate from the
rate's posterior given the baseline, Beta(f + 1, n − f + 1) (uniform prior; q0 is its mean),
so the threshold bounds the predictive probability of a false alarm given the baseline seen.
Re-estimating q0 on simulated baselines instead (a parametric bootstrap at the estimated
rate) bounds the alarm rate averaged over baselines at the estimated rate, not given the
baseline seen, and measured about 3 times its share of the budget at rate 0.1 and 50 runs
(see ``docs/monitoring-statistics.md``).
"""

from __future__ import annotations

import math
from abc import ABC, abstractmethod
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from autotune_bot.monitor.cusum import FloatArray, bernoulli_increments, zscore_increments
from autotune_bot.monitor.types import RunSeries

__all__ = [
    "CLIP",
    "DETECTORS",
    "REFERENCE_K",
    "TAIL_P0",
    "TAIL_P1",
    "TAIL_QUANTILE",
    "Detector",
    "NullKey",
    "Scores",
    "failure_rates",
]

REFERENCE_K = 0.25  # CUSUM reference value of the z-score detectors (baseline SDs per run)
CLIP = 4.0  # z-scores are clipped to ±CLIP
TAIL_QUANTILE = 0.95
TAIL_P0, TAIL_P1 = 0.05, 0.20

NullKey = tuple[int, ...]  # what a detector's null distribution depends on (hashable)
IntArray = npt.NDArray[np.int64]


@dataclass(frozen=True)
class Scores:
    """CUSUM increments of the post-merge runs a detector can use, and those runs' numbers."""

    values: FloatArray
    runs: IntArray  # 1-based positions in the post-merge series, increasing


class Detector(ABC):
    """What every detector provides; see the module docstring for the four of them."""

    name: str  # the registry key
    rule: str  # the regression it watches for, in plain words
    # its share of the false-alarm budget, relative to the others that take part: the
    # design's primary triggers (runs slower, success rate down) weigh 3, the tail and cost
    # checks 1 (benchmarks/RESULTS.md compares this split with an equal one)
    weight: float = 1.0

    @abstractmethod
    def why_not(self, baseline: RunSeries, post: RunSeries, min_runs: int) -> str | None:
        """None when the data can feed the detector, else the reason in one line."""

    @abstractmethod
    def scores(self, baseline: RunSeries, post: RunSeries) -> Scores:
        """The increments of the post-merge runs (call only when applicable)."""

    @abstractmethod
    def null_key(self, baseline: RunSeries) -> NullKey:
        """The features of the baseline its null distribution depends on."""

    @abstractmethod
    def simulate_null(
        self, key: NullKey, steps: int, paths: int, rng: np.random.Generator
    ) -> FloatArray:
        """Increments of ``paths`` no-change paths of ``steps`` runs: shape (paths, steps)."""


def _usable(values: tuple[float, ...]) -> tuple[FloatArray, IntArray]:
    """The finite positive values of a series and their 1-based run numbers."""
    x = np.asarray(values, dtype=np.float64)
    keep = np.isfinite(x) & (x > 0)
    return x[keep], np.flatnonzero(keep).astype(np.int64) + 1


class LogZDetector(Detector):
    """CUSUM of clipped z-scores of a log metric (duration or cost)."""

    def __init__(self, name: str, rule: str, *, field: str, weight: float = 1.0) -> None:
        self.name, self.rule, self.weight = name, rule, weight
        self._field = field  # "durations" or "costs"

    def _values(self, series: RunSeries) -> tuple[FloatArray, IntArray]:
        values: tuple[float, ...] = getattr(series, self._field)
        return _usable(values)

    def why_not(self, baseline: RunSeries, post: RunSeries, min_runs: int) -> str | None:
        what = self._field[:-1]
        logs = np.log(self._values(baseline)[0])
        needed = max(min_runs, 2)
        if logs.size < needed:
            return (
                f"{logs.size} of {len(baseline)} runs before the merge record a {what}; "
                f"{needed} needed"
            )
        if float(np.std(logs)) == 0.0:
            return f"every run before the merge has the same {what}: no spread to compare with"
        # Whether a detector takes part depends on the baseline only, so the split of the
        # false-alarm budget stays the same for every run that judges this change; post-merge
        # runs without the value are skipped (a change that stops recording costs is not
        # watched for cost; its result notes how many post-merge runs it used).
        return None

    def scores(self, baseline: RunSeries, post: RunSeries) -> Scores:
        logs = np.log(self._values(baseline)[0])
        values, runs = self._values(post)
        mean, sd = float(np.mean(logs)), float(np.std(logs, ddof=1))
        return Scores(zscore_increments(np.log(values), mean, sd, k=REFERENCE_K, clip=CLIP), runs)

    def null_key(self, baseline: RunSeries) -> NullKey:
        return (int(self._values(baseline)[0].size),)

    def simulate_null(
        self, key: NullKey, steps: int, paths: int, rng: np.random.Generator
    ) -> FloatArray:
        (n,) = key
        mean = rng.standard_normal(paths) / math.sqrt(n)  # baseline mean of n N(0, 1) logs
        sd = np.sqrt(rng.chisquare(n - 1, paths) / (n - 1))  # and their SD (ddof 1)
        logs = rng.standard_normal((paths, steps))
        return zscore_increments(logs, mean[:, None], sd[:, None], k=REFERENCE_K, clip=CLIP)


def _uniform_quantile(n: int, paths: int, rng: np.random.Generator) -> FloatArray:
    """The linear-interpolation TAIL_QUANTILE of n uniforms, drawn from order statistics."""
    position = (n - 1) * TAIL_QUANTILE  # numpy's "linear" method, 0-based
    j = math.floor(position) + 1  # the 1-based order statistic below it
    frac = position - (j - 1)
    if j >= n or frac == 0.0:
        low: FloatArray = rng.beta(j, n - j + 1, paths)
        return low
    high = rng.beta(j + 1, n - j, paths)  # U_(j+1)
    low = high * rng.random(paths) ** (1.0 / j)  # the max of the j uniforms below it
    out: FloatArray = low + frac * (high - low)
    return out


class TailDetector(Detector):
    name = "tail"
    rule = "slow tail (P95 up): more runs slower than the baseline's 95th percentile"

    def why_not(self, baseline: RunSeries, post: RunSeries, min_runs: int) -> str | None:
        n = baseline.timed
        needed = max(min_runs, 2)
        if n < needed:
            return (
                f"{n} of {len(baseline)} runs before the merge record a duration; {needed} needed"
            )
        return None

    def scores(self, baseline: RunSeries, post: RunSeries) -> Scores:
        limit = float(np.quantile(_usable(baseline.durations)[0], TAIL_QUANTILE))
        values, runs = _usable(post.durations)
        return Scores(bernoulli_increments(values > limit, TAIL_P0, TAIL_P1), runs)

    def null_key(self, baseline: RunSeries) -> NullKey:
        return (baseline.timed,)

    def simulate_null(
        self, key: NullKey, steps: int, paths: int, rng: np.random.Generator
    ) -> FloatArray:
        (n,) = key
        limit = _uniform_quantile(n, paths, rng)
        above = rng.random((paths, steps)) > limit[:, None]
        return bernoulli_increments(above, TAIL_P0, TAIL_P1)


def failure_rates(runs: npt.ArrayLike, failures: npt.ArrayLike) -> tuple[FloatArray, FloatArray]:
    """(q0, q1) of the failure detector from a baseline's failures among its runs."""
    q0 = (np.asarray(failures, dtype=np.float64) + 1.0) / (np.asarray(runs, dtype=np.float64) + 2)
    q1: FloatArray = np.minimum(2.0 * q0, 0.5 + q0 / 2.0)
    return q0, q1


class FailureDetector(Detector):
    name = "failures"
    rule = "success rate down (error spikes): failures more frequent than before"
    weight = 3.0

    def why_not(self, baseline: RunSeries, post: RunSeries, min_runs: int) -> str | None:
        if len(baseline) < min_runs:
            return f"{len(baseline)} runs before the merge; {min_runs} needed"
        return None

    def scores(self, baseline: RunSeries, post: RunSeries) -> Scores:
        q0, q1 = failure_rates(*self.null_key(baseline))
        failed = ~np.asarray(post.successes, dtype=bool)
        runs = np.arange(1, len(post) + 1, dtype=np.int64)
        return Scores(bernoulli_increments(failed, q0, q1), runs)

    def null_key(self, baseline: RunSeries) -> NullKey:
        return (len(baseline), len(baseline) - sum(baseline.successes))

    def simulate_null(
        self, key: NullKey, steps: int, paths: int, rng: np.random.Generator
    ) -> FloatArray:
        n, f = key
        q0, q1 = failure_rates(n, f)  # what the statistic uses, as observed
        rate = rng.beta(f + 1, n - f + 1, paths)  # the true rate, drawn from its posterior
        failed = rng.random((paths, steps)) < rate[:, None]
        return bernoulli_increments(failed, q0, q1)


DETECTORS: dict[str, Detector] = {
    d.name: d
    for d in (
        LogZDetector(
            "duration",
            "performance below baseline: runs slower than before",
            field="durations",
            weight=3.0,
        ),
        TailDetector(),
        FailureDetector(),
        LogZDetector(
            "cost",
            "cost up: runs more expensive than before",
            field="costs",
        ),
    )
}
