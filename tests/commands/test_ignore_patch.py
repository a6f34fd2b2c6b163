"""The settings edit of /autotune ignore: exact outputs (goldens), diffs and refusals."""

from __future__ import annotations

import difflib

import pytest

from autotune_bot.commands.ignore_patch import (
    AlreadyIgnoredError,
    IgnoreError,
    ignore_settings_patch,
)
from autotune_bot.errors import InputError
from autotune_bot.patch.diff import split_lines, unified_diff
from autotune_bot.settings import InvalidSettingsError, parse_settings_text
from autotune_bot.strategies.registry import STRATEGIES

PATH = ".autotune.yml"
NAMES = list(STRATEGIES)

COMMENTED = """\
# autotune settings
version: 1   # format version

strategies:
  # keep the cache strategy tame
  caching:
    options: {min_hit_rate: 0.3}
  pruning: {enabled: true}   # flow entry

constraints:
  min_success_rate: 0.9  # guardrail
  protected_nodes:
    - 'triage'   # quoted on purpose
    - deploy
"""


def patch(text: str | None, name: str) -> str:
    return ignore_settings_patch(text, PATH, name, NAMES)[0]


def changed_old_lines(old: str, new: str) -> list[str]:
    """The lines of ``old`` that are not kept byte for byte in ``new``."""
    diff = difflib.ndiff(split_lines(old), split_lines(new))
    return [line[2:] for line in diff if line.startswith("- ")]


def test_the_strategy_names_used_here_are_registered() -> None:
    assert {"caching", "pruning", "batching", "tool_budget"} <= set(STRATEGIES)


# --- goldens on a commented file -------------------------------------------------------------


def test_registered_strategy_with_a_flow_entry_flips_enabled() -> None:
    new = patch(COMMENTED, "pruning")
    assert new == COMMENTED.replace(
        "  pruning: {enabled: true}   # flow entry",
        "  pruning: {enabled: false}   # flow entry",
    )
    assert changed_old_lines(COMMENTED, new) == ["  pruning: {enabled: true}   # flow entry\n"]


def test_registered_strategy_with_options_only_gains_enabled_false() -> None:
    new = patch(COMMENTED, "caching")
    assert new == COMMENTED.replace(
        "    options: {min_hit_rate: 0.3}\n",
        "    options: {min_hit_rate: 0.3}\n    enabled: false\n",
    )
    assert changed_old_lines(COMMENTED, new) == []


def test_registered_strategy_not_yet_in_the_file_is_added_to_the_section() -> None:
    new = patch(COMMENTED, "batching")
    assert new == COMMENTED.replace(
        "  pruning: {enabled: true}   # flow entry\n",
        "  pruning: {enabled: true}   # flow entry\n  batching: {enabled: false}\n",
    )


def test_team_is_appended_to_the_block_list_of_protected_nodes() -> None:
    new = patch(COMMENTED, "code_review")
    assert new == COMMENTED + "    - code_review\n"
    assert changed_old_lines(COMMENTED, new) == []
    assert parse_settings_text(new, PATH).constraints.protected_nodes == (
        "triage",
        "deploy",
        "code_review",
    )


def test_the_same_word_is_a_strategy_only_when_registered() -> None:
    as_team = ignore_settings_patch(COMMENTED, PATH, "pruning", strategies=())[0]
    assert as_team == COMMENTED + "    - pruning\n"
    as_strategy = ignore_settings_patch(COMMENTED, PATH, "pruning", strategies=["pruning"])[0]
    assert "pruning: {enabled: false}" in as_strategy


def test_the_diff_is_the_project_unified_diff() -> None:
    new, diff = ignore_settings_patch(COMMENTED, PATH, "code_review", NAMES)
    assert diff == unified_diff(COMMENTED, new, PATH)
    assert diff.startswith(f"--- a/{PATH}\n+++ b/{PATH}\n")
    body = diff.splitlines()[3:]  # after the headers and the hunk line
    assert [line for line in body if line[:1] in "+-"] == ["+    - code_review"]


# --- sections that are missing or empty ------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "name", "expected"),
    [
        (
            "version: 1  # v\n",
            "team-a",
            "version: 1  # v\nconstraints: {protected_nodes: [team-a]}\n",
        ),
        (
            "version: 1  # v\n",
            "caching",
            "version: 1  # v\nstrategies: {caching: {enabled: false}}\n",
        ),
        (
            "constraints:  # none yet\n",
            "team-a",
            "constraints: {protected_nodes: [team-a]}  # none yet\n",
        ),
        (
            "constraints:\n  max_cost_usd: 2  # c\n",
            "team-a",
            "constraints:\n  max_cost_usd: 2  # c\n  protected_nodes: [team-a]\n",
        ),
        (
            "constraints:\n  protected_nodes:\n",
            "team-a",
            "constraints:\n  protected_nodes: [team-a]\n",
        ),
        (
            "constraints:\n  protected_nodes: []\n",
            "team-a",
            "constraints:\n  protected_nodes: [team-a]\n",
        ),
        ("strategies:\n", "caching", "strategies: {caching: {enabled: false}}\n"),
        ("strategies: {}\n", "caching", "strategies: {caching: {enabled: false}}\n"),
    ],
)
def test_missing_or_empty_sections_are_created(text: str, name: str, expected: str) -> None:
    assert patch(text, name) == expected


