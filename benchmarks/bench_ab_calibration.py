"""Calibration of the A/B pass decision: seeded Monte Carlo of `decide`'s tests.

    python benchmarks/bench_ab_calibration.py [--trials 10000] [--quick] [--seed 20261206]
                                              [--verify 40] [--workers 2]

Each cell simulates ``--trials`` experiments of n runs per arm and counts how often the
decision is ``passed`` and ``failed``, with the default settings (α 0.05, margin ratio 0.95,
success margin 2 points) and the method of the cell (t: Welch / paired t on logs; rank:
Mann-Whitney / Wilcoxon signed-rank on logs).

Data models (durations; the variant is the control's distribution scaled by the true ratio):

* ``LN σ``: log-normal, σ = 0.5 or 1.0, unpaired;
* ``LN σ + outliers``: the same, each run independently multiplied by 10 with probability 0.1
  (retry storms, timeouts), in both arms;
* ``paired run σ``: one task factor per trial, log-normal σ 0.8, shared by the trial's control
  and variant run, times run noise log-normal σ 0.2 or 0.4 per run; analysed paired by trial.

Cells: true ratio 1.0 (no change: false-positive rate of ``passed``), 0.95 (the margin
boundary: the largest ratio a pass may be wrong about; also "power" for a 5 % improvement),
0.90, 0.80, 0.60 (power for 10, 20, 40 %), at n = 10, 20, 50 per arm, for both methods. All runs
succeed and report no cost (wall-time runs), so the success table is constant and the cost
guardrail is not measured. Extra cells give both arms success rate 0.9 to show the success
guardrail's own false-failure rate.

The decision is computed in batches with the same functions ``decide`` uses
(``ratio_pvalue`` along the last axis, the memoised exact success test per distinct table).
``--verify K`` re-decides the first K experiments of every cell with the real ``decide`` and
stops with an error if any verdict differs.
"""

from __future__ import annotations

import argparse
import math
import multiprocessing
import os
import platform
import sys
import time
from dataclasses import dataclass
from pathlib import Path

for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import numpy as np  # noqa: E402
import scipy  # type: ignore[import-untyped]  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from autotune_bot.settings.proposals import ABTestSettings  # noqa: E402
from autotune_bot.validation.decision import decide  # noqa: E402
from autotune_bot.validation.exact_binomial import success_worse_pvalue  # noqa: E402
from autotune_bot.validation.runs import RunResult  # noqa: E402
from autotune_bot.validation.statistics import log_values, ratio_pvalue  # noqa: E402

MODELS = ("LN 0.5", "LN 1.0", "LN 0.5 + outliers", "LN 1.0 + outliers", "paired run 0.2",
          "paired run 0.4")  # fmt: skip
RATIOS = (1.0, 0.95, 0.90, 0.80, 0.60)
SIZES = (10, 20, 50)
METHODS = ("t", "rank")
OUTLIER_SHARE, OUTLIER_FACTOR = 0.10, 10.0
TASK_SIGMA = 0.8


@dataclass(frozen=True)
class Cell:
    index: int
    model: str
    ratio: float
    n: int
    method: str
    success_rate: float = 1.0


@dataclass(frozen=True)
class Outcome:
    cell: Cell
    trials: int
    passed: int
    failed: int
    success_failed: int  # the success guardrail failed
    verified: int
    mismatches: int
    seconds: float


def paired_model(model: str) -> bool:
    return model.startswith("paired")


