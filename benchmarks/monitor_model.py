"""Data model of the post-merge monitor calibration benchmark (seeded numpy only).

A replicate is one merged change: a baseline of ``baseline`` runs before the merge and
``post`` runs after it. Durations are log-normal (σ 0.5; or, for the robustness scenario, log
durations 0.5 × Student t with 3 degrees of freedom), every run succeeds with probability
``success_before`` before and ``success_after`` after the merge, and records a log-normal cost
(σ 0.5, independent of the duration). A scenario multiplies the post-merge durations and costs
by its ratios. All runs record a duration, failed ones included.

:func:`literal_rules` evaluates the design documents' rules as written, for comparison: every
10 runs after the merge (from run 20 on), on the last 20 runs — success rate more than 10 %
(relative) below the baseline's, P95 above 1.5 × the baseline's P95, mean duration above the
baseline's.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]

RULES = ("success −10 %", "P95 × 1.5", "mean > baseline")
WINDOW, EVERY = 20, 10


@dataclass(frozen=True)
class Scenario:
    label: str
    duration_ratio: float = 1.0
    success_after: float = 0.9
    cost_ratio: float = 1.0
    baseline: int = 50
    heavy_tails: bool = False
    success_before: float = 0.9
    sigma: float = 0.5
    tail_share: float = 0.0  # share of post-merge runs made ``tail_ratio`` times slower
    tail_ratio: float = 1.0


@dataclass(frozen=True)
class Period:
    durations: FloatArray  # (replicates, runs)
    successes: BoolArray
    costs: FloatArray


def _logs(s: Scenario, shape: tuple[int, int], rng: np.random.Generator) -> FloatArray:
    if s.heavy_tails:
        out: FloatArray = s.sigma * rng.standard_t(3, shape)
        return out
    out = s.sigma * rng.standard_normal(shape)
    return out


def simulate(
    s: Scenario, replicates: int, post: int, rng: np.random.Generator
) -> tuple[Period, Period]:
    """Baseline and post-merge runs of ``replicates`` merged changes."""
    before = (replicates, s.baseline)
    after = (replicates, post)
    baseline = Period(
        np.exp(_logs(s, before, rng)),
        rng.random(before) < s.success_before,
        np.exp(s.sigma * rng.standard_normal(before)),
    )
    slow = np.where(rng.random(after) < s.tail_share, s.tail_ratio, 1.0) if s.tail_share else 1.0
    changed = Period(
        s.duration_ratio * slow * np.exp(_logs(s, after, rng)),
        rng.random(after) < s.success_after,
        s.cost_ratio * np.exp(s.sigma * rng.standard_normal(after)),
    )
    return baseline, changed


def literal_rules(baseline: Period, post: Period) -> npt.NDArray[np.int64]:
    """First post-merge run (1-based) at which each rule fires, 0 if never: (replicates, 3)."""
    success0 = baseline.successes.mean(axis=1)
    p95_0 = np.quantile(baseline.durations, 0.95, axis=1)
    mean0 = baseline.durations.mean(axis=1)
    replicates, runs = post.durations.shape
    first = np.zeros((replicates, len(RULES)), dtype=np.int64)
    for end in range(WINDOW, runs + 1, EVERY):
        d = post.durations[:, end - WINDOW : end]
        fired = np.stack(
            [
                post.successes[:, end - WINDOW : end].mean(axis=1) < 0.9 * success0,
                np.quantile(d, 0.95, axis=1) > 1.5 * p95_0,
                d.mean(axis=1) > mean0,
            ],
            axis=1,
        )
        first = np.where((first == 0) & fired, end, first)
    return first
