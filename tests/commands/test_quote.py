"""code_span: untrusted text shown inertly in Markdown."""

from __future__ import annotations

import pytest

from autotune_bot.commands.quote import code_span, escape


@pytest.mark.parametrize(
    ("text", "span"),
    [
        ("team-a", "`team-a`"),
        ("a`b", "`a\\x60b`"),
        ("```", "`\\x60\\x60\\x60`"),
        ("a\\b", "`a\\\\b`"),
        ("a\nb\r\tc", "`a\\nb\\r\\tc`"),
        ("\x00", "`\\x00`"),
        ("\u202etxt", "`\\u202etxt`"),
        ("\U0001f600", "`\\U0001f600`"),
        ("é", "`\\xe9`"),
        (" a ", "`  a  `"),
        ("", "(empty)"),
    ],
)
def test_code_span(text: str, span: str) -> None:
    assert code_span(text) == span


def test_long_text_is_cut_on_whole_escapes_with_an_ellipsis() -> None:
    body, cut = escape("\u202e" * 5, limit=13)
    assert (body, cut) == ("\\u202e\\u202e", True)
    assert code_span("x" * 200, limit=20) == "`" + "x" * 20 + "`…"
    assert code_span("x" * 20, limit=20) == "`" + "x" * 20 + "`"


def test_a_tiny_limit_still_shows_one_escape() -> None:
    assert code_span("\u202e", limit=1) == "`\\u202e`"
