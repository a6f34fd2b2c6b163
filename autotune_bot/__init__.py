"""autotune-bot: profile multi-agent workflows, propose validated YAML changes, open PRs."""

from __future__ import annotations

__version__ = "0.1.0"

__all__ = ["__version__"]
