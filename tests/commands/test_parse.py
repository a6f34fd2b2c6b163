"""The /autotune grammar: which comments are commands, which are errors, which are not ours."""

from __future__ import annotations

import pytest

from autotune_bot.commands.parse import (
    MAX_BODY_CHARS,
    MAX_INDEX,
    MAX_LINE_CHARS,
    Command,
    CommandError,
    history_index,
    parse_comment,
)
from autotune_bot.commands.verbs import VERBS


@pytest.mark.parametrize(
    ("body", "verb", "args"),
    [
        ("/autotune help", "help", ()),
        ("/autotune status", "status", ()),
        ("/autotune rollback", "rollback", ()),
        ("/autotune rollback 0", "rollback", ("0",)),
        ("/autotune rollback 12", "rollback", ("12",)),
        (f"/autotune rollback {MAX_INDEX}", "rollback", (str(MAX_INDEX),)),
        ("/autotune analyze", "analyze", ()),
        ("/autotune analyze code_review", "analyze", ("code_review",)),
        ("/autotune retune team-a.v2", "retune", ("team-a.v2",)),
        ("/autotune ignore pruning", "ignore", ("pruning",)),
        ("/autotune ignore ns:team_1", "ignore", ("ns:team_1",)),
        # surrounding whitespace, tabs and several blanks between words
        ("   /autotune   ignore\tcaching  ", "ignore", ("caching",)),
        ("/autotune\thelp", "help", ()),
        # leading blank lines (also whitespace-only and CRLF ones)
        ("\n\n  \t\r\n/autotune help", "help", ()),
        # lines after the first are free text, even another command
        ("/autotune status\nthanks!\n/autotune rollback 3", "status", ()),
        ("/autotune help\r\n\r\nsome text", "help", ()),
    ],
)
def test_valid_commands(body: str, verb: str, args: tuple[str, ...]) -> None:
    result = parse_comment(body)
    assert isinstance(result, Command)
    assert (result.verb, result.args) == (verb, args)


def test_the_line_is_kept_as_written_without_surrounding_whitespace() -> None:
    result = parse_comment("\n  /autotune  analyze\tteam  \r\nmore")
    assert isinstance(result, Command)
    assert result.line == "/autotune  analyze\tteam"


@pytest.mark.parametrize(
    "body",
    [
        "",
        "   \n\t\n",
        "thanks, looks good",
        "/autotuned help",
        "/autotune-help",
        "/autotune:help",
        "/Autotune help",
        "/AUTOTUNE help",
        "autotune help",
        "> /autotune help",
        "`/autotune help`",
        "Please run\n/autotune rollback",  # a command in the middle of a comment
        "\u00a0/autotune help",  # a non-ASCII space does not count as whitespace
        "\u200b/autotune help",  # nor does a zero-width space
    ],
)
def test_comments_not_addressed_to_autotune(body: str) -> None:
    assert parse_comment(body) is None


@pytest.mark.parametrize(
    ("body", "needle"),
    [
        ("/autotune", "needs a command"),
        ("/autotune   \nhelp", "needs a command"),
        ("/autotune status now", "takes no arguments"),
        ("/autotune help me", "takes no arguments"),
        ("/autotune ignore", "needs exactly one argument"),
        ("/autotune ignore a b", "needs exactly one argument"),
        ("/autotune rollback 1 2", "takes at most one argument"),
        ("/autotune analyze a b", "takes at most one argument"),
        ("/autotune retune a b", "takes at most one argument"),
    ],
)
def test_arity_errors(body: str, needle: str) -> None:
    result = parse_comment(body)
    assert isinstance(result, CommandError)
    assert needle in result.message


@pytest.mark.parametrize(
    "n",
    [str(MAX_INDEX + 1), "99999999", "-1", "+1", "1.5", "1e3", "0x10", "one", "١", "²"],
)
def test_rollback_index_bounds(n: str) -> None:
    result = parse_comment(f"/autotune rollback {n}")
    assert isinstance(result, CommandError)
    assert result.line == f"/autotune rollback {n}"


@pytest.mark.parametrize(("n", "index"), [("0", 0), ("7", 7), ("0042", 42), ("9999", 9999)])
def test_history_index(n: str, index: int) -> None:
    result = parse_comment(f"/autotune rollback {n}")
    assert isinstance(result, Command)
    assert history_index(result) == index


def test_history_index_is_none_without_n_or_for_other_verbs() -> None:
    for body in ("/autotune rollback", "/autotune analyze 3"):
        result = parse_comment(body)
        assert isinstance(result, Command)
        assert history_index(result) is None


@pytest.mark.parametrize(
    ("word", "suggestion"),
    [
        ("rollbak", "rollback"),
        ("ROLLBACK", "rollback"),
        ("Help", "help"),
        ("stauts", "status"),
        ("analyse", "analyze"),
        ("retun", "retune"),
        ("ingore", "ignore"),
    ],
)
def test_unknown_verbs_suggest_the_closest(word: str, suggestion: str) -> None:
    result = parse_comment(f"/autotune {word}")
    assert isinstance(result, CommandError)
    assert f"did you mean `{suggestion}`?" in result.message


def test_unknown_verb_without_a_close_match_lists_the_commands() -> None:
    result = parse_comment("/autotune xyzzy")
    assert isinstance(result, CommandError)
    assert "did you mean" not in result.message
    assert all(f"`{verb}`" in result.message for verb in VERBS)


@pytest.mark.parametrize(
    "word",
    ["--force", "-x", ".hidden", "a/b", "a..b", "a::b", "a;b", "a$b", "é", "a" * 101],
)
def test_words_outside_the_charset_name_the_word(word: str) -> None:
    result = parse_comment(f"/autotune ignore {word}")
    assert isinstance(result, CommandError)
    assert result.message.startswith("`")  # the offending word, quoted first
    assert ("too long" if len(word) > 100 else "is not allowed") in result.message


def test_a_word_of_the_maximum_length_is_accepted() -> None:
    result = parse_comment("/autotune ignore " + "a" * 100)
    assert isinstance(result, Command)
    assert (result.verb, result.args) == ("ignore", ("a" * 100,))


def test_line_length_cap() -> None:
    line = "/autotune ignore " + " " * (MAX_LINE_CHARS - len("/autotune ignore team"))
    line += "team"
    assert len(line) == MAX_LINE_CHARS
    assert isinstance(parse_comment(line), Command)
    result = parse_comment(line + " b")
    assert isinstance(result, CommandError)
    assert "longer than" in result.message
    assert result.line == (line + " b")[:MAX_LINE_CHARS]


def test_body_size_cap() -> None:
    body = "/autotune help\n" + "x" * (MAX_BODY_CHARS - len("/autotune help\n"))
    assert isinstance(parse_comment(body), Command)
    result = parse_comment(body + "x")
    assert isinstance(result, CommandError)
    assert "longer than" in result.message
    assert result.line == "/autotune help"


def test_a_large_comment_not_addressed_to_autotune_is_not_an_error() -> None:
    assert parse_comment("x" * (MAX_BODY_CHARS * 4)) is None
    assert parse_comment("\n" * (MAX_BODY_CHARS * 2) + "/autotune help") is None
