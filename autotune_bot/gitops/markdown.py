"""Putting untrusted text (node ids, team ids, YAML values, diffs) into GitHub Markdown safely.

Names come from workflow files and metrics, so they may hold anything: backticks, ``-->``,
``<script>``, ``@someone`` or ``#123``. Each helper keeps such text literal: a code span or
fenced block sized so the text cannot close it, or escaped prose with mentions and issue
references defused by a zero-width space (what other bots do: ``@&#8203;name``). Pure.
"""

from __future__ import annotations

import re

__all__ = ["code_block", "code_span", "one_line", "prose"]

# control characters, line/paragraph separators, and the bidirectional overrides and isolates
# that make text display in another order than it is written ("Trojan Source")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f\u200e\u200f\u2028-\u202e\u2066-\u2069]")
_BACKTICKS = re.compile(r"`+")
_ZWSP = "&#8203;"
_ESCAPED = {
    "\\": "\\\\",
    "`": "\\`",
    "*": "\\*",
    "_": "\\_",
    "[": "\\[",
    "]": "\\]",
    "|": "\\|",
    "~": "\\~",
    "<": "&lt;",
    ">": "&gt;",
    "&": "&amp;",
    "@": "@" + _ZWSP,
}


def one_line(text: str, limit: int | None = None) -> str:
    """The text on one line (line breaks, control characters and bidirectional controls
    become spaces), clipped to ``limit`` characters with an ellipsis."""
    flat = " ".join(_CONTROL.sub(" ", text).replace("\r", " ").replace("\n", " ").split())
    if limit is not None and len(flat) > limit:
        flat = flat[: limit - 1].rstrip() + "…"
    return flat


def _longest_backtick_run(text: str) -> int:
    return max((len(run) for run in _BACKTICKS.findall(text)), default=0)


def code_span(text: str, limit: int = 200) -> str:
    """An inline code span showing ``text`` literally (on one line, clipped to ``limit``)."""
    body = one_line(text, limit) or " "
    fence = "`" * (_longest_backtick_run(body) + 1)
    if body.startswith("`") or body.endswith("`"):
        body = f" {body} "
    return f"{fence}{body}{fence}"


def prose(text: str, limit: int = 2000) -> str:
    """Plain running text: Markdown and HTML characters escaped, mentions (``@name``) and issue
    references (``#12``) defused, on one line (clipped to ``limit`` characters)."""
    flat = one_line(text, limit)
    out = []
    for k, ch in enumerate(flat):
        if ch == "#" and flat[k + 1 : k + 2].isdigit():
            out.append("#" + _ZWSP)
        else:
            out.append(_ESCAPED.get(ch, ch))
    return "".join(out)


def code_block(text: str, language: str = "") -> str:
    """A fenced code block holding ``text`` literally, its fence longer than any backtick run
    inside, so no line of the text can close it."""
    fence = "`" * max(3, _longest_backtick_run(text) + 1)
    body = _CONTROL.sub("�", text.replace("\r\n", "\n").replace("\r", "\n"))
    if body and not body.endswith("\n"):
        body += "\n"
    return f"{fence}{language}\n{body}{fence}\n"
