"""Search benchmark: every registered searcher and Optuna TPE on seeded workflow problems.

    python benchmarks/bench_search.py [--seeds 20] [--budgets 20,30,50,100]
                                      [--algorithms random,bayesian,tpe,...] [--quick]

For each problem (``search_problem.Problem(seed)``, ground truth by exhaustive enumeration) and
each budget, every algorithm runs one study from the problem's current configuration: one
evaluation = 5 noisy runs; the objective is the default ``per_success`` objective relative to a
baseline measured from ``--history-runs`` recorded runs of the current configuration.

* Our searchers go through ``run_search``: 70 % of the budget searches, 30 % re-evaluates a
  shortlist of 3 (budget counts every evaluation).
* ``tpe``: Optuna's ``TPESampler(seed=…)`` with v5 defaults, the current configuration enqueued
  first, one categorical suggestion per dimension, the guardrail as a constraint; ships the best
  observed feasible point (the whole budget searches). ``tpe+reeval``: the same sampler through
  our driver, with the same shortlist re-evaluation.

Reported, over problems: captured(B) = (J(default) − J(shipped)) / (J(default) − J(optimum)) at
true expected values (mean; a shipped configuration that truly breaks the guardrail counts as
min(captured, 0)); the same for the best configuration *visited* (search quality, "oracle");
"reaches": the median evaluation index at which a configuration capturing ≥ 90 % was first
visited (in the largest-budget study); the share of shipped picks that truly break the
guardrail; wall time per study.
"""

from __future__ import annotations

import argparse
import math
import multiprocessing
import os
import statistics
import sys
import time
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Any

# one BLAS thread per process: the studies run in parallel processes, and the GP's small
# matrices only lose from threading
for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import numpy as np  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent))

from search_problem import Problem, Truth  # noqa: E402

from autotune_bot.search.base import Searcher  # noqa: E402
from autotune_bot.search.neighbourhood import index_of  # noqa: E402
from autotune_bot.search.objective import Guardrail, Outcome, PerSuccessObjective  # noqa: E402
from autotune_bot.search.registry import SEARCHERS  # noqa: E402
from autotune_bot.search.selection import SearchResult, run_search, run_searcher  # noqa: E402
from autotune_bot.search.space import Point, Space  # noqa: E402

SHORTLIST = 3  # defaults of the --shortlist and --reserve flags
RESERVE = 0.3
TPE_NAMES = ("tpe", "tpe+reeval")


class OptunaTPE(Searcher):
    """Optuna's TPE sampler behind the ask/tell contract (it may repeat points)."""

    def __init__(self, space: Space, rng: np.random.Generator, *, budget: int | None = None):
        import optuna

        super().__init__(space, rng, budget=budget)
        optuna.logging.set_verbosity(optuna.logging.WARNING)
        sampler = optuna.samplers.TPESampler(seed=int(rng.integers(2**31)))
        self.study = optuna.create_study(sampler=sampler, direction="minimize")
        self.study.enqueue_trial(space.values(space.current))
        self._trial: Any = None

    def ask(self) -> Point | None:
        self._trial = self.study.ask()
        values = {
            d.name: self._trial.suggest_categorical(d.name, list(d.choices))
            for d in self.space.dimensions
        }
        point = self.space.point(values)
        self.proposed.add(point)
        return point

    def tell(
        self, point: Point, value: float, feasible: bool, *, slack: float | None = None
    ) -> None:
        super().tell(point, value, feasible, slack=slack)
        if slack is not None and math.isfinite(slack):
            self._trial.set_constraint("guardrail", -slack)  # Optuna: feasible when ≤ 0
        else:
            self._trial.set_constraint("guardrail", -1.0 if feasible else 1.0)
        self.study.tell(self._trial, value if math.isfinite(value) else 1e6)

    def _propose(self) -> Point | None:  # pragma: no cover - ask is overridden
        return None


@dataclass
class Study:
    problem: int
    algorithm: str
    budget: int
    captured: float
    oracle: float  # best configuration visited
    shortlist: float  # best configuration among the shipping candidates
    reaches: float  # evaluation index of the first ≥ 90 % visit (inf: never)
    infeasible_ship: bool
    changed: bool
    seconds: float


