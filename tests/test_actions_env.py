"""The GitHub Actions environment: inputs, forge choice, events, outputs, summary, commands.

Escaping cases are the known strings of ``@actions/core``'s own command tests; the
``$GITHUB_OUTPUT`` checks read the file back with a parser written here from the runner's
rules (a ``name<<DELIM`` line, value lines, a line equal to ``DELIM``), not with ours.
"""

from __future__ import annotations

import dataclasses
import json
import re
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from ruamel.yaml import YAML

from autotune_bot.actions_env import (
    INPUT_DEFAULTS,
    SUMMARY_MAX_BYTES,
    ActionConfig,
    ActionInputError,
    Secret,
    action_config,
    annotation,
    append_summary,
    event_decision,
    format_outputs,
    get_input,
    load_action_config,
    mask,
    read_event,
    summary_text,
    workspace_of,
    write_outputs,
)
from autotune_bot.errors import InputError

ROOT = Path(__file__).resolve().parents[1]
CWD = Path("/work/repo")
ACTIONS = {
    "GITHUB_ACTIONS": "true",
    "GITHUB_REPOSITORY": "octo/agents",
    "GITHUB_WORKSPACE": "/github/workspace",
    "INPUT_GITHUB_TOKEN": "ghs_secretvalue123",
}


def _config(env: dict[str, str]) -> ActionConfig:
    return action_config(env, cwd=CWD)


# --- inputs ---------------------------------------------------------------------------------


def test_inputs_are_read_from_upper_cased_variables_and_trimmed() -> None:
    env = {"INPUT_CONFIG": "  conf/autotune.yml \n", "INPUT_DRY_RUN": "true"}
    assert get_input(env, "config") == "conf/autotune.yml"
    assert get_input(env, "dry_run") == "true"
    # @actions/core's rule: spaces become underscores, the rest is upper-cased.
    assert get_input(env, "dry run") == "true"


def test_missing_or_empty_inputs_take_the_action_yml_defaults() -> None:
    assert get_input({}, "config") == ".autotune.yml"
    assert get_input({"INPUT_CONFIG": "   "}, "config") == ".autotune.yml"
    assert get_input({}, "forge") == "auto"
    config = _config({})
    assert config.dry_run is False
    assert config.max_prs is None
    assert config.settings_path == CWD / ".autotune.yml"


def test_an_input_written_with_hyphens_is_the_same_input() -> None:
    assert get_input({"INPUT_MAX-PRS": "3"}, "max_prs") == "3"
    assert _config({"INPUT_MAX-PRS": "3"}).max_prs == 3
    # The underscore spelling (the one action.yml declares) wins.
    assert get_input({"INPUT_MAX_PRS": "2", "INPUT_MAX-PRS": "3"}, "max_prs") == "2"


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("true", True),
        ("True", True),
        ("TRUE", True),
        ("false", False),
        ("False", False),
        ("FALSE", False),
        (" true ", True),
    ],
)
def test_dry_run_accepts_the_yaml_core_schema_booleans(raw: str, expected: bool) -> None:
    assert _config({"INPUT_DRY_RUN": raw}).dry_run is expected


@pytest.mark.parametrize("raw", ["yes", "1", "on", "tRue", "no", "0"])
def test_dry_run_rejects_anything_else_naming_the_input(raw: str) -> None:
    with pytest.raises(ActionInputError) as info:
        _config({"INPUT_DRY_RUN": raw})
    message = str(info.value)
    assert message.startswith("inputs.dry_run: must be true or false")
    assert repr(raw) in message
    assert isinstance(info.value, InputError)
    assert "\n" not in message


@pytest.mark.parametrize(("raw", "expected"), [("", None), ("1", 1), ("12", 12), ("007", 7)])
def test_max_prs_is_a_positive_whole_number_or_unset(raw: str, expected: int | None) -> None:
    assert _config({"INPUT_MAX_PRS": raw}).max_prs == expected


@pytest.mark.parametrize("raw", ["0", "-1", "+3", "2.5", "3 PRs", "1_000", "٣", "1e3"])
def test_max_prs_rejects_other_text(raw: str) -> None:
    with pytest.raises(ActionInputError, match=r"^inputs\.max_prs: must be a whole number"):
        _config({"INPUT_MAX_PRS": raw})


