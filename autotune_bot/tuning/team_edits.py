"""The YAML changes that turn a team node's current configuration into a candidate.

Every change names the key the file uses (``team_formation``, or ``team.formation`` inside a
nested ``team:`` block) and carries one :mod:`~autotune_bot.patch.edits` value whose path is an
absolute path into the document as it was read. Absent keys are inserted where the loader
would look for them first.

Encodings the framework has no dedicated field for:

* a dropped member is removed from ``members``; the kept members' ``input_from`` and
  ``reports_to`` lose references to it (the loader would otherwise warn about unknown names);
* a tool budget multiplier of 1 is the default: the key is removed rather than written;
* a hierarchy (``manager`` and ``sub_teams``) is written as ``is_manager: true`` on the manager
  (removed from any other member), ``reports_to: <manager>`` on every other kept member, and,
  when there are several sub-teams, the order inside each sub-team as
  ``input_from: [previous member of the sub-team]`` on each member but the first (added to the
  member's own ``input_from`` when it does not name that member already). A candidate without a
  manager removes ``is_manager`` and ``reports_to`` from every member.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from autotune_bot.patch.edits import Edit, RemoveItem, RemoveKey, SetValue
from autotune_bot.tuning.config import TeamConfig
from autotune_bot.tuning.suggestion import Change
from autotune_bot.workflow.model import Field, MemberSpec, Node, TeamSpec, WorkflowDef, YamlPath
from autotune_bot.yaml_source import position_of_key

__all__ = ["team_changes"]


def team_changes(
    wf: WorkflowDef, node: Node, current: TeamConfig, candidate: TeamConfig
) -> tuple[Change, ...]:
    """One change per team field that differs between ``current`` and ``candidate``.

    Raises ``ValueError`` when the candidate cannot be written into this node (a member that
    does not exist, a manager or sub-team naming a member that is not kept).
    """
    team = node.team
    if team is None:
        raise ValueError(f"node '{node.id}' is not a team node")
    writer = _Writer(wf.path, node)
    by_id: dict[str, MemberSpec] = {}
    for spec in team.members:
        by_id.setdefault(spec.id, spec)
    _check_candidate(node.id, by_id, candidate)
    if candidate.formation != current.formation:
        writer.set_field(team.formation, candidate.formation)
    dropped = [s for s in team.members if s.id in current.members and s.id not in candidate.members]
    for spec in dropped:
        writer.add(_member_label(node, team, spec), spec.line, spec.id, None, RemoveItem(spec.path))
    if candidate.total_tool_budget != current.total_tool_budget:
        writer.set_field(team.total_tool_budget, candidate.total_tool_budget)
    if candidate.timeout_seconds != current.timeout_seconds:
        _timeout(writer, node, team, candidate.timeout_seconds)
    kept = [by_id[m] for m in candidate.members]
    for spec in kept:
        old, new = current.multiplier(spec.id), candidate.multiplier(spec.id)
        if old == new:
            continue
        key = (*spec.path, "tool_budget_multiplier")
        label = f"{_member_label(node, team, spec)}.tool_budget_multiplier"
        field = spec.tool_budget_multiplier
        line = field.line if field is not None else spec.line
        if new != 1.0:
            writer.add(label, line, old if field is not None else None, new, SetValue(key, new))
        elif field is not None:
            writer.add(label, line, old, None, RemoveKey(key))
    _links(writer, node, team, kept, dropped, current, candidate)
    return tuple(writer.changes)


class _Writer:
    """Collects the changes of one team node."""

    def __init__(self, file: str, node: Node) -> None:
        self.file = file
        self.node = node
        self.changes: list[Change] = []

    def add(self, field: str, line: int, old: Any, new: Any, edit: Edit) -> None:
        self.changes.append(Change(self.file, self.node.id, field, line, old, new, edit))

    def set_field(self, field: Field, value: Any) -> None:
        old = field.value if field.present else None
        label = _relative(self.node.path, field.path)
        self.add(label, field.line, old, value, SetValue(field.path, value))


def _check_candidate(node_id: str, by_id: dict[str, MemberSpec], candidate: TeamConfig) -> None:
    unknown = [m for m in candidate.members if m not in by_id]
    if unknown:
        raise ValueError(f"team '{node_id}' has no member {unknown[0]!r} to keep")
    kept = set(candidate.members)
    for member, _ in candidate.budget_multipliers:
        if member not in kept:
            raise ValueError(f"team '{node_id}': multiplier for member {member!r} not kept")
    if candidate.manager is not None and candidate.manager not in kept:
        raise ValueError(f"team '{node_id}': manager {candidate.manager!r} is not a kept member")
    seen: set[str] = set()
    for group in candidate.sub_teams:
        for member in group:
            if member not in kept or member == candidate.manager or member in seen:
                raise ValueError(
                    f"team '{node_id}': sub-team member {member!r} must be a kept worker "
                    "named in one sub-team only"
                )
            seen.add(member)
    if candidate.sub_teams and candidate.manager is None:
        raise ValueError(f"team '{node_id}': sub-teams need a manager")


def _timeout(writer: _Writer, node: Node, team: TeamSpec, value: float | None) -> None:
    field = team.timeout_seconds
    if value is None:
        if field is not None:
            label = _relative(node.path, field.path)
            writer.add(label, field.line, field.value, None, RemoveKey(field.path))
        return
    number: int | float = int(value) if float(value).is_integer() else float(value)
    if field is not None:
        writer.set_field(field, number)
        return
    base = (*node.path, "team") if team.nested else node.path
    path = (*base, "timeout_seconds")
    line = _key_line(node.raw, "team", node.line) if team.nested else node.line
    writer.add(_relative(node.path, path), line, None, number, SetValue(path, number))


def _links(
    writer: _Writer,
    node: Node,
    team: TeamSpec,
    kept: list[MemberSpec],
    dropped: list[MemberSpec],
    current: TeamConfig,
    candidate: TeamConfig,
) -> None:
    """``is_manager``, ``reports_to`` and ``input_from`` of the kept members."""
    gone = {s.id.lower() for s in dropped} | {s.role.lower() for s in dropped if s.role}
    gone -= {s.id.lower() for s in kept} | {s.role.lower() for s in kept if s.role}
    rewrite = (candidate.manager, candidate.sub_teams) != (current.manager, current.sub_teams)
    previous: dict[str, str] = {}
    if len(candidate.sub_teams) > 1:
        for group in candidate.sub_teams:
            previous.update(zip(group[1:], group[:-1], strict=True))
    manager = candidate.manager
    for spec in kept:
        raw = _mapping_at(node, spec.path)
        label = _member_label(node, team, spec)
        if rewrite:
            want_manager = spec.id == manager
            if want_manager and not spec.is_manager:
                _member_set(writer, raw, spec, label, "is_manager", True)
            elif not want_manager and spec.is_manager:
                _member_remove(writer, raw, spec, label, "is_manager")
            want_boss = manager if manager is not None and not want_manager else None
        else:
            stale = spec.reports_to is not None and spec.reports_to.lower() in gone
            want_boss = None if stale else spec.reports_to
        if want_boss != spec.reports_to:
            if want_boss is None:
                _member_remove(writer, raw, spec, label, "reports_to")
            else:
                _member_set(writer, raw, spec, label, "reports_to", want_boss)
        sources = [ref for ref in spec.input_from if ref.lower() not in gone]
        before = previous.get(spec.id)
        if before is not None and before.lower() not in {s.lower() for s in sources}:
            sources.append(before)
        if sources != list(spec.input_from):
            if sources:
                _member_set(writer, raw, spec, label, "input_from", sources)
            else:
                _member_remove(writer, raw, spec, label, "input_from")


def _member_set(
    writer: _Writer, raw: Any, spec: MemberSpec, label: str, key: str, value: Any
) -> None:
    old = _plain_value(raw, key)
    line = _key_line(raw, key, spec.line)
    writer.add(f"{label}.{key}", line, old, value, SetValue((*spec.path, key), value))


def _member_remove(writer: _Writer, raw: Any, spec: MemberSpec, label: str, key: str) -> None:
    if not (isinstance(raw, dict) and key in raw):
        return
    line = _key_line(raw, key, spec.line)
    old = _plain_value(raw, key)
    writer.add(f"{label}.{key}", line, old, None, RemoveKey((*spec.path, key)))


def _mapping_at(node: Node, path: YamlPath) -> Any:
    """The round-trip value at absolute ``path``, found from the node's own mapping."""
    value: Any = node.raw
    for key in path[len(node.path) :]:
        try:
            value = value[key]
        except (KeyError, IndexError, TypeError):
            return None
    return value


def _plain_value(raw: Any, key: str) -> Any:
    if not isinstance(raw, dict) or key not in raw:
        return None
    value = raw[key]
    if isinstance(value, list):
        return [str(v) for v in value]
    return value if isinstance(value, bool | int | float) else str(value)


def _key_line(raw: Any, key: str, default: int) -> int:
    pos = position_of_key(raw, key)
    return pos.line if pos is not None else default


def _member_label(node: Node, team: TeamSpec, spec: MemberSpec) -> str:
    return f"{_relative(node.path, team.members_path)}[{spec.id}]"


def _relative(base: YamlPath, path: YamlPath) -> str:
    """``path`` below ``base`` written as ``a.b[2].c``."""
    return _dotted(path[len(base) :] if path[: len(base)] == base else path)


def _dotted(parts: Iterable[str | int]) -> str:
    text = ""
    for part in parts:
        if isinstance(part, int):
            text += f"[{part}]"
        else:
            text += f".{part}" if text else part
    return text
