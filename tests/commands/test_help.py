"""The help text lists every verb of the table with its arguments and who may use it."""

from __future__ import annotations

from typing import get_args

from autotune_bot.commands.help import WHO, help_text
from autotune_bot.commands.parse import Command, parse_comment
from autotune_bot.commands.verbs import VERBS, Verb


def test_the_table_covers_exactly_the_verb_type() -> None:
    assert set(VERBS) == set(get_args(Verb))
    assert all(spec.verb == verb for verb, spec in VERBS.items())


def test_help_lists_every_verb_with_its_usage_arguments_and_audience() -> None:
    text = help_text()
    for spec in VERBS.values():
        (line,) = [line for line in text.splitlines() if line.startswith(f"- `{spec.usage}`")]
        assert WHO[spec.permission] in line
        for arg in spec.args:
            assert f"  - `{arg.name}`: {arg.meaning}" in text


def test_the_usages_in_help_are_exact_forms_the_parser_accepts() -> None:
    assert "- `/autotune rollback [N]`" in help_text()
    assert "- `/autotune ignore <strategy|team>`" in help_text()
    for spec in VERBS.values():
        words = [spec.verb] + [
            "0" if arg.kind == "index" else "team_a" for arg in spec.args if not arg.optional
        ]
        result = parse_comment("/autotune " + " ".join(words))
        assert isinstance(result, Command)
        assert result.verb == spec.verb


def test_optional_arguments_come_last() -> None:
    for spec in VERBS.values():
        flags = [arg.optional for arg in spec.args]
        assert flags == sorted(flags)
