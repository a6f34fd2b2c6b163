"""Calibration of the A/B pass decision: seeded Monte Carlo of `decide`'s tests.

    python benchmarks/bench_ab_calibration.py [--trials 10000] [--quick] [--seed 20261206]
                                              [--verify 40] [--workers 2]

Each cell simulates ``--trials`` experiments of n runs per arm (models: see
``ab_calibration_model.py``) and counts how often the decision is ``passed`` and ``failed``,
with the default settings (α 0.05, margin ratio 0.95, guardrail tolerance 10 %, success margin
2 points) and the method of the cell (t: Welch / paired t on logs; rank: Mann-Whitney /
Wilcoxon signed-rank on logs).

Cells:

* every duration model × true ratio 1.0 (no change: false-positive rate of ``passed``), 0.95
  (the margin boundary: the largest ratio a pass may be wrong about), 0.90, 0.80, 0.60 (power
  for 10, 20, 40 %) × n = 10, 20, 50 × both methods; all runs succeed, no cost (the cost
  guardrail is not measured and the success table is constant);
* cycled inputs (4 and 10 inputs, heterogeneous per-input effects) × 1.0, 0.95, 0.80, 0.60,
  with the per-pair analysis that ignores repeated inputs alongside;
* both arms succeed with probability 0.9 (true ratio 1.0 and 0.8): the success guardrail's
  cost in false failures and in power;
* guardrails truly violated, primary 40 % faster: success 0.9 → 0.8; cost × 1.5 (cost noise
  σ 0.5 and 0.2), and cost × 1.0 and × 1.1 (the tolerance) for comparison.

The decision is computed in batches with the same functions ``decide`` uses; ``--verify K``
re-decides the first K experiments of every cell with the real ``decide`` and stops with an
error if any verdict differs. Last, the size of the asymptotic success test (used above
100,000 = n_c · n_v) is computed exactly, by enumerating all tables.
"""

from __future__ import annotations

import argparse
import math
import multiprocessing
import os
import platform
import sys
import time
from dataclasses import dataclass, fields
from pathlib import Path

for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import numpy as np  # noqa: E402
import scipy  # type: ignore[import-untyped]  # noqa: E402
from scipy import stats  # type: ignore[import-untyped]  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from ab_calibration_model import (  # noqa: E402
    Cell,
    batch_statuses,
    decide_one,
    simulate,
)

from autotune_bot.settings.proposals import ABTestSettings  # noqa: E402
from autotune_bot.validation.exact_binomial import farrington_manning_z  # noqa: E402

MODELS = ("LN 0.5", "LN 1.0", "LN 0.5 + outliers", "LN 1.0 + outliers", "paired run 0.2",
          "paired run 0.4")  # fmt: skip
CYCLED = ("cycled 4 inputs", "cycled 10 inputs")
RATIOS = (1.0, 0.95, 0.90, 0.80, 0.60)
CYCLED_RATIOS = (1.0, 0.95, 0.80, 0.60)
SIZES = (10, 20, 50)
METHODS = ("t", "rank")
COST_CELLS = ((0.5, 1.0), (0.5, 1.1), (0.5, 1.5), (0.2, 1.5))  # (cost σ, true cost ratio)
COUNTS = ("success_violated", "success_beyond", "cost_violated", "cost_beyond", "naive_pass")


@dataclass(frozen=True)
class Outcome:
    cell: Cell
    trials: int
    passed: int
    failed: int
    counts: dict[str, int]
    verified: int
    mismatches: int
    seconds: float


Key = tuple[object, ...]


def key(cell: Cell) -> Key:
    return tuple(getattr(cell, f.name) for f in fields(cell) if f.name != "index")


def run_cell(job: tuple[Cell, int, int, int]) -> Outcome:
    cell, trials, seed, verify = job
    started = time.perf_counter()
    rng = np.random.default_rng([seed, cell.index])
    settings = ABTestSettings(method=cell.method)  # type: ignore[arg-type]
    data = simulate(cell, trials, rng)
    found = batch_statuses(cell, *data, settings)
    status = found["status"]
    k = min(verify, trials)
    mismatches = sum(
        decide_one(cell, *(a[i] for a in data), settings) != status[i] for i in range(k)
    )
    return Outcome(
        cell=cell,
        trials=trials,
        passed=int(np.count_nonzero(status == 1)),
        failed=int(np.count_nonzero(status == 2)),
        counts={name: int(np.count_nonzero(found[name])) for name in COUNTS},
        verified=k,
        mismatches=mismatches,
        seconds=time.perf_counter() - started,
    )