@pytest.mark.parametrize(
    ("text", "name", "expected"),
    [
        ("", "team-a", "constraints:\n  protected_nodes:\n    - team-a\n"),
        ("# settings\n", "caching", "# settings\nstrategies:\n  caching:\n    enabled: false\n"),
        (
            "# no newline",
            "team-a",
            "# no newline\nconstraints:\n  protected_nodes:\n    - team-a\n",
        ),
        ("---\n", "team-a", "---\nconstraints:\n  protected_nodes:\n    - team-a\n"),
    ],
)
def test_a_file_without_settings_gets_the_section_appended(
    text: str, name: str, expected: str
) -> None:
    assert patch(text, name) == expected


# --- no file ---------------------------------------------------------------------------------


def test_no_file_gives_a_new_minimal_file_and_a_creation_diff() -> None:
    new, diff = ignore_settings_patch(None, PATH, "team-a", NAMES)
    assert new == "version: 1\nconstraints:\n  protected_nodes:\n    - team-a\n"
    assert diff.splitlines()[:3] == ["--- /dev/null", f"+++ b/{PATH}", "@@ -0,0 +1,4 @@"]
    new, _ = ignore_settings_patch(None, PATH, "tool_budget", NAMES)
    assert new == "version: 1\nstrategies:\n  tool_budget:\n    enabled: false\n"


@pytest.mark.parametrize("name", ["yes", "null", "1", "0.5", "1:30", "on"])
def test_names_that_would_read_as_other_types_are_quoted(name: str) -> None:
    for text in (None, "version: 1\n", "constraints:\n  protected_nodes:\n    - a\n"):
        new = patch(text, name)
        assert name in parse_settings_text(new, PATH).constraints.protected_nodes


# --- flow style and line endings -------------------------------------------------------------


def test_flow_style_file_stays_flow_style() -> None:
    text = "{version: 1, constraints: {protected_nodes: [a, 'b']}}  # all flow\n"
    assert patch(text, "team-a") == (
        "{version: 1, constraints: {protected_nodes: [a, 'b', team-a]}}  # all flow\n"
    )
    assert patch(text, "caching") == (
        "{version: 1, constraints: {protected_nodes: [a, 'b']}, "
        "strategies: {caching: {enabled: false}}}  # all flow\n"
    )


def test_crlf_file_keeps_crlf_everywhere() -> None:
    text = "# s\r\nversion: 1\r\nstrategies:\r\n  caching:\r\n    enabled: true  # on\r\n"
    new = patch(text, "caching")
    assert new == text.replace("enabled: true", "enabled: false")
    team = patch(text, "team-a")
    assert team == text + "constraints: {protected_nodes: [team-a]}\r\n"
    assert team.count("\n") == team.count("\r\n")


def test_crlf_comment_only_file_gets_crlf_lines() -> None:
    assert (
        patch("# s\r\n", "team-a")
        == "# s\r\nconstraints:\r\n  protected_nodes:\r\n    - team-a\r\n"
    )


# --- refusals --------------------------------------------------------------------------------


def test_already_disabled_strategy_is_refused() -> None:
    text = "strategies:\n  caching: {enabled: false}\n"
    with pytest.raises(AlreadyIgnoredError, match="'caching' is already ignored"):
        patch(text, "caching")


def test_already_protected_team_is_refused() -> None:
    with pytest.raises(AlreadyIgnoredError, match="'deploy' is already ignored") as info:
        patch(COMMENTED, "deploy")
    assert str(info.value).startswith(f"{PATH}: ")
    assert isinstance(info.value, InputError)


def test_invalid_current_settings_are_reported_by_the_loader() -> None:
    with pytest.raises(InvalidSettingsError, match=r"\.autotune\.yml:2: constraints\.nope"):
        patch("version: 1\nconstraints: {nope: 1}\n", "team-a")


def test_a_result_that_does_not_read_back_is_refused() -> None:
    # A document that is an explicit null holds no settings, but text cannot be appended.
    with pytest.raises(IgnoreError, match="would not be valid"):
        patch("null\n", "team-a")


@pytest.mark.parametrize("name", ["", " a", "a "])
def test_empty_or_padded_names_are_refused(name: str) -> None:
    with pytest.raises(IgnoreError, match="non-empty word"):
        patch("version: 1\n", name)
