"""The GitHub Actions environment of ``autotune action``: inputs, event, outputs, annotations.

``autotune action`` takes no arguments. Its inputs come from ``INPUT_<NAME>`` variables (the
runner upper-cases the input name, turns spaces into ``_`` and keeps ``_`` and ``-`` as they
are, like ``@actions/core``'s ``getInput``), with the defaults of ``action.yml`` when a
variable is missing or empty. :func:`action_config` turns an environment mapping into a typed
:class:`ActionConfig` without touching the process (pure); :func:`load_action_config` also
reads the event payload file. What goes back to the runner (annotations, masks, verbatim
text, step outputs, the job summary) is in :mod:`autotune_bot.actions_output`, re-exported
here.

Outside Actions (no ``GITHUB_ACTIONS=true``) the same code runs with the local forge: the
workspace is the current directory and there is no event.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any, Literal
from urllib.parse import urlsplit

from autotune_bot.actions_output import (
    SUMMARY_MAX_BYTES,
    annotation,
    append_summary,
    format_outputs,
    mask,
    summary_text,
    verbatim,
    write_outputs,
)
from autotune_bot.errors import InputError
from autotune_bot.secret import Secret

__all__ = [
    "EVENT_MAX_BYTES",
    "INPUT_DEFAULTS",
    "SUMMARY_MAX_BYTES",
    "ActionConfig",
    "ActionInputError",
    "EventDecision",
    "Secret",
    "action_config",
    "annotation",
    "append_summary",
    "event_decision",
    "format_outputs",
    "get_input",
    "load_action_config",
    "mask",
    "read_event",
    "summary_text",
    "verbatim",
    "workspace_of",
    "write_outputs",
]

# The inputs of action.yml and their defaults (github_token's default there is the job's
# token, `${{ github.token }}`; outside Actions the GITHUB_TOKEN variable stands in for it).
INPUT_DEFAULTS: Mapping[str, str] = {
    "github_token": "",
    "config": ".autotune.yml",
    "dry_run": "false",
    "max_prs": "",
    "forge": "auto",
    "working_directory": ".",
}
EVENT_MAX_BYTES = 25 * 1024 * 1024  # GitHub caps webhook payloads at 25 MB
RUN_EVENTS = frozenset({"schedule", "workflow_dispatch"})
MONITORING_EVENTS = frozenset({"issue_comment", "pull_request"})
_TRUE = ("true", "True", "TRUE")  # @actions/core getBooleanInput: YAML 1.2 core schema
_FALSE = ("false", "False", "FALSE")
_REPOSITORY = re.compile(r"[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+")


class ActionInputError(InputError):
    """An action input or a GitHub Actions variable has a value the action cannot use."""


@dataclass(frozen=True)
class EventDecision:
    """Whether the triggering event is one ``autotune action`` acts on."""

    name: str | None  # GITHUB_EVENT_NAME; None outside Actions
    run: bool
    notice: str | None = None  # why nothing is done, for a ::notice:: line


@dataclass(frozen=True)
class ActionConfig:
    """Everything ``autotune action`` takes from its environment, typed and checked."""

    forge: Literal["local", "github"]
    workspace: Path  # GITHUB_WORKSPACE (the checkout), else the current directory
    repo_root: Path  # workspace / working_directory
    settings_path: Path  # repo_root / config
    dry_run: bool
    max_prs: int | None  # None: pull_requests.max_per_run of the settings applies
    token: Secret | None
    repository: str | None  # "owner/name"
    api_url: str
    server_url: str
    event: EventDecision
    event_payload: Mapping[str, Any] = field(default_factory=dict)
    ref_name: str | None = None  # GITHUB_REF_NAME: the branch a scheduled run checked out
    sha: str | None = None
    run_id: str | None = None
    output_path: Path | None = None  # GITHUB_OUTPUT
    summary_path: Path | None = None  # GITHUB_STEP_SUMMARY
    in_actions: bool = False
    debug: bool = False  # RUNNER_DEBUG=1 (a re-run with debug logging)
    # the config input names another file than the default: that file must exist (a missing
    # default .autotune.yml means the default settings)
    settings_explicit: bool = False

    @property
    def run_url(self) -> str | None:
        """The web page of this workflow run (its job summary), when known."""
        if self.repository is None or self.run_id is None:
            return None
        return f"{self.server_url}/{self.repository}/actions/runs/{self.run_id}"

    @property
    def default_branch(self) -> str | None:
        """The repository's default branch, as the event payload reports it."""
        repo = self.event_payload.get("repository")
        branch = repo.get("default_branch") if isinstance(repo, Mapping) else None
        return branch if isinstance(branch, str) and branch else None


