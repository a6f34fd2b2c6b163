"""Showing text someone else wrote inside a Markdown reply, inertly.

:func:`code_span` writes the text as an inline code span whose content is printable ASCII
without backticks or line breaks: every other character (backtick, backslash, control
characters, NUL, bidi overrides, zero-width characters, any non-ASCII letter) is written as
a Python-style escape. Such a span cannot be closed early, cannot start a new paragraph, and
GitHub renders neither Markdown, HTML, links nor ``@mentions`` inside it.
"""

from __future__ import annotations

__all__ = ["DEFAULT_LIMIT", "code_span", "escape"]

DEFAULT_LIMIT = 80
_MIN_LIMIT = 10  # the longest escape, so a span is never empty
_ELLIPSIS = "…"


def _escape_char(ch: str) -> str:
    if ch == "\\":
        return "\\\\"
    if ch == "`":
        return "\\x60"
    if ch == "\n":
        return "\\n"
    if ch == "\r":
        return "\\r"
    if ch == "\t":
        return "\\t"
    code = ord(ch)
    if 0x20 <= code < 0x7F:
        return ch
    if code <= 0xFF:
        return f"\\x{code:02x}"
    if code <= 0xFFFF:
        return f"\\u{code:04x}"
    return f"\\U{code:08x}"


def escape(text: str, limit: int = DEFAULT_LIMIT) -> tuple[str, bool]:
    """``text`` escaped to printable ASCII without backticks, at most ``limit`` characters
    of escaped output (whole escapes only); the flag says whether it was cut."""
    out: list[str] = []
    used = 0
    for ch in text:
        piece = _escape_char(ch)
        if used + len(piece) > limit:
            return "".join(out), True
        out.append(piece)
        used += len(piece)
    return "".join(out), False


def code_span(text: str, limit: int = DEFAULT_LIMIT) -> str:
    """``text`` as an inert Markdown inline code span, cut to about ``limit`` characters
    (an ellipsis after the span says it was cut); ``(empty)`` for an empty text."""
    if not text:
        return "(empty)"
    body, cut = escape(text, max(limit, _MIN_LIMIT))
    # A code span's content that starts and ends with a space loses one of each; padding
    # keeps the text as written.
    if body.startswith(" ") and body.endswith(" ") and body.strip(" "):
        body = f" {body} "
    return f"`{body}`" + (_ELLIPSIS if cut else "")