def cells() -> list[Cell]:
    grid: list[tuple[object, ...]] = [
        (model, ratio, n, method, 1.0)
        for model in MODELS
        for ratio in RATIOS
        for n in SIZES
        for method in METHODS
    ]
    grid += [("LN 0.5", ratio, n, "t", 0.9) for ratio in (1.0, 0.80) for n in SIZES]
    grid += [("LN 0.5", 0.6, n, "t", 0.9, 0.8) for n in SIZES]
    grid += [("LN 0.5", 0.6, n, "t", 1.0, None, s, r) for s, r in COST_CELLS for n in SIZES]
    grid += [
        (model, ratio, n, method, 1.0)
        for model in CYCLED
        for ratio in CYCLED_RATIOS
        for n in SIZES
        for method in METHODS
    ]
    return [Cell(i, *spec) for i, spec in enumerate(grid)]  # type: ignore[arg-type]


def asymptotic_size(n: int, margin: float = 0.02, alpha: float = 0.05) -> tuple[float, float]:
    """Largest P(reject) of the asymptotic harm test on its H0 boundary (rates on a grid of
    step 0.005), n runs per arm, by enumerating all tables; and the rate where it occurs."""
    x = np.arange(n + 1, dtype=np.float64)
    z = farrington_manning_z(x[:, None], n, x[None, :], n, margin)
    rejected = (stats.norm.sf(z) < alpha).astype(np.float64)
    best = (0.0, 0.0)
    for p_v in np.arange(0.0, 1.0 - margin + 1e-9, 0.005):
        size = stats.binom.pmf(x, n, p_v + margin) @ rejected @ stats.binom.pmf(x, n, p_v)
        best = max(best, (float(size), float(p_v)))
    return best


# --- tables ---------------------------------------------------------------------------------


def rate(k: int, trials: int) -> str:
    p = k / trials
    return f"{p:.4f} ± {math.sqrt(p * (1 - p) / trials):.4f}"


def table(title: str, header: list[str], rows: list[list[str]]) -> list[str]:
    lines = [f"**{title}**", "", "| " + " | ".join(header) + " |"]
    lines.append("|" + "---|" * len(header))
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return [*lines, ""]


