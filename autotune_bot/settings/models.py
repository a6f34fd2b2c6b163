"""The models of ``.autotune.yml``: the root :class:`Settings` and its analysis sections.

The sections about changing workflows are in :mod:`autotune_bot.settings.proposals` and are
re-exported here. Every section is optional; ``Settings()`` is the configuration of a
repository without the file. Models are frozen and reject unknown keys; every field has a
description so the JSON Schema (``autotune schema``) gives editors completion and hover help.
A section written without a value (``analysis:``) means its defaults.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field, StrictBool, model_validator

from autotune_bot.settings.fields import (
    Fraction,
    NonEmptyStr,
    NonNegativeFloat,
    OpenFraction,
    PositiveFloat,
    PositiveInt,
    Ratio,
    RelativePath,
)
from autotune_bot.settings.proposals import (
    ABTestSettings,
    MonitoringSettings,
    PullRequestSettings,
    SearchSettings,
    StrategySettings,
)
from autotune_bot.settings.section import Section

__all__ = [
    "ABTestSettings",
    "AnalysisSettings",
    "AnalysisThresholds",
    "Baseline",
    "Constraints",
    "ModelPrice",
    "MonitoringSettings",
    "Objective",
    "PullRequestSettings",
    "SearchSettings",
    "Settings",
    "StrategySettings",
    "TeamMapping",
    "WorkflowIdMapping",
]


class TeamMapping(Section):
    """Where the team a metrics record names is defined."""

    workflow: RelativePath = Field(description="Workflow file, relative to the repository root.")
    node: NonEmptyStr = Field(description="Id of the team node in that file.")


class WorkflowIdMapping(Section):
    """Which workflow a metrics ``workflow_id`` refers to."""

    workflow: RelativePath = Field(description="Workflow file, relative to the repository root.")
    name: NonEmptyStr | None = Field(
        None, description="Workflow name inside the file; null when the file defines one."
    )


class Baseline(Section):
    """Expected behaviour of a team or node, declared by the user."""

    duration_seconds: PositiveFloat | None = Field(None, description="Typical duration (s).")
    p95_seconds: PositiveFloat | None = Field(None, description="95th percentile duration (s).")
    success_rate: Fraction | None = Field(None, description="Expected success rate, 0 to 1.")
    tool_calls: NonNegativeFloat | None = Field(None, description="Typical tool calls per run.")
    cost_usd: NonNegativeFloat | None = Field(None, description="Typical cost per run (USD).")

    @model_validator(mode="after")
    def _has_a_value(self) -> Baseline:
        if all(getattr(self, name) is None for name in type(self).model_fields):
            raise ValueError("a baseline needs at least one value")
        return self


class Objective(Section):
    """What a proposal should improve, and the success guardrail it must keep."""

    kind: Literal["per_success", "chebyshev", "weighted"] = Field(
        "per_success",
        description="per_success: weighted duration and cost per successful run, relative to "
        "now; chebyshev: augmented Chebyshev scalarisation of duration, cost and success loss; "
        "weighted: the design documents' plain weighted sum (can prefer configurations that "
        "fail fast and cheaply; not recommended).",
    )
    duration: NonNegativeFloat = Field(0.5, description="Weight of shorter duration.")
    cost: NonNegativeFloat = Field(0.5, description="Weight of lower cost.")
    quality: NonNegativeFloat = Field(
        0.0, description="Weight of higher success (chebyshev and weighted only)."
    )
    success_margin: Fraction = Field(
        0.02,
        description="Guardrail: a candidate's success rate may be at most this much below "
        "the current one.",
    )

    @model_validator(mode="after")
    def _some_weight(self) -> Objective:
        if self.duration + self.cost + self.quality <= 0:
            raise ValueError("at least one weight must be greater than 0")
        return self


class Constraints(Section):
    """Limits no proposal may break; null means no limit."""

    min_success_rate: Fraction | None = Field(
        None, description="Lowest acceptable success rate (0 to 1), or null for no limit."
    )
    max_cost_usd: NonNegativeFloat | None = Field(
        None, description="Highest acceptable cost per run (USD), or null for no limit."
    )
    protected_roles: tuple[NonEmptyStr, ...] = Field(
        (),
        description="Roles of nodes and team members that no proposal may remove or disable.",
    )
    protected_nodes: tuple[NonEmptyStr, ...] = Field(
        (), description="Ids of nodes (and team nodes) that no proposal may change or remove."
    )
    protected_files: tuple[RelativePath, ...] = Field(
        (), description="Globs of workflow files that no proposal may change."
    )


class AnalysisThresholds(Section):
    """When a measurement counts as a bottleneck."""

    slow_execution_ratio: Ratio = Field(
        1.2, description="Current / baseline duration from which a team counts as slow."
    )
    outlier_share_ratio: Ratio = Field(
        2.0, description="Observed share of far-tail runs / expected share that is flagged."
    )
    success_rate_margin: Fraction = Field(
        0.0, description="Success below the baseline rate minus this margin is flagged."
    )
    tool_usage_ratio: Ratio = Field(
        1.5, description="Tool calls / baseline tool calls from which usage is excessive."
    )
    formation_overhead_share: Fraction = Field(
        0.25, description="Share of team time outside member work that counts as overhead."
    )
    slow_node_ratio: Ratio = Field(
        3.0, description="Node duration / median node duration from which a node is slow."
    )
    dominant_node_share: Fraction = Field(
        0.2, description="Share of total run time from which a node dominates."
    )
    unreliable_node_success_rate: Fraction = Field(
        0.8, description="Node success rate below which a node is unreliable."
    )
    expensive_tool_share: Fraction = Field(
        0.1, description="Share of total cost from which a tool counts as expensive."
    )
    cache_repeat_share: Fraction = Field(
        0.05,
        description="Share of a tool's calls that repeat an identical call (same tool and "
        "args_hash) in the same run, from which a missing cache is reported.",
    )
    member_min_failures: PositiveInt = Field(
        10,
        description="Failures of a member needed before its effect on team success is judged "
        "(oversized_team).",
    )
    member_nil_effect: Fraction = Field(
        0.1,
        description="A member whose failures lower team success by less than this (upper "
        "confidence bound) contributes nothing measurable (oversized_team).",
    )


class AnalysisSettings(Section):
    """Which records are analysed and how sure an assessment must be."""

    current_config_only: StrictBool = Field(
        True, description="Analyse the latest configuration; report older ones separately."
    )
    window_days: PositiveFloat | None = Field(
        None, description="Only use records from the last N days; null for all."
    )
    confidence: OpenFraction = Field(0.95, description="Confidence level of intervals and tests.")
    min_samples: PositiveInt = Field(
        20, description="Fewer samples than this make an assessment unsupported."
    )
    thresholds: AnalysisThresholds = Field(
        default_factory=AnalysisThresholds, description="Bottleneck detection thresholds."
    )


class ModelPrice(Section):
    """Price and latency of one model; unset values keep the built-in ones."""

    input_usd_per_mtok: NonNegativeFloat | None = Field(
        None, description="USD per million input tokens."
    )
    output_usd_per_mtok: NonNegativeFloat | None = Field(
        None, description="USD per million output tokens."
    )
    seconds_per_kilotoken: NonNegativeFloat | None = Field(
        None, description="Seconds per thousand output tokens."
    )

    @model_validator(mode="after")
    def _has_a_value(self) -> ModelPrice:
        if all(getattr(self, name) is None for name in type(self).model_fields):
            raise ValueError("a model override needs at least one value")
        return self


class Settings(Section):
    """The whole ``.autotune.yml``."""

    version: Literal[1] = Field(1, description="Version of this file's format; only 1.")
    workflows: tuple[RelativePath, ...] = Field(
        (), description="Globs of workflow files; empty for every YAML under workflows/."
    )
    metrics: tuple[RelativePath, ...] = Field(
        (), description="Globs of metrics files; empty for every JSON(L) under metrics/."
    )
    metrics_artifacts: tuple[NonEmptyStr, ...] = Field(
        ("autotune-metrics*",),
        description="Name globs of workflow-run artifacts holding metrics (GitHub only).",
    )
    exclude: tuple[RelativePath, ...] = Field(
        (), description="Globs excluded from both workflows and metrics."
    )
    teams: dict[str, TeamMapping] = Field(
        default_factory=dict, description="Metrics team id → workflow file and team node."
    )
    workflow_ids: dict[str, WorkflowIdMapping] = Field(
        default_factory=dict, description="Metrics workflow_id → workflow file and name."
    )
    baselines: dict[str, Baseline] = Field(
        default_factory=dict, description="Declared baselines by team or node id."
    )
    objective: Objective = Field(default_factory=Objective, description="What to improve.")
    constraints: Constraints = Field(
        default_factory=Constraints, description="Limits no proposal may break."
    )
    analysis: AnalysisSettings = Field(
        default_factory=AnalysisSettings, description="Profiling and bottleneck detection."
    )
    strategies: dict[str, StrategySettings] = Field(
        default_factory=dict, description="Per-strategy options by strategy name."
    )
    search: SearchSettings = Field(
        default_factory=SearchSettings, description="Search over candidate configurations."
    )
    ab_test: ABTestSettings = Field(
        default_factory=ABTestSettings, description="A/B validation of proposals."
    )
    pull_requests: PullRequestSettings = Field(
        default_factory=PullRequestSettings, description="Pull request creation."
    )
    monitoring: MonitoringSettings = Field(
        default_factory=MonitoringSettings, description="Regression monitoring after merge."
    )
    models: dict[str, ModelPrice] = Field(
        default_factory=dict, description="Price and latency overrides by model name."
    )
