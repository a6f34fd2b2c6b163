"""Read one workflow node mapping into a :class:`Node`: its type, explicit successors,
tunable fields (with their framework defaults when absent), tools, outputs and the context
keys it reads. Team settings are read by :mod:`autotune_bot.workflow.team_parse`.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from autotune_bot.workflow.context_refs import bare_key, keys_in_text
from autotune_bot.workflow.model import KNOWN_NODE_TYPES, MARKER_NODE_TYPES, Field, Node, YamlPath
from autotune_bot.workflow.team_parse import parse_team
from autotune_bot.workflow.yaml_fields import (
    Source,
    check_number,
    field_at,
    line_of_key,
    str_list,
    tool_names,
)

__all__ = ["parse_node", "text_keys"]

# Text whose `$ctx.key` / `{{ key }}` references count as reads.
_TEXT_KEYS = ("goal", "prompt", "role", "condition", "transform", "system_prompt", "backstory")
_NUMERIC = ("tool_budget", "timeout", "temperature", "max_tokens")
_JOIN_STRATEGIES = frozenset({"all", "any", "first"})


def text_keys(mapping: Mapping[Any, Any]) -> list[str]:
    """Context keys read by a node's or member's text and input fields."""
    keys: list[str] = []
    for text in _strings(mapping.get("inputs")):
        keys.extend(keys_in_text(text))
    mapping_value = mapping.get("input_mapping")
    values = mapping_value.values() if isinstance(mapping_value, dict) else [mapping_value]
    for value in values:
        bare = bare_key(value) if isinstance(value, str) else None
        if bare is not None:
            keys.append(bare)
            continue
        for text in _strings(value):
            keys.extend(keys_in_text(text))
    for name in _TEXT_KEYS:
        value = mapping.get(name)
        if isinstance(value, str):
            keys.extend(keys_in_text(value))
    return keys


def parse_node(
    src: Source,
    item: Any,
    index: int,
    path: YamlPath,
    line: int,
    extra_next: Mapping[str, list[str]],
) -> Node:
    """Read node ``index`` of a ``nodes`` list; ``extra_next`` holds `edges:` targets by id."""
    if not isinstance(item, dict):
        raise src.error(f"node {index + 1} is not a mapping", line, f"nodes[{index}]")
    raw_id = item.get("id")
    if raw_id is None or isinstance(raw_id, bool) or not isinstance(raw_id, str | int):
        what = "has no `id`" if raw_id is None else "has an `id` that is not a string"
        raise src.error(f"node {index + 1} {what}", line, f"nodes[{index}].id")
    node_id = str(raw_id)
    raw_type = item.get("type")
    node_type = "agent" if raw_type is None else str(raw_type)
    known = node_type in KNOWN_NODE_TYPES
    if not known and node_type not in MARKER_NODE_TYPES:
        src.warn(line, f"node '{node_id}': unknown node type '{node_type}'; kept as opaque")
    raw_next = item.get("next")
    written_next = str_list(raw_next)
    if raw_next is not None and len(written_next) != (
        len(raw_next) if isinstance(raw_next, list) else 1
    ):
        src.warn(line_of_key(item, "next", line), f"node '{node_id}': `next` is not a list of ids")
    nexts = list(dict.fromkeys([*written_next, *extra_next.get(node_id, ())]))
    team = parse_team(src, item, node_id, path, line) if node_type == "team" else None
    reads = text_keys(item)
    if team is not None:
        block = item.get("team")
        if isinstance(block, dict):
            reads.extend(text_keys(block))
        for member in _member_maps(item):
            reads.extend(text_keys(member))
    return Node(
        id=node_id,
        type=node_type,
        known_type=known,
        index=index,
        line=line,
        path=path,
        raw=item,
        next=tuple(nexts),
        fields=_fields(src, item, node_id, node_type, path, line),
        team=team,
        parallel_nodes=_parallel_nodes(src, item, node_id, node_type, line),
        branches=_branches(src, item, node_id, node_type, line),
        outputs=tuple(dict.fromkeys([*str_list(item.get("output")), *_output_key(item)])),
        reads=tuple(dict.fromkeys(reads)),
        tools=tool_names(item),
    )


def _fields(
    src: Source, item: Any, node_id: str, node_type: str, path: YamlPath, line: int
) -> dict[str, Field]:
    fields: dict[str, Field] = {}
    if node_type == "agent":
        fields["tool_budget"] = field_at("tool_budget", item, ("tool_budget",), path, 15, line)
        llm = item.get("llm_config")
        llm_map = llm if isinstance(llm, dict) else None
        llm_path = (*path, "llm_config")
        fields["model_hint"] = field_at(
            "model_hint", llm_map, ("model_hint",), llm_path, None, line
        )
        for key in ("temperature", "max_tokens"):
            if key in item and not (llm_map is not None and key in llm_map):
                fields[key] = field_at(key, item, (key,), path, None, line)
            else:
                fields[key] = field_at(key, llm_map, (key,), llm_path, None, line)
        fields["timeout"] = field_at(
            "timeout", item, ("timeout", "timeout_seconds"), path, None, line
        )
        fields["profile"] = field_at("profile", item, ("profile",), path, None, line)
    elif node_type == "compute":
        fields["timeout"] = field_at("timeout", item, ("timeout",), path, 60, line)
        fields["parallel"] = field_at("parallel", item, ("parallel",), path, False, line)
        fields["fail_fast"] = field_at("fail_fast", item, ("fail_fast",), path, True, line)
    elif node_type == "hitl":
        fields["timeout"] = field_at("timeout", item, ("timeout",), path, 300, line)
    elif node_type == "parallel":
        join = field_at("join_strategy", item, ("join_strategy",), path, "all", line)
        if join.present and join.value not in _JOIN_STRATEGIES:
            src.warn(join.line, f"node '{node_id}': unknown join_strategy {join.value!r}")
        fields["join_strategy"] = join
    fields["cache"] = field_at("cache", item, ("cache",), path, None, line)
    for name in _NUMERIC:
        check_number(src, node_id, fields.get(name))
    return fields


def _branches(src: Source, item: Any, node_id: str, node_type: str, line: int) -> dict[str, str]:
    if node_type != "condition":
        return {}
    raw = item.get("branches")
    if not isinstance(raw, dict) or not raw:
        if not str_list(item.get("next")):
            src.warn(line, f"condition node '{node_id}' has no `branches`")
        return {}
    branches: dict[str, str] = {}
    for key, target in raw.items():
        label = ("true" if key else "false") if isinstance(key, bool) else str(key)
        if isinstance(target, str | int) and not isinstance(target, bool):
            branches[label] = str(target)
        else:
            at = line_of_key(raw, key, line)
            src.warn(at, f"condition node '{node_id}': branch {label!r} has no target node id")
    return branches


def _parallel_nodes(
    src: Source, item: Any, node_id: str, node_type: str, line: int
) -> tuple[str, ...]:
    if node_type != "parallel":
        return ()
    children = tuple(dict.fromkeys(str_list(item.get("parallel_nodes"))))
    if not children:
        src.warn(line, f"parallel node '{node_id}' has no `parallel_nodes`")
    return children


def _output_key(item: Any) -> list[str]:
    value = item.get("output_key")
    return [str(value)] if isinstance(value, str) else []


def _member_maps(item: Any) -> Iterator[Mapping[Any, Any]]:
    block = item.get("team")
    members = (block if isinstance(block, dict) else item).get("members")
    if isinstance(members, list):
        yield from (m for m in members if isinstance(m, dict))


def _strings(value: Any, _open: frozenset[int] = frozenset()) -> Iterator[str]:
    """Every string inside ``value``; a container reached again through an alias is skipped."""
    if isinstance(value, str):
        yield str(value)
    elif isinstance(value, dict | list) and id(value) not in _open:
        inner = _open | {id(value)}
        for v in value.values() if isinstance(value, dict) else value:
            yield from _strings(v, inner)
