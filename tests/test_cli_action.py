"""`autotune action` end to end, with the environment GitHub Actions would set, on a scratch git
copy of the example repository (local forge): what it writes to ``$GITHUB_OUTPUT`` and
``$GITHUB_STEP_SUMMARY``, the annotations it prints and its exit status, for a run that
works, for problems that stop the run, and for events it does not act on."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from autotune_bot.cli import main
from tests.repo_helpers import DEMO, git, make_repo

_GITHUB_PREFIXES = ("GITHUB_", "INPUT_", "RUNNER_", "ACTIONS_")


class Action:
    """One workspace and the files the runner would name."""

    def __init__(self, workspace: Path, monkeypatch: pytest.MonkeyPatch) -> None:
        self.workspace = workspace
        self.output = workspace.parent / "github_output"
        self.summary = workspace.parent / "step_summary"
        self.output.write_text("")
        self.summary.write_text("")
        self.monkeypatch = monkeypatch
        for name in list(os.environ):
            if name.startswith(_GITHUB_PREFIXES):
                monkeypatch.delenv(name)
        monkeypatch.chdir(workspace)
        for name, value in {
            "GITHUB_ACTIONS": "true",  # without GITHUB_REPOSITORY: the local forge
            "GITHUB_WORKSPACE": str(workspace),
            "GITHUB_OUTPUT": str(self.output),
            "GITHUB_STEP_SUMMARY": str(self.summary),
            "GITHUB_EVENT_NAME": "workflow_dispatch",
            # the defaults the runner passes from action.yml
            "INPUT_CONFIG": ".autotune.yml",
            "INPUT_DRY_RUN": "false",
            "INPUT_FORGE": "auto",
            "INPUT_WORKING_DIRECTORY": ".",
        }.items():
            monkeypatch.setenv(name, value)

    def set(self, **inputs: str) -> None:
        for name, value in inputs.items():
            self.monkeypatch.setenv(name, value)

    def run(self, capsys: pytest.CaptureFixture[str]) -> tuple[int, list[str]]:
        code = main(["action"])
        out = capsys.readouterr().out
        return code, [line for line in out.splitlines() if line.startswith("::")]

    def outputs(self) -> dict[str, str]:
        """``$GITHUB_OUTPUT`` read back as the runner does (``name<<DELIM`` heredocs)."""
        found: dict[str, str] = {}
        lines = iter(self.output.read_text().splitlines())
        for line in lines:
            name, _, delimiter = line.partition("<<")
            value: list[str] = []
            for body in lines:
                if body == delimiter:
                    break
                value.append(body)
            found[name] = "\n".join(value)
        return found


@pytest.fixture
def action(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Action:
    return Action(make_repo(tmp_path), monkeypatch)


def _branches(repo: Path) -> list[str]:
    return git(repo, "branch", "--list", "autotune/*", "--format=%(refname:short)").split()


def _commit(repo: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        (repo / name).parent.mkdir(parents=True, exist_ok=True)
        (repo / name).write_text(text)
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "change")


def _line_of(text: str, needle: str) -> int:
    return next(n for n, line in enumerate(text.splitlines(), 1) if needle in line)


def test_a_run_writes_outputs_summary_and_report(
    action: Action, capsys: pytest.CaptureFixture[str]
) -> None:
    code, commands = action.run(capsys)
    assert code == 0
    assert not [c for c in commands if c.startswith("::error")]
    branches = _branches(action.workspace)
    drafts = sorted(
        p.name
        for p in (action.workspace / ".autotune" / "outbox").glob("*.md")
        if not p.name.startswith("_")
    )
    assert len(branches) == len(drafts) >= 1
    outputs = action.outputs()
    assert outputs == {
        "prs_opened": str(len(branches)),
        "prs_updated": "0",
        "proposals": str(len(branches)),
        "report_path": ".autotune/outbox/_run-report.md",
    }
    summary = action.summary.read_text()
    assert summary.startswith("## autotune run")
    assert all(f"`{branch}`" in summary for branch in branches)
    assert (action.workspace / outputs["report_path"]).read_text() == summary


def test_a_settings_error_is_annotated_summarised_and_fails_the_step(
    action: Action, capsys: pytest.CaptureFixture[str]
) -> None:
    text = (DEMO / ".autotune.yml").read_text() + "pull_requests:\n  max_open: 0\n"
    _commit(action.workspace, {".autotune.yml": text})
    code, commands = action.run(capsys)
    assert code == 2
    line = _line_of(text, "max_open: 0")
    errors = [c for c in commands if c.startswith("::error")]
    assert len(errors) == 1
    assert errors[0].startswith(f"::error file=.autotune.yml,line={line}::.autotune.yml:{line}: ")
    assert "pull_requests.max_open" in errors[0]
    assert str(action.workspace) not in errors[0]
    summary = action.summary.read_text()
    assert "stopped with an error" in summary
    assert "max\\_open" in summary  # Markdown-escaped
    outputs = action.outputs()
    assert (outputs["prs_opened"], outputs["prs_updated"], outputs["proposals"]) == ("0",) * 3
    assert _branches(action.workspace) == []


def test_paths_are_relative_to_the_workspace_with_a_config_input_and_a_working_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    workspace = tmp_path / "workspace"
    workspace.mkdir()
    repo = make_repo(workspace)  # the checkout lives in workspace/repo
    text = "version: 1\nanalysis:\n  min_samples: -3\n"
    _commit(repo, {"conf/tuning.yml": text})
    action = Action(workspace, monkeypatch)
    action.set(INPUT_WORKING_DIRECTORY="repo", INPUT_CONFIG="conf/tuning.yml")
    code, commands = action.run(capsys)
    assert code == 2
    line = _line_of(text, "min_samples")
    (error,) = [c for c in commands if c.startswith("::error")]
    assert error.startswith(f"::error file=repo/conf/tuning.yml,line={line}::repo/conf/tuning.yml:")
    assert str(tmp_path) not in error


def test_a_missing_config_named_by_the_input_is_an_error(
    action: Action, capsys: pytest.CaptureFixture[str]
) -> None:
    action.set(INPUT_CONFIG="conf/missing.yml")
    code, commands = action.run(capsys)
    assert code == 2
    (error,) = [c for c in commands if c.startswith("::error")]
    assert error.startswith("::error::inputs.config: ")
    assert "conf/missing.yml" in error
    assert action.outputs()["prs_opened"] == "0"
    assert _branches(action.workspace) == []


def test_a_missing_default_config_means_the_default_settings(
    action: Action, capsys: pytest.CaptureFixture[str]
) -> None:
    (action.workspace / ".autotune.yml").unlink()
    git(action.workspace, "commit", "-q", "-am", "no settings")
    code, commands = action.run(capsys)
    assert code == 0
    assert not [c for c in commands if c.startswith("::error")]
    assert action.outputs()["report_path"] == ".autotune/outbox/_run-report.md"


def test_a_broken_workflow_file_is_annotated_at_its_line_and_the_others_still_run(
    action: Action, capsys: pytest.CaptureFixture[str]
) -> None:
    text = "workflows:\n  broken:\n    description: no nodes here\n"
    _commit(action.workspace, {"workflows/broken.yaml": text})
    code, commands = action.run(capsys)
    assert code == 1
    errors = [c for c in commands if c.startswith("::error")]
    line = _line_of(text, "broken:")
    assert len(errors) == 1
    assert errors[0].startswith(f"::error file=workflows/broken.yaml,line={line}::")
    assert int(action.outputs()["prs_opened"]) == len(_branches(action.workspace)) >= 1


def test_unsupported_events_end_with_a_notice_and_success(
    action: Action, capsys: pytest.CaptureFixture[str]
) -> None:
    action.set(GITHUB_EVENT_NAME="push")
    code, commands = action.run(capsys)
    assert code == 0
    assert len(commands) == 1
    assert commands[0].startswith("::notice::")
    assert "'push'" in commands[0]
    assert _branches(action.workspace) == []
    assert action.outputs()["prs_opened"] == "0"
    assert action.summary.read_text() == ""


def test_the_token_is_masked_first_when_inside_actions(
    action: Action, capsys: pytest.CaptureFixture[str]
) -> None:
    action.set(INPUT_GITHUB_TOKEN="ghs_notARealTokenButSecret", GITHUB_EVENT_NAME="push")
    code, commands = action.run(capsys)
    assert code == 0
    assert commands[0] == "::add-mask::ghs_notARealTokenButSecret"


def test_a_bad_input_still_gets_an_annotation_a_summary_and_outputs(
    action: Action, capsys: pytest.CaptureFixture[str]
) -> None:
    action.set(INPUT_DRY_RUN="maybe")
    code, commands = action.run(capsys)
    assert code == 2
    assert commands == [
        "::error::inputs.dry_run: must be true or false "
        "(true | True | TRUE | false | False | FALSE), got 'maybe'"
    ]
    assert "inputs.dry\\_run" in action.summary.read_text()
    assert action.outputs()["report_path"] == ""
