"""Values describing a parsed workflow file.

The loader (``workflow.loader``) builds these from YAML; analysis, strategies and the YAML
patcher read them. Every tunable field is a :class:`Field`: its value (or the framework
default when it is absent) plus its exact location in the file, so a suggestion can name
``file:line`` and the patcher can edit just that spot.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

# Path of keys/indexes from the document root to a value, e.g.
# ("workflows", "review", "nodes", 3, "team_formation").
YamlPath = tuple[str | int, ...]

Dialect = Literal["workflows", "single", "workflow"]

KNOWN_NODE_TYPES = frozenset(
    {"agent", "compute", "condition", "parallel", "transform", "hitl", "team"}
)
# `start`/`end` mark a graph's ends in the `workflow:` dialect: opaque nodes, but expected
# ones, so the loader does not warn about them.
MARKER_NODE_TYPES = frozenset({"start", "end"})
KNOWN_FORMATIONS = frozenset(
    {
        "sequential",
        "parallel",
        "pipeline",
        "hierarchical",
        "consensus",
        "reflection",
        "adaptive",
        "dynamic",
        "hybrid",
        "round_robin",
    }
)


@dataclass(frozen=True, slots=True)
class Field:
    """A tunable field: its current value and where it lives.

    ``present`` is False when the file does not write the field and ``value`` is the
    framework default (docs/input-formats.md); ``path`` then names where it would be written and
    ``line`` is the line of the enclosing mapping.
    """

    name: str
    value: Any
    path: YamlPath
    line: int
    present: bool


@dataclass(frozen=True, slots=True)
class MemberSpec:
    id: str
    role: str | None
    goal: str | None
    index: int  # position in the members list
    line: int
    tool_budget: Field
    tools: tuple[str, ...]
    input_from: tuple[str, ...]  # explicit `input_from`
    goal_refs: tuple[str, ...]  # other members' ids/roles mentioned in the goal text
    is_manager: bool
    reports_to: str | None
    model_hint: Field | None
    tool_budget_multiplier: Field | None
    path: YamlPath  # path of the member mapping


@dataclass(frozen=True, slots=True)
class TeamSpec:
    formation: Field  # `team_formation`, `formation`, or `team: {formation}`
    total_tool_budget: Field  # default 100
    timeout_seconds: Field | None  # None when absent (no framework default)
    max_iterations: Field  # default 50
    merge_strategy: Field | None
    members: tuple[MemberSpec, ...]
    members_path: YamlPath
    nested: bool  # settings live under a `team:` block


@dataclass(frozen=True, slots=True)
class Node:
    id: str
    type: str  # as written; "agent" when omitted
    known_type: bool  # False for opaque nodes such as `start`, `end`, `validate_pipeline`
    index: int  # position in the nodes list
    line: int
    path: YamlPath  # path of the node mapping
    raw: Any  # the round-trip mapping, read-only for consumers
    next: tuple[
        str, ...
    ]  # explicit `next` targets (or `edges:` targets in the `workflow:` dialect)
    fields: dict[str, Field] = field(default_factory=dict)  # tunable fields by name
    team: TeamSpec | None = None
    parallel_nodes: tuple[str, ...] = ()  # for `parallel` nodes
    branches: dict[str, str] = field(default_factory=dict)  # for `condition` nodes
    outputs: tuple[str, ...] = ()  # context keys this node writes (`output`)
    reads: tuple[str, ...] = ()  # context keys this node reads ($ctx.x, input_mapping, {{x}})
    tools: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Edge:
    source: str
    target: str
    kind: Literal["next", "implicit", "parallel", "branch", "join", "edge"]
    label: str | None = None  # branch value for condition edges


@dataclass(frozen=True, slots=True)
class WorkflowDef:
    name: str
    path: str  # file path as given to the loader (repo-relative where possible)
    dialect: Dialect
    root_path: YamlPath  # path of the definition mapping
    line: int
    nodes: dict[str, Node]  # in file order
    edges: tuple[Edge, ...]
    entry: str | None
    execution: dict[str, Field] = field(default_factory=dict)
    warnings: tuple[str, ...] = ()  # non-fatal oddities, each "path:line: message"

    def team_nodes(self) -> list[Node]:
        return [n for n in self.nodes.values() if n.team is not None]


@dataclass(frozen=True, slots=True)
class WorkflowFile:
    path: str
    workflows: tuple[WorkflowDef, ...]
    document: Any  # the round-trip tree, for the patcher
    text: str
