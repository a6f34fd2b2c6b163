"""Calibration of the post-merge monitor: seeded Monte Carlo of `decide` as shipped.

    python benchmarks/bench_monitor_calibration.py [--replicates 4000] [--seed 20261207]
                                                   [--calibration-seed 0] [--quick]

Every replicate is one merged change (model: ``monitor_model.py``): a baseline of 50 runs
before the merge (log-normal durations σ 0.5, success 0.9, log-normal cost σ 0.5), 200 runs
after it, judged by ``autotune_bot.monitor.decide.decide`` with the default configuration
(false-alarm budget 0.05 over 200 runs, min_runs 30, 4,000 calibration paths, seed
``--calibration-seed``). Scenarios: no change; durations × 1.2 / 1.5 / 2; success 0.9 → 0.8 /
0.7; cost × 1.5; and, as checks of the calibration's reach, no change with a 200-run baseline,
no change with heavy-tailed durations (log duration 0.5 × Student t₃, which the log-normal
calibration does not assume), and a rarely failing workflow (success 0.98, unchanged or
→ 0.94).

Printed per scenario: P(rollback within 200 runs) with its Monte-Carlo SE, the median and 90th
percentile of the detection delay (the post-merge run of the first alarm, among replicates
that alarmed), and per detector its alarm rate and its share of rollbacks it triggered first.
The design documents' literal rules are evaluated on the same data for comparison
(``literal_rules``).
Last: the time of one uncalibrated threshold per detector at a 200-run baseline, the time of
one decide() once calibrated, the wall time and the peak memory (max RSS).
"""

from __future__ import annotations

import argparse
import math
import os
import platform
import resource
import sys
import time
from pathlib import Path

for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import numpy as np  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from monitor_model import RULES, Period, Scenario, literal_rules, simulate  # noqa: E402

from autotune_bot.monitor import calibrate  # noqa: E402
from autotune_bot.monitor.decide import MonitorConfig, decide  # noqa: E402
from autotune_bot.monitor.detectors import DETECTORS  # noqa: E402
from autotune_bot.monitor.types import RunSeries  # noqa: E402

SCENARIOS = (
    Scenario("no change"),
    Scenario("duration × 1.2", duration_ratio=1.2),
    Scenario("duration × 1.5", duration_ratio=1.5),
    Scenario("duration × 2", duration_ratio=2.0),
    Scenario("success 0.9 → 0.8", success_after=0.8),
    Scenario("success 0.9 → 0.7", success_after=0.7),
    Scenario("cost × 1.5", cost_ratio=1.5),
    Scenario("no change, 200-run baseline", baseline=200),
    Scenario("no change, heavy tails (log t₃)", heavy_tails=True),
    Scenario("no change, success 0.98", success_before=0.98, success_after=0.98),
    Scenario("success 0.98 → 0.94", success_before=0.98, success_after=0.94),
    # appended last: the scenarios above keep their random streams ([seed, index])
    Scenario("slow tail: 10 % of runs × 4", tail_share=0.1, tail_ratio=4.0),
)
HORIZON = 200


def series(period: Period, i: int) -> RunSeries:
    return RunSeries(
        tuple(period.durations[i].tolist()),
        tuple(period.successes[i].tolist()),
        tuple(period.costs[i].tolist()),
    )


def rate(k: int, n: int) -> str:
    p = k / n
    return f"{p:.4f} ± {math.sqrt(p * (1 - p) / n):.4f}"


def delays(first: list[int]) -> str:
    hits = [f for f in first if f > 0]
    if not hits:
        return "– / –"
    return f"{np.median(hits):.0f} / {np.quantile(hits, 0.9):.0f}"


