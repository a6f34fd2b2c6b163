"""Simulated A/B experiments and their batch decision, for ``bench_ab_calibration.py``.

Data models (durations; the variant is the control's distribution scaled by the true ratio):

* ``LN σ``: log-normal, σ = 0.5 or 1.0, unpaired;
* ``LN σ + outliers``: the same, each run independently multiplied by 10 with probability 0.1
  (retry storms, timeouts), in both arms;
* ``paired run σ``: one task factor per trial, log-normal σ 0.8, shared by the trial's control
  and variant run, times run noise log-normal σ 0.2 or 0.4 per run; every trial is a distinct
  input, analysed paired;
* ``cycled K inputs``: K inputs (task factor LN(0, 0.8) each), trial i runs input i mod K in
  both arms; each input has its own effect, log ratio = log(true ratio) + γ, γ ~ N(0, 0.2²)
  (the true ratio is the population's geometric mean), times run noise LN(0, 0.2); analysed
  paired, one mean log ratio per input. Each experiment draws new inputs.

Success: each run succeeds with the cell's rate (control, variant). Cost: absent (the runs
report none: the cost guardrail is not measured), or log-normal with the cell's σ in both arms,
the variant's scaled by the cell's cost ratio, independent of the duration.

:func:`batch_statuses` decides every experiment at once with the functions ``decide`` uses
(``log_values``, ``cluster_means``, ``ratio_pvalue`` along the last axis, the memoised success
tests per distinct table, Holm, the observed-tolerance checks); :func:`decide_one` runs the
real ``decide`` on one experiment for comparison.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from autotune_bot.settings.proposals import ABTestSettings
from autotune_bot.validation.decision import decide
from autotune_bot.validation.exact_binomial import success_worse_pvalue
from autotune_bot.validation.runs import RunResult
from autotune_bot.validation.statistics import cluster_means, log_values, ratio_pvalue

OUTLIER_SHARE, OUTLIER_FACTOR = 0.10, 10.0
TASK_SIGMA = 0.8
CYCLED_RUN_SIGMA, CYCLED_TAU = 0.2, 0.2
SLACK = 1e-12  # as in decide: a value exactly at the tolerance is within it

Arrays = tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]


@dataclass(frozen=True)
class Cell:
    index: int
    model: str
    ratio: float
    n: int
    method: str
    success_control: float = 1.0
    success_variant: float | None = None  # None: the control's rate
    cost_sigma: float | None = None  # None: no run reports a cost
    cost_ratio: float = 1.0

    @property
    def variant_success(self) -> float:
        return self.success_control if self.success_variant is None else self.success_variant


def paired_model(model: str) -> bool:
    return model.startswith(("paired", "cycled"))


def cycled_inputs(model: str) -> int | None:
    return int(model.split()[1]) if model.startswith("cycled") else None


def clusters(cell: Cell) -> list[int]:
    k = cycled_inputs(cell.model)
    return [i % k if k else i for i in range(cell.n)]


def simulate(cell: Cell, trials: int, rng: np.random.Generator) -> Arrays:
    """Durations (trials × n) of both arms, their success flags and costs (NaN: none)."""
    shape = (trials, cell.n)
    k = cycled_inputs(cell.model)
    if k is not None:
        which = np.array(clusters(cell))
        task = rng.lognormal(0.0, TASK_SIGMA, (trials, k))[:, which]
        effect = np.exp(rng.normal(0.0, CYCLED_TAU, (trials, k)))[:, which]
        control = task * rng.lognormal(0.0, CYCLED_RUN_SIGMA, shape)
        variant = cell.ratio * effect * task * rng.lognormal(0.0, CYCLED_RUN_SIGMA, shape)
    elif paired_model(cell.model):
        run_sigma = float(cell.model.split()[-1])
        task = rng.lognormal(0.0, TASK_SIGMA, shape)
        control = task * rng.lognormal(0.0, run_sigma, shape)
        variant = cell.ratio * task * rng.lognormal(0.0, run_sigma, shape)
    else:
        sigma = float(cell.model.split()[1])
        control = rng.lognormal(0.0, sigma, shape)
        variant = cell.ratio * rng.lognormal(0.0, sigma, shape)
        if "outliers" in cell.model:
            control *= np.where(rng.random(shape) < OUTLIER_SHARE, OUTLIER_FACTOR, 1.0)
            variant *= np.where(rng.random(shape) < OUTLIER_SHARE, OUTLIER_FACTOR, 1.0)
    ok_c = rng.random(shape) < cell.success_control
    ok_v = rng.random(shape) < cell.variant_success
    cost_c = cost_v = np.full(shape, np.nan)
    if cell.cost_sigma is not None:
        cost_c = rng.lognormal(0.0, cell.cost_sigma, shape)
        cost_v = cell.cost_ratio * rng.lognormal(0.0, cell.cost_sigma, shape)
    return control, variant, ok_c, ok_v, cost_c, cost_v


def _holm2(p1: np.ndarray, p2: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Holm's adjustment of two p-values per row (as ``statistics.holm``)."""
    low, high = np.minimum(p1, p2), np.maximum(p1, p2)
    adj_low = np.minimum(1.0, 2.0 * low)
    adj_high = np.maximum(adj_low, high)
    first = p1 <= p2
    return np.where(first, adj_low, adj_high), np.where(first, adj_high, adj_low)