def get_input(env: Mapping[str, str], name: str) -> str:
    """Input ``name`` as ``@actions/core`` reads it (trimmed), else its action.yml default.

    The variable is ``INPUT_`` + the name upper-cased with spaces as ``_``; an input written
    with hyphens instead of underscores (``max-prs``) is accepted as the same input.
    """
    key = "INPUT_" + name.replace(" ", "_").upper()
    value = env.get(key, "").strip()
    if not value and "_" in name:
        value = env.get("INPUT_" + name.upper().replace("_", "-"), "").strip()
    return value or INPUT_DEFAULTS.get(name, "")


def _error(name: str, message: str) -> ActionInputError:
    return ActionInputError(message, field=f"inputs.{name}")


def _boolean(env: Mapping[str, str], name: str) -> bool:
    raw = get_input(env, name)
    if raw in _TRUE:
        return True
    if raw in _FALSE:
        return False
    raise _error(
        name, f"must be true or false (true | True | TRUE | false | False | FALSE), got {raw!r}"
    )


def _positive_int(env: Mapping[str, str], name: str) -> int | None:
    raw = get_input(env, name)
    if not raw:
        return None
    if not re.fullmatch(r"[0-9]{1,9}", raw) or int(raw) == 0:
        raise _error(name, f"must be a whole number of at least 1, got {raw!r}")
    return int(raw)


def forge_for(choice: str, env: Mapping[str, str]) -> Literal["local", "github"]:
    """``github`` when asked for, or for ``auto`` inside GitHub Actions (``GITHUB_ACTIONS``
    true and ``GITHUB_REPOSITORY`` set); ``local`` otherwise."""
    in_actions = env.get("GITHUB_ACTIONS", "") == "true"
    repository = env.get("GITHUB_REPOSITORY", "").strip()
    if choice == "github" or (choice == "auto" and in_actions and repository):
        return "github"
    return "local"


def _forge_choice(env: Mapping[str, str]) -> str:
    raw = get_input(env, "forge")
    if raw not in ("auto", "local", "github"):
        raise _error("forge", f"must be auto, local or github, got {raw!r}")
    return raw


def _inside(base: Path, name: str, raw: str) -> Path:
    """``base / raw`` for a relative path that stays below ``base``."""
    parts = PurePosixPath(raw).parts
    if PurePosixPath(raw).is_absolute() or ".." in parts:
        raise _error(name, f"must be a path inside the workspace, got {raw!r}")
    return base.joinpath(*parts) if parts else base


def _url(env: Mapping[str, str], variable: str, default: str) -> str:
    raw = env.get(variable, "").strip() or default
    parts = urlsplit(raw)
    if parts.scheme not in ("https", "http") or not parts.netloc:
        raise ActionInputError(f"must be an http(s) URL, got {raw!r}", field=variable)
    return raw.rstrip("/")


def _path(env: Mapping[str, str], variable: str) -> Path | None:
    raw = env.get(variable, "")
    return Path(raw) if raw else None


def event_decision(name: str | None) -> EventDecision:
    """Run on ``schedule`` and ``workflow_dispatch`` (and outside Actions), and on
    ``issue_comment`` (``/autotune`` commands) and ``pull_request`` (closed proposals: which
    action of these events leads to work is read from the payload later); else a notice."""
    if not name or name in RUN_EVENTS or name in MONITORING_EVENTS:
        return EventDecision(name or None, run=True)
    if name == "pull_request_target":
        notice = (
            "autotune: not run on pull_request_target (it would hold write access while "
            "looking at code from forks); use schedule or workflow_dispatch"
        )
    else:
        notice = (
            "autotune: runs on schedule, workflow_dispatch, pull_request and issue_comment "
            f"events, not on '{name}'; "
            "nothing to do (see examples/autotune.yml for the triggers to use)"
        )
    return EventDecision(name, run=False, notice=notice)