def baseline(problem: Problem, runs: int) -> Outcome:
    """The current configuration's recorded history (seeded, not counted in any budget)."""
    rng = np.random.default_rng([problem.seed, 99])
    outs = [problem.evaluate(problem.space.values(problem.space.current), rng) for _ in range(runs // 5)]
    return Outcome.pool(outs)


def one_study(
    problem: Problem,
    algorithm: str,
    budget: int,
    objective: PerSuccessObjective,
    shortlist: int = SHORTLIST,
    reserve: float = RESERVE,
) -> Study:
    space, truth = problem.space, problem.truth
    rng = np.random.default_rng([problem.seed, budget, 7])
    start = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        if algorithm in TPE_NAMES:
            searcher_rng, eval_rng = rng.spawn(2)
            result = run_searcher(
                OptunaTPE(space, searcher_rng), problem.evaluate, budget, eval_rng, objective,
                name=algorithm, shortlist=shortlist,
                reserve=reserve if algorithm == "tpe+reeval" else 0.0,
            )
        else:
            result = run_search(
                space, problem.evaluate, algorithm, budget, rng, objective,
                shortlist=shortlist, reserve=reserve,
            )
    seconds = time.perf_counter() - start
    return score(problem.seed, algorithm, budget, result, space, truth, seconds)


def score(
    seed: int, algorithm: str, budget: int, result: SearchResult, space: Space, truth: Truth,
    seconds: float,
) -> Study:
    shipped = index_of(space, result.shipped)
    visits = sorted(result.first_visit.items(), key=lambda kv: kv[1])
    caps = [(truth.captured(index_of(space, p)), i) for p, i in visits]
    reaches = min((i for c, i in caps if c >= 0.9), default=math.inf)
    short = max(truth.captured(index_of(space, c.point)) for c in result.candidates)
    return Study(
        seed, algorithm, budget, truth.captured(shipped), max(c for c, _ in caps), short, reaches,
        not bool(truth.feasible[shipped]), result.changed, seconds,
    )


def run_problem(
    job: tuple[int, list[str], list[int], int, float | None, float, int, float],
) -> list[Study] | None:
    """Every study of one problem; None when the problem has too little room to improve."""
    seed, algorithms, budgets, history, margin, min_room, shortlist, reserve = job
    problem = Problem(seed, margin=margin)
    truth = problem.truth
    if truth.objective[truth.best] > 1.0 - min_room:
        return None
    guard = None if margin is None else Guardrail(success_margin=margin)
    objective = PerSuccessObjective(baseline(problem, history), guardrail=guard)
    return [
        one_study(problem, a, b, objective, shortlist, reserve) for a in algorithms for b in budgets
    ]


def fmt(x: float) -> str:
    return ">max" if math.isinf(x) else f"{x:.0f}"


def report(studies: list[Study], algorithms: list[str], budgets: list[int]) -> str:
    top = max(budgets)
    head = (
        "| algorithm | "
        + " | ".join(f"captured@{b}" for b in budgets)
        + f" | oracle@{budgets[len(budgets) // 2]} | oracle@{top}"
        + f" | best candidate@{budgets[len(budgets) // 2]} | reaches ≥90 % (median)"
        + " | infeasible ships | changed | s/study@" + str(top) + " |"
    )
    lines = [head, "|" + "---|" * (head.count("|") - 1)]
    for a in algorithms:
        mine = [s for s in studies if s.algorithm == a]
        by = {b: [s for s in mine if s.budget == b] for b in budgets}
        cap = [statistics.fmean(s.captured for s in by[b]) for b in budgets]
        mid = budgets[len(budgets) // 2]
        reach = statistics.median(s.reaches for s in by[top])
        bad = sum(s.infeasible_ship for s in mine) / len(mine)
        changed = sum(s.changed for s in mine) / len(mine)
        lines.append(
            f"| {a} | "
            + " | ".join(f"{c:.2f}" for c in cap)
            + f" | {statistics.fmean(s.oracle for s in by[mid]):.2f}"
            + f" | {statistics.fmean(s.oracle for s in by[top]):.2f}"
            + f" | {statistics.fmean(s.shortlist for s in by[mid]):.2f}"
            + f" | {fmt(reach)} | {bad:.0%} | {changed:.0%}"
            + f" | {statistics.fmean(s.seconds for s in by[top]):.2f} |"
        )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    parser.add_argument("--seeds", type=int, default=20, help="number of problems")
    parser.add_argument("--first-seed", type=int, default=0)
    parser.add_argument("--budgets", default="20,30,50,100")
    parser.add_argument("--algorithms", default=",".join([*SEARCHERS, *TPE_NAMES]))
    parser.add_argument("--history-runs", type=int, default=200)
    parser.add_argument(
        "--min-room", type=float, default=0.25,
        help="skip problems whose optimum improves the objective by less than this share",
    )
    parser.add_argument("--margin", default="0.02", help="success guardrail margin, or none")
    parser.add_argument("--shortlist", type=int, default=SHORTLIST)
    parser.add_argument("--reserve", type=float, default=RESERVE)
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--quick", action="store_true", help="6 problems, budgets 20,50")
    args = parser.parse_args()
    if args.quick:
        args.seeds, args.budgets = min(args.seeds, 6), "20,50"
    budgets = sorted(int(b) for b in args.budgets.split(","))
    algorithms = [a for a in args.algorithms.split(",") if a]
    unknown = [a for a in algorithms if a not in SEARCHERS and a not in TPE_NAMES]
    if unknown:
        parser.error(f"unknown algorithms: {', '.join(unknown)}")
    margin = None if args.margin == "none" else float(args.margin)
    candidates = range(args.first_seed, args.first_seed + 10 * args.seeds)
    jobs = [
        (s, algorithms, budgets, args.history_runs, margin, args.min_room, args.shortlist,
         args.reserve)
        for s in candidates
    ]
    start = time.perf_counter()
    used: list[int] = []
    skipped: list[int] = []
    studies: list[Study] = []
    with multiprocessing.get_context("fork").Pool(args.workers) as pool:
        for seed, result in zip(candidates, pool.imap(run_problem, jobs), strict=False):
            if result is None:
                skipped.append(seed)
                continue
            used.append(seed)
            studies.extend(result)
            if len(used) == args.seeds:
                pool.terminate()
                break
    print(
        f"{len(used)} problems (seeds {', '.join(map(str, used))}; skipped for less than "
        f"{args.min_room:.0%} possible improvement: {', '.join(map(str, skipped)) or 'none'}), "
        f"guardrail margin {args.margin}, budgets {budgets}, shortlist {args.shortlist}, "
        f"reserve {args.reserve:.0%}, baseline from {args.history_runs} runs, {args.workers} "
        f"workers, {time.perf_counter() - start:.0f} s total"
    )
    print(report(studies, algorithms, budgets))


if __name__ == "__main__":
    main()
