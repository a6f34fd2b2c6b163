"""Noisy workflow-tuning problems with a known optimum, for the search benchmark.

A configuration of one team node has six dimensions (3,840 configurations):

    formation   sequential | parallel | pipeline | consensus | hierarchical   (categorical)
    team_size   1 … 8
    tool_budget 4 | 8 | 16 | 32 tool calls per agent
    timeout     60 | 120 | 300 | 600 s
    model_tier  small | medium | large
    caching     off | on

A run of a configuration simulates every agent of the team:

* work: the task needs ``work`` agent-seconds at the medium tier; formations split it (sequential,
  parallel, pipeline: ``work / k`` each plus a coordination overhead growing with k; consensus:
  every agent does the whole task; hierarchical: a manager plans and reviews, k − 1 workers
  split the rest). Agent time is log-normal (per-agent σ plus a per-run task-difficulty factor
  shared by the team), scaled by the tier's speed, plus tool-call latency and a start-up cost.
* tools: each agent's demand is Poisson-like around its share of the task's calls (more for
  small models). Demand above the agent's budget exhausts it, which fails the run with a
  problem-specific probability; agents also spend part of any unused budget (more calls when
  allowed), which costs time and money.
* critical path: sequential = sum + hand-offs; parallel = max + merge; pipeline = max + an
  overlapped share of the rest + hand-offs; consensus = max + discussion growing with k²;
  hierarchical = plan + max(workers) + review.
* quality: each formation turns the tier's single-attempt quality into a success probability
  (sequential and pipeline refine, parallel pays an integration penalty, consensus takes a
  majority vote, hierarchical gets a review bonus); caching hits make agents ×0.3 faster and
  ×0.2 cheaper but cost a little quality.
* timeout: a run longer than the timeout stops there, fails, and pays for the time used.

Every constant (work, prices, tier speed and quality, tool demand, overheads, per-formation
efficiency and quality factors, noise, cache hit rate) is drawn from the problem seed, as is
the current configuration, so each seed is a different problem. Ground truth: every
configuration simulated ``truth_runs`` times with common random numbers (the same underlying
draws for every configuration, so differences between configurations are precise), giving
expected duration, cost and success; the true objective is the default ``per_success``
objective with its guardrail, relative to the true default.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

import numpy as np
from scipy.stats import binom

from autotune_bot.search.objective import Outcome
from autotune_bot.search.space import Dimension, Space

FORMATIONS = ("sequential", "parallel", "pipeline", "consensus", "hierarchical")
TEAM_SIZES = (1, 2, 3, 4, 5, 6, 7, 8)
TOOL_BUDGETS = (4, 8, 16, 32)
TIMEOUTS = (60, 120, 300, 600)
TIERS = ("small", "medium", "large")
CACHING = ("off", "on")
MAX_AGENTS = max(TEAM_SIZES)
RUNS_PER_EVALUATION = 5


@dataclass(frozen=True)
class Constants:
    work: float  # agent-seconds of work at the medium tier
    price: np.ndarray  # $ per agent-second, by tier
    speed: np.ndarray  # time multiplier, by tier
    quality: np.ndarray  # single-attempt success probability, by tier
    demand: float  # tool calls the whole task needs (medium tier)
    demand_tier: np.ndarray  # tool-demand multiplier, by tier
    tool_latency: float  # seconds per call
    tool_cost: float  # $ per call
    greed: float  # share of an unused tool budget agents spend anyway
    exhaust_fail: float  # P(run fails | an agent ran out of tool budget)
    startup: float  # seconds per agent
    handoff: float  # seconds per hand-off / merged result
    coordination: float  # extra work share per additional agent
    efficiency: np.ndarray  # time multiplier, by formation
    refine: float  # failure shrink per extra agent (sequential)
    pipe_refine: float  # failure shrink per extra stage (pipeline)
    handoff_error: float  # per hand-off failure (pipeline)
    integration: float  # per extra agent quality loss (parallel, hierarchical)
    overlap: float  # share of non-critical stage time that is not overlapped (pipeline)
    discussion: float  # seconds × k² (consensus)
    plan_share: float  # manager's plan and review, share of the work each (hierarchical)
    review: float  # failure multiplier thanks to the review (hierarchical)
    sigma_agent: float
    sigma_task: float
    cache_hit: float
    cache_quality: float  # quality lost on a run with a cache hit

    @classmethod
    def draw(cls, rng: np.random.Generator) -> Constants:
        u = rng.uniform
        return cls(
            work=math.exp(u(math.log(40), math.log(200))),
            price=u(0.0006, 0.0012) * np.array([u(0.1, 0.25), 1.0, u(3.0, 6.0)]),
            speed=np.array([u(0.45, 0.7), 1.0, u(1.3, 1.9)]),
            quality=np.array([u(0.5, 0.7), u(0.72, 0.85), u(0.85, 0.95)]),
            demand=u(6, 24),
            demand_tier=np.array([u(1.1, 1.5), 1.0, u(0.7, 0.9)]),
            tool_latency=u(1.0, 3.0),
            tool_cost=u(0.0005, 0.002),
            greed=u(0.2, 0.5),
            exhaust_fail=u(0.6, 0.8),
            startup=u(2.0, 6.0),
            handoff=u(3.0, 10.0),
            coordination=u(0.03, 0.12),
            efficiency=rng.uniform(0.85, 1.15, len(FORMATIONS)),
            refine=u(0.75, 0.92),
            pipe_refine=u(0.8, 0.95),
            handoff_error=u(0.005, 0.03),
            integration=u(0.01, 0.04),
            overlap=u(0.2, 0.5),
            discussion=u(1.5, 4.0),
            plan_share=u(0.08, 0.2),
            review=u(0.5, 0.8),
            sigma_agent=u(0.3, 0.6),
            sigma_task=u(0.2, 0.4),
            cache_hit=u(0.2, 0.5),
            cache_quality=u(0.0, 0.03),
        )


@dataclass(frozen=True)
class Draws:
    """The underlying random numbers of ``runs`` runs (shared by every configuration)."""

    agent: np.ndarray  # (runs, agents) standard normal: agent time
    task: np.ndarray  # (runs, 1) standard normal: task difficulty
    demand: np.ndarray  # (runs, agents) standard normal: tool demand
    exhaust: np.ndarray  # (runs, agents) uniform: failure when out of budget
    cache: np.ndarray  # (runs, agents) uniform: cache hits
    quality: np.ndarray  # (runs, 1) uniform: success given quality

    @classmethod
    def draw(cls, rng: np.random.Generator, runs: int) -> Draws:
        shape = (runs, MAX_AGENTS)
        return cls(
            rng.standard_normal(shape),
            rng.standard_normal((runs, 1)),
            rng.standard_normal(shape),
            rng.random(shape),
            rng.random(shape),
            rng.random((runs, 1)),
        )


def _quality(c: Constants, f: int, k: int, tier: int) -> float:
    q = float(c.quality[tier])
    name = FORMATIONS[f]
    if name == "sequential":
        return 1 - (1 - q) * c.refine ** (k - 1)
    if name == "parallel":
        return q * (1 - c.integration) ** (k - 1)
    if name == "pipeline":
        return (1 - (1 - q) * c.pipe_refine ** (k - 1)) * (1 - c.handoff_error) ** (k - 1)
    if name == "consensus":
        wins = binom.sf(k // 2, k, q)  # strict majority
        tie = binom.pmf(k // 2, k, q) if k % 2 == 0 else 0.0
        return float(wins + 0.5 * tie)
    if k == 1:  # hierarchical with a lone manager
        return q
    return (1 - (1 - q) * c.review) * (1 - c.integration) ** (k - 2)


def simulate(c: Constants, config: tuple[int, ...], d: Draws) -> tuple[np.ndarray, ...]:
    """Duration, cost and success of each run in ``d`` for one configuration (index tuple)."""
    f, ki, bi, ti, tier, cache = config
    k, budget, timeout = TEAM_SIZES[ki], TOOL_BUDGETS[bi], TIMEOUTS[ti]
    name = FORMATIONS[f]
    runs = d.task.shape[0]
    over = 1 + c.coordination * (k - 1)
    if name == "consensus":
        share = np.ones(k)
    elif name == "hierarchical" and k > 1:
        share = np.full(k, (1 - 2 * c.plan_share) / (k - 1) * over)
        share[0] = 2 * c.plan_share * over
    else:
        share = np.full(k, over / k)
    noise = np.exp(c.sigma_agent * d.agent[:, :k] + c.sigma_task * d.task)
    llm = c.work * c.speed[tier] * c.efficiency[f] * share * noise
    lam = c.demand * c.demand_tier[tier] * share * np.exp(c.sigma_task * d.task)
    want = np.maximum(0.0, np.round(lam + np.sqrt(lam) * d.demand[:, :k]))
    exhausted = want > budget
    calls = np.minimum(want, budget) + c.greed * np.maximum(budget - want, 0.0)
    hit = (d.cache[:, :k] < c.cache_hit) if cache else np.zeros((runs, k), dtype=bool)
    t_factor = np.where(hit, 0.3, 1.0)
    agent_time = (llm + calls * c.tool_latency) * t_factor + c.startup
    agent_cost = (llm * c.price[tier] + calls * c.tool_cost) * np.where(hit, 0.2, 1.0)
    if name == "sequential":
        duration = agent_time.sum(axis=1) + c.handoff * (k - 1)
    elif name == "parallel":
        duration = agent_time.max(axis=1) + c.handoff * k * (k > 1)
    elif name == "pipeline":
        top = agent_time.max(axis=1)
        duration = top + c.overlap * (agent_time.sum(axis=1) - top) + c.handoff * (k - 1)
    elif name == "consensus":
        duration = agent_time.max(axis=1) + c.discussion * k * k * (k > 1)
    elif k > 1:  # hierarchical: plan, workers side by side, review
        duration = agent_time[:, 0] + agent_time[:, 1:].max(axis=1) + c.handoff * (k - 1)
    else:
        duration = agent_time[:, 0]
    cost = agent_cost.sum(axis=1)
    if name == "consensus" and k > 1:
        cost = cost + c.discussion * k * k * c.price[tier]
    p = _quality(c, f, k, tier) - c.cache_quality * hit.any(axis=1)
    ok = d.quality[:, 0] < p
    ok &= ~(exhausted & (d.exhaust[:, :k] < c.exhaust_fail)).any(axis=1)
    late = duration > timeout
    cost = np.where(late, cost * timeout / duration, cost)
    duration = np.minimum(duration, timeout)
    return duration, cost, ok & ~late


@dataclass(frozen=True)
class Truth:
    duration: np.ndarray  # expected, per configuration (space index order)
    cost: np.ndarray
    success: np.ndarray
    objective: np.ndarray  # true per_success objective (inf: no success)
    feasible: np.ndarray  # true guardrail
    default: int  # index of the current configuration
    best: int  # index of the optimum (feasible, lowest objective)

    def captured(self, index: int, *, guardrail: bool = True) -> float:
        """Share of the possible improvement a configuration captures.

        A configuration that truly breaks the guardrail scores min(captured, 0) — shipping it
        is no better than shipping nothing — unless ``guardrail`` is false.
        """
        j0, jopt = self.objective[self.default], self.objective[self.best]
        raw = float((j0 - self.objective[index]) / (j0 - jopt)) if j0 > jopt else 0.0
        return raw if self.feasible[index] or not guardrail else min(raw, 0.0)


@dataclass
class Problem:
    seed: int
    truth_runs: int = 2000
    margin: float | None = 0.02  # success guardrail of the true objective (None: none)
    constants: Constants = field(init=False)
    space: Space = field(init=False)

    def __post_init__(self) -> None:
        rng = np.random.default_rng([self.seed, 1])
        self.constants = Constants.draw(rng)
        current = self._pick_current(rng)
        lists: tuple[tuple[str, tuple[Any, ...], str], ...] = (
            ("formation", FORMATIONS, "categorical"),
            ("team_size", TEAM_SIZES, "ordinal"),
            ("tool_budget", TOOL_BUDGETS, "ordinal"),
            ("timeout", TIMEOUTS, "ordinal"),
            ("model_tier", TIERS, "ordinal"),
            ("caching", CACHING, "categorical"),
        )
        self.space = Space(
            tuple(
                Dimension(n, ch, i, kind)  # type: ignore[arg-type]
                for (n, ch, kind), i in zip(lists, current, strict=True)
            )
        )

    def _pick_current(self, rng: np.random.Generator) -> tuple[int, ...]:
        """A plausible hand-written configuration: medium or large tier, no caching, 3–5 agents,
        a timeout of 300 or 600 s, and a success rate of 70–92 % (a configuration that
        works most of the time but was never tuned)."""
        draws = Draws.draw(np.random.default_rng([self.seed, 3]), 400)
        fallback: tuple[float, tuple[int, ...]] = (-1.0, ())
        for _ in range(100):
            config = (
                int(rng.integers(len(FORMATIONS))),
                int(rng.integers(2, 5)),  # team of 3–5
                int(rng.integers(1, 4)),  # 8, 16 or 32 tool calls
                int(rng.integers(2, 4)),  # 300 or 600 s
                int(rng.integers(1, 3)),  # medium or large tier
                0,  # no caching
            )
            success = float(simulate(self.constants, config, draws)[2].mean())
            if 0.70 <= success <= 0.92:
                return config
            fallback = max(fallback, (success, config))
        return fallback[1]

    def evaluate(self, values: dict[str, Any], rng: np.random.Generator) -> Outcome:
        """One evaluation: a few fresh noisy runs of a configuration."""
        config = self.space.point(values)
        dur, cost, ok = simulate(self.constants, config, Draws.draw(rng, RUNS_PER_EVALUATION))
        return Outcome.from_runs(dur, cost, ok)

    @cached_property
    def truth(self) -> Truth:
        draws = Draws.draw(np.random.default_rng([self.seed, 2]), self.truth_runs)
        points = list(self.space.all_points())
        stats = np.array([[x.mean() for x in simulate(self.constants, p, draws)] for p in points])
        dur, cost, succ = stats.T
        i0 = points.index(self.space.current)
        with np.errstate(divide="ignore", invalid="ignore"):
            dps = np.where(succ > 0, dur / succ, np.inf)
            cps = np.where(succ > 0, cost / succ, np.inf)
        j = 0.5 * dps / dps[i0] + 0.5 * cps / cps[i0]
        feasible = np.isfinite(j)
        if self.margin is not None:
            feasible &= succ >= succ[i0] - self.margin
        best = int(np.argmin(np.where(feasible, j, np.inf)))
        return Truth(dur, cost, succ, j, feasible, i0, best)
