"""Parse Victor workflow YAML text into :mod:`autotune_bot.workflow.model` values.

Three dialects are understood (see the format description): a top-level ``workflows:``
mapping of name → definition, a single definition with ``nodes:`` at the top level, and a
singular ``workflow:`` root whose edges are written as ``edges: [{from, to}]``.

Fatal problems (not YAML, no ``nodes`` list, a node without ``id``, duplicate ids, …) raise
:class:`YamlSyntaxError` / :class:`WorkflowError` naming file, line and field. Oddities that
leave the file usable (an edge to a missing node, an unknown node type or formation) become
``WorkflowDef.warnings``. Nodes are read by :mod:`autotune_bot.workflow.node_parse` (team
settings by :mod:`autotune_bot.workflow.team_parse`); edges are built here.
"""

from __future__ import annotations

import pathlib
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from autotune_bot.errors import InputError, WorkflowError
from autotune_bot.workflow.model import (
    Dialect,
    Edge,
    Field,
    Node,
    WorkflowDef,
    WorkflowFile,
    YamlPath,
)
from autotune_bot.workflow.node_parse import parse_node
from autotune_bot.workflow.yaml_fields import Source, field_at, str_list
from autotune_bot.yaml_source import load_yaml, position_of_item, position_of_key, position_of_node

__all__ = ["load_workflow_files", "parse_workflow_text", "read_workflow_file"]

_EXECUTION_KEYS = ("max_timeout_seconds", "default_node_timeout", "max_iterations", "max_retries")


def parse_workflow_text(text: str, path: str) -> WorkflowFile:
    """Parse the text of one workflow file; ``path`` is how the file is named in messages."""
    try:
        doc = load_yaml(text, path)
    except (TypeError, ValueError, RecursionError) as err:
        # Valid YAML the round-trip loader cannot represent (a mapping used as a key
        # inside a key, nesting deeper than the recursion limit).
        raise WorkflowError(f"cannot load this YAML: {err}", path=path) from err
    if not isinstance(doc, dict):
        kind = "empty" if doc is None else _kind(doc)
        raise WorkflowError(f"not a workflow file: the document is {kind}", path=path, line=1)
    stem = pathlib.PurePath(path.replace("\\", "/")).stem
    if "workflows" in doc:
        defs = doc["workflows"]
        line = _line_of_key(doc, "workflows")
        if not isinstance(defs, dict) or not defs:
            raise WorkflowError(
                "`workflows` must be a non-empty mapping of name to definition",
                path=path,
                line=line,
                field="workflows",
            )
        workflows = tuple(
            _parse_definition(
                path, defs[name], str(name), "workflows", ("workflows", str(name)), defs, name
            )
            for name in defs
        )
    elif "workflow" in doc:
        body = doc["workflow"]
        if not isinstance(body, dict):
            raise WorkflowError(
                "`workflow` must be a mapping with `nodes`",
                path=path,
                line=_line_of_key(doc, "workflow"),
                field="workflow",
            )
        name = body.get("name")
        label = str(name) if isinstance(name, str | int) else stem
        workflows = (
            _parse_definition(path, body, label, "workflow", ("workflow",), doc, "workflow"),
        )
    elif "nodes" in doc:
        name = doc.get("name")
        label = str(name) if isinstance(name, str | int) else stem
        workflows = (_parse_definition(path, doc, label, "single", (), None, None),)
    else:
        raise WorkflowError(
            "not a workflow file: no `workflows:`, `workflow:` or `nodes:` at the top level",
            path=path,
            line=_line_of(doc, 1),
        )
    return WorkflowFile(path=path, workflows=workflows, document=doc, text=text)


def load_workflow_files(
    files: Iterable[tuple[str, str]],
) -> tuple[list[WorkflowFile], list[InputError]]:
    """Parse ``(display path, text)`` pairs; each bad file becomes one error, the rest load."""
    loaded: list[WorkflowFile] = []
    errors: list[InputError] = []
    for path, text in files:
        try:
            loaded.append(parse_workflow_text(text, path))
        except InputError as err:
            errors.append(err)
    return loaded, errors


