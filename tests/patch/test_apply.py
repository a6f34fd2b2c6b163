"""Focused behaviour of apply_edits: exact outputs on small documents, and refusals."""

from __future__ import annotations

import difflib

import pytest

from autotune_bot.errors import AutotuneError
from autotune_bot.patch.apply import apply_edits
from autotune_bot.patch.edits import Edit, InsertItem, RemoveItem, RemoveKey, SetValue
from autotune_bot.patch.error import PatchError
from autotune_bot.yaml_source import load_yaml

from .golden_cases import read


def apply(text: str, *edits: Edit) -> str:
    return apply_edits(text, edits, "wf.yaml")


def refusal(text: str, *edits: Edit) -> str:
    with pytest.raises(PatchError) as info:
        apply(text, *edits)
    return str(info.value)


# --- scalars -------------------------------------------------------------------------


def test_scalar_change_changes_exactly_its_line() -> None:
    old = read("team_workflows.yaml")
    path = ("workflows", "code_review", "nodes", 3, "total_tool_budget")
    new = apply_edits(old, [SetValue(path, 45)], "team_workflows.yaml")
    delta = [line for line in difflib.ndiff(old.split("\n"), new.split("\n")) if line[:1] in "+-"]
    assert delta == ["-         total_tool_budget: 60", "+         total_tool_budget: 45"]


@pytest.mark.parametrize(
    ("before", "value", "after"),
    [
        ("k: 'old'  # c\n", "new", "k: 'new'  # c\n"),
        ('k: "old"\n', "it's", 'k: "it\'s"\n'),
        ("k: 'old'\n", "it's", "k: 'it''s'\n"),
        ("k: old\n", "new value", "k: new value\n"),
        ("k: old\n", "yes", 'k: "yes"\n'),
        ("k: old\n", "null", 'k: "null"\n'),
        ("k: old\n", "a: b", 'k: "a: b"\n'),
        ("k: old\n", "x #y", 'k: "x #y"\n'),
        ("k: old\n", "{{ var }}", 'k: "{{ var }}"\n'),
        ("k: old\n", "300", 'k: "300"\n'),
        ("k: old\n", "two\nlines", 'k: "two\\nlines"\n'),
        ("k: old\n", "", 'k: ""\n'),
        ("k: '5'\n", 5, "k: 5\n"),
        ("k: 1\n", 0.8, "k: 0.8\n"),
        ("k: 1\n", True, "k: true\n"),
        ("k: 1\n", None, "k: null\n"),
        ("k:\n", 7, "k: 7\n"),
        ("k:   # empty\n", 7, "k: 7   # empty\n"),
    ],
)
def test_scalar_rendering_and_quote_style(before: str, value: object, after: str) -> None:
    assert apply(before, SetValue(("k",), value)) == after


def test_true_false_branch_keys_are_found_by_their_text() -> None:
    text = "branches:\n  true: a   # yes branch\n  false: b\n"
    new = apply(text, SetValue(("branches", "true"), "c"), SetValue(("branches", "false"), "d"))
    assert new == "branches:\n  true: c   # yes branch\n  false: d\n"


# --- inserting keys --------------------------------------------------------------------


def test_missing_key_uses_the_mapping_indentation() -> None:
    text = "nodes:\n    -   id: a\n        goal: x  # g\n    -   id: b\n"
    new = apply(text, SetValue(("nodes", 0, "timeout_seconds"), 300))
    assert new == (
        "nodes:\n    -   id: a\n        goal: x  # g\n        timeout_seconds: 300\n    -   id: b\n"
    )


def test_long_mapping_value_is_written_in_block_style_with_the_file_step() -> None:
    text = "a:\n    b: 1\n"
    value = {"model_hint": "m" * 50, "temperature": 0.25, "max_tokens": 4096}
    new = apply(text, SetValue(("a", "llm_config"), value))
    assert new == (
        "a:\n    b: 1\n    llm_config:\n"
        f"        model_hint: {'m' * 50}\n        temperature: 0.25\n        max_tokens: 4096\n"
    )


def test_key_in_flow_mapping_goes_before_the_brace() -> None:
    assert apply("c: {a: 1}\n", SetValue(("c", "b"), [1, "x,y"])) == 'c: {a: 1, b: [1, "x,y"]}\n'
    assert apply("c: { }\n", SetValue(("c", "b"), 2)) == "c: {b: 2}\n"


def test_insert_after_a_block_scalar_keeps_it_untouched() -> None:
    text = "a:\n  goal: >-\n    folded\n    text\n  x: 1\n  note: |\n    keep\n\nb: 2\n"
    new = apply(text, SetValue(("a", "extra"), 2))
    expected = "a:\n  goal: >-\n    folded\n    text\n  x: 1\n  note: |\n    keep\n  extra: 2\n"
    assert new == expected + "\nb: 2\n"


