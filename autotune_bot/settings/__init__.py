"""``.autotune.yml``: the repository's settings for autotune-bot.

Everything is optional; without the file every value is its default (``Settings()``).
"""

from __future__ import annotations

from autotune_bot.settings.loader import (
    SETTINGS_FILENAMES,
    InvalidSettingsError,
    load_settings,
    parse_settings_text,
    settings_json_schema,
)
from autotune_bot.settings.models import (
    ABTestSettings,
    AnalysisSettings,
    AnalysisThresholds,
    Baseline,
    Constraints,
    ModelPrice,
    MonitoringSettings,
    Objective,
    PullRequestSettings,
    SearchSettings,
    Settings,
    StrategySettings,
    TeamMapping,
    WorkflowIdMapping,
)

__all__ = [
    "SETTINGS_FILENAMES",
    "ABTestSettings",
    "AnalysisSettings",
    "AnalysisThresholds",
    "Baseline",
    "Constraints",
    "InvalidSettingsError",
    "ModelPrice",
    "MonitoringSettings",
    "Objective",
    "PullRequestSettings",
    "SearchSettings",
    "Settings",
    "StrategySettings",
    "TeamMapping",
    "WorkflowIdMapping",
    "load_settings",
    "parse_settings_text",
    "settings_json_schema",
]
