"""The figure a proposal leads with: its effect on the primary metric and what backs it.

A validated proposal (an A/B result that ran: passed, failed or inconclusive) leads with the
measured ratio of the primary metric; any other leads with the performance model's estimate,
labelled "not validated". Pure.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from autotune_bot.tuning.suggestion import OptimizationSuggestion
from autotune_bot.validation.evidence import Evidence
from autotune_bot.validation.result import ABTestResult, MetricName

__all__ = ["RAN_STATUSES", "Headline", "format_percent", "headline"]

#: Statuses of an A/B result whose runs were compared; the others (skipped, dry_run) and no
#: result at all mean "not validated".
RAN_STATUSES = ("passed", "failed", "inconclusive")
_MINUS = "\u2212"


def format_percent(value: float, digits: int = 0) -> str:
    """``-35.2`` → ``−35 %`` (a true minus sign; ``±0 %`` when it rounds to zero)."""
    text = f"{abs(value):.{digits}f}"
    if float(text) == 0:
        return f"±{text} %"
    return f"{_MINUS if value < 0 else '+'}{text} %"


@dataclass(frozen=True)
class Headline:
    metric: str  # "duration", "cost", or "objective" when only the objective was estimated
    percent: float | None  # relative change in percent; negative is better (lower)
    status: (
        str  # validation status: passed / failed / inconclusive / skipped / dry_run / not_validated
    )
    evidence: Evidence  # what the figure rests on

    @property
    def validated(self) -> bool:
        return self.status in RAN_STATUSES

    def figure(self, digits: int = 0) -> str:
        """``−35 % duration``; ``not estimated`` without a figure."""
        if self.percent is None:
            return "not estimated"
        if self.metric == "objective":
            return f"{format_percent(self.percent, digits)} on the objective"
        return f"{format_percent(self.percent, digits)} {self.metric}"

    def verdict(self) -> str:
        """``not validated``, ``A/B passed``, ``inconclusive on recorded metrics`` ..."""
        if not self.validated:
            return "not validated"
        if self.evidence == "recorded":
            return f"{self.status} on recorded metrics"
        return f"A/B {self.status}"


def _finite(value: float | None) -> float | None:
    return value if value is not None and math.isfinite(value) else None


def headline(
    suggestion: OptimizationSuggestion, result: ABTestResult | None, primary: MetricName
) -> Headline:
    """The headline of a proposal: the A/B ratio of the primary metric when it ran, else the
    estimate of ``primary`` (or, when that is missing, the estimated objective change)."""
    if result is not None and result.status in RAN_STATUSES:
        measured = result.metric(result.primary_metric)
        ratio = _finite(measured.ratio) if measured is not None else None
        percent = (ratio - 1.0) * 100.0 if ratio is not None else None
        return Headline(result.primary_metric, percent, result.status, result.evidence)
    status = result.status if result is not None else "not_validated"
    estimate = suggestion.estimate
    change = None
    if estimate is not None:
        change = estimate.duration if primary == "duration" else estimate.cost
    relative = _finite(change.relative) if change is not None else None
    if relative is not None:
        return Headline(primary, relative * 100.0, status, "simulated")
    objective = _finite(suggestion.expected_improvement)
    percent = -objective if objective is not None else None
    return Headline("objective", percent, status, "simulated")