def read_workflow_file(path: pathlib.Path, display: str) -> WorkflowFile:
    """Read ``path`` as UTF-8 and parse it; ``display`` names the file in messages."""
    try:
        data = path.read_bytes()
    except OSError as err:
        raise InputError(f"cannot read workflow file: {err.strerror or err}", path=display) from err
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as err:
        line = data[: err.start].count(b"\n") + 1
        raise InputError(
            f"not UTF-8 text (byte 0x{data[err.start]:02x} at offset {err.start})",
            path=display,
            line=line,
        ) from err
    return parse_workflow_text(text, display)


@dataclass(frozen=True, slots=True)
class _EdgeSpec:
    source: str
    target: str
    label: str | None
    line: int


def _parse_definition(
    path: str,
    body: Any,
    name: str,
    dialect: Dialect,
    root: YamlPath,
    parent: Any,
    key: Any,
) -> WorkflowDef:
    def_line = _line_of_key(parent, key) if parent is not None else _line_of(body, 1)
    if not isinstance(body, dict):
        raise WorkflowError(
            f"workflow '{name}' must be a mapping with `nodes`", path=path, line=def_line
        )
    src = Source(path)
    if "nodes" not in body:
        raise WorkflowError(
            f"workflow '{name}' has no `nodes` list", path=path, line=def_line, field="nodes"
        )
    items = body["nodes"]
    nodes_line = _line_of_key(body, "nodes")
    if not isinstance(items, list):
        raise WorkflowError(
            f"`nodes` must be a list, found {_kind(items)}",
            path=path,
            line=nodes_line,
            field="nodes",
        )
    if not items:
        raise WorkflowError("`nodes` is empty", path=path, line=nodes_line, field="nodes")
    edge_specs = _edge_specs(src, body) if dialect == "workflow" else None
    extra_next: dict[str, list[str]] = {}
    for spec in edge_specs or ():
        extra_next.setdefault(spec.source, []).append(spec.target)
    nodes: dict[str, Node] = {}
    for index, item in enumerate(items):
        pos = position_of_node(item) or position_of_item(items, index)
        line = pos.line if pos is not None else nodes_line
        node = parse_node(src, item, index, (*root, "nodes", index), line, extra_next)
        if node.id in nodes:
            first = nodes[node.id].line
            raise WorkflowError(
                f"duplicate node id '{node.id}' (first defined at line {first})",
                path=path,
                line=line,
                field="id",
            )
        nodes[node.id] = node
    edges = _build_edges(src, list(nodes.values()), edge_specs)
    entry = next((n.id for n in nodes.values() if n.type == "start"), None)
    if dialect != "workflow" or entry is None:
        entry = next(iter(nodes))
    return WorkflowDef(
        name=name,
        path=path,
        dialect=dialect,
        root_path=root,
        line=def_line,
        nodes=nodes,
        edges=edges,
        entry=entry,
        execution=_execution(body, root, def_line),
        warnings=tuple(src.warnings),
    )


def _execution(body: Any, root: YamlPath, def_line: int) -> dict[str, Field]:
    block = body.get("execution")
    block_map = block if isinstance(block, dict) else None
    line = _line_of_key(body, "execution") if block_map is not None else def_line
    base = (*root, "execution")
    return {key: field_at(key, block_map, (key,), base, None, line) for key in _EXECUTION_KEYS}


def _edge_specs(src: Source, body: Any) -> list[_EdgeSpec] | None:
    """The `edges:` list of the `workflow:` dialect, or None when the file has none."""
    if "edges" not in body:
        return None
    raw = body["edges"]
    if not isinstance(raw, list):
        src.warn(_line_of_key(body, "edges"), "`edges` is not a list; ignored")
        return []
    specs: list[_EdgeSpec] = []
    for index, item in enumerate(raw):
        pos = position_of_node(item) or position_of_item(raw, index)
        line = pos.line if pos is not None else _line_of_key(body, "edges")
        source = item.get("from") if isinstance(item, dict) else None
        targets = str_list(item.get("to")) if isinstance(item, dict) else []
        if not isinstance(source, str | int) or isinstance(source, bool) or not targets:
            src.warn(line, "edge without both `from` and `to`; ignored")
            continue
        cond = item.get("condition", item.get("label"))
        label = None if cond is None else _label(cond)
        specs.extend(_EdgeSpec(str(source), target, label, line) for target in targets)
    return specs