# --- removing ---------------------------------------------------------------------------


def test_remove_key_keeps_the_comment_of_the_next_key() -> None:
    text = "a: 1\nb:\n  - x\n  - y\n# about c\nc: 3\n"
    assert apply(text, RemoveKey(("b",))) == "a: 1\n# about c\nc: 3\n"


def test_removing_the_first_key_of_a_list_item_moves_the_next_key_up() -> None:
    text = "- id: a   # first\n  goal: g\n  x: 1\n"
    assert apply(text, RemoveKey((0, "id"))) == "- goal: g\n  x: 1\n"


def test_removing_every_item_leaves_an_empty_flow_list() -> None:
    text = "tools:\n  - a\n  - b\nnext: x\n"
    new = apply(text, RemoveItem(("tools", 0)), RemoveItem(("tools", 1)))
    assert new == "tools: []\nnext: x\n"


def test_flow_sequence_removal_and_insertion_keep_spacing() -> None:
    text = "next: [ a, b, c ]  # fan out\n"
    new = apply(text, RemoveItem(("next", 1)), InsertItem(("next",), 3, "d"))
    assert new == "next: [ a, c, d ]  # fan out\n"


def test_item_comment_block_goes_with_the_item() -> None:
    text = "nodes:\n  - id: a\n  # explains b\n  - id: b\n    x: 1\n  - id: c\n"
    assert apply(text, RemoveItem(("nodes", 1))) == "nodes:\n  - id: a\n  - id: c\n"


# --- inserting items ----------------------------------------------------------------------


def test_inserted_item_matches_dash_style_and_blank_lines() -> None:
    text = "nodes:\n- id: a\n\n- id: b\n"
    new = apply(text, InsertItem(("nodes",), 2, {"id": "c", "next": ["a"]}))
    assert new == "nodes:\n- id: a\n\n- id: b\n\n- id: c\n  next: [a]\n"


def test_inserted_item_next_to_flow_mapping_items_is_a_flow_mapping() -> None:
    text = "edges:\n  - {from: a, to: b}\n"
    new = apply(text, InsertItem(("edges",), 0, {"from": "s", "to": "a"}))
    assert new == "edges:\n  - {from: s, to: a}\n  - {from: a, to: b}\n"


def test_batch_indexes_refer_to_the_original_list() -> None:
    text = "l:\n  - a\n  - b\n  - c\n  - d\n"
    new = apply(
        text,
        RemoveItem(("l", 0)),
        InsertItem(("l",), 2, "x"),
        RemoveItem(("l", 2)),
        SetValue(("l", 3), "D"),
        InsertItem(("l",), 4, "e"),
    )
    assert new == "l:\n  - b\n  - x\n  - D\n  - e\n"
    assert load_yaml(new, "wf.yaml")["l"] == ["b", "x", "D", "e"]


# --- files as a whole ------------------------------------------------------------------------


def test_crlf_bom_and_missing_final_newline_survive() -> None:
    text = "\ufeffa: 1\r\nb:\r\n  c: 2"
    new = apply(text, SetValue(("b", "d"), 3), SetValue(("a",), 5))
    assert new == "\ufeffa: 5\r\nb:\r\n  c: 2\r\n  d: 3"


def test_no_edits_and_no_op_edits_return_the_text_unchanged() -> None:
    text = "a:   1   # odd spacing\nb: [x,y]\n"
    assert apply(text) == text
    assert apply(text, SetValue(("a",), 1), SetValue(("b",), ["x", "y"])) == text


def test_leading_document_marker_and_comments_are_kept() -> None:
    text = "---\n# header\nworkflow:\n  nodes: []\n"
    new = apply(text, InsertItem(("workflow", "nodes"), 0, "a"))
    assert new == "---\n# header\nworkflow:\n  nodes: [a]\n"


# --- refusals --------------------------------------------------------------------------------


def test_patch_error_is_an_autotune_error_with_file_line_and_path() -> None:
    message = refusal("a:\n  b: 1\n", SetValue(("a", "c", "d"), 1))
    assert message == "wf.yaml:2: a.c: key 'c' not found"
    assert issubclass(PatchError, AutotuneError)


