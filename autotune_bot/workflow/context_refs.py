"""Find the context keys that a piece of workflow text reads.

Victor passes data between nodes through a shared context. Text in a workflow names context
keys as ``$ctx.key`` (also ``$ctx.key.sub``), as Jinja-style ``{{ key }}``, ``{{ ctx.key }}``
or ``{{ key.sub }}``, and as names tested in ``{% if key %}`` / iterated in
``{% for x in key %}``. ``${VAR}`` is an environment variable, not a context key. Templates
are only scanned, never expanded.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

__all__ = ["bare_key", "keys_in_text", "names_in_expression"]

_CTX_REF = re.compile(r"\$ctx\.([A-Za-z_]\w*)")
_EXPRESSION = re.compile(r"(?<!\$)\{\{-?(.*?)-?\}\}", re.S)
_STATEMENT = re.compile(r"\{%-?\s*(if|elif|for)\b(.*?)-?%\}", re.S)
_NAME = re.compile(r"(?<![\w.])([A-Za-z_]\w*)(?:\s*\.\s*([A-Za-z_]\w*))?")
_QUOTED = re.compile(r"'[^']*'|\"[^\"]*\"")
_FILTER = re.compile(r"\|\s*[A-Za-z_]\w*")
_BARE_KEY = re.compile(r"\s*(?:\$?ctx\.)?([A-Za-z_]\w*)(?:\.\w+)*\s*")
_WORD = re.compile(r"[A-Za-z_]\w*")
_KEYWORDS = frozenset(
    {"not", "and", "or", "in", "is", "if", "else", "true", "false", "none", "defined", "null"}
)
_CTX_NAMES = frozenset({"ctx", "context"})


def names_in_expression(expression: str) -> list[str]:
    """Names an expression reads, in order: ``ctx.key`` → ``key``, ``key.sub`` → ``key``.

    Quoted strings, filter names (``| upper``) and keywords (``and``, ``not``, …) are skipped.
    """
    cleaned = _FILTER.sub(" ", _QUOTED.sub(" ", expression))
    names: list[str] = []
    for match in _NAME.finditer(cleaned):
        first, second = match.group(1), match.group(2)
        name = second if first.lower() in _CTX_NAMES and second else first
        if name.lower() not in _KEYWORDS and name.lower() not in _CTX_NAMES:
            names.append(name)
    return _unique(names)


def keys_in_text(text: str) -> list[str]:
    """Context keys ``text`` reads, in order of first appearance, without duplicates."""
    found: list[tuple[int, str]] = [(m.start(), m.group(1)) for m in _CTX_REF.finditer(text)]
    for match in _EXPRESSION.finditer(text):
        found.extend((match.start(), name) for name in names_in_expression(match.group(1)))
    loop_vars: set[str] = set()
    for match in _STATEMENT.finditer(text):
        body = match.group(2)
        if match.group(1) == "for":
            target, sep, iterable = body.partition(" in ")
            if sep:
                loop_vars.update(_WORD.findall(target))
                body = iterable
        found.extend((match.start(), name) for name in names_in_expression(body))
    found.sort(key=lambda item: item[0])
    return _unique(name for _, name in found if name not in loop_vars or _is_ctx(text, name))


def bare_key(value: str) -> str | None:
    """The key an ``input_mapping`` value names when it is just a key (``notes``,
    ``ctx.notes``, ``notes.summary``); None when the value is free text."""
    match = _BARE_KEY.fullmatch(value)
    return match.group(1) if match else None


def _is_ctx(text: str, name: str) -> bool:
    return any(m.group(1) == name for m in _CTX_REF.finditer(text))


def _unique(names: Iterable[str]) -> list[str]:
    seen: dict[str, None] = {}
    for name in names:
        seen.setdefault(name, None)
    return list(seen)
