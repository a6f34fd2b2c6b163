"""autotune-bot: profile multi-agent workflows, propose validated YAML changes, open PRs.

The curated public API::

    from autotune_bot import PerformanceAnalyzer, PerformanceAutotuner, WorkflowOptimizer
    from autotune_bot import OptimizationStrategy, OptimizationSuggestion, Settings, AutotuneError
    from autotune_bot import OptimizationMonitor  # after the merge: regressions

Everything else is importable from its module but may change between minor versions.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

__all__ = [
    "AnalysisReport",
    "AutotuneError",
    "InputError",
    "Insight",
    "OptimizationMonitor",
    "OptimizationPriority",
    "OptimizationStrategy",
    "OptimizationSuggestion",
    "OptimizationType",
    "PerformanceAnalyzer",
    "PerformanceAutotuner",
    "Settings",
    "WorkflowOptimizer",
    "__version__",
]

from autotune_bot.errors import AutotuneError, InputError

if TYPE_CHECKING:
    from autotune_bot.analysis.analyzer import AnalysisReport
    from autotune_bot.analysis.insight import Insight
    from autotune_bot.api import PerformanceAnalyzer
    from autotune_bot.autotuner import PerformanceAutotuner, WorkflowOptimizer
    from autotune_bot.monitor.api import OptimizationMonitor
    from autotune_bot.settings import Settings
    from autotune_bot.strategies.base import OptimizationStrategy
    from autotune_bot.tuning.suggestion import (
        OptimizationPriority,
        OptimizationSuggestion,
        OptimizationType,
    )

_LAZY = {
    "AnalysisReport": "autotune_bot.analysis.analyzer",
    "Insight": "autotune_bot.analysis.insight",
    "OptimizationMonitor": "autotune_bot.monitor.api",
    "PerformanceAnalyzer": "autotune_bot.api",
    "PerformanceAutotuner": "autotune_bot.autotuner",
    "WorkflowOptimizer": "autotune_bot.autotuner",
    "Settings": "autotune_bot.settings",
    "OptimizationStrategy": "autotune_bot.strategies.base",
    "OptimizationSuggestion": "autotune_bot.tuning.suggestion",
    "OptimizationType": "autotune_bot.tuning.suggestion",
    "OptimizationPriority": "autotune_bot.tuning.suggestion",
}


def __getattr__(name: str) -> Any:
    # Imported on first use so that `import autotune_bot` (and the CLI) start fast.
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'autotune_bot' has no attribute {name!r}")
    import importlib

    return getattr(importlib.import_module(module), name)
