"""Undoing a recorded change by configuration: each tuned field set back to its ``before``.

A history entry records per target ``{"scope", "target", "file", "before", "after"}`` with
plain configuration values (:mod:`autotune_bot.history_configs`). :func:`revert_configs`
writes those ``before`` values back into the files' current texts with the tuner's minimal
YAML edits (:mod:`autotune_bot.tuning.team_edits`, :mod:`autotune_bot.tuning.workflow_edits`,
:func:`autotune_bot.patch.apply.apply_edits`), so every field nobody asked to change keeps its
text byte for byte (comments, quoting, order). Per field whose ``after`` differs from
``before``:

* the current value equals ``after``: it is set back to ``before``;
* it equals ``before`` already: nothing to do for it;
* anything else: a person changed it since, and :class:`ConfigRefusedError` names the file,
  target and field (the revert cannot be made without overriding that edit).

Team members the change removed are inserted again from ``originals`` (the file as it was
before the change), with the links of the kept members to them when those links were only
taken out by the change. What the edits cannot express (pruned nodes, parallel groups,
sub-team splits, members the change added, a target not found) is :class:`ConfigUnsupportedError`.
Pure: texts in, texts out.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from autotune_bot.errors import AutotuneError, InputError
from autotune_bot.history_configs import plain_config
from autotune_bot.patch.apply import apply_edits
from autotune_bot.patch.edits import Edit, InsertItem, SetValue
from autotune_bot.tuning.config import TeamConfig, team_config, workflow_config
from autotune_bot.tuning.readback import check_team_readback, check_workflow_readback
from autotune_bot.tuning.team_edits import team_changes
from autotune_bot.tuning.workflow_edits import workflow_changes
from autotune_bot.workflow.loader import parse_workflow_text
from autotune_bot.workflow.model import MemberSpec, Node, WorkflowDef, WorkflowFile
from autotune_bot.workflow.yaml_fields import plain

__all__ = ["ConfigRefusedError", "ConfigRevert", "ConfigUnsupportedError", "revert_configs"]

Config = Mapping[str, Any]
_TEAM_FIELDS = ("formation", "members", "tool_budget", "timeout_seconds", "budget_multipliers")
_WORKFLOW_TABLES = ("models", "cached", "batched", "tools")
_STRUCTURE = {"removed": "pruned nodes", "parallel_groups": "parallel groups"}


class ConfigRefusedError(InputError):
    """A field the change set was changed again since: reverting it would override that."""


class ConfigUnsupportedError(InputError):
    """The configuration edits cannot express this change back."""


@dataclass(frozen=True)
class ConfigRevert:
    """The files' new texts (only those that change) and what was done, as ``file:
    target.field`` labels."""

    texts: dict[str, str]
    restored: tuple[str, ...]
    already: tuple[str, ...]  # fields at their ``before`` value already

    @property
    def undone(self) -> bool:
        """Nothing is left to set back: the change is no longer in the files."""
        return not self.restored


def _norm(value: Any) -> Any:
    return json.loads(json.dumps(value, sort_keys=True))


def _short(value: Any) -> str:
    text = json.dumps(value, sort_keys=True)
    return text if len(text) <= 80 else text[:77] + "..."


class _Fields:
    """Sorts the fields of one target: to restore, already back, or refused."""

    def __init__(self, file: str, target: str) -> None:
        self.file, self.target = file, target
        self.restore: list[str] = []
        self.already: list[str] = []

    def judge(self, field: str, before: Any, after: Any, current: Any) -> None:
        before, after, current = _norm(before), _norm(after), _norm(current)
        if before == after:
            return
        if current == before:
            self.already.append(field)
        elif current == after:
            self.restore.append(field)
        else:
            raise ConfigRefusedError(
                f"{self.file}: {self.target}: {field} was changed since the merge (now "
                f"{_short(current)}, the change set {_short(after)}); the revert cannot be "
                "made without overriding that edit"
            )

    def labels(self, fields: Sequence[str]) -> list[str]:
        return [f"{self.file}: {self.target}.{f}" for f in fields]


def _unsupported(file: str, target: str, what: str) -> ConfigUnsupportedError:
    return ConfigUnsupportedError(f"{file}: {target}: {what}")


def _workflow(parsed: WorkflowFile, name: str) -> WorkflowDef | None:
    return next((wf for wf in parsed.workflows if wf.name == name), None)


def _team_node(parsed: WorkflowFile | None, target: str) -> tuple[WorkflowDef, Node] | None:
    for wf in parsed.workflows if parsed is not None else ():
        node = wf.nodes.get(target)
        if node is not None and node.team is not None:
            return wf, node
    return None


def _raw_at(document: Any, path: Sequence[str | int]) -> Any:
    value = document
    for key in path:
        value = value[key]
    return value


def _team_config(plain_cfg: Config) -> TeamConfig:
    timeout = plain_cfg.get("timeout_seconds")
    return TeamConfig(
        formation=str(plain_cfg["formation"]),
        members=tuple(str(m) for m in plain_cfg["members"]),
        total_tool_budget=int(plain_cfg["tool_budget"]),
        timeout_seconds=float(timeout) if timeout is not None else None,
        budget_multipliers=tuple(
            sorted((str(k), float(v)) for k, v in plain_cfg.get("budget_multipliers", {}).items())
        ),
        manager=plain_cfg.get("manager"),
    )


def _readd_edits(
    wf: WorkflowDef,
    node: Node,
    parsed: WorkflowFile,
    original: WorkflowFile | None,
    desired: Sequence[str],
    label: str,
) -> list[Edit]:
    """Insert again the members of ``desired`` the file lacks (from ``original``), and the
    kept members' links to them that the change took out."""
    assert node.team is not None
    have = {m.id: m for m in node.team.members}
    missing = [m for m in desired if m not in have]
    if not missing:
        return []
    found = _team_node(original, node.id)
    old = {m.id: m for m in found[1].team.members} if found and found[1].team else {}
    if original is None or any(m not in old for m in missing):
        raise _unsupported(wf.path, label, f"member {missing[0]!r} to restore is not recorded")
    listed = _raw_at(parsed.document, node.team.members_path)
    edits: list[Edit] = []
    for n, member in enumerate(desired):
        if member in have:
            continue
        later = next((have[m] for m in desired[n + 1 :] if m in have), None)
        index = int(later.path[-1]) if later is not None else len(listed)
        value = plain(_raw_at(original.document, old[member].path))
        edits.append(InsertItem(node.team.members_path, index, value))
    gone = {m.lower() for m in missing} | {str(old[m].role).lower() for m in missing if old[m].role}
    for spec in node.team.members:
        if spec.id in old:
            edits += _link_edits(spec, old[spec.id], gone)
    return edits


