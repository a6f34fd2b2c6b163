"""Timeout tuning: a team's ``timeout_seconds`` from the durations of its successful runs."""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass
from typing import ClassVar

import numpy as np
import numpy.typing as npt

from autotune_bot.analysis import stats
from autotune_bot.search.space import Dimension
from autotune_bot.strategies.base import Proposal, TeamStrategy, TeamTarget
from autotune_bot.strategies.options import bool_option, float_option
from autotune_bot.strategies.team_caps import ceil_to
from autotune_bot.strategies.team_evidence import field_where, team_insights
from autotune_bot.strategies.team_usage import run_samples
from autotune_bot.tuning.dimension_names import TIMEOUT_SECONDS
from autotune_bot.tuning.suggestion import OptimizationType

__all__ = ["TimeoutTuningStrategy"]

F64 = npt.NDArray[np.float64]


@dataclass(frozen=True)
class _Plan:
    current: float | None
    value: float
    quantile: stats.QuantileEstimate
    longest: float  # longest successful run
    headroom: float
    durations: F64  # every analysed run with a valid duration
    successful: F64  # sorted
    failed: F64


class TimeoutTuningStrategy(TeamStrategy):
    """Set ``timeout_seconds`` to max(P95 of successful runs × (1 + headroom), the longest
    successful run), rounded up; propose it when it differs meaningfully from the value
    written in the YAML, or when the YAML writes none. A timeout that would have cut a
    recorded successful run is never proposed, so a heavy tail of slow successes keeps the
    timeout high. By default a lower timeout is proposed only when some recorded (failed)
    executions ran past it: when every run ends well within the current timeout, the
    timeout is never reached and lowering it would change nothing that was recorded.

    Options (``strategies.timeout_tuning.options``):

    - ``quantile`` (0.95): the quantile of successful durations the timeout is built on.
    - ``headroom`` (0.2): added to that quantile (0.2 = +20 %).
    - ``round_to`` (10): the timeout is rounded up to a multiple of this many seconds.
    - ``min_change`` (0.15): smallest relative difference from the current timeout worth a
      proposal.
    - ``require_stopped_runs`` (true): lower a timeout only when recorded executions ran
      past the new value.
    """

    name: ClassVar[str] = "timeout_tuning"
    optimization_type: ClassVar[OptimizationType] = OptimizationType.TIMEOUT_TUNING
    options: ClassVar[dict[str, str]] = {
        "quantile": "quantile of successful durations the timeout rests on (default 0.95)",
        "headroom": "share added to that quantile (default 0.2)",
        "round_to": "round the timeout up to a multiple of this many seconds (default 10)",
        "min_change": "smallest relative change from the current timeout (default 0.15)",
        "require_stopped_runs": "lower a timeout only when recorded executions ran past the "
        "new value (default true)",
    }
    risk_level: ClassVar[float] = 0.1

    def _plan(self, target: TeamTarget) -> _Plan | None:
        if target.node.team is None:
            return None
        opts = target.options
        q = float_option(opts, self.name, "quantile", 0.95, low=0.5, high=0.999)
        headroom = float_option(opts, self.name, "headroom", 0.2, low=0.0, high=10.0)
        step = float_option(opts, self.name, "round_to", 10.0, low=1e-3, high=3600.0)
        min_change = float_option(opts, self.name, "min_change", 0.15, low=0.0, high=10.0)
        runs = run_samples(target)
        valid = np.isfinite(runs.duration) & (runs.duration > 0)
        successful = np.sort(runs.duration[valid & runs.successful])
        if successful.size < target.settings.analysis.min_samples:
            return None
        estimate = stats.quantile_estimate(successful, q, target.settings.analysis.confidence)
        longest = float(successful[-1])
        value = ceil_to(max(estimate.estimate * (1.0 + headroom), longest), step)
        current = target.current.timeout_seconds
        if current is not None and abs(value - current) < min_change * current:
            return None
        if current is not None and math.isclose(value, current):
            return None
        failed = runs.duration[valid & runs.failed]
        require = bool_option(opts, self.name, "require_stopped_runs", True)
        lowering = current is not None and value < current
        if lowering and require and not np.any(failed > value):
            return None
        return _Plan(
            current=current,
            value=value,
            quantile=estimate,
            longest=longest,
            headroom=headroom,
            durations=runs.duration[valid],
            successful=successful,
            failed=failed,
        )

    def propose(self, target: TeamTarget) -> list[Proposal]:
        plan = self._plan(target)
        if plan is None:
            return []
        assert target.node.team is not None
        spot = field_where(target, target.node.team.timeout_seconds)
        q = plan.quantile
        label = f"P{100 * q.q:g}"
        if plan.current is None:
            description = f"Add timeout_seconds {plan.value:g} to {target.team_id}"
            first = f"{target.team_id} writes no timeout_seconds ({spot})."
        else:
            description = f"Set {target.team_id} timeout_seconds {plan.current:g} → {plan.value:g}"
            first = f"{target.team_id} has timeout_seconds: {plan.current:g} ({spot})."
        if q.supported:
            spread = f" ({100 * q.confidence:g}% interval {q.low:.1f}–{q.high:.1f} s)"
        else:
            spread = f" ({q.note})"
        evidence = [
            first,
            f"{q.n} successful executions: {label} {q.estimate:.1f} s{spread}, "
            f"longest {plan.longest:.1f} s.",
            f"max({label} × {1 + plan.headroom:g} = {q.estimate * (1 + plan.headroom):.1f} s, "
            f"longest successful {plan.longest:.1f} s) rounded up gives {plan.value:g} s; "
            f"no recorded successful execution ran longer.",
            self._effect(plan),
        ]
        lowering = plan.current is None or plan.value < plan.current
        insights = team_insights(target, lambda b: lowering and b == "high_latency_outliers")
        candidate = dataclasses.replace(target.current, timeout_seconds=plan.value)
        return [
            Proposal(
                type=self.optimization_type,
                description=description,
                candidate=candidate,
                risk_level=self.risk_level,
                evidence=tuple(evidence),
                insights=insights,
            )
        ]

    @staticmethod
    def _effect(plan: _Plan) -> str:
        beyond = plan.failed[plan.failed > plan.value]
        if plan.current is not None and plan.value > plan.current:
            near = 0.9 * plan.current
            close = int(np.count_nonzero(plan.successful > near))
            stopped = int(np.count_nonzero(plan.failed > near))
            return (
                f"{close} of {plan.successful.size} successful and {stopped} of "
                f"{plan.failed.size} failed executions took more than 90% of the current "
                f"timeout ({near:.0f} s): the current value leaves successful runs no margin."
            )
        if beyond.size == 0:
            return (
                f"None of the {plan.durations.size} recorded executions ran longer than "
                f"{plan.value:g} s, so the change only bounds runs that hang."
            )
        saved = float((beyond - plan.value).sum())
        return (
            f"{beyond.size} of {plan.failed.size} failed executions ran longer than "
            f"{plan.value:g} s; they would have been stopped {saved:.0f} s earlier in total."
        )

    def dimensions(self, target: TeamTarget) -> list[Dimension]:
        plan = self._plan(target)
        if plan is None:
            return []
        step = float_option(target.options, self.name, "round_to", 10.0, low=1e-3, high=3600.0)
        values = {plan.value, ceil_to(plan.value * 1.5, step)}
        if plan.current is not None:
            values.add(plan.current)
        ordered: list[float | None] = [*sorted(values)]
        if plan.current is None:
            ordered.append(None)
        return [
            Dimension(
                TIMEOUT_SECONDS,
                tuple(ordered),
                ordered.index(plan.current),
                "ordinal",
            )
        ]
