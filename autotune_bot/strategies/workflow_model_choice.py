"""Which cheaper models may stand in for a model: tier, provider family, closeness.

Models are compared through the effective price table (:mod:`autotune_bot.model.prices`):
its ``tier`` (small < medium < large) says what a model can be trusted with, its prices what
the recorded tokens would cost. A replacement stays with the provider of the current model
unless asked otherwise, and models of the same line (``gpt-4o`` → ``gpt-4o-mini``, sharing
the leading name parts) come before others: they are the closest substitutes.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from autotune_bot.model.prices import ModelPrices, PriceTable

__all__ = ["TIERS", "Replacement", "closeness", "provider", "replacements", "tier_rank"]

F64 = npt.NDArray[np.float64]
TIERS = ("small", "medium", "large")
_OPENAI_REASONING = re.compile(r"^o\d")


def tier_rank(tier: str | None) -> int | None:
    """0 for small, 1 for medium, 2 for large, None for an unknown tier."""
    return TIERS.index(tier) if tier in TIERS else None


def _bare(model: str) -> str:
    return model.strip().lower().rsplit("/", 1)[-1]


def provider(model: str) -> str:
    """The provider family of a model name: ``openai`` for gpt-* and o1/o3/o4 models,
    ``anthropic`` for claude-*, ``google`` for gemini-*, else the name's first part (or the
    ``provider/`` prefix when the name has one)."""
    lowered = model.strip().lower()
    if "/" in lowered:
        return lowered.split("/", 1)[0]
    bare = _bare(model)
    if bare.startswith("gpt") or _OPENAI_REASONING.match(bare):
        return "openai"
    if bare.startswith("claude"):
        return "anthropic"
    if bare.startswith("gemini"):
        return "google"
    return bare.split("-", 1)[0]


def closeness(a: str, b: str) -> int:
    """How many leading dash-separated name parts two models share."""
    shared = 0
    for x, y in zip(_bare(a).split("-"), _bare(b).split("-"), strict=False):
        if x != y:
            break
        shared += 1
    return shared


@dataclass(frozen=True)
class Replacement:
    model: ModelPrices
    cost: F64  # USD of each recorded call at this model's prices


def replacements(
    table: PriceTable,
    current: ModelPrices,
    lowest_rank: int,
    input_tokens: F64,
    output_tokens: F64,
    *,
    cross_provider: bool = False,
) -> list[Replacement]:
    """Models of a lower tier than ``current`` but at least ``lowest_rank``, priced, cheaper
    on the recorded tokens, of the same provider unless ``cross_provider``; closest
    substitutes first, then cheapest."""
    top = tier_rank(current.tier)
    now = current.token_cost(input_tokens, output_tokens)
    if top is None or now is None:
        return []
    family = provider(current.model)
    found: list[tuple[int, float, str, Replacement]] = []
    for model in table.models.values():
        rank = tier_rank(model.tier)
        if rank is None or not lowest_rank <= rank < top or model.model == current.model:
            continue
        if not cross_provider and provider(model.model) != family:
            continue
        cost = model.token_cost(input_tokens, output_tokens)
        if cost is None or not float(cost.mean()) < float(now.mean()):
            continue
        key = (-closeness(current.model, model.model), float(cost.mean()), model.model)
        found.append((*key, Replacement(model, cost)))
    found.sort(key=lambda item: item[:3])
    return [item[3] for item in found]