def batch_statuses(
    cell: Cell, control: np.ndarray, variant: np.ndarray, ok_c: np.ndarray, ok_v: np.ndarray,
    cost_c: np.ndarray, cost_v: np.ndarray, settings: ABTestSettings,
) -> dict[str, np.ndarray]:  # fmt: skip
    """Per experiment: ``status`` (0 inconclusive, 1 passed, 2 failed) and what the guardrails
    did (``success_violated``, ``success_beyond``, ``cost_violated``, ``cost_beyond``), plus
    ``naive_pass``: the margin test on per-pair log ratios ignoring repeated inputs."""
    paired = paired_model(cell.model)
    alpha, margin = settings.alpha, 1.0 - settings.min_improvement
    common = {"method": settings.method, "paired": paired}
    lc, lv, _ = log_values(control, variant)
    naive_pass = ratio_pvalue(lc, lv, ratio=margin, alternative="less", **common) < alpha  # type: ignore[arg-type]
    if cycled_inputs(cell.model):
        lc, lv = cluster_means(lc, clusters(cell)), cluster_means(lv, clusters(cell))
    p_improvement = ratio_pvalue(lc, lv, ratio=margin, alternative="less", **common)  # type: ignore[arg-type]
    p_worse = ratio_pvalue(lc, lv, ratio=1.0, alternative="greater", **common)  # type: ignore[arg-type]
    n = cell.n
    sc, sv = ok_c.sum(axis=1), ok_v.sum(axis=1)
    tables = {
        (a, b): success_worse_pvalue(int(a), n, int(b), n, settings.success_margin)
        for a, b in set(zip(sc.tolist(), sv.tolist(), strict=True))
    }
    p_success = np.array([tables[a, b] for a, b in zip(sc.tolist(), sv.tolist(), strict=True)])
    success_within = sv / n >= sc / n - settings.success_margin - SLACK
    cost_violated = np.zeros(len(sc), dtype=bool)
    cost_within = np.ones(len(sc), dtype=bool)
    if cell.cost_sigma is not None:
        if paired or settings.method != "t":
            raise ValueError("cost cells are unpaired t cells")
        threshold = 1.0 + settings.guardrail_tolerance
        lcc, lvc, _ = log_values(cost_c, cost_v)
        p_cost = ratio_pvalue(lcc, lvc, ratio=threshold, alternative="greater", **common)  # type: ignore[arg-type]
        p_cost, p_success = _holm2(p_cost, p_success)
        cost_violated = p_cost < alpha
        ratio = np.exp(np.mean(lvc, axis=-1) - np.mean(lcc, axis=-1))
        cost_within = ratio <= threshold * (1 + SLACK)
    success_violated = p_success < alpha
    fails = (p_worse < alpha) | success_violated | cost_violated
    passes = ~fails & (p_improvement < alpha) & success_within & cost_within
    return {
        "status": np.where(fails, 2, np.where(passes, 1, 0)),
        "success_violated": success_violated,
        "success_beyond": ~success_violated & ~success_within,
        "cost_violated": cost_violated,
        "cost_beyond": ~cost_violated & ~cost_within,
        "naive_pass": naive_pass,
    }


def decide_one(
    cell: Cell, c: np.ndarray, v: np.ndarray, ok_c: np.ndarray, ok_v: np.ndarray,
    cost_c: np.ndarray, cost_v: np.ndarray, settings: ABTestSettings,
) -> int:  # fmt: skip
    """The real ``decide`` on one simulated experiment, as a status code."""
    k = cycled_inputs(cell.model)

    def runs(arm: str, values: np.ndarray, ok: np.ndarray, cost: np.ndarray) -> list[RunResult]:
        return [
            RunResult(
                arm,  # type: ignore[arg-type]
                i,
                f"in{i % k}" if k else None,
                float(x),
                None if math.isnan(y) else float(y),
                bool(s),
                0 if s else 1,
                False,
                "wall_time",
            )
            for i, (x, s, y) in enumerate(zip(values, ok, cost, strict=True))
        ]

    result = decide(
        runs("control", c, ok_c, cost_c),
        runs("variant", v, ok_v, cost_v),
        settings,
        paired=paired_model(cell.model),
    )
    return {"inconclusive": 0, "passed": 1, "failed": 2}[result.status]