def test_working_directory_and_config_resolve_inside_the_workspace() -> None:
    env = {"GITHUB_WORKSPACE": "/github/workspace", "INPUT_WORKING_DIRECTORY": "agents/"}
    env["INPUT_CONFIG"] = "ci/autotune.yml"
    config = _config(env)
    assert config.workspace == Path("/github/workspace")
    assert config.repo_root == Path("/github/workspace/agents")
    assert config.settings_path == Path("/github/workspace/agents/ci/autotune.yml")
    assert _config({}).workspace == CWD
    assert _config({"GITHUB_WORKSPACE": "ws"}).workspace == CWD / "ws"


@pytest.mark.parametrize(
    ("env", "explicit"),
    [
        ({}, False),  # outside Actions: the default
        ({"INPUT_CONFIG": ".autotune.yml"}, False),  # what the runner passes by default
        ({"INPUT_CONFIG": "  "}, False),
        ({"INPUT_CONFIG": "ci/autotune.yml"}, True),
        ({"INPUT_CONFIG": ".autotune.yaml"}, True),
    ],
)
def test_a_config_other_than_the_default_is_explicit(env: dict[str, str], explicit: bool) -> None:
    # an explicit config must exist; a missing default means the default settings
    assert _config(env).settings_explicit is explicit


def test_workspace_of_reads_github_workspace_relative_to_the_current_directory() -> None:
    assert workspace_of({}, cwd=CWD) == CWD
    assert workspace_of({"GITHUB_WORKSPACE": "ws"}, cwd=CWD) == Path("/work/repo/ws")
    absolute = {"GITHUB_WORKSPACE": "/github/workspace"}
    assert workspace_of(absolute, cwd=CWD) == Path("/github/workspace")


@pytest.mark.parametrize("raw", ["../other", "/etc", "a/../../b"])
def test_working_directory_may_not_leave_the_workspace(raw: str) -> None:
    with pytest.raises(ActionInputError, match=r"^inputs\.working_directory: must be a path"):
        _config({"INPUT_WORKING_DIRECTORY": raw})


# --- forge, token, URLs -----------------------------------------------------------------------


def test_forge_is_github_inside_actions_with_a_repository() -> None:
    config = _config(ACTIONS)
    assert config.forge == "github"
    assert config.repository == "octo/agents"
    assert config.in_actions is True


@pytest.mark.parametrize(
    "env",
    [
        {},
        {"GITHUB_ACTIONS": "true"},  # no repository
        {"GITHUB_REPOSITORY": "octo/agents", "GITHUB_TOKEN": "t"},  # not inside Actions
        {"GITHUB_ACTIONS": "false", "GITHUB_REPOSITORY": "octo/agents"},
        {**ACTIONS, "INPUT_FORGE": "local"},  # the input overrides
    ],
)
def test_forge_is_local_otherwise(env: dict[str, str]) -> None:
    assert _config(env).forge == "local"


def test_forge_input_github_forces_github_but_needs_repository_and_token() -> None:
    env = {"INPUT_FORGE": "github", "GITHUB_REPOSITORY": "octo/agents", "GITHUB_TOKEN": "t"}
    assert _config(env).forge == "github"
    with pytest.raises(ActionInputError, match=r"^inputs\.forge: .*GITHUB_REPOSITORY"):
        _config({"INPUT_FORGE": "github", "GITHUB_TOKEN": "t"})
    with pytest.raises(ActionInputError, match=r"^inputs\.github_token: .*needs a token"):
        _config({k: v for k, v in ACTIONS.items() if k != "INPUT_GITHUB_TOKEN"})


@pytest.mark.parametrize("raw", ["GitHub", "gitlab", "none"])
def test_forge_input_rejects_unknown_values(raw: str) -> None:
    with pytest.raises(ActionInputError, match=r"^inputs\.forge: must be auto, local or github"):
        _config({"INPUT_FORGE": raw})


def test_repository_must_be_owner_slash_name() -> None:
    with pytest.raises(ActionInputError, match=r"^GITHUB_REPOSITORY: must be owner/name"):
        _config({**ACTIONS, "GITHUB_REPOSITORY": "octo/agents/extra"})


def test_token_comes_from_the_input_then_github_token() -> None:
    both = {"INPUT_GITHUB_TOKEN": "from-input", "GITHUB_TOKEN": "from-env"}
    token = _config(both).token
    assert token is not None
    assert token.reveal() == "from-input"
    fallback = _config({"INPUT_GITHUB_TOKEN": "", "GITHUB_TOKEN": "from-env"}).token
    assert fallback is not None
    assert fallback.reveal() == "from-env"
    assert _config({}).token is None


