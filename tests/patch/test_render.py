"""Rendering plain values as YAML text in a file's layout."""

from __future__ import annotations

import pytest

from autotune_bot.patch.render import (
    Layout,
    check_value,
    entry_lines,
    flow,
    item_lines,
    key_text,
    scalar,
)
from autotune_bot.yaml_source import load_yaml


@pytest.mark.parametrize(
    ("value", "text"),
    [
        ("plain words", "plain words"),
        ("gpt-4o-mini", "gpt-4o-mini"),
        ("$ctx.key", "$ctx.key"),
        ("yes", '"yes"'),
        ("Off", '"Off"'),
        ("~", '"~"'),
        ("0755", '"0755"'),
        ("1:30", '"1:30"'),
        ("2024-01-01", '"2024-01-01"'),
        ("- item", '"- item"'),
        ("* star", '"* star"'),
        ("ends:", '"ends:"'),
        (" padded", '" padded"'),
        ("tab\there", '"tab\\there"'),
        ('say "hi"', 'say "hi"'),
        ('"hi" first', '"\\"hi\\" first"'),
        ("\x07", '"\\u0007"'),
        (1e-07, "1.0e-07"),
        (1e22, "1.0e+22"),
        (float("inf"), ".inf"),
        (float("-inf"), "-.inf"),
        (2.5, "2.5"),
        (-3, "-3"),
        (False, "false"),
        (None, "null"),
    ],
)
def test_scalar_text_reads_back_as_the_value(value: object, text: str) -> None:
    assert scalar(value) == text
    assert load_yaml(f"k: {text}\n", "t.yaml")["k"] == value


def test_flow_context_quotes_flow_indicators() -> None:
    assert scalar("a,b", in_flow=True) == '"a,b"'
    assert scalar("a,b") == "a,b"
    assert flow({"tools": ["a b", "x]"], "m": {}}) == '{tools: [a b, "x]"], m: {}}'
    assert key_text("true") == '"true"'


def test_entry_lines_choose_flow_when_short_and_block_otherwise() -> None:
    layout = Layout(step=4, seq_offset=0, gap=2)
    assert entry_lines("next", ["a", "b"], 2, layout) == ["  next: [a, b]"]
    members = [{"id": "a", "tools": ["x"]}, {"id": "b"}]
    assert entry_lines("members", members, 2, layout) == [
        "  members:",
        "  - id: a",
        "    tools: [x]",
        "  - id: b",
    ]
    long = {"model_hint": "m" * 70}
    assert entry_lines("llm", long, 0, layout) == ["llm:", f"    model_hint: {'m' * 70}"]


def test_item_lines_follow_the_dash_gap() -> None:
    layout = Layout(step=2, seq_offset=2, gap=4)
    assert item_lines({"id": "n", "next": ["c"]}, 4, layout) == [
        '    -   id: "n"',
        "        next: [c]",
    ]
    assert item_lines("x", 0, layout) == ["-   x"]


def test_check_value_rejects_what_yaml_text_cannot_hold() -> None:
    check_value({"a": [1, 2.5, None, True, "s"], 3: {}})
    with pytest.raises(ValueError, match="tuple"):
        check_value({"a": (1, 2)})
    with pytest.raises(ValueError, match="key"):
        check_value({(1, 2): 1})
