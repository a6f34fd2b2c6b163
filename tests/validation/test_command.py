"""Filling in the benchmark command and its environment."""

from __future__ import annotations

import pytest

from autotune_bot.errors import InputError
from autotune_bot.validation.command import fill_command, run_environment

WF = "/tmp/x/wf.yaml"
DEFAULT = ("victor", "run", "{workflow}", "--input", "{input}")


def test_default_command_with_an_input() -> None:
    got = fill_command(DEFAULT, workflow=WF, input="task one")
    assert got == ("victor", "run", WF, "--input", "task one")


def test_without_inputs_the_placeholder_and_its_flag_are_dropped() -> None:
    assert fill_command(DEFAULT, workflow=WF, input=None) == ("victor", "run", WF)


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        (("victor", "run", "{workflow}", "--input={input}"), ("victor", "run", WF)),
        (("victor", "run", "{workflow}", "-i{input}", "--fast"), ("victor", "run", WF, "--fast")),
        (("victor", "{workflow}", "{input}"), ("victor", WF)),  # positional: nothing else goes
        (("victor", "{input}", "{workflow}"), ("victor", WF)),  # the program is never dropped
        (("cat", "-", "{input}"), ("cat", "-")),  # "-" alone is not a flag
        (("victor", "-v", "{workflow}", "-i", "{input}"), ("victor", "-v", WF)),
    ],
)
def test_dropping_rules(argv: tuple[str, ...], expected: tuple[str, ...]) -> None:
    assert fill_command(argv, workflow=WF, input=None) == expected


def test_placeholders_inside_larger_arguments_are_replaced_in_the_text() -> None:
    argv = ("run", "--config={workflow}", "--log={workflow}.log", "--task=in:{input}:end")
    got = fill_command(argv, workflow=WF, input="t")
    assert got == ("run", f"--config={WF}", f"--log={WF}.log", "--task=in:t:end")


def test_substitution_is_one_pass_and_leaves_other_braces_alone() -> None:
    argv = ("run", "{workflow}", "--json", '{"a": {"b": 1}}', "--input", "{input}")
    got = fill_command(argv, workflow=WF, input="{workflow} {x}")
    assert got == ("run", WF, "--json", '{"a": {"b": 1}}', "--input", "{workflow} {x}")


def test_unknown_placeholder_is_an_input_error_naming_the_field() -> None:
    with pytest.raises(InputError) as err:
        fill_command(("run", "{workflow}", "--model={model}"), workflow=WF, input=None)
    assert err.value.field == "ab_test.command"
    assert "{model}" in str(err.value)
    assert str(err.value).startswith("ab_test.command: ")


def test_input_inside_a_larger_argument_cannot_be_dropped() -> None:
    with pytest.raises(InputError) as err:
        fill_command(("run", "--task=in:{input}"), workflow=WF, input=None)
    assert err.value.field == "ab_test.command"


def test_inputs_without_an_input_placeholder_are_an_error() -> None:
    with pytest.raises(InputError) as err:
        fill_command(("run", "{workflow}"), workflow=WF, input="t")
    assert err.value.field == "ab_test.command"
    assert fill_command(("run", "{workflow}"), workflow=WF, input=None) == ("run", WF)


def test_a_command_that_is_only_the_input_is_an_error() -> None:
    with pytest.raises(InputError):
        fill_command(("{input}",), workflow=WF, input=None)


def test_environment_is_set_over_the_parent() -> None:
    parent = {"PATH": "/bin", "AUTOTUNE_ARM": "stale", "KEEP": "1"}
    env = run_environment(parent, workflow=WF, arm="variant", trial=3, result="/r/3.json")
    assert env == {
        "PATH": "/bin",
        "KEEP": "1",
        "AUTOTUNE_WORKFLOW": WF,
        "AUTOTUNE_ARM": "variant",
        "AUTOTUNE_TRIAL": "3",
        "AUTOTUNE_RESULT": "/r/3.json",
    }
    assert parent["AUTOTUNE_ARM"] == "stale"  # the parent mapping is not changed


def test_tokens_and_runner_credentials_are_withheld_from_the_runs() -> None:
    parent = {
        "PATH": "/bin",
        "HOME": "/home/runner",
        "GITHUB_TOKEN": "ghs_secret1",
        "GH_TOKEN": "ghp_secret2",
        "INPUT_GITHUB_TOKEN": "ghs_secret3",
        "INPUT_GITHUB-TOKEN": "ghs_secret4",  # the hyphenated spelling of the input
        "INPUT_DRY_RUN": "false",
        "ACTIONS_RUNTIME_TOKEN": "secret5",
        "ACTIONS_ID_TOKEN_REQUEST_TOKEN": "secret6",
        "ACTIONS_ID_TOKEN_REQUEST_URL": "https://token.example/req",
        "ACTIONS_CACHE_URL": "https://cache.example/",
        "ACTIONS_RUNTIME_URL": "https://runtime.example/",
        "GITHUB_REPOSITORY": "octo-org/agents",  # not a credential: kept
        "OPENAI_API_KEY": "kept-the-agents-need-it",
    }
    env = run_environment(parent, workflow=WF, arm="control", trial=0, result="/r/0.json")
    assert env == {
        "PATH": "/bin",
        "HOME": "/home/runner",
        "GITHUB_REPOSITORY": "octo-org/agents",
        "OPENAI_API_KEY": "kept-the-agents-need-it",
        "AUTOTUNE_WORKFLOW": WF,
        "AUTOTUNE_ARM": "control",
        "AUTOTUNE_TRIAL": "0",
        "AUTOTUNE_RESULT": "/r/0.json",
    }
    assert not any("secret" in value for value in env.values())
