"""The values constraint checks return: a broken rule, and the outcome of a set of checks.

A rule is named the way a user finds it: ``constraints.<field>`` for the limits of
``.autotune.yml`` (``constraints.protected_roles``, ``constraints.max_cost_usd`` …) and
``graph.<property>`` for the validity of the changed workflow graph (``graph.dangling_edge``
…). A check that cannot be made (an estimate without a cost, say) is not a violation: it is
listed separately as *unchecked*, one line saying which rule and why.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["GRAPH_RULES", "RULES", "USER_RULES", "ConstraintCheck", "ConstraintViolation"]

USER_RULES = (
    "constraints.protected_files",
    "constraints.protected_nodes",
    "constraints.protected_roles",
    "constraints.min_success_rate",
    "constraints.max_cost_usd",
)
GRAPH_RULES = (
    "graph.missing_workflow",
    "graph.dangling_edge",
    "graph.unbounded_cycle",
    "graph.lost_output",
    "graph.data_order",
    "graph.missing_entry",
    "graph.unreachable_node",
)
RULES = USER_RULES + GRAPH_RULES


@dataclass(frozen=True, slots=True)
class ConstraintViolation:
    """One broken rule: which, in which file, about which node or member, and a one-line
    message (``subject`` is ``node`` or ``node.member``; None for a whole file or estimate)."""

    rule: str  # one of RULES
    file: str
    subject: str | None
    message: str

    def __post_init__(self) -> None:
        if self.rule not in RULES:
            raise ValueError(f"unknown constraint rule {self.rule!r}")

    def __str__(self) -> str:
        return f"{self.rule}: {self.message}"


@dataclass(frozen=True, slots=True)
class ConstraintCheck:
    """Violations found, and the rules that could not be checked (one line each)."""

    violations: tuple[ConstraintViolation, ...] = ()
    unchecked: tuple[str, ...] = ()

    @property
    def ok(self) -> bool:
        return not self.violations

    def __add__(self, other: ConstraintCheck) -> ConstraintCheck:
        return ConstraintCheck(
            self.violations + other.violations,
            tuple(dict.fromkeys(self.unchecked + other.unchecked)),
        )
