"""The outcome of validating a proposal by A/B runs: pure, immutable values.

Ratios are variant / control (lower is better); p-values are one-sided. Every figure that could
not be computed is None, never invented.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from autotune_bot.settings.proposals import ABTestSettings
from autotune_bot.validation.evidence import Evidence
from autotune_bot.validation.exact_binomial import SuccessTest, success_test_kind
from autotune_bot.validation.intervals import IntervalKind
from autotune_bot.validation.statistics import Method

__all__ = [
    "ABTestResult",
    "Evidence",
    "GuardrailState",
    "MetricComparison",
    "MetricName",
    "MetricRole",
    "SuccessComparison",
    "SuccessTest",
    "ValidationStatus",
]

#: ``passed``: the margin test on the primary metric passes and every guardrail holds;
#: ``failed``: the variant is shown worse on the primary metric, or a guardrail is shown
#: violated; ``inconclusive``: neither; ``skipped``: A/B testing disabled; ``dry_run``:
#: simulated only.
ValidationStatus = Literal["passed", "failed", "inconclusive", "skipped", "dry_run"]
#: Where the runs came from: benchmark command runs, metrics recorded in the repository for
#: both configurations, or the performance model (a dry-run estimate, never a pass).
MetricName = Literal["duration", "cost"]
MetricRole = Literal["primary", "guardrail"]
#: A guardrail (the non-primary metric, the success rate):
#: ``holds``: its harm test does not reject (Holm) and its observed value is within the
#: tolerance; ``violated``: its harm test rejects (→ ``failed``); ``beyond_tolerance``: not shown
#: violated but observed beyond the tolerance (→ cannot pass); ``unchecked``: it could not be
#: compared (too few runs, or too few runs report the metric; → cannot pass);
#: ``not_measured``: no run reports the metric (does not block a pass; reported).
GuardrailState = Literal["holds", "violated", "beyond_tolerance", "unchecked", "not_measured"]


@dataclass(frozen=True)
class MetricComparison:
    """Duration or cost of the two arms.

    ``threshold`` is the ratio the decisive test compares with: the margin (primary: H1 ratio <
    margin) or 1 + tolerance (guardrail: H1 ratio > 1 + tolerance means it is violated; its
    non-inferiority test, reported but not gated on, is H1 ratio < 1 + tolerance).
    """

    metric: MetricName
    role: MetricRole
    measured: bool  # compared on reported values (primary: every run must report one)
    n_control: int  # runs with a value
    n_variant: int
    median_control: float | None
    median_variant: float | None
    ratio: float | None  # estimate of variant / control (kind: see interval_kind)
    interval: tuple[float, float] | None  # None: not computed, or too few runs for it
    interval_kind: IntervalKind
    confidence: float  # of the two-sided interval: 1 − 2α
    threshold: float
    p_improvement: float | None  # primary: H1 ratio < margin
    p_worse: float | None  # primary: H1 ratio > 1; guardrail: H1 ratio > 1 + tolerance
    p_guardrail_adjusted: float | None  # guardrail: Holm-adjusted p_worse
    floored: int = 0  # values ≤ 0 replaced before taking logs
    note: str | None = None  # why it was not measured or not tested
    left_out: int = 0  # runs without a value, left out of the comparison (guardrail)
    paired_units: int | None = None  # paired: distinct inputs (or pairs) tested; None: unpaired
    guardrail: GuardrailState | None = None  # None for the primary metric
    p_noninferior: float | None = None  # guardrail: H1 ratio < 1 + tolerance
    p_noninferior_adjusted: float | None = None  # Holm across the guardrails
    noninferiority_shown: bool | None = None  # p_noninferior_adjusted < α (information only)
    runs_to_tell: int | None = None  # beyond tolerance: runs per arm to show it violated


@dataclass(frozen=True)
class SuccessComparison:
    """Success counts of the two arms and the success-rate guardrail."""

    successes_control: int
    n_control: int
    successes_variant: int
    n_variant: int
    margin: float  # the guardrail is violated when shown more than this below the control
    test: SuccessTest  # of both one-sided tests (exact, or asymptotic for large tables)
    p_worse: float | None  # H1: p_variant < p_control − margin
    p_worse_adjusted: float | None  # Holm-adjusted across the guardrails
    guardrail: GuardrailState | None = None
    p_noninferior: float | None = None  # H1: p_variant > p_control − margin
    p_noninferior_adjusted: float | None = None  # Holm across the guardrails
    noninferiority_shown: bool | None = None  # p_noninferior_adjusted < α (information only)
    runs_to_tell: int | None = None  # beyond tolerance: runs per arm to show it violated

    @property
    def rate_control(self) -> float | None:
        return self.successes_control / self.n_control if self.n_control else None

    @property
    def rate_variant(self) -> float | None:
        return self.successes_variant / self.n_variant if self.n_variant else None

    @property
    def difference(self) -> float | None:
        """Variant rate minus control rate (negative: the variant fails more often)."""
        if self.rate_control is None or self.rate_variant is None:
            return None
        return self.rate_variant - self.rate_control


@dataclass(frozen=True)
class ABTestResult:
    """A validation verdict with every number behind it."""

    status: ValidationStatus
    primary_metric: MetricName
    metrics: tuple[MetricComparison, ...]  # duration and cost; empty when nothing was run
    success: SuccessComparison
    paired: bool  # whether the analysis paired runs by trial
    method: Method
    alpha: float
    margin_ratio: float  # the primary ratio a pass must be shown below
    guardrail_ratio: float  # 1 + guardrail tolerance
    required_runs_per_arm: int | None  # for the decision the data point to, at 80 % power
    reasons: tuple[str, ...]
    evidence: Evidence = "measured"
    run_notes: tuple[str, ...] = ()  # where the runs' figures came from, why runs failed
    required_runs_decision: Literal["passed", "failed"] | None = None
    paired_units: int | None = None  # paired: distinct inputs (or pairs) of the primary test

    def metric(self, name: MetricName) -> MetricComparison | None:
        """The comparison of one metric, if it was made."""
        return next((m for m in self.metrics if m.metric == name), None)

    @classmethod
    def not_run(
        cls,
        status: ValidationStatus,
        *,
        primary_metric: MetricName,
        method: Method,
        alpha: float,
        margin_ratio: float,
        guardrail_ratio: float,
        success_margin: float,
        reasons: tuple[str, ...],
        evidence: Evidence = "measured",
    ) -> ABTestResult:
        """A result without runs (e.g. ``skipped``: A/B testing disabled)."""
        test = success_test_kind(0, 0, success_margin)
        return cls(
            status=status,
            primary_metric=primary_metric,
            metrics=(),
            success=SuccessComparison(0, 0, 0, 0, success_margin, test, None, None),
            paired=False,
            method=method,
            alpha=alpha,
            margin_ratio=margin_ratio,
            guardrail_ratio=guardrail_ratio,
            required_runs_per_arm=None,
            reasons=reasons,
            evidence=evidence,
        )


def not_run_result(
    status: ValidationStatus, settings: ABTestSettings, reasons: tuple[str, ...]
) -> ABTestResult:
    """:meth:`ABTestResult.not_run` with the test design of ``settings`` (``ab_test``)."""
    return ABTestResult.not_run(
        status,
        primary_metric=settings.primary_metric,
        method=settings.method,
        alpha=settings.alpha,
        margin_ratio=1.0 - settings.min_improvement,
        guardrail_ratio=1.0 + settings.guardrail_tolerance,
        success_margin=settings.success_margin,
        reasons=reasons,
    )
