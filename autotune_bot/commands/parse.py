"""Reading a ``/autotune`` command out of a comment body, strictly.

A comment is addressed to autotune only when its first non-empty line (surrounding ASCII
whitespace stripped) starts with ``/autotune`` followed by a space, a tab or the end of the
line: ``/autotuned``, ``> /autotune help`` or a command further down are not commands, and
:func:`parse_comment` returns ``None``. The rest of that line is split on spaces and tabs
into words; nothing is ever interpreted by a shell. Lines after the first are free text.

Every word must be 1 to 100 characters of ``A-Z a-z 0-9 _ . : -``, start with a letter,
digit or ``_`` (so no ``--option``) and contain neither ``::`` (workflow commands) nor
``..``. The line may be at most :data:`MAX_LINE_CHARS` characters and the comment at most
:data:`MAX_BODY_CHARS`. A line addressed to autotune that breaks any rule gives a
:class:`CommandError` whose message is safe Markdown (words are quoted with
:func:`~autotune_bot.commands.quote.code_span`); the reply should add the help text.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass

from autotune_bot.commands.quote import code_span
from autotune_bot.commands.verbs import VERBS, ArgSpec, Verb, VerbSpec, spec_of

__all__ = [
    "MAX_BODY_CHARS",
    "MAX_INDEX",
    "MAX_LINE_CHARS",
    "MAX_WORD_CHARS",
    "PREFIX",
    "Command",
    "CommandError",
    "Verb",
    "history_index",
    "parse_comment",
]

PREFIX = "/autotune"
MAX_BODY_CHARS = 65_536
MAX_LINE_CHARS = 200
MAX_WORD_CHARS = 100
MAX_INDEX = 9_999

_WORD = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.:-]*", re.ASCII)
_INDEX = re.compile(r"[0-9]+", re.ASCII)
_BLANKS = re.compile(r"[ \t]+")
_EDGE_SPACE = " \t\r\f\v"
_WORD_RULE = (
    "words are letters, digits and `_` `.` `:` `-` (starting with a letter, digit or `_`, "
    f"at most {MAX_WORD_CHARS} characters, no `::` or `..`)"
)


@dataclass(frozen=True, slots=True)
class Command:
    """A well-formed command: its verb, its words after the verb and the line as written."""

    verb: Verb
    args: tuple[str, ...]
    line: str


@dataclass(frozen=True, slots=True)
class CommandError:
    """A malformed or unknown command: ``message`` is safe Markdown, ``line`` the command
    line as written (at most :data:`MAX_LINE_CHARS` characters; quote it with
    :func:`~autotune_bot.commands.quote.code_span`)."""

    message: str
    line: str


def parse_comment(body: str) -> Command | CommandError | None:
    """The command in ``body``; ``None`` when the comment is not addressed to autotune."""
    line = _first_line(body)
    if line is None or not _addressed(line):
        return None
    shown = line[:MAX_LINE_CHARS]
    if len(body) > MAX_BODY_CHARS:
        return CommandError(
            f"the comment is longer than {MAX_BODY_CHARS} characters; write the command "
            "in a short comment of its own",
            shown,
        )
    if len(line) > MAX_LINE_CHARS:
        return CommandError(f"the command line is longer than {MAX_LINE_CHARS} characters", shown)
    words = [word for word in _BLANKS.split(line[len(PREFIX) :]) if word]
    if not words:
        return CommandError("`/autotune` needs a command, for example `/autotune help`", line)
    for word in words:
        problem = _word_problem(word)
        if problem is not None:
            return CommandError(problem, line)
    spec = spec_of(words[0])
    if spec is None:
        return CommandError(_unknown_verb(words[0]), line)
    problem = _args_problem(spec, words[1:])
    if problem is not None:
        return CommandError(problem, line)
    return Command(spec.verb, tuple(words[1:]), line)


def history_index(command: Command) -> int | None:
    """The ``N`` of ``/autotune rollback N`` (``None`` without one or for other verbs)."""
    if command.verb != "rollback" or not command.args:
        return None
    return int(command.args[0])


def _first_line(body: str) -> str | None:
    """The first line with content, looking at no more than :data:`MAX_BODY_CHARS`."""
    head = body[:MAX_BODY_CHARS]
    start = 0
    while start < len(head):
        end = head.find("\n", start)
        if end < 0:
            end = len(head)
        line = head[start:end].strip(_EDGE_SPACE)
        if line:
            return line
        start = end + 1
    return None


def _addressed(line: str) -> bool:
    if not line.startswith(PREFIX):
        return False
    rest = line[len(PREFIX) :]
    return not rest or rest[0] in " \t"


def _word_problem(word: str) -> str | None:
    if len(word) > MAX_WORD_CHARS:
        return f"{code_span(word, 40)} is too long; {_WORD_RULE}"
    if _WORD.fullmatch(word) is None or "::" in word or ".." in word:
        return f"{code_span(word)} is not allowed; {_WORD_RULE}"
    return None


def _unknown_verb(word: str) -> str:
    close = difflib.get_close_matches(word.lower(), list(VERBS), n=1)
    if close:
        return f"unknown command {code_span(word)}; did you mean `{close[0]}`?"
    known = ", ".join(f"`{verb}`" for verb in VERBS)
    return f"unknown command {code_span(word)}; the commands are {known}"


def _args_problem(spec: VerbSpec, args: list[str]) -> str | None:
    if not spec.min_args <= len(args) <= spec.max_args:
        return f"`{spec.usage}` {_arity(spec)} (got {len(args)})"
    for arg, arg_spec in zip(args, spec.args, strict=False):
        problem = _arg_problem(arg, arg_spec)
        if problem is not None:
            return problem
    return None


def _arity(spec: VerbSpec) -> str:
    if spec.max_args == 0:
        return "takes no arguments"
    if spec.min_args == spec.max_args:
        count = "one argument" if spec.max_args == 1 else f"{spec.max_args} arguments"
        return f"needs exactly {count}"
    count = "one argument" if spec.max_args == 1 else f"{spec.max_args} arguments"
    return f"takes at most {count}"


def _arg_problem(arg: str, spec: ArgSpec) -> str | None:
    if spec.kind != "index":
        return None
    if _INDEX.fullmatch(arg) is None or int(arg) > MAX_INDEX:
        return (
            f"{code_span(arg)} is not a history index; `{spec.name}` is a whole number "
            f"from 0 to {MAX_INDEX}, written without a sign"
        )
    return None