def simulate(
    cell: Cell, trials: int, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Durations (trials × n) of both arms and their success flags."""
    shape = (trials, cell.n)
    if paired_model(cell.model):
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
    ok_c = rng.random(shape) < cell.success_rate
    ok_v = rng.random(shape) < cell.success_rate
    return control, variant, ok_c, ok_v


def batch_statuses(
    cell: Cell,
    control: np.ndarray,
    variant: np.ndarray,
    ok_c: np.ndarray,
    ok_v: np.ndarray,
    settings: ABTestSettings,
) -> tuple[np.ndarray, np.ndarray]:
    """(status per experiment: 0 inconclusive, 1 passed, 2 failed; success guardrail failed)."""
    paired = paired_model(cell.model)
    margin = 1.0 - settings.min_improvement
    lc, lv, _ = log_values(control, variant)
    common = {"method": settings.method, "paired": paired}
    p_improvement = ratio_pvalue(lc, lv, ratio=margin, alternative="less", **common)  # type: ignore[arg-type]
    p_worse = ratio_pvalue(lc, lv, ratio=1.0, alternative="greater", **common)  # type: ignore[arg-type]
    n = cell.n
    sc, sv = ok_c.sum(axis=1), ok_v.sum(axis=1)
    # the only guardrail (no cost): Holm over one test leaves its p-value unchanged
    tables = {
        (a, b): success_worse_pvalue(int(a), n, int(b), n, settings.success_margin)
        for a, b in set(zip(sc.tolist(), sv.tolist(), strict=True))
    }
    p_success = np.array([tables[a, b] for a, b in zip(sc.tolist(), sv.tolist(), strict=True)])
    alpha = settings.alpha
    success_fails = p_success < alpha
    fails = (p_worse < alpha) | success_fails
    passes = ~fails & (p_improvement < alpha)
    return np.where(fails, 2, np.where(passes, 1, 0)), success_fails


def decide_one(
    cell: Cell, c: np.ndarray, v: np.ndarray, ok_c: np.ndarray, ok_v: np.ndarray,
    settings: ABTestSettings,
) -> int:  # fmt: skip
    """The real ``decide`` on one simulated experiment, as a status code."""

    def runs(arm: str, values: np.ndarray, ok: np.ndarray) -> list[RunResult]:
        return [
            RunResult(arm, i, None, float(x), None, bool(s), 0 if s else 1, False, "wall_time")  # type: ignore[arg-type]
            for i, (x, s) in enumerate(zip(values, ok, strict=True))
        ]

    result = decide(
        runs("control", c, ok_c),
        runs("variant", v, ok_v),
        settings,
        paired=paired_model(cell.model),
    )
    return {"inconclusive": 0, "passed": 1, "failed": 2}[result.status]


def run_cell(job: tuple[Cell, int, int, int]) -> Outcome:
    cell, trials, seed, verify = job
    started = time.perf_counter()
    rng = np.random.default_rng([seed, cell.index])
    settings = ABTestSettings(method=cell.method)
    control, variant, ok_c, ok_v = simulate(cell, trials, rng)
    status, success_fails = batch_statuses(cell, control, variant, ok_c, ok_v, settings)
    k = min(verify, trials)
    mismatches = sum(
        decide_one(cell, control[i], variant[i], ok_c[i], ok_v[i], settings) != status[i]
        for i in range(k)
    )
    return Outcome(
        cell=cell,
        trials=trials,
        passed=int(np.count_nonzero(status == 1)),
        failed=int(np.count_nonzero(status == 2)),
        success_failed=int(np.count_nonzero(success_fails)),
        verified=k,
        mismatches=mismatches,
        seconds=time.perf_counter() - started,
    )


def cells() -> list[Cell]:
    grid = [
        (model, ratio, n, method, 1.0)
        for model in MODELS
        for ratio in RATIOS
        for n in SIZES
        for method in METHODS
    ]
    grid += [("LN 0.5", ratio, n, "t", 0.9) for ratio in (1.0, 0.80) for n in SIZES]
    return [Cell(i, *spec) for i, spec in enumerate(grid)]


# --- tables ---------------------------------------------------------------------------------


def rate(k: int, trials: int) -> str:
    p = k / trials
    return f"{p:.4f} ± {math.sqrt(p * (1 - p) / trials):.4f}"


def table(title: str, header: list[str], rows: list[list[str]]) -> list[str]:
    lines = [f"**{title}**", "", "| " + " | ".join(header) + " |"]
    lines.append("|" + "---|" * len(header))
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return [*lines, ""]


def report(outcomes: dict[tuple[str, float, int, str, float], Outcome], trials: int) -> list[str]:
    out: list[str] = []
    se0 = math.sqrt(0.05 * 0.95 / trials)
    limit = 0.05 + 2 * se0
    for ratio, title in (
        (1.0, "False-positive rate of `passed`, no change (true ratio 1.0)"),
        (0.95, "False-positive rate of `passed` at the margin boundary (true ratio 0.95)"),
    ):
        rows = []
        for model in MODELS:
            for method in METHODS:
                cols = [outcomes[model, ratio, n, method, 1.0] for n in SIZES]
                rows.append([model, method, *(rate(o.passed, o.trials) for o in cols)])
        out += table(title, ["data", "method", *(f"n = {n}" for n in SIZES)], rows)
    over = [o for o in outcomes.values() if o.cell.ratio >= 0.95 and o.passed / o.trials > limit]
    above = [o for o in outcomes.values() if o.cell.ratio >= 0.95 and o.passed / o.trials > 0.05]
    out.append(
        f"Cells with true ratio ≥ 0.95 above 0.05 + 2 MC SE ({limit:.4f}): {len(over)}; "
        f"above 0.05 at all: {len(above)}"
        + "".join(
            f"\n- {o.cell.model}, {o.cell.method}, n = {o.cell.n}, ratio {o.cell.ratio}: "
            f"{rate(o.passed, o.trials)}"
            for o in above
        )
    )
    out.append("")
    rows = []
    for model in MODELS:
        for method in METHODS:
            row = [model, method]
            for n in SIZES:
                row.append(
                    " / ".join(
                        f"{outcomes[model, r, n, method, 1.0].passed / trials:.3f}"
                        for r in RATIOS[1:]
                    )
                )
            rows.append(row)
    out += table(
        "P(passed) for true improvements 5 / 10 / 20 / 40 % (ratios 0.95 / 0.90 / 0.80 / 0.60)",
        ["data", "method", *(f"n = {n}" for n in SIZES)],
        rows,
    )
    rows = []
    for model in MODELS:
        for method in METHODS:
            cols = [outcomes[model, 1.0, n, method, 1.0] for n in SIZES]
            rows.append([model, method, *(rate(o.failed, o.trials) for o in cols)])
    out += table(
        "P(failed) with no change (primary-metric 'worse' test at α; success constant)",
        ["data", "method", *(f"n = {n}" for n in SIZES)],
        rows,
    )
    rows = []
    for ratio in (1.0, 0.80):
        for n in SIZES:
            o = outcomes["LN 0.5", ratio, n, "t", 0.9]
            rows.append(
                [
                    f"{ratio}",
                    str(n),
                    rate(o.success_failed, o.trials),
                    rate(o.failed, o.trials),
                    rate(o.passed, o.trials),
                    f"{outcomes['LN 0.5', ratio, n, 't', 1.0].passed / trials:.4f}",
                ]
            )
    out += table(
        "Both arms succeed with probability 0.9 (LN 0.5, t): the success guardrail",
        [
            "true ratio",
            "n",
            "success guardrail fails",
            "P(failed)",
            "P(passed)",
            "P(passed), all runs succeed",
        ],
        rows,
    )
    return out


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--trials", type=int, default=10_000)
    parser.add_argument("--quick", action="store_true", help="1,000 trials, verify 10")
    parser.add_argument("--seed", type=int, default=20261206)
    parser.add_argument("--verify", type=int, default=40)
    parser.add_argument("--workers", type=int, default=min(2, os.cpu_count() or 1))
    args = parser.parse_args()
    trials, verify = (1000, 10) if args.quick else (args.trials, args.verify)

    started = time.perf_counter()
    jobs = [(cell, trials, args.seed, verify) for cell in cells()]
    with multiprocessing.Pool(args.workers) as pool:
        done = pool.map(run_cell, jobs, chunksize=1)
    wall = time.perf_counter() - started
    outcomes = {(o.cell.model, o.cell.ratio, o.cell.n, o.cell.method, o.cell.success_rate): o
                for o in done}  # fmt: skip
    mismatches = sum(o.mismatches for o in done)
    verified = sum(o.verified for o in done)

    print(f"trials per cell: {trials}, cells: {len(done)}, seed {args.seed}, "
          f"workers {args.workers}")  # fmt: skip
    print(f"Python {platform.python_version()}, numpy {np.__version__}, scipy {scipy.__version__}, "
          f"{os.cpu_count()} CPUs")  # fmt: skip
    print(f"wall time: {wall:.1f} s (cell compute {sum(o.seconds for o in done):.1f} s)")
    print(f"verified against decide(): {verified} experiments, {mismatches} mismatches")
    print()
    print("\n".join(report(outcomes, trials)))
    if mismatches:
        sys.exit("the batch decision differs from decide()")


if __name__ == "__main__":
    main()