def _token(env: Mapping[str, str]) -> Secret | None:
    value = get_input(env, "github_token") or env.get("GITHUB_TOKEN", "").strip()
    return Secret(value) if value else None


def workspace_of(env: Mapping[str, str], *, cwd: Path) -> Path:
    """The workspace: ``GITHUB_WORKSPACE`` (relative to ``cwd`` unless absolute), else ``cwd``."""
    raw = env.get("GITHUB_WORKSPACE", "")
    return cwd / raw if raw else cwd


def action_config(
    env: Mapping[str, str], *, cwd: Path, event_payload: Mapping[str, Any] | None = None
) -> ActionConfig:
    """The action's configuration from ``env`` (pure: ``cwd`` and the payload are passed in)."""
    in_actions = env.get("GITHUB_ACTIONS", "") == "true"
    repository = env.get("GITHUB_REPOSITORY", "").strip() or None
    forge = forge_for(_forge_choice(env), env)
    token = _token(env)
    if forge == "github":
        if repository is None:
            raise _error("forge", "the github forge needs GITHUB_REPOSITORY (owner/name)")
        if token is None:
            raise _error(
                "github_token",
                "the github forge needs a token: set the github_token input or GITHUB_TOKEN",
            )
    if repository is not None and not _REPOSITORY.fullmatch(repository):
        raise ActionInputError(f"must be owner/name, got {repository!r}", field="GITHUB_REPOSITORY")
    workspace = workspace_of(env, cwd=cwd)
    repo_root = _inside(workspace, "working_directory", get_input(env, "working_directory"))
    config = get_input(env, "config")
    return ActionConfig(
        forge=forge,
        workspace=workspace,
        repo_root=repo_root,
        settings_path=repo_root / config,
        dry_run=_boolean(env, "dry_run"),
        max_prs=_positive_int(env, "max_prs"),
        token=token,
        repository=repository,
        api_url=_url(env, "GITHUB_API_URL", "https://api.github.com"),
        server_url=_url(env, "GITHUB_SERVER_URL", "https://github.com"),
        event=event_decision(env.get("GITHUB_EVENT_NAME", "").strip() or None),
        event_payload=dict(event_payload or {}),
        ref_name=env.get("GITHUB_REF_NAME") or None,
        sha=env.get("GITHUB_SHA") or None,
        run_id=env.get("GITHUB_RUN_ID") or None,
        output_path=_path(env, "GITHUB_OUTPUT"),
        summary_path=_path(env, "GITHUB_STEP_SUMMARY"),
        in_actions=in_actions,
        debug=env.get("RUNNER_DEBUG", "") == "1",
        settings_explicit=config != INPUT_DEFAULTS["config"],
    )


def read_event(path: Path, max_bytes: int = EVENT_MAX_BYTES) -> dict[str, Any]:
    """The event payload at ``path``: a JSON object of at most ``max_bytes`` bytes."""
    where = str(path)
    try:
        with path.open("rb") as handle:
            data = handle.read(max_bytes + 1)
    except OSError as exc:
        raise ActionInputError(
            f"cannot read the event payload: {exc.strerror}", path=where
        ) from exc
    if len(data) > max_bytes:
        raise ActionInputError(f"event payload larger than {max_bytes} bytes", path=where)
    try:
        payload = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError) as exc:
        raise ActionInputError(f"event payload is not valid JSON: {exc}", path=where) from exc
    if not isinstance(payload, dict):
        raise ActionInputError("event payload is not a JSON object", path=where)
    return payload


def load_action_config(env: Mapping[str, str], *, cwd: Path) -> ActionConfig:
    """:func:`action_config`, with the event payload read when the event is one to run on."""
    payload: dict[str, Any] = {}
    event_path = env.get("GITHUB_EVENT_PATH", "")
    if event_path and event_decision(env.get("GITHUB_EVENT_NAME", "").strip() or None).run:
        payload = read_event(cwd / event_path)
    return action_config(env, cwd=cwd, event_payload=payload)