def test_the_token_never_shows_in_reprs_strings_or_dataclass_copies() -> None:
    secret = "ghs_secretvalue123"
    config = _config(ACTIONS)
    assert config.token == Secret(secret)
    shown = [
        repr(config),
        str(config),
        f"{config.token}",
        str(config.token),
        repr(dataclasses.asdict(config)),
        repr(dataclasses.replace(config, dry_run=True)),
    ]
    for text in shown:
        assert secret not in text
    assert "***" in repr(config)


def test_api_and_server_urls_default_to_github_com_and_honour_enterprise_server() -> None:
    config = _config({})
    assert (config.api_url, config.server_url) == ("https://api.github.com", "https://github.com")
    ghes = _config(
        {
            "GITHUB_API_URL": "https://ghe.example.com/api/v3/",
            "GITHUB_SERVER_URL": "https://ghe.example.com",
        }
    )
    assert ghes.api_url == "https://ghe.example.com/api/v3"
    assert ghes.server_url == "https://ghe.example.com"
    with pytest.raises(ActionInputError, match=r"^GITHUB_API_URL: must be an http\(s\) URL"):
        _config({"GITHUB_API_URL": "ghe.example.com/api/v3"})


def test_run_facts_are_passed_through() -> None:
    env = {
        **ACTIONS,
        "GITHUB_RUN_ID": "4242",
        "GITHUB_REF_NAME": "main",
        "GITHUB_SHA": "a" * 40,
        "GITHUB_OUTPUT": "/github/file_commands/set_output_1",
        "GITHUB_STEP_SUMMARY": "/github/file_commands/step_summary_1",
        "RUNNER_DEBUG": "1",
    }
    config = _config(env)
    assert config.run_url == "https://github.com/octo/agents/actions/runs/4242"
    assert (config.ref_name, config.sha, config.debug) == ("main", "a" * 40, True)
    assert config.output_path == Path("/github/file_commands/set_output_1")
    assert config.summary_path == Path("/github/file_commands/step_summary_1")
    bare = _config({})
    assert (bare.run_url, bare.output_path, bare.summary_path, bare.debug) == (None,) * 3 + (False,)


# --- events -----------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["schedule", "workflow_dispatch", None, ""])
def test_schedule_dispatch_and_no_event_run(name: str | None) -> None:
    decision = event_decision(name)
    assert decision.run is True
    assert decision.notice is None


@pytest.mark.parametrize("name", ["issue_comment", "pull_request"])
def test_command_and_pull_request_events_run(name: str) -> None:
    # which of their actions lead to work is read from the payload (commands.event)
    decision = event_decision(name)
    assert decision.run is True
    assert decision.notice is None


@pytest.mark.parametrize("name", ["push", "release", "pull_request_target", "merge_group"])
def test_other_events_get_a_notice_and_do_nothing(name: str) -> None:
    decision = event_decision(name)
    assert decision.run is False
    assert decision.notice is not None
    assert name in decision.notice
    assert "schedule" in decision.notice


def test_the_event_payload_is_read_for_events_that_run(tmp_path: Path) -> None:
    event = tmp_path / "event.json"
    event.write_text(json.dumps({"repository": {"default_branch": "trunk"}, "inputs": {}}))
    env = {**ACTIONS, "GITHUB_EVENT_NAME": "workflow_dispatch", "GITHUB_EVENT_PATH": str(event)}
    config = load_action_config(env, cwd=tmp_path)
    assert config.event.run is True
    assert config.event.name == "workflow_dispatch"
    assert config.default_branch == "trunk"
    # A skipped event's payload is not read at all (here it does not even exist).
    skipped = {**env, "GITHUB_EVENT_NAME": "push", "GITHUB_EVENT_PATH": str(tmp_path / "none")}
    assert load_action_config(skipped, cwd=tmp_path).event.run is False
    assert load_action_config({}, cwd=tmp_path).default_branch is None


@pytest.mark.parametrize(
    ("data", "problem"),
    [
        (b"[1, 2]", "not a JSON object"),
        (b'{"a": ', "not valid JSON"),
        (b"\xff\xfe{}", "not valid JSON"),
        (b"[" * 100_000 + b"]" * 100_000, "not valid JSON"),
        (b'{"pad": "' + b"x" * 2000 + b'"}', "larger than 1000 bytes"),
    ],
)
def test_bad_event_payloads_are_one_line_errors(tmp_path: Path, data: bytes, problem: str) -> None:
    path = tmp_path / "event.json"
    path.write_bytes(data)
    with pytest.raises(ActionInputError) as info:
        read_event(path, max_bytes=1000 if problem.startswith("larger") else 10**7)
    assert str(info.value).startswith(f"{path}: ")
    assert problem in str(info.value)