def _build_edges(src: Source, nodes: list[Node], specs: list[_EdgeSpec] | None) -> tuple[Edge, ...]:
    """The edges of a definition, in node order.

    * `next: [ids]` (or a single id) → kind "next"; `edges:` entries → kind "edge";
    * a parallel node P → each of its `parallel_nodes` ("parallel"); a branch without
      `next` → P's successor ("join"). P's successor is its `next`, else the next listed
      node that is not a branch; P has no direct edge to it;
    * a condition node → each `branches` target ("branch", label = the branch value);
    * any other node without `next` → the next listed node that is not a parallel branch
      ("implicit"); `next: []` means nothing follows.

    With an `edges:` list there is no implicit chaining and there are no joins.
    """
    ids = {n.id for n in nodes}
    parent_of: dict[str, str] = {}
    for node in nodes:
        if node.type == "parallel":
            for child in node.parallel_nodes:
                parent_of.setdefault(child, node.id)
    after: dict[str, str | None] = {}
    for i, node in enumerate(nodes):
        after[node.id] = next((n.id for n in nodes[i + 1 :] if n.id not in parent_of), None)
    successors_of_parallel = {
        n.id: [t for t in n.next if t in ids] if _has_next(n) else _present([after[n.id]])
        for n in nodes
        if n.type == "parallel"
    }
    edges: list[Edge] = []
    seen: set[tuple[str, str, str | None]] = set()

    def add(node: Node, target: str, kind: Any, label: str | None, key: str, at: int = 0) -> None:
        if target not in ids:
            line = at or (_line_of_key(node.raw, key) if key in node.raw else node.line)
            src.warn(line, f"node '{node.id}': `{key}` names missing node '{target}'; ignored")
            return
        if (node.id, target, label) not in seen:
            seen.add((node.id, target, label))
            edges.append(Edge(node.id, target, kind, label))

    by_source: dict[str, list[_EdgeSpec]] = {}
    for spec in specs or ():
        if spec.source not in ids:
            src.warn(spec.line, f"edge from missing node '{spec.source}'; ignored")
        by_source.setdefault(spec.source, []).append(spec)
    for node in nodes:
        for spec in by_source.get(node.id, ()):
            add(node, spec.target, "edge", spec.label, "edges", spec.line)
        edge_targets = {s.target for s in by_source.get(node.id, ())}
        # A parallel node with branches continues through its branches' joins.
        fans_out = specs is None and node.type == "parallel" and bool(node.parallel_nodes)
        for target in node.next:
            if target in edge_targets or (fans_out and target in ids):
                continue
            add(node, target, "next", None, "next")
        for child in node.parallel_nodes:
            add(node, child, "parallel", None, "parallel_nodes")
        for value, target in node.branches.items():
            add(node, target, "branch", value, "branches")
        if specs is not None or _has_next(node):
            continue
        if node.id in parent_of:
            for target in successors_of_parallel[parent_of[node.id]]:
                add(node, target, "join", None, "next")
        elif _chains_implicitly(node):
            nxt = after[node.id]
            if nxt is not None:
                add(node, nxt, "implicit", None, "next")
    return tuple(edges)


def _present(items: list[str | None]) -> list[str]:
    return [item for item in items if item is not None]


def _has_next(node: Node) -> bool:
    """True when the node writes `next` itself (``next: []`` means: nothing follows)."""
    return isinstance(node.raw, dict) and node.raw.get("next") is not None


def _chains_implicitly(node: Node) -> bool:
    """Without `next`, a node continues to the next listed node, except a condition node
    (it routes through branches) and a parallel node with branches (its branches join)."""
    if node.type == "condition":
        return False
    return not (node.type == "parallel" and node.parallel_nodes)


def _label(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _kind(value: Any) -> str:
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    if value is None:
        return "nothing"
    return f"a scalar ({type(value).__name__})"


def _line_of(value: Any, default: int) -> int:
    pos = position_of_node(value)
    return pos.line if pos is not None else default


def _line_of_key(mapping: Any, key: Any) -> int:
    pos = position_of_key(mapping, key)
    return pos.line if pos is not None else _line_of(mapping, 1)
