"""Read the settings and members of a ``type: team`` node into a :class:`TeamSpec`.

Settings are written either on the node itself (``team_formation:`` or ``formation:``,
``total_tool_budget``, …, ``members``) or in a nested ``team:`` block; a setting missing
from the block is looked up on the node. A member's ``goal_refs`` are the ids or roles of
the team's other members that its goal text mentions (case-insensitive, whole words,
``_``/``-``/spaces interchangeable: ``code_reviewer`` matches "the code reviewer's notes").
"""

from __future__ import annotations

import dataclasses
import re
from typing import Any

from autotune_bot.workflow.model import KNOWN_FORMATIONS, Field, MemberSpec, TeamSpec, YamlPath
from autotune_bot.workflow.yaml_fields import (
    Source,
    check_number,
    field_at,
    line_of_key,
    plain,
    str_list,
    tool_names,
)
from autotune_bot.yaml_source import position_of_item, position_of_node

__all__ = ["mentioned_names", "parse_team"]


def parse_team(src: Source, item: Any, node_id: str, path: YamlPath, line: int) -> TeamSpec:
    """Read the team settings of node ``node_id`` (mapping ``item`` at ``path``)."""
    block = item.get("team")
    nested = isinstance(block, dict)
    if "team" in item and not nested:
        src.warn(line_of_key(item, "team", line), f"team '{node_id}': `team` is not a mapping")
    base = (*path, "team") if nested else path
    block_line = line_of_key(item, "team", line) if nested else line

    def setting(name: str, keys: tuple[str, ...], default: Any) -> Field:
        if nested and any(k in block for k in keys):
            return field_at(name, block, keys, base, default, block_line)
        if any(k in item for k in keys):
            return field_at(name, item, keys, path, default, line)
        return field_at(name, None, keys, base, default, block_line)

    keys = ("formation", "team_formation") if nested else ("team_formation", "formation")
    formation = setting("formation", keys, "sequential")
    if formation.present and formation.value not in KNOWN_FORMATIONS:
        src.warn(formation.line, f"team '{node_id}': unknown formation {formation.value!r}")
    timeout = setting("timeout_seconds", ("timeout_seconds",), None)
    merge = setting("merge_strategy", ("merge_strategy",), None)
    total = setting("total_tool_budget", ("total_tool_budget",), 100)
    iterations = setting("max_iterations", ("max_iterations",), 50)
    for number in (total, iterations, timeout):
        check_number(src, node_id, number)
    holder, members_base = (block, base) if nested and "members" in block else (item, path)
    members_path = (*members_base, "members")
    members = _members(src, holder.get("members"), members_path, node_id, line)
    return TeamSpec(
        formation=formation,
        total_tool_budget=total,
        timeout_seconds=timeout if timeout.present else None,
        max_iterations=iterations,
        merge_strategy=merge if merge.present else None,
        members=members,
        members_path=members_path,
        nested=nested,
    )


def mentioned_names(text: str, names: list[str]) -> list[str]:
    """The ``names`` that ``text`` mentions as whole words (case-insensitive)."""
    return [name for name in names if _name_pattern(name).search(text)]


def _members(
    src: Source, raw: Any, members_path: YamlPath, node_id: str, line: int
) -> tuple[MemberSpec, ...]:
    if raw is None:
        src.warn(line, f"team '{node_id}' has no `members`")
        return ()
    if not isinstance(raw, list):
        raise src.error("`members` must be a list", line, f"{node_id}.members")
    members: list[MemberSpec] = []
    for index, item in enumerate(raw):
        pos = position_of_node(item) or position_of_item(raw, index)
        members.append(_member(src, item, index, (*members_path, index), pos.line if pos else line))
    seen: dict[str, int] = {}
    for member in members:
        if member.id in seen:
            src.warn(member.line, f"team '{node_id}': duplicate member id '{member.id}'")
        seen.setdefault(member.id, member.line)
    known = {m.id.lower() for m in members} | {m.role.lower() for m in members if m.role}
    result: list[MemberSpec] = []
    for member in members:
        for ref in member.input_from:
            if ref.lower() not in known:
                src.warn(member.line, f"member '{member.id}': input_from names unknown '{ref}'")
        result.append(dataclasses.replace(member, goal_refs=_goal_refs(member, members)))
    return tuple(result)


def _member(src: Source, item: Any, index: int, path: YamlPath, line: int) -> MemberSpec:
    field_name = f"members[{index}].id"
    if not isinstance(item, dict):
        raise src.error(f"team member {index + 1} is not a mapping", line, field_name)
    role = _text(item.get("role"))
    member_id = _text(item.get("id")) or role
    if member_id is None:
        raise src.error(f"team member {index + 1} has neither `id` nor `role`", line, field_name)
    llm = item.get("llm_config")
    llm_map = llm if isinstance(llm, dict) else None
    hint = field_at("model_hint", llm_map, ("model_hint",), (*path, "llm_config"), None, line)
    multiplier = field_at(
        "tool_budget_multiplier", item, ("tool_budget_multiplier",), path, 1.0, line
    )
    budget = field_at("tool_budget", item, ("tool_budget",), path, 15, line)
    for number in (budget, multiplier):
        check_number(src, member_id, number)
    reports_to = item.get("reports_to")
    is_manager = item.get("is_manager")
    return MemberSpec(
        id=member_id,
        role=role,
        goal=_text(item.get("goal")),
        index=index,
        line=line,
        tool_budget=budget,
        tools=tool_names(item),
        input_from=tuple(str_list(item.get("input_from"))),
        goal_refs=(),
        is_manager=is_manager is True,
        reports_to=str(plain(reports_to)) if isinstance(reports_to, str | int) else None,
        model_hint=hint if hint.present else None,
        tool_budget_multiplier=multiplier if multiplier.present else None,
        path=path,
    )


def _goal_refs(member: MemberSpec, members: list[MemberSpec]) -> tuple[str, ...]:
    if not member.goal:
        return ()
    own = {member.id.lower()} | ({member.role.lower()} if member.role else set())
    refs: dict[str, None] = {}
    for other in members:
        if other.id == member.id:
            continue
        candidates = [other.id] + ([other.role] if other.role else [])
        for name in candidates:
            if name.lower() not in own and mentioned_names(member.goal, [name]):
                refs.setdefault(name, None)
                break
    return tuple(refs)


def _name_pattern(name: str) -> re.Pattern[str]:
    parts = [re.escape(p) for p in re.split(r"[\s_\-]+", name.strip()) if p]
    if not parts:
        return re.compile(r"(?!)")
    return re.compile(r"(?<!\w)" + r"[\s_\-]+".join(parts) + r"(?!\w)", re.IGNORECASE)


def _text(value: Any) -> str | None:
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    if isinstance(value, str) and value.strip():
        return str(value)
    return None