def test_a_missing_event_file_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(ActionInputError, match="cannot read the event payload"):
        read_event(tmp_path / "absent.json")


# --- workflow commands ------------------------------------------------------------------------


def test_annotation_with_file_and_line_matches_githubs_documented_example() -> None:
    assert annotation("error", "Missing semicolon", "app.js", 1) == (
        "::error file=app.js,line=1::Missing semicolon"
    )
    assert annotation("warning", "plain") == "::warning::plain"
    assert annotation("notice", "n", title="T") == "::notice title=T::n"


def test_message_escaping_matches_actions_core() -> None:
    # @actions/core command.test.ts, "command escapes message".
    message = "percent % percent % cr \r cr \r lf \n lf \n"
    assert annotation("error", message) == (
        "::error::percent %25 percent %25 cr %0D cr %0D lf %0A lf %0A"
    )
    assert annotation("error", "%25 %25 %0D %0D %0A %0A") == (
        "::error::%2525 %2525 %250D %250D %250A %250A"
    )


def test_property_escaping_matches_actions_core() -> None:
    # @actions/core command.test.ts, "command escapes property" (a property named `file`).
    value = "percent % percent % cr \r cr \r lf \n lf \n colon : colon : comma , comma ,"
    assert annotation("warning", "", file=value) == (
        "::warning file=percent %25 percent %25 cr %0D cr %0D lf %0A lf %0A colon %3A "
        "colon %3A comma %2C comma %2C::"
    )
    # `:` and `,` are escaped in properties only, not in the message.
    assert annotation("error", "a: b, c", file="C:/x,y.yml", line=3, title="t: 1") == (
        "::error title=t%3A 1,file=C%3A/x%2Cy.yml,line=3::a: b, c"
    )


def test_unknown_annotation_kinds_are_refused() -> None:
    with pytest.raises(ValueError, match="unknown annotation kind"):
        annotation("debug", "x")  # type: ignore[arg-type]


def test_mask_is_an_escaped_add_mask_command() -> None:
    assert mask("ghs_abc") == "::add-mask::ghs_abc"
    assert mask("a%b\nc") == "::add-mask::a%25b%0Ac"


# --- $GITHUB_OUTPUT ---------------------------------------------------------------------------


def _runner_parse(text: str) -> dict[str, str]:
    """The runner's reading of a file-command file (name=value, or name<<DELIM heredocs)."""
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    out: dict[str, str] = {}
    i = 0
    while i < len(lines):
        line = lines[i]
        i += 1
        if not line:
            continue
        eq, here = line.find("="), line.find("<<")
        if eq >= 0 and (here < 0 or eq < here):
            name, value = line.split("=", 1)
            out[name] = value
            continue
        assert here > 0, f"invalid line {line!r}"
        name, delimiter = line.split("<<", 1)
        value_lines = []
        while lines[i] != delimiter:  # IndexError: delimiter never found
            value_lines.append(lines[i])
            i += 1
        i += 1
        out[name] = "\n".join(value_lines)
    return out


def test_outputs_are_heredocs_with_a_fixed_delimiter() -> None:
    text = format_outputs({"prs_opened": 2, "dry_run": False, "report_path": "r.json"})
    assert text == (
        "prs_opened<<AUTOTUNE_EOF\n2\nAUTOTUNE_EOF\n"
        "dry_run<<AUTOTUNE_EOF\nfalse\nAUTOTUNE_EOF\n"
        "report_path<<AUTOTUNE_EOF\nr.json\nAUTOTUNE_EOF\n"
    )


def test_a_value_holding_the_delimiter_gets_another_one_and_cannot_inject() -> None:
    hostile = "x\nAUTOTUNE_EOF\nprs_opened<<E\n999\nE\nAUTOTUNE_EOF_1"
    text = format_outputs({"proposals": hostile, "prs_opened": 1})
    assert "proposals<<AUTOTUNE_EOF_2\n" in text
    assert _runner_parse(text) == {"proposals": hostile, "prs_opened": "1"}


@given(
    st.dictionaries(
        st.from_regex(r"[A-Za-z_][A-Za-z0-9_-]{0,10}", fullmatch=True),
        st.lists(st.sampled_from(["a", "\n", "=", "<<", "AUTOTUNE_EOF", "_1", "é", "\r"])).map(
            "".join
        ),
        max_size=4,
    )
)
def test_any_outputs_read_back_exactly(outputs: dict[str, str]) -> None:
    assert _runner_parse(format_outputs(outputs)) == outputs