def _link_edits(now: MemberSpec, was: MemberSpec, gone: set[str]) -> list[Edit]:
    """``input_from``/``reports_to`` of a kept member back as they were, when they differ
    only by the references to re-added members."""
    edits: list[Edit] = []
    kept = [ref for ref in was.input_from if ref.lower() not in gone]
    if kept != list(was.input_from) and list(now.input_from) == kept:
        edits.append(SetValue((*now.path, "input_from"), list(was.input_from)))
    if was.reports_to and was.reports_to.lower() in gone and now.reports_to is None:
        edits.append(SetValue((*now.path, "reports_to"), was.reports_to))
    return edits


def _team_edits(
    entry: Config, parsed: WorkflowFile, original: WorkflowFile | None, out: _Fields
) -> tuple[list[Edit], Any]:
    """The edits setting the team's changed fields back, and a readback check."""
    file, target = out.file, out.target
    before, after = entry["before"], entry["after"]
    found = _team_node(parsed, target)
    if found is None:
        raise _unsupported(file, target, "no team node of that id in the file")
    wf, node = found
    current = team_config(node)
    now = plain_config(current)
    if _norm(before.get("sub_teams")) != _norm(after.get("sub_teams")):
        raise _unsupported(file, target, "a sub-team split cannot be read back from the file")
    for field in (*_TEAM_FIELDS, "manager"):
        out.judge(field, before.get(field), after.get(field), now.get(field))
    if not out.restore:
        return [], None
    try:
        wanted = _team_config(before)
    except (KeyError, TypeError, ValueError) as err:
        raise _unsupported(
            file, target, f"the recorded configuration is unreadable: {err}"
        ) from err
    fields = {
        "formation": "formation",
        "members": "members",
        "tool_budget": "total_tool_budget",
        "timeout_seconds": "timeout_seconds",
        "budget_multipliers": "budget_multipliers",
        "manager": "manager",
    }
    desired = dataclasses.replace(
        current, **{fields[f]: getattr(wanted, fields[f]) for f in out.restore}
    )
    if "members" in out.restore and any(m not in wanted.members for m in current.members):
        raise _unsupported(file, target, "members the change added cannot be taken out again")
    present = {m.id for m in node.team.members} if node.team else set()
    if list(current.members) != [m for m in desired.members if m in present]:
        raise _unsupported(file, target, "the members' order changed")
    writable = dataclasses.replace(
        desired,
        members=tuple(m for m in desired.members if m in present),
        budget_multipliers=tuple((m, v) for m, v in desired.budget_multipliers if m in present),
    )
    try:
        edits = [c.edit for c in team_changes(wf, node, current, writable)]
    except ValueError as err:
        raise _unsupported(file, target, str(err)) from err
    edits += _readd_edits(wf, node, parsed, original, desired.members, target)
    return edits, ("team", wf.name, node.id, desired)


