"""The GitHub workflow users copy (examples/autotune.yml): triggers, permissions, safety."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML

ROOT = Path(__file__).resolve().parents[1]
EXPRESSION = re.compile(r"\$\{\{(.*?)\}\}", re.DOTALL)


def _load(name: str) -> dict[str, Any]:
    # YAML 1.2 (ruamel): the `on` key stays the string "on", as GitHub reads it.
    data = YAML(typ="safe").load((ROOT / name).read_text())
    assert isinstance(data, dict)
    return data


def _steps(workflow: dict[str, Any]) -> list[dict[str, Any]]:
    return [step for job in workflow["jobs"].values() for step in job["steps"]]


def _autotune_step(workflow: dict[str, Any]) -> dict[str, Any]:
    [step] = [s for s in _steps(workflow) if "/autotune-bot@" in s.get("uses", "")]
    return step


def test_runs_on_a_schedule_on_demand_on_closed_pull_requests_and_new_comments() -> None:
    triggers = _load("examples/autotune.yml")["on"]
    assert set(triggers) == {"schedule", "workflow_dispatch", "pull_request", "issue_comment"}
    assert triggers["pull_request"] == {"types": ["closed"]}
    assert triggers["issue_comment"] == {"types": ["created"]}
    for entry in triggers["schedule"]:
        assert len(entry["cron"].split()) == 5
    dry_run = triggers["workflow_dispatch"]["inputs"]["dry_run"]
    assert (dry_run["type"], dry_run["default"]) == ("boolean", False)


def test_asks_for_exactly_the_permissions_the_bot_needs() -> None:
    workflow = _load("examples/autotune.yml")
    assert workflow["permissions"] == {
        "contents": "write",
        "pull-requests": "write",
        "issues": "write",
        "actions": "read",
    }
    for job in workflow["jobs"].values():
        assert "permissions" not in job  # no job widens them


def test_queued_runs_wait_instead_of_being_cancelled() -> None:
    assert _load("examples/autotune.yml")["concurrency"] == {
        "group": "autotune",
        "cancel-in-progress": False,
    }


def test_checks_out_the_repository_before_running_the_pinned_action() -> None:
    workflow = _load("examples/autotune.yml")
    uses = [step.get("uses", "") for step in _steps(workflow)]
    checkout = next(i for i, u in enumerate(uses) if u.startswith("actions/checkout@"))
    step = _autotune_step(workflow)
    assert checkout < uses.index(step["uses"])
    assert re.fullmatch(r"[\w.-]+/autotune-bot@v\d+", step["uses"])
    for ref in uses:
        if ref:
            assert re.search(r"@(v\d+|[0-9a-f]{40})$", ref), ref


def test_passes_only_inputs_and_reads_only_outputs_that_action_yml_declares() -> None:
    workflow = _load("examples/autotune.yml")
    action = _load("action.yml")
    step = _autotune_step(workflow)
    assert set(step.get("with", {})) <= set(action["inputs"])
    text = (ROOT / "examples" / "autotune.yml").read_text()
    read = set(re.findall(rf"steps\.{step['id']}\.outputs\.(\w+)", text))
    assert read
    assert read <= set(action["outputs"])


def _event_data_in_shell(workflow: dict[str, Any]) -> list[str]:
    """``${{ … }}`` expressions that put event data or inputs (attacker or user text) into a
    ``run:`` script."""
    found = []
    for step in _steps(workflow):
        for expression in EXPRESSION.findall(step.get("run", "")):
            if re.search(r"github\.event|github\.head_ref|\binputs\.", expression):
                found.append(expression.strip())
    return found


def test_never_uses_pull_request_target_nor_event_data_in_shell_steps() -> None:
    text = (ROOT / "examples" / "autotune.yml").read_text()
    assert "pull_request_target" not in text
    assert _event_data_in_shell(_load("examples/autotune.yml")) == []
    # The check itself finds such a step.
    unsafe = YAML(typ="safe").load(
        "jobs:\n  j:\n    steps:\n"
        "      - run: echo ok\n"
        '      - run: echo "${{ github.event.comment.body }}"\n'
        "      - run: echo ${{ github.head_ref }} ${{ inputs.dry_run }}\n"
    )
    assert _event_data_in_shell(unsafe) == [
        "github.event.comment.body",
        "github.head_ref",
        "inputs.dry_run",
    ]
    assert "pull_request_target" not in _load("examples/autotune.yml")["on"]


def test_checks_out_the_default_branch_never_a_pull_request_head() -> None:
    workflow = _load("examples/autotune.yml")
    [checkout] = [s for s in _steps(workflow) if s.get("uses", "").startswith("actions/checkout@")]
    ref = checkout.get("with", {}).get("ref")
    assert ref == "${{ github.event.repository.default_branch }}"
    for head in ("head_ref", "pull_request.head", "refs/pull", ".merge"):
        assert head not in str(checkout)
    assert checkout["with"]["persist-credentials"] is False


def test_comments_run_the_job_only_for_autotune_commands_from_people() -> None:
    job = _load("examples/autotune.yml")["jobs"]["autotune"]
    condition = " ".join(job["if"].split())
    assert condition == (
        "github.event_name != 'issue_comment' || "
        "(startsWith(github.event.comment.body, '/autotune') && "
        "github.event.comment.user.type != 'Bot')"
    )
    assert "${{" not in job["if"]  # a bare expression: nothing is interpolated