def report(outcomes: dict[Key, Outcome], trials: int) -> list[str]:
    def get(model: str, ratio: float, n: int, method: str = "t", *rest: object) -> Outcome:
        spec = (model, ratio, n, method, *rest)
        defaults = (1.0, None, None, 1.0)
        return outcomes[spec + defaults[len(spec) - 4 :]]

    out: list[str] = []
    sizes = [f"n = {n}" for n in SIZES]
    limit = 0.05 + 2 * math.sqrt(0.05 * 0.95 / trials)
    for ratio, title in (
        (1.0, "False-positive rate of `passed`, no change (true ratio 1.0)"),
        (0.95, "False-positive rate of `passed` at the margin boundary (true ratio 0.95)"),
    ):
        rows = [
            [model, method, *(rate(get(model, ratio, n, method).passed, trials) for n in SIZES)]
            for model in (*MODELS, *CYCLED)
            for method in METHODS
        ]
        out += table(title, ["data", "method", *sizes], rows)
    nulls = [o for o in outcomes.values() if o.cell.ratio >= 0.95]
    over = [o for o in nulls if o.passed / o.trials > limit]
    above = [o for o in nulls if o.passed / o.trials > 0.05]
    out.append(
        f"Cells with true ratio ≥ 0.95 (all {len(nulls)}, guardrail cells included) above "
        f"0.05 + 2 MC SE ({limit:.4f}): {len(over)}; above 0.05 at all: {len(above)}"
        + "".join(
            f"\n- {o.cell.model}, {o.cell.method}, n = {o.cell.n}, ratio {o.cell.ratio}: "
            f"{rate(o.passed, o.trials)}"
            for o in above
        )
    )
    out.append("")
    rows = [
        [model, method, *(
            " / ".join(f"{get(model, r, n, method).passed / trials:.3f}" for r in RATIOS[1:])
            for n in SIZES
        )]
        for model in MODELS
        for method in METHODS
    ]  # fmt: skip
    out += table(
        "P(passed) for true improvements 5 / 10 / 20 / 40 % (ratios 0.95 / 0.90 / 0.80 / 0.60)",
        ["data", "method", *sizes],
        rows,
    )
    rows = [
        [model, method, *(
            " / ".join(f"{get(model, r, n, method).passed / trials:.3f}" for r in (0.95, 0.8, 0.6))
            + " (per pair: "
            + " / ".join(
                f"{get(model, r, n, method).counts['naive_pass'] / trials:.3f}"
                for r in (0.95, 0.8, 0.6)
            )
            + ")"
            for n in SIZES
        )]
        for model in CYCLED
        for method in METHODS
    ]  # fmt: skip
    out += table(
        "Cycled inputs: P(passed) at true ratios 0.95 / 0.80 / 0.60, one unit per input; in "
        "brackets the margin test on per-pair log ratios that treats repeated inputs as "
        "independent",
        ["data", "method", *sizes],
        rows,
    )
    rows = [
        [model, method, *(rate(get(model, 1.0, n, method).failed, trials) for n in SIZES)]
        for model in (*MODELS, *CYCLED)
        for method in METHODS
    ]
    out += table(
        "P(failed) with no change (primary-metric 'worse' test at α; success constant)",
        ["data", "method", *sizes],
        rows,
    )
    rows = []
    for ratio in (1.0, 0.80):
        for n in SIZES:
            o = get("LN 0.5", ratio, n, "t", 0.9)
            rows.append([
                f"{ratio}", str(n), rate(o.counts["success_violated"], trials),
                rate(o.counts["success_beyond"], trials), rate(o.failed, trials),
                rate(o.passed, trials), f"{get('LN 0.5', ratio, n).passed / trials:.4f}",
            ])  # fmt: skip
    out += table(
        "Both arms succeed with probability 0.9 (LN 0.5, t): the success guardrail",
        ["true ratio", "n", "success shown violated", "success beyond tolerance", "P(failed)",
         "P(passed)", "P(passed), all runs succeed"],
        rows,
    )  # fmt: skip
    rows = []
    for n in SIZES:
        o = get("LN 0.5", 0.6, n, "t", 0.9, 0.8)
        rows.append([
            str(n), rate(o.passed, trials), rate(o.failed, trials),
            rate(o.counts["success_violated"], trials), rate(o.counts["success_beyond"], trials),
            f"{get('LN 0.5', 0.6, n).passed / trials:.4f}",
        ])  # fmt: skip
    out += table(
        "Success guardrail truly violated: variant 40 % faster (LN 0.5, t), success 0.9 → 0.8",
        ["n", "P(passed)", "P(failed)", "success shown violated", "success beyond tolerance",
         "P(passed), success unchanged"],
        rows,
    )  # fmt: skip
    rows = []
    for sigma, cost_ratio in COST_CELLS:
        for n in SIZES:
            o = get("LN 0.5", 0.6, n, "t", 1.0, None, sigma, cost_ratio)
            rows.append([
                f"{cost_ratio}", f"{sigma}", str(n), rate(o.passed, trials),
                rate(o.failed, trials), rate(o.counts["cost_violated"], trials),
                rate(o.counts["cost_beyond"], trials),
            ])  # fmt: skip
    out += table(
        "Cost guardrail (tolerance 10 %): variant 40 % faster (LN 0.5, t), cost log-normal",
        ["true cost ratio", "cost σ", "n", "P(passed)", "P(failed)", "cost shown violated",
         "cost beyond tolerance"],
        rows,
    )  # fmt: skip
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
    outcomes = {key(o.cell): o for o in done}
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
    rows = []
    for n in (317, 500, 1000):
        size, where = asymptotic_size(n)
        rows.append([str(n), f"{size:.4f}", f"{where:.3f}"])
    print("\n".join(table(
        "Asymptotic success test (harm direction, margin 2 points, α 0.05): exact size",
        ["n per arm", "largest P(reject) on the H0 boundary", "at variant rate"],
        rows,
    )))  # fmt: skip
    if mismatches:
        sys.exit("the batch decision differs from decide()")


if __name__ == "__main__":
    main()