@pytest.mark.parametrize("name", ["", "a b", "a=b", "x<<y", "1st", "a\nb"])
def test_invalid_output_names_are_refused(name: str) -> None:
    with pytest.raises(ValueError, match="invalid output name"):
        format_outputs({name: "v"})


def test_write_outputs_appends_to_the_file(tmp_path: Path) -> None:
    path = tmp_path / "set_output"
    path.write_text("")
    write_outputs(path, {"prs_opened": 1})
    write_outputs(path, {"prs_updated": 0, "proposals": '[{"key": "a/b"}]'})
    assert _runner_parse(path.read_text()) == {
        "prs_opened": "1",
        "prs_updated": "0",
        "proposals": '[{"key": "a/b"}]',
    }


# --- job summary ------------------------------------------------------------------------------


def test_summary_text_ends_with_a_newline_and_is_kept_whole_when_it_fits() -> None:
    assert summary_text("# autotune", used_bytes=0) == "# autotune\n"
    assert summary_text("a\n", used_bytes=SUMMARY_MAX_BYTES - 2) == "a\n"


def test_summary_over_the_cap_is_cut_at_a_line_with_a_note() -> None:
    rows = "".join(f"| row {i} | é |\n" for i in range(100))
    text = summary_text(rows, used_bytes=0, max_bytes=600)
    assert len(text.encode("utf-8")) <= 600
    body, marker, note = text.partition("*(summary truncated")
    assert marker
    assert "1 MiB" in note
    kept = body.rstrip("\n") + "\n"
    assert rows.startswith(kept)
    # Whole rows only, and as many as fit beside the note.
    assert kept.endswith(" |\n")
    next_row = rows[len(kept) :].split("\n", 1)[0] + "\n"
    assert len((kept + next_row).encode("utf-8")) + len((marker + note).encode("utf-8")) > 600
    assert summary_text(rows, used_bytes=590, max_bytes=600) == ""


def test_append_summary_counts_what_the_step_already_wrote(tmp_path: Path) -> None:
    path = tmp_path / "step_summary"
    path.write_bytes(b"x" * (SUMMARY_MAX_BYTES - 100))
    append_summary(path, "## proposals\n" + "| a | b |\n" * 50)
    size = path.stat().st_size
    assert SUMMARY_MAX_BYTES - 100 < size <= SUMMARY_MAX_BYTES
    assert path.read_text().endswith("GitHub shows at most 1 MiB of summary per step)*\n")
    fresh = tmp_path / "fresh"
    append_summary(fresh, "one")
    append_summary(fresh, "two\n")
    assert fresh.read_text() == "one\ntwo\n"


# --- action.yml and Dockerfile agree with this module -----------------------------------------


def _action() -> dict[str, object]:
    data = YAML(typ="safe").load((ROOT / "action.yml").read_text())
    assert isinstance(data, dict)
    return data


def test_action_yml_declares_these_inputs_with_these_defaults() -> None:
    inputs = _action()["inputs"]
    assert isinstance(inputs, dict)
    assert set(inputs) == set(INPUT_DEFAULTS)
    for name, spec in inputs.items():
        assert re.fullmatch(r"[a-z]+(_[a-z]+)*", name), name
        expected = "${{ github.token }}" if name == "github_token" else INPUT_DEFAULTS[name]
        assert str(spec["default"]) == expected, name
        assert spec["description"]


def test_action_yml_runs_the_dockerfile_whose_entrypoint_is_autotune_action() -> None:
    action = _action()
    assert action["runs"] == {"using": "docker", "image": "Dockerfile"}
    outputs = action["outputs"]
    assert isinstance(outputs, dict)
    assert {"prs_opened", "prs_updated", "report_path"} <= set(outputs)
    dockerfile = (ROOT / "Dockerfile").read_text()
    instructions = [
        line.split(None, 1)
        for line in dockerfile.splitlines()
        if line and not line.startswith((" ", "#"))
    ]
    keywords = [parts[0] for parts in instructions]
    assert json.loads(dict(instructions)["ENTRYPOINT"]) == ["autotune", "action"]
    assert "USER" not in keywords
    assert "WORKDIR" not in keywords
    args = {parts[1].split("=")[0] for parts in instructions if parts[0] == "ARG"}
    assert {"BASE_IMAGE", "PIP_INDEX_URL", "PIP_CERT"} <= args
    assert "safe.directory" in dockerfile