@pytest.mark.parametrize(
    ("text", "edit", "where", "words"),
    [
        ("a: [1]\n", RemoveItem(("a", 3)), "wf.yaml:1: a[3]:", "out of range"),
        ("a: 1\n", InsertItem(("a",), 0, 1), "wf.yaml:1: a:", "needs a list"),
        ("d: &x {k: 1}\ne: 2\n", SetValue(("d", "k"), 2), "wf.yaml:1: d.k:", "anchored"),
        ("d: &x 1\ne: *x\n", SetValue(("e",), 2), "wf.yaml:2: e:", "alias"),
        (
            "d: &x {k: 1}\ne:\n  <<: *x\n  j: 1\n",
            SetValue(("e", "j"), 2),
            "wf.yaml:3: e.j:",
            "merge",
        ),
        ("d: &x {k: 1}\nl:\n  - *x\n  - 2\n", RemoveItem(("l", 0)), "wf.yaml:3: l[0]:", "alias"),
        ("g: !include x.md\n", SetValue(("g",), "y"), "wf.yaml:1: g:", "custom tag"),
        ("g: |\n  text\n", SetValue(("g",), "y"), "wf.yaml:1: g:", "block scalar"),
        ("a: 1\n---\nb: 2\n", SetValue(("a",), 2), "wf.yaml:3: <root>:", "several YAML documents"),
        ("l:\n  - a  # keep me\n  - b\n", SetValue(("l",), "x"), "wf.yaml:2: l:", "comments"),
        ("a: [x,\n  y]\n", RemoveItem(("a", 0)), "wf.yaml:1: a:", "multi-line flow"),
        ("a: 1\n", SetValue(("a",), {1, 2}), "wf.yaml:1: a:", "cannot write a set"),
    ],
)
def test_refusals_name_file_line_and_path(text: str, edit: Edit, where: str, words: str) -> None:
    message = refusal(text, edit)
    assert message.startswith(where)
    assert words in message


@pytest.mark.parametrize(
    "edits",
    [
        (SetValue(("n", 0, "x"), 1), RemoveItem(("n", 0))),
        (SetValue(("n", 0, "x"), 1), SetValue(("n", 0, "x"), 2)),
        (SetValue(("n", 0, "y"), 1), SetValue(("n", 0, "y"), 1)),
        (RemoveKey(("n", 0, "x")), SetValue(("n", 0), {"x": 2})),
        (InsertItem(("n",), 0, "a"), SetValue(("n",), [])),
    ],
)
def test_overlapping_edits_are_refused(edits: tuple[Edit, ...]) -> None:
    assert "overlapping edits" in refusal("n:\n  - x: 1\n", *edits)


def test_edits_next_to_each_other_are_not_overlapping() -> None:
    text = "n:\n  - x: 1\n  - y: 2\n"
    new = apply(
        text, InsertItem(("n",), 1, {"z": 3}), SetValue(("n", 0, "w"), 0), RemoveItem(("n", 1))
    )
    assert new == "n:\n  - x: 1\n    w: 0\n  - z: 3\n"


def test_refused_batch_changes_nothing_and_a_chomped_block_scalar_is_protected() -> None:
    text = "a: 2\nb: |+\n  text\n\n"
    message = refusal(text, SetValue(("c",), 1))
    assert "would not read back as intended" in message


def test_invalid_yaml_is_reported_as_a_syntax_error() -> None:
    from autotune_bot.errors import YamlSyntaxError

    with pytest.raises(YamlSyntaxError):
        apply("a: [1\n", SetValue(("a",), 1))


def test_scalar_replaced_by_a_long_mapping_becomes_a_block_under_its_key() -> None:
    text = "node:\n  llm_config: small  # was a profile name\n  x: 1\n"
    value = {"model_hint": "m" * 60, "temperature": 0.5}
    new = apply(text, SetValue(("node", "llm_config"), value))
    assert new == (
        "node:\n  llm_config:  # was a profile name\n"
        f"    model_hint: {'m' * 60}\n    temperature: 0.5\n  x: 1\n"
    )


def test_lone_carriage_returns_are_refused() -> None:
    assert refusal("a: 1\rb: 2\n", SetValue(("a",), 2)).startswith("wf.yaml:1: <root>:")


def test_anchored_file_is_edited_only_away_from_its_anchors() -> None:
    text = read("anchors.yaml")
    nodes = ("workflows", "anchored", "nodes")
    new = apply_edits(text, [SetValue((*nodes, 1, "tool_budget"), 9)], "anchors.yaml")
    changed = [
        n for n, (a, b) in enumerate(zip(text.split("\n"), new.split("\n"), strict=True)) if a != b
    ]
    assert changed == [13]
    expected: dict[Edit, str] = {
        SetValue(("defaults", "tool_budget"), 4): "anchors.yaml:1: defaults.tool_budget:",
        SetValue((*nodes, 0, "id"), "x"): "anchors.yaml:10: workflows.anchored.nodes[0].id:",
        RemoveKey(
            (*nodes, 1, "llm_config")
        ): "anchors.yaml:15: workflows.anchored.nodes[1].llm_config:",
        RemoveItem((*nodes, 1)): "anchors.yaml:13: workflows.anchored.nodes[1]:",
    }
    for edit, where in expected.items():
        with pytest.raises(PatchError) as info:
            apply_edits(text, [edit], "anchors.yaml")
        assert str(info.value).startswith(where)
