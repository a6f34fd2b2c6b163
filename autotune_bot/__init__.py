"""autotune-bot: profile multi-agent workflows, propose validated YAML changes, open PRs.

The curated public API::

    from autotune_bot import PerformanceAnalyzer, Settings, AutotuneError

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
    "PerformanceAnalyzer",
    "Settings",
    "__version__",
]

from autotune_bot.errors import AutotuneError, InputError

if TYPE_CHECKING:
    from autotune_bot.analysis.analyzer import AnalysisReport
    from autotune_bot.analysis.insight import Insight
    from autotune_bot.api import PerformanceAnalyzer
    from autotune_bot.settings import Settings

_LAZY = {
    "AnalysisReport": "autotune_bot.analysis.analyzer",
    "Insight": "autotune_bot.analysis.insight",
    "PerformanceAnalyzer": "autotune_bot.api",
    "Settings": "autotune_bot.settings",
}


def __getattr__(name: str) -> Any:
    # Imported on first use so that `import autotune_bot` (and the CLI) start fast.
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'autotune_bot' has no attribute {name!r}")
    import importlib

    return getattr(importlib.import_module(module), name)
