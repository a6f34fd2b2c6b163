"""Non-dominated outcomes over (duration per success ↓, cost per success ↓, success rate ↑)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TypeVar

from autotune_bot.search.objective import Outcome

__all__ = ["dominates", "pareto_front"]

T = TypeVar("T")


def _key(o: Outcome) -> tuple[float, float, float]:
    return (o.duration_per_success, o.cost_per_success, -o.success_rate)


def dominates(a: Outcome, b: Outcome) -> bool:
    """``a`` is no worse than ``b`` on every axis and better on at least one."""
    ka, kb = _key(a), _key(b)
    return all(x <= y for x, y in zip(ka, kb, strict=True)) and ka != kb


def pareto_front(items: Sequence[tuple[T, Outcome]]) -> list[tuple[T, Outcome]]:
    """The items whose outcome no other item's outcome dominates, in input order.

    Items with identical outcomes are all kept. Outcomes without a successful run (infinite
    per-success figures) are dominated by any outcome with one.
    """
    return [(label, o) for label, o in items if not any(dominates(other, o) for _, other in items)]
