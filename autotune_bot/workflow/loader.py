"""Parse Victor workflow YAML text into :mod:`autotune_bot.workflow.model` values.

Three dialects are understood (see the format description): a top-level ``workflows:``
mapping of name → definition, a single definition with ``nodes:`` at the top level, and a
singular ``workflow:`` root whose edges are written as ``edges: [{from, to}]``.

Fatal problems (not YAML, no ``nodes`` list, a node without ``id``, duplicate ids, …) raise
:class:`YamlSyntaxError` / :class:`WorkflowError` naming file, line and field. Oddities that
leave the file usable (an edge to a missing node, an unknown node type or formation) become
``WorkflowDef.warnings``. Nodes are read by :mod:`autotune_bot.workflow.node_parse` (team
settings by :mod:`autotune_bot.workflow.team_parse`); edges are built by
:mod:`autotune_bot.workflow.edges`.
"""

from __future__ import annotations

import pathlib
from collections.abc import Iterable
from typing import Any

from autotune_bot.errors import InputError, WorkflowError
from autotune_bot.file_limits import FileTooLargeError, read_capped
from autotune_bot.workflow.edges import build_edges, read_edge_specs
from autotune_bot.workflow.model import (
    Dialect,
    Field,
    Node,
    WorkflowDef,
    WorkflowFile,
    YamlPath,
)
from autotune_bot.workflow.node_parse import parse_node
from autotune_bot.workflow.yaml_fields import Source, field_at
from autotune_bot.yaml_source import (
    MAX_YAML_BYTES,
    load_yaml,
    position_of_item,
    position_of_key,
    position_of_node,
)

__all__ = [
    "load_workflow_files",
    "parse_workflow_text",
    "read_workflow_file",
    "read_workflow_files",
]

_EXECUTION_KEYS = ("max_timeout_seconds", "default_node_timeout", "max_iterations", "max_retries")


def parse_workflow_text(text: str, path: str) -> WorkflowFile:
    """Parse the text of one workflow file; ``path`` is how the file is named in messages."""
    doc = load_yaml(text, path)
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


def read_workflow_files(
    files: Iterable[tuple[pathlib.Path, str]],
) -> tuple[list[WorkflowFile], list[InputError]]:
    """Read ``(path, display name)`` pairs; each bad file becomes one error, the rest load."""
    loaded: list[WorkflowFile] = []
    errors: list[InputError] = []
    for path, display in files:
        try:
            loaded.append(read_workflow_file(path, display))
        except InputError as err:
            errors.append(err)
    return loaded, errors


def read_workflow_file(path: pathlib.Path, display: str) -> WorkflowFile:
    """Read ``path`` as UTF-8 and parse it; ``display`` names the file in messages. A file
    over :data:`~autotune_bot.yaml_source.MAX_YAML_BYTES` is refused without being read."""
    try:
        data = read_capped(path, MAX_YAML_BYTES)
    except FileTooLargeError as err:
        raise WorkflowError(f"workflow file {err.reason()}", path=display) from None
    except OSError as err:
        raise WorkflowError(
            f"cannot read workflow file: {err.strerror or err}", path=display
        ) from err
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as err:
        line = data[: err.start].count(b"\n") + 1
        raise WorkflowError(
            f"not UTF-8 text (byte 0x{data[err.start]:02x} at offset {err.start})",
            path=display,
            line=line,
        ) from err
    return parse_workflow_text(text, display)


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
    edge_specs = (
        read_edge_specs(src, body, _line_of_key(body, "edges")) if dialect == "workflow" else None
    )
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
    edges = build_edges(src, list(nodes.values()), edge_specs)
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
