"""Search benchmark: every registered searcher and Optuna TPE on seeded workflow problems.

    python benchmarks/bench_search.py [--seeds 20] [--repeats 2] [--budgets 20,30,50,100]
                                      [--algorithms random,bayesian,tpe,...] [--margin 0.02]
                                      [--quick]

For each problem (``search_problem.Problem(seed)``, ground truth by exhaustive enumeration),
each budget and each repeat, every algorithm runs one study from the problem's current
configuration. One evaluation = 5 noisy runs. The objective is the default ``per_success``
objective (success guardrail ``--margin``, ``none`` to drop it) relative to a baseline measured
from ``--history-runs`` recorded runs of the current configuration (not counted in any budget).
Problems whose optimum improves the true objective by less than ``--min-room`` are skipped and
listed: there the best possible change is smaller than what any affordable evaluation can see.

* Our searchers go through ``run_search``: at most ``--reserve`` (30 %) of the budget
  re-evaluates a shortlist of ``--shortlist`` (3); the budget counts every evaluation.
* ``tpe``: Optuna's ``TPESampler(seed=…)`` with v5 defaults, the current configuration enqueued
  first, one categorical suggestion per dimension, the guardrail slack as its constraint
  (``trial.set_constraint``); the whole budget searches and the best observed feasible point
  ships. ``tpe+reeval``: the same sampler through our driver, with the same re-evaluation.

Reported per algorithm, over problems × repeats: captured(B) = (J(default) − J(shipped)) /
(J(default) − J(optimum)) at true expected values (mean; a shipped configuration that truly
breaks the guardrail counts as min(captured, 0)); the same for the best configuration *visited*
("oracle", search quality) and the best configuration among the shipping candidates; "reaches":
the median evaluation index at which a configuration capturing ≥ 90 % (and truly feasible) was
first visited, in the largest-budget study (">max" when it was not visited in most studies);
the share of shipped picks that truly break the guardrail; the share of studies that shipped a
change; wall time per study at the largest budget. Last, from the ground truth alone: the best
capture of a configuration whose true success is at least success₀ + δ (what a rule that insists
on that much success could ship at best, even knowing every expected value) and how many
configurations capture ≥ 90 %.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
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

from search_problem import Problem  # noqa: E402

from autotune_bot.search.base import Searcher  # noqa: E402
from autotune_bot.search.neighbourhood import index_of  # noqa: E402
from autotune_bot.search.objective import Guardrail, Outcome, PerSuccessObjective  # noqa: E402
from autotune_bot.search.registry import SEARCHERS  # noqa: E402
from autotune_bot.search.selection import SearchResult, run_search, run_searcher  # noqa: E402
from autotune_bot.search.space import Point, Space  # noqa: E402

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


@dataclass(frozen=True)
class Settings:
    algorithms: tuple[str, ...]
    budgets: tuple[int, ...]
    repeats: int
    history_runs: int
    margin: float | None
    min_room: float
    shortlist: int
    reserve: float
    options: dict[str, dict[str, Any]]  # searcher options by algorithm


@dataclass(frozen=True)
class Study:
    problem: int
    algorithm: str
    budget: int
    captured: float
    captured_j: float  # the same, scored on the objective only (guardrail ignored)
    oracle: float  # best configuration visited
    candidate: float  # best configuration among the shipping candidates
    reaches: float  # evaluation index of the first ≥ 90 % visit (inf: never)
    infeasible_ship: bool
    changed: bool
    seconds: float


def baseline(problem: Problem, runs: int) -> Outcome:
    """The current configuration's recorded history (seeded, not counted in any budget)."""
    rng = np.random.default_rng([problem.seed, 99])
    current = problem.space.values(problem.space.current)
    return Outcome.pool(problem.evaluate(current, rng) for _ in range(max(1, runs // 5)))


def one_study(
    problem: Problem,
    objective: PerSuccessObjective,
    algorithm: str,
    budget: int,
    repeat: int,
    settings: Settings,
) -> Study:
    space = problem.space
    rng = np.random.default_rng([problem.seed, budget, repeat, 7])
    start = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # Optuna's experimental-feature warnings
        if algorithm in TPE_NAMES:
            searcher_rng, eval_rng = rng.spawn(2)
            result = run_searcher(
                OptunaTPE(space, searcher_rng),
                problem.evaluate,
                budget,
                eval_rng,
                objective,
                name=algorithm,
                shortlist=settings.shortlist,
                reserve=settings.reserve if algorithm == "tpe+reeval" else 0.0,
            )
        else:
            result = run_search(
                space,
                problem.evaluate,
                algorithm,
                budget,
                rng,
                objective,
                shortlist=settings.shortlist,
                reserve=settings.reserve,
                options=settings.options.get(algorithm),
            )
    return score(problem, algorithm, budget, result, time.perf_counter() - start)


def score(
    problem: Problem, algorithm: str, budget: int, result: SearchResult, seconds: float
) -> Study:
    space, truth = problem.space, problem.truth
    visits = sorted(result.first_visit.items(), key=lambda kv: kv[1])
    caps = [(truth.captured(index_of(space, p)), i) for p, i in visits]
    shipped = index_of(space, result.shipped)
    return Study(
        problem=problem.seed,
        algorithm=algorithm,
        budget=budget,
        captured=truth.captured(shipped),
        captured_j=truth.captured(shipped, guardrail=False),
        oracle=max(c for c, _ in caps),
        candidate=max(truth.captured(index_of(space, c.point)) for c in result.candidates),
        reaches=min((i for c, i in caps if c >= 0.9), default=math.inf),
        infeasible_ship=not bool(truth.feasible[shipped]),
        changed=result.changed,
        seconds=seconds,
    )


# a pick that must show true success ≥ success₀ + δ: what could it capture at best?
CEILING_DELTAS = (-0.02, 0.0, 0.02, 0.04)


@dataclass(frozen=True)
class ProblemResult:
    studies: list[Study]
    ceilings: tuple[float, ...]  # by CEILING_DELTAS
    near_optimal: int  # configurations capturing ≥ 90 % (truly feasible)


def ceiling(problem: Problem, delta: float) -> float:
    """Best capture among configurations with true success ≥ success₀ + delta (0: none better).

    Scored like a shipped pick (guardrail included): with delta ≥ the guardrail margin's
    negative, it is the best a rule that insists on that much success could ship even if it
    knew every expected value exactly.
    """
    t = problem.truth
    ok = np.isfinite(t.objective) & (t.success >= t.success[t.default] + delta - 1e-12)
    if not ok.any():
        return 0.0
    return max(0.0, t.captured(int(np.argmin(np.where(ok, t.objective, np.inf)))))


def run_problem(job: tuple[int, Settings]) -> ProblemResult | None:
    """Every study of one problem; None when the problem has too little room to improve."""
    seed, settings = job
    problem = Problem(seed, margin=settings.margin)
    truth = problem.truth
    if truth.objective[truth.best] > 1.0 - settings.min_room:
        return None
    guard = None if settings.margin is None else Guardrail(success_margin=settings.margin)
    objective = PerSuccessObjective(baseline(problem, settings.history_runs), guardrail=guard)
    studies = [
        one_study(problem, objective, a, b, r, settings)
        for a in settings.algorithms
        for b in settings.budgets
        for r in range(settings.repeats)
    ]
    near = sum(truth.captured(i) >= 0.9 for i in range(len(truth.objective)))
    return ProblemResult(studies, tuple(ceiling(problem, d) for d in CEILING_DELTAS), near)


def ceilings(results: list[ProblemResult]) -> str:
    """What picks that insist on more success than the guardrail asks could capture at best."""
    cells = ", ".join(
        f"δ = {d:+.2f}: {statistics.fmean(r.ceilings[i] for r in results):.2f}"
        for i, d in enumerate(CEILING_DELTAS)
    )
    near = statistics.median(r.near_optimal for r in results)
    return (
        "Best capture of a configuration with true success ≥ success₀ + δ (mean over the "
        f"problems, knowing every expected value): {cells}; configurations capturing ≥ 90 %: "
        f"median {near:.0f} per problem"
    )


def median_reach(studies: list[Study]) -> float:
    return statistics.median(s.reaches for s in studies)


def fmt_reach(x: float) -> str:
    return ">max" if math.isinf(x) else f"{x:.0f}"


def report(studies: list[Study], settings: Settings) -> str:
    budgets, top = settings.budgets, max(settings.budgets)
    mid = 50 if 50 in budgets else budgets[len(budgets) // 2]
    head = (
        "| algorithm | "
        + " | ".join(f"captured@{b}" for b in budgets)
        + f" | captured@{mid} ignoring the guardrail"
        + (f" | oracle@{mid}" if mid != top else "")
        + f" | oracle@{top} | best candidate@{mid} | reaches ≥90 % (median)"
        + f" | infeasible ships | changed | s/study@{top} |"
    )
    lines = [head, "|" + "---|" * (head.count("|") - 1)]
    for a in settings.algorithms:
        by = {b: [s for s in studies if s.algorithm == a and s.budget == b] for b in budgets}
        mine = [s for b in budgets for s in by[b]]
        lines.append(
            f"| {a} | "
            + " | ".join(f"{statistics.fmean(s.captured for s in by[b]):.2f}" for b in budgets)
            + f" | {statistics.fmean(s.captured_j for s in by[mid]):.2f}"
            + (f" | {statistics.fmean(s.oracle for s in by[mid]):.2f}" if mid != top else "")
            + f" | {statistics.fmean(s.oracle for s in by[top]):.2f}"
            + f" | {statistics.fmean(s.candidate for s in by[mid]):.2f}"
            + f" | {fmt_reach(median_reach(by[top]))}"
            + f" | {sum(s.infeasible_ship for s in mine) / len(mine):.0%}"
            + f" | {sum(s.changed for s in mine) / len(mine):.0%}"
            + f" | {statistics.fmean(s.seconds for s in by[top]):.2f} |"
        )
    return "\n".join(lines)


def targets(studies: list[Study], settings: Settings) -> str:
    """The acceptance criteria, checked on our own searchers (TPE is the reference)."""
    ours = [a for a in settings.algorithms if a in SEARCHERS]
    if not ours:
        return ""
    top = max(settings.budgets)
    out = []
    reach = {
        a: median_reach([s for s in studies if s.algorithm == a and s.budget == top]) for a in ours
    }
    best = min(reach, key=lambda a: reach[a])
    who = f"{best} {fmt_reach(reach[best])}" if math.isfinite(reach[best]) else "none within"
    out.append(
        f"- best median 'reaches ≥ 90 %': {who} (target ≤ 24): "
        + ("met" if reach[best] <= 24 else "NOT met")
    )

    def mean(a: str, b: int) -> float:
        return statistics.fmean(s.captured for s in studies if s.algorithm == a and s.budget == b)

    if 50 in settings.budgets:
        at50 = {a: mean(a, 50) for a in ours}
        best = max(at50, key=lambda a: at50[a])
        out.append(
            f"- best captured@50: {best} {at50[best]:.2f} (target ≥ 0.85): "
            + ("met" if at50[best] >= 0.85 else "NOT met")
        )
    small = [b for b in settings.budgets if b <= 30]
    if {"bayesian", "random"} <= set(ours) and small:
        pairs = ", ".join(
            f"@{b} {mean('bayesian', b):.2f} vs {mean('random', b):.2f}" for b in small
        )
        beats = all(mean("bayesian", b) > mean("random", b) for b in small)
        out.append(f"- bayesian vs random captured {pairs}: " + ("met" if beats else "NOT met"))
    return "\n".join(out)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--seeds", type=int, default=20, help="number of problems")
    parser.add_argument("--first-seed", type=int, default=0)
    parser.add_argument("--repeats", type=int, default=2, help="studies per problem and budget")
    parser.add_argument("--budgets", default="20,30,50,100")
    parser.add_argument("--algorithms", default=",".join([*SEARCHERS, *TPE_NAMES]))
    parser.add_argument("--margin", default="0.02", help="success guardrail margin, or none")
    parser.add_argument("--history-runs", type=int, default=200)
    parser.add_argument(
        "--min-room",
        type=float,
        default=0.25,
        help="skip problems whose optimum improves the objective by less than this share",
    )
    parser.add_argument("--shortlist", type=int, default=3)
    parser.add_argument("--reserve", type=float, default=0.3)
    parser.add_argument(
        "--options", default="{}", help='searcher options, e.g. {"bayesian": {"design": "lhs"}}'
    )
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--quick", action="store_true", help="6 problems, budgets 20,50, 1 repeat")
    args = parser.parse_args()
    if args.quick:
        args.seeds, args.budgets, args.repeats = min(args.seeds, 6), "20,50", 1
    algorithms = tuple(a for a in args.algorithms.split(",") if a)
    unknown = [a for a in algorithms if a not in SEARCHERS and a not in TPE_NAMES]
    if unknown:
        parser.error(f"unknown algorithms: {', '.join(unknown)}")
    if any(a in TPE_NAMES for a in algorithms) and importlib.util.find_spec("optuna") is None:
        parser.error(
            "tpe needs Optuna (pip install -e '.[bench]'), or leave it out of --algorithms"
        )
    settings = Settings(
        algorithms=algorithms,
        budgets=tuple(sorted(int(b) for b in args.budgets.split(","))),
        repeats=args.repeats,
        history_runs=args.history_runs,
        margin=None if args.margin == "none" else float(args.margin),
        min_room=args.min_room,
        shortlist=args.shortlist,
        reserve=args.reserve,
        options=json.loads(args.options),
    )
    candidates = range(args.first_seed, args.first_seed + 10 * args.seeds)
    start = time.perf_counter()
    used: list[int] = []
    skipped: list[int] = []
    studies: list[Study] = []
    results: list[ProblemResult] = []
    with multiprocessing.get_context("fork").Pool(max(1, args.workers)) as pool:
        jobs = ((s, settings) for s in candidates)
        for seed, result in zip(candidates, pool.imap(run_problem, jobs), strict=False):
            if result is None:
                skipped.append(seed)
                continue
            used.append(seed)
            studies.extend(result.studies)
            results.append(result)
            if len(used) == args.seeds:
                pool.terminate()
                break
    print(
        f"{len(used)} problems (seeds {', '.join(map(str, used))}; skipped, less than "
        f"{settings.min_room:.0%} possible improvement: {', '.join(map(str, skipped)) or 'none'})"
        f", {settings.repeats} studies per problem and budget, guardrail margin {args.margin}, "
        f"baseline from {settings.history_runs} runs, shortlist {settings.shortlist}, reserve "
        f"{settings.reserve:.0%}, {args.workers} worker processes, "
        f"{time.perf_counter() - start:.0f} s in all"
    )
    print()
    print(report(studies, settings))
    print()
    print(targets(studies, settings))
    print()
    print(ceilings(results))


if __name__ == "__main__":
    main()
