"""The sections of ``.autotune.yml`` about changing workflows.

Which strategies may propose changes, how candidates are searched, how a proposal is
validated by A/B runs, how it becomes a pull request and how merged changes are watched.
"""

from __future__ import annotations

import shlex
from typing import Annotated, Literal

from pydantic import Field, Strict, StrictBool, model_validator

from autotune_bot.settings.fields import (
    BranchPrefix,
    Command,
    Email,
    Fraction,
    Identifier,
    NonEmptyStr,
    NonNegativeFloat,
    NonNegativeInt,
    OpenFraction,
    OptionValue,
    PositiveFloat,
    PositiveInt,
    Range,
)
from autotune_bot.settings.section import Section

__all__ = [
    "ABTestSettings",
    "MonitoringSettings",
    "PullRequestSettings",
    "SearchSettings",
    "StrategySettings",
]


class StrategySettings(Section):
    """Options of one optimisation strategy."""

    enabled: StrictBool = Field(True, description="Whether the strategy may propose changes.")
    options: dict[str, OptionValue] = Field(
        default_factory=dict, description="Strategy-specific options (name → single value)."
    )


class SearchSettings(Section):
    """How the space of candidate configurations is searched."""

    algorithm: Identifier = Field("hill_climbing", description="Name of the search algorithm.")
    max_evaluations: PositiveInt = Field(200, description="Most candidates scored per run.")
    seed: NonNegativeInt = Field(0, description="Seed of the search's random choices.")
    include_unmeasured: StrictBool = Field(
        False,
        description="Also search model, tool-list and batching changes, whose effect on "
        "success the recorded data cannot show (they are still suggested one by one).",
    )


class ABTestSettings(Section):
    """Validating a proposal by running both configurations."""

    enabled: StrictBool = Field(False, description="Run A/B tests before opening a PR.")
    command: Command = Field(
        "victor run {workflow} --input {input}",
        description="Command running one workflow: a string (split like a shell) or a list.",
    )
    inputs: tuple[NonEmptyStr, ...] = Field((), description="Inputs each arm is run with.")
    runs_per_arm: Annotated[int, Strict(), Range(lo=2)] = Field(
        20, description="Runs of each configuration (at least 2)."
    )
    alpha: OpenFraction = Field(0.05, description="Significance level of the test.")
    min_improvement: Fraction = Field(
        0.05, description="Smallest relative improvement worth proposing (0.05 = 5 %)."
    )
    run_timeout_seconds: PositiveFloat = Field(900.0, description="Time limit of one run (s).")
    max_total_runs: PositiveInt = Field(200, description="Most runs per bot invocation.")
    max_cost_usd: NonNegativeFloat | None = Field(
        None, description="Most spent on test runs per invocation (USD); null for no limit."
    )
    concurrency: PositiveInt = Field(1, description="Runs executed at the same time.")
    primary_metric: Literal["duration", "cost"] = Field(
        "duration",
        description="The metric a variant must improve by min_improvement to pass; the other "
        "one and the success rate are non-inferiority guardrails.",
    )
    method: Literal["t", "rank"] = Field(
        "t",
        description="t: Welch's t-test on log values (paired t on per-input log ratios when "
        "inputs are given); rank: Mann-Whitney U (Wilcoxon signed-rank when paired).",
    )
    guardrail_tolerance: Fraction = Field(
        0.10,
        description="How much worse (relative) the non-primary metric may get (0.10 = 10 %): "
        "a variant shown worse beyond it fails; one observed beyond it cannot pass.",
    )
    success_margin: Fraction = Field(
        0.02,
        description="Success-rate guardrail: a variant shown to succeed more than this far "
        "below the control fails; one observed that far below cannot pass.",
    )

    @model_validator(mode="after")
    def _room_for_one_test(self) -> ABTestSettings:
        if self.max_total_runs < 2 * self.runs_per_arm:
            raise ValueError(
                f"max_total_runs ({self.max_total_runs}) must be at least twice "
                f"runs_per_arm ({self.runs_per_arm}) to complete one test"
            )
        return self

    def argv(self) -> tuple[str, ...]:
        """The command as an argument list, placeholders not yet filled in."""
        if isinstance(self.command, str):
            return tuple(shlex.split(self.command))
        return self.command


class PullRequestSettings(Section):
    """How proposals become pull requests."""

    labels: tuple[NonEmptyStr, ...] = Field(("autotune",), description="Labels added to PRs.")
    reviewers: tuple[NonEmptyStr, ...] = Field(
        (),
        description=(
            "Accepted but not requested in this version (the GitHub REST operations it is "
            "tested against have no review request; a run with reviewers set warns). Use a "
            "CODEOWNERS file to have reviewers requested."
        ),
    )
    max_open: PositiveInt = Field(5, description="Most bot PRs open at the same time.")
    max_per_run: PositiveInt = Field(2, description="Most PRs opened per invocation.")
    branch_prefix: BranchPrefix = Field("autotune/", description="Prefix of PR branch names.")
    author_name: NonEmptyStr = Field("autotune-bot", description="Commit author name.")
    author_email: Email = Field(
        "autotune-bot@users.noreply.github.com", description="Commit author e-mail."
    )


class MonitoringSettings(Section):
    """Watching merged changes for regressions."""

    enabled: StrictBool = Field(True, description="Check merged changes for regressions.")
    min_runs: PositiveInt = Field(
        30,
        description="Fewest recorded runs before the merge needed to monitor a change (the "
        "baseline the runs after it are compared with).",
    )
    false_alarm_rate: OpenFraction = Field(
        0.05,
        description="Accepted probability of flagging a change that did not regress, over "
        "the horizon_runs runs watched after its merge.",
    )
    horizon_runs: PositiveInt = Field(
        200,
        description="Runs watched after a merge: a change with no regression found by then is "
        "confirmed; later runs are not judged.",
    )
    baseline_runs: PositiveInt = Field(
        200,
        description="Most recorded runs before the merge used as the baseline (the newest).",
    )

    @model_validator(mode="after")
    def _baseline_can_reach_min_runs(self) -> MonitoringSettings:
        if self.baseline_runs < self.min_runs:
            raise ValueError(
                f"baseline_runs ({self.baseline_runs}) must be at least min_runs "
                f"({self.min_runs}), or no change could be monitored"
            )
        return self
