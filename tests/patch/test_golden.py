"""Golden tests: each case's diff must match the stored one exactly."""

from __future__ import annotations

import difflib

import pytest

from autotune_bot.patch.apply import apply_edits
from autotune_bot.patch.edits import SetValue
from autotune_bot.yaml_source import load_yaml

from .golden_cases import CASES, DATA, EXPECTED, Case, read, run

INPUTS = sorted(p.name for p in DATA.glob("*.yaml"))


@pytest.mark.parametrize("case", CASES, ids=lambda case: case.name)
def test_diff_matches_golden(case: Case) -> None:
    _, _, diff = run(case)
    expected = (EXPECTED / f"{case.name}.diff").read_bytes().decode("utf-8")
    assert diff == expected


@pytest.mark.parametrize("case", CASES, ids=lambda case: case.name)
def test_only_edited_lines_change(case: Case) -> None:
    old, new, _ = run(case)
    old_lines = old.split("\n")
    new_lines = new.split("\n")
    matcher = difflib.SequenceMatcher(a=old_lines, b=new_lines, autojunk=False)
    changed = sum(i2 - i1 for tag, i1, i2, _, _ in matcher.get_opcodes() if tag != "equal")
    kept = sum(i2 - i1 for tag, i1, i2, _, _ in matcher.get_opcodes() if tag == "equal")
    assert kept + changed == len(old_lines)
    # Far fewer lines change than the file has: nothing was reformatted.
    assert changed < len(old_lines) / 2
    assert new.startswith("\ufeff") == old.startswith("\ufeff")
    assert new.endswith("\n") == old.endswith("\n")


@pytest.mark.parametrize("case", CASES, ids=lambda case: case.name)
def test_line_endings_survive(case: Case) -> None:
    old, new, _ = run(case)
    if "\r\n" in old:
        assert new.count("\n") == new.count("\r\n")
    else:
        assert "\r" not in new


@pytest.mark.parametrize("name", INPUTS)
def test_unchanged_file_round_trips_byte_identical(name: str) -> None:
    text = read(name)
    assert apply_edits(text, [], name) == text


@pytest.mark.parametrize(
    ("name", "path"),
    [
        ("team_workflows.yaml", ("workflows", "code_review", "nodes", 3, "total_tool_budget")),
        ("team_workflows.yaml", ("workflows", "code_review", "metadata")),
        ("workflow_dialect.yaml", ("workflow", "edges")),
        ("inline_edges_bom.yaml", ("workflow", "nodes", 1)),
        ("crlf_team.yaml", ("workflows", "crlf_flow", "nodes", 1, "team")),
    ],
)
def test_setting_current_value_is_byte_identical(name: str, path: tuple[str | int, ...]) -> None:
    text = read(name)
    value = load_yaml(text.lstrip("\ufeff"), name)
    for step in path:
        value = value[step]
    from autotune_bot.patch.plain import to_plain

    assert apply_edits(text, [SetValue(path, to_plain(value))], name) == text


def test_insert_parallel_node_reads_back_as_a_node() -> None:
    case = next(case for case in CASES if case.name == "insert_parallel_node")
    _, new, _ = run(case)
    nodes = load_yaml(new, case.file)["workflows"]["code_review"]["nodes"]
    assert [node["id"] for node in nodes][:3] == ["fetch", "fetch_parallel", "triage"]
    assert nodes[1]["parallel_nodes"] == ["a", "b"]
    assert nodes[1]["next"] == ["c"]
