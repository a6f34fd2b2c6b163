"""The error the patcher raises when it cannot make an edit minimally."""

from __future__ import annotations

from autotune_bot.errors import AutotuneError
from autotune_bot.workflow.model import YamlPath

__all__ = ["PatchError", "format_path"]


def format_path(path: YamlPath) -> str:
    """A YAML path as ``workflows.review.nodes[2].timeout`` (``<root>`` when empty)."""
    text = ""
    for step in path:
        if isinstance(step, int) and not isinstance(step, bool):
            text += f"[{step}]"
        else:
            text += f".{step}" if text else str(step)
    return text or "<root>"


class PatchError(AutotuneError):
    """An edit cannot be applied without reformatting or guessing; nothing was changed.

    ``str(err)`` is one line: ``source:line: yaml.path: message`` (line is 1-based).
    """

    def __init__(self, message: str, *, source: str, line: int, path: YamlPath) -> None:
        self.message = " ".join(message.split())
        self.source = source
        self.line = line
        self.path = path
        super().__init__(f"{source}:{line}: {format_path(path)}: {self.message}")