def _workflow_edits(entry: Config, parsed: WorkflowFile, out: _Fields) -> tuple[list[Edit], Any]:
    file, target = out.file, out.target
    before, after = entry["before"], entry["after"]
    for key, what in _STRUCTURE.items():
        if _norm(before.get(key)) != _norm(after.get(key)):
            raise _unsupported(file, target, f"{what} are a structural change to undo by diff")
    wf = _workflow(parsed, target)
    if wf is None:
        raise _unsupported(file, target, "no workflow of that name in the file")
    current = workflow_config(wf)
    now = plain_config(current)
    now["tools"] = {n.id: list(n.tools) for n in wf.nodes.values()}
    wanted: dict[str, dict[str, Any]] = {k: dict(now.get(k, {})) for k in _WORKFLOW_TABLES}
    for table in _WORKFLOW_TABLES:
        old, new = before.get(table) or {}, after.get(table) or {}
        for node in sorted(set(old) | set(new)):
            if table == "tools" and node not in old:
                raise _unsupported(file, target, f"the tools of {node!r} before are not recorded")
            field = f"{table}.{node}"
            out.judge(field, old.get(node), new.get(node), now[table].get(node))
            if field in out.restore:
                wanted[table].pop(node, None)
                if old.get(node) is not None:
                    wanted[table][node] = old[node]
    if not out.restore:
        return [], None
    restored_tools = {f.split(".", 1)[1] for f in out.restore if f.startswith("tools.")}
    desired = dataclasses.replace(
        current,
        models=tuple(sorted(wanted["models"].items())),
        cached=tuple(sorted((n, tuple(t)) for n, t in wanted["cached"].items())),
        batched=tuple(sorted((n, tuple(t)) for n, t in wanted["batched"].items())),
        tools=tuple(sorted((n, tuple(wanted["tools"][n])) for n in restored_tools)),
    )
    try:
        changes = workflow_changes(wf, current, desired, document=parsed.document)
    except ValueError as err:
        raise _unsupported(file, target, str(err)) from err
    return [c.edit for c in changes], ("workflow", wf.name, wf, desired)


def _readback(path: str, text: str, check: Any) -> None:
    kind, name, where, desired = check
    if kind == "team":
        problems = check_team_readback(text, path, name, where, desired)
    else:
        problems = check_workflow_readback(text, path, name, desired, (), (), original=where)
    if problems:
        raise ConfigUnsupportedError(
            f"the edited file does not read back as recorded: {problems[0]}"
        )


def _parse(text: str | None, path: str) -> WorkflowFile | None:
    return parse_workflow_text(text, path) if text is not None else None


def revert_configs(
    configs: Sequence[Config],
    texts: Mapping[str, str | None],
    *,
    originals: Mapping[str, str | None] | None = None,
) -> ConfigRevert:
    """Set each target of ``configs`` back to its ``before`` in ``texts`` (file path →
    current text; None: missing). ``originals``: the files as they were before the change
    (members it removed are copied from there). Raises :class:`ConfigRefusedError` or
    :class:`ConfigUnsupportedError` (module docstring); nothing is decided by halves."""
    if not configs:
        raise ConfigUnsupportedError("the history entry records no configuration")
    by_file: dict[str, list[Config]] = {}
    for entry in configs:
        by_file.setdefault(str(entry.get("file")), []).append(entry)
    new_texts: dict[str, str] = {}
    restored: list[str] = []
    already: list[str] = []
    for path, entries in by_file.items():
        text = texts.get(path)
        if text is None:
            raise ConfigUnsupportedError(f"{path}: the file is missing")
        try:
            parsed = parse_workflow_text(text, path)
            original = _parse((originals or {}).get(path), path)
            edits: list[Edit] = []
            checks = []
            for entry in entries:
                fields = _Fields(path, str(entry.get("target")))
                if not isinstance(entry.get("before"), dict) or not isinstance(
                    entry.get("after"), dict
                ):
                    raise _unsupported(path, fields.target, "no before/after recorded")
                if entry.get("scope") == "team":
                    more, check = _team_edits(entry, parsed, original, fields)
                else:
                    more, check = _workflow_edits(entry, parsed, fields)
                edits += more
                checks += [check] if check is not None else []
                restored += fields.labels(fields.restore)
                already += fields.labels(fields.already)
            new = apply_edits(text, edits, path)
            for check in checks:
                _readback(path, new, check)
        except (ConfigRefusedError, ConfigUnsupportedError):
            raise
        except AutotuneError as err:  # unreadable YAML, an edit the patcher refuses
            raise ConfigUnsupportedError(f"{path}: {err}") from err
        if new != text:
            new_texts[path] = new
    return ConfigRevert(new_texts, tuple(restored), tuple(already))
