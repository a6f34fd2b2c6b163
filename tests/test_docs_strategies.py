"""docs/optimization.md documents every registered strategy and search algorithm."""

from __future__ import annotations

from pathlib import Path

import pytest

from autotune_bot.search.registry import SEARCHERS
from autotune_bot.strategies.registry import STRATEGIES

DOC = (Path(__file__).resolve().parent.parent / "docs" / "optimization.md").read_text("utf-8")


@pytest.mark.parametrize("name", sorted(STRATEGIES))
def test_every_strategy_has_a_row(name: str) -> None:
    assert f"| `{name}` |" in DOC


@pytest.mark.parametrize("name", sorted(SEARCHERS))
def test_every_search_algorithm_is_named(name: str) -> None:
    assert f"`{name}`" in DOC


@pytest.mark.parametrize("name", sorted(STRATEGIES))
def test_every_option_is_documented_in_its_class(name: str) -> None:
    cls = STRATEGIES[name]
    doc = cls.__doc__ or ""
    for option in getattr(cls, "options", {}):
        assert option in doc, f"{name}: option {option!r} missing from the class docstring"
