"""The exception tree of autotune-bot.

Every error the bot raises on purpose derives from :class:`AutotuneError`, so callers of
the Python API can catch one type. Errors about user input carry the location they refer
to and render as one line: ``path:line: field: message``.
"""

from __future__ import annotations


class AutotuneError(Exception):
    """Base class of every error autotune-bot raises on purpose."""


class InputError(AutotuneError):
    """Something the user wrote (a file, a flag, a value) is wrong.

    ``str(err)`` is a one-line message naming the file, the line (1-based) and the field
    when they are known.
    """

    def __init__(
        self,
        message: str,
        *,
        path: str | None = None,
        line: int | None = None,
        field: str | None = None,
    ) -> None:
        self.message = message
        self.path = path
        self.line = line
        self.field = field
        super().__init__(self.one_line())

    def one_line(self) -> str:
        where = ""
        if self.path is not None:
            where = self.path
            if self.line is not None:
                where += f":{self.line}"
            where += ": "
        field = f"{self.field}: " if self.field else ""
        text = " ".join(self.message.split())
        return f"{where}{field}{text}"


class YamlSyntaxError(InputError):
    """A file is not valid YAML."""


class SettingsError(InputError):
    """`.autotune.yml` has an unknown key or a bad value."""


class WorkflowError(InputError):
    """A workflow file is valid YAML but not a workflow the bot understands."""


class MetricsError(InputError):
    """A metrics file cannot be read at all (as opposed to dirty records, which are counted)."""


class UsageError(InputError):
    """A command-line invocation is wrong (unknown team, missing file, bad flag combination)."""