def table(title: str, header: list[str], rows: list[list[str]]) -> list[str]:
    lines = [f"**{title}**", "", "| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    return [*lines, *("| " + " | ".join(row) + " |" for row in rows), ""]


def run_scenario(
    s: Scenario, replicates: int, rng: np.random.Generator, config: MonitorConfig, seed: int
) -> tuple[list[str], list[str], float]:
    baseline, post = simulate(s, replicates, HORIZON, rng)
    started = time.perf_counter()
    first: list[int] = []
    alarms = dict.fromkeys(DETECTORS, 0)
    leads = dict(alarms)
    for i in range(replicates):
        decision = decide(series(baseline, i), series(post, i), config, seed=seed)
        triggers = decision.triggers
        first.append((triggers[0].alarm_at or 0) if triggers else 0)
        for d in triggers:
            alarms[d.name] += 1
            leads[d.name] += d.alarm_at == triggers[0].alarm_at
    seconds = time.perf_counter() - started
    rollbacks = sum(f > 0 for f in first)
    monitor = [
        s.label,
        rate(rollbacks, replicates),
        delays(first),
        *(
            f"{alarms[n] / replicates:.3f} ({leads[n] / rollbacks:.2f})" if rollbacks else "0"
            for n in DETECTORS
        ),
    ]
    rules = literal_rules(baseline, post)
    fired = np.where(rules > 0, rules, HORIZON + 1).min(axis=1)
    any_rule = [int(f) if f <= HORIZON else 0 for f in fired]
    literal = [
        s.label,
        rate(sum(f > 0 for f in any_rule), replicates),
        delays(any_rule),
        *(f"{np.mean(rules[:, j] > 0):.3f}" for j in range(len(RULES))),
    ]
    return monitor, literal, seconds


def timings(config: MonitorConfig, seed: int) -> list[str]:
    rng = np.random.default_rng(seed)
    base = RunSeries(
        tuple(np.exp(0.5 * rng.standard_normal(200)).tolist()),
        tuple((rng.random(200) < 0.9).tolist()),
        tuple(np.exp(0.5 * rng.standard_normal(200)).tolist()),
    )
    lines = []
    for name, detector in DETECTORS.items():
        started = time.perf_counter()
        calibrate.null_maxima(
            name, detector.null_key(base), config.horizon, config.simulations, seed
        )
        lines.append(f"{name} {time.perf_counter() - started:.3f} s")
    calibrate.threshold.cache_clear()
    started = time.perf_counter()
    decide(base, base, config, seed=seed)
    cold = time.perf_counter() - started
    started = time.perf_counter()
    decide(base, base, config, seed=seed)
    warm = time.perf_counter() - started
    return [
        f"one threshold ({config.simulations} paths × {config.horizon} runs, 200-run "
        f"baseline): {', '.join(lines)}",
        f"decide(), 200-run baseline and 200 runs after the merge: {cold:.3f} s uncalibrated, "
        f"{warm * 1000:.1f} ms calibrated (cached)",
    ]


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--replicates", type=int, default=4000)
    parser.add_argument("--seed", type=int, default=20261207)
    parser.add_argument("--calibration-seed", type=int, default=0)
    parser.add_argument("--quick", action="store_true", help="500 replicates")
    parser.add_argument(
        "--equal-split",
        action="store_true",
        help="give every detector the same share of the false-alarm budget (weight 1) "
        "instead of the shipped weights, for comparison",
    )
    args = parser.parse_args()
    replicates = 500 if args.quick else args.replicates
    if args.equal_split:
        for detector in DETECTORS.values():
            detector.weight = 1.0
    weights = ", ".join(f"{name} {d.weight:g}" for name, d in DETECTORS.items())
    config = MonitorConfig()

    started = time.perf_counter()
    monitor_rows, literal_rows, seconds = [], [], 0.0
    for index, scenario in enumerate(SCENARIOS):
        rng = np.random.default_rng([args.seed, index])
        monitor, literal, spent = run_scenario(
            scenario, replicates, rng, config, args.calibration_seed
        )
        monitor_rows.append(monitor)
        literal_rows.append(literal)
        seconds += spent
    wall = time.perf_counter() - started
    extra = timings(config, args.calibration_seed)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

    print(f"replicates per scenario: {replicates}, seed {args.seed}, calibration seed "
          f"{args.calibration_seed}, config {config}")  # fmt: skip
    print(f"budget weights: {weights}")
    print(f"Python {platform.python_version()}, numpy {np.__version__}, {os.cpu_count()} CPUs")
    print(f"wall time: {wall:.1f} s ({seconds:.1f} s in decide()); peak memory (max RSS) "
          f"{peak:.0f} MiB")  # fmt: skip
    print("\n".join(extra))
    print()
    header = ["scenario", "P(rollback ≤ 200)", "delay median / p90 (runs)"]
    print("\n".join(table(
        "Calibrated monitor (`decide`): per detector, alarm rate (share of rollbacks it "
        "triggered first)",
        header + list(DETECTORS),
        monitor_rows,
    )))  # fmt: skip
    print("\n".join(table(
        "Design documents' literal rules, every 10 runs on the last 20: any rule, and each "
        "rule's rate",
        header + list(RULES),
        literal_rows,
    )))  # fmt: skip
    null = float(monitor_rows[0][1].split()[0])
    limit = 0.05 + 2 * math.sqrt(0.05 * 0.95 / replicates)
    verdict = "met" if null <= 0.05 else "within 2 MC SE" if null <= limit else "missed"
    se = math.sqrt(null * (1 - null) / replicates)
    print(f"no change: false rollbacks {null:.4f} ± {se:.4f} (one Monte-Carlo SE); "
          f"target ≤ 0.05 ({verdict})")  # fmt: skip


if __name__ == "__main__":
    main()
