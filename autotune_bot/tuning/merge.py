"""Combining accepted suggestions of one target into one configuration.

Each suggestion's candidate differs from the current configuration in a few fields; accepting
several means taking, field by field, the value of the last accepted suggestion that changes
it. Set-valued workflow fields (pruned nodes, parallel groups, per-node settings) are unions,
so accepting "prune A" and "cache on B" keeps both.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from typing import TypeVar

from autotune_bot.tuning.config import TeamConfig, WorkflowConfig

__all__ = ["merge_candidates"]

C = TypeVar("C", TeamConfig, WorkflowConfig)
V = TypeVar("V")
Pairs = tuple[tuple[str, V], ...]


def _pairs(now: Pairs[V], a: Pairs[V], b: Pairs[V]) -> Pairs[V]:
    """``a`` updated with what ``b`` changed relative to ``now``."""
    current, merged, later = dict(now), dict(a), dict(b)
    for key, value in later.items():
        if current.get(key) != value:
            merged[key] = value
    for key in set(current) - set(later):
        merged.pop(key, None)  # b dropped it
    return tuple(sorted(merged.items()))


def _merge_workflow(now: WorkflowConfig, a: WorkflowConfig, b: WorkflowConfig) -> WorkflowConfig:
    groups = list(a.parallel_groups)
    groups += [g for g in b.parallel_groups if g not in groups]
    return WorkflowConfig(
        removed=a.removed | b.removed,
        parallel_groups=tuple(groups),
        models=_pairs(now.models, a.models, b.models),
        cached=_pairs(now.cached, a.cached, b.cached),
        tools=_pairs(now.tools, a.tools, b.tools),
        batched=_pairs(now.batched, a.batched, b.batched),
    )


def merge_candidates(current: C, candidates: Sequence[C]) -> C:
    """One configuration with every candidate's changes (later ones win on conflicts)."""
    merged = current
    for candidate in candidates:
        if isinstance(current, WorkflowConfig):
            assert isinstance(merged, WorkflowConfig)
            assert isinstance(candidate, WorkflowConfig)
            merged = _merge_workflow(current, merged, candidate)
            continue
        changed = {
            f.name: getattr(candidate, f.name)
            for f in dataclasses.fields(candidate)
            if getattr(candidate, f.name) != getattr(current, f.name)
        }
        merged = dataclasses.replace(merged, **changed)
    return merged
