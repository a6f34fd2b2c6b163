"""Price table layers: the shipped table, learned values, settings overrides."""

from __future__ import annotations

import json
from importlib import resources
from pathlib import Path

import pytest
from analysis.conftest import run_record

from autotune_bot.model.prices import (
    default_price_table,
    learn_prices,
    load_price_table,
    price_table,
)
from autotune_bot.settings.models import ModelPrice

from .conftest import ingest

REQUIRED = (
    "gpt-4o",
    "gpt-4o-mini",
    "gpt-4.1",
    "gpt-4.1-mini",
    "gpt-4.1-nano",
    "o3-mini",
    "claude-3-opus",
    "claude-3-5-sonnet",
    "claude-3-5-haiku",
    "claude-3-haiku",
    "claude-sonnet-4",
    "gemini-1.5-pro",
    "gemini-1.5-flash",
)


def test_the_shipped_table_lists_the_common_models_with_provenance() -> None:
    raw = json.loads(
        resources.files("autotune_bot").joinpath("data/model_prices.json").read_text("utf-8")
    )
    assert raw["source"]
    assert "latency" in raw["note"]
    table = default_price_table()
    assert table.as_of == raw["as_of"]
    for name in REQUIRED:
        prices = table.get(name)
        assert prices is not None, name
        assert prices.tier in ("small", "medium", "large")
        for value in (
            prices.input_usd_per_mtok,
            prices.output_usd_per_mtok,
            prices.seconds_per_kilotoken,
        ):
            assert value is not None
            assert value.value > 0
            assert value.source == f"table (as of {raw['as_of']})"
    opus, mini = table.get("claude-3-opus"), table.get("gpt-4o-mini")
    assert opus is not None
    assert mini is not None
    assert opus.input_usd_per_mtok is not None
    assert mini.input_usd_per_mtok is not None
    assert opus.input_usd_per_mtok.value > 50 * mini.input_usd_per_mtok.value


def test_model_names_match_common_spellings() -> None:
    table = default_price_table()
    for spelling in ("GPT-4o", "openai/gpt-4o", "gpt-4o-2024-08-06", "gpt-4o-latest"):
        found = table.get(spelling)
        assert found is not None, spelling
        assert found.model == "gpt-4o"
    assert table.get("gpt-5-ultra") is None


def test_a_malformed_table_is_rejected() -> None:
    with pytest.raises(ValueError, match="models"):
        load_price_table('{"as_of": "x"}')
    with pytest.raises(ValueError, match="must be a number"):
        load_price_table('{"models": {"m": {"input_usd_per_mtok": -1}}}')


def _runs(n: int) -> list[dict[str, object]]:
    """Node rows of gpt-4o billed at 2.0 / 8.0 USD per million tokens plus a tool's cost,
    taking 20 s per 1000 output tokens."""
    out = []
    for i in range(n):
        ins, outs = 1000 + 37 * i, 300 + 11 * (i % 7)
        node = {
            "duration": outs * 0.02,
            "success": True,
            "model": "gpt-4o",
            "input_tokens": ins,
            "output_tokens": outs,
            "cost": (ins * 2.0 + outs * 8.0) / 1e6 + 0.005,
            "tools": {"web_search": {"count": 1, "cost": 0.005}},
        }
        out.append(run_record("flow", i, {"w": node}, minutes=float(i)))
    return out


def test_learned_prices_override_the_table_and_settings_override_both(tmp_path: Path) -> None:
    store = ingest(tmp_path, _runs(40))
    learned = learn_prices(store, min_rows=30)
    fit = learned["gpt-4o"]
    assert fit.input_usd_per_mtok == pytest.approx(2.0)
    assert fit.output_usd_per_mtok == pytest.approx(8.0)
    assert fit.seconds_per_kilotoken == pytest.approx(20.0)
    table = default_price_table()
    effective = price_table(table, learned)
    gpt = effective.get("gpt-4o")
    assert gpt is not None
    assert gpt.input_usd_per_mtok is not None
    assert gpt.input_usd_per_mtok.value == pytest.approx(2.0)
    assert gpt.input_usd_per_mtok.source == "learned from 40 runs"
    assert gpt.tier == "medium"
    overridden = price_table(
        table,
        learned,
        {
            "gpt-4o": ModelPrice(output_usd_per_mtok=9.0),
            "in-house": ModelPrice(input_usd_per_mtok=1.0, output_usd_per_mtok=2.0),
        },
    )
    gpt = overridden.get("gpt-4o")
    assert gpt is not None
    assert gpt.output_usd_per_mtok is not None
    assert gpt.input_usd_per_mtok is not None
    assert (gpt.output_usd_per_mtok.value, gpt.output_usd_per_mtok.source) == (9.0, ".autotune.yml")
    assert gpt.input_usd_per_mtok.source == "learned from 40 runs"
    house = overridden.get("in-house")
    assert house is not None
    assert house.seconds_per_kilotoken is None
    assert house.input_usd_per_mtok is not None
    assert house.input_usd_per_mtok.value == 1.0


def test_too_few_rows_learn_nothing(tmp_path: Path) -> None:
    learned = learn_prices(ingest(tmp_path, _runs(10)), min_rows=30)
    fit = learned["gpt-4o"]
    assert fit.input_usd_per_mtok is None
    assert fit.seconds_per_kilotoken is None
    gpt = price_table(default_price_table(), learned).get("gpt-4o")
    assert gpt is not None
    assert gpt.input_usd_per_mtok is not None
    assert gpt.input_usd_per_mtok.kind == "table"


def test_latency_ratios_compare_figures_of_the_same_kind(tmp_path: Path) -> None:
    learned = learn_prices(ingest(tmp_path, _runs(40)), min_rows=30)
    effective = price_table(default_price_table(), learned)
    # gpt-4o is learned (20 s), gpt-4o-mini only in the table: both taken from the table
    ratio = effective.latency_ratio("gpt-4o", "gpt-4o-mini")
    assert ratio is not None
    assert ratio[0] == pytest.approx(10.0 / 12.0)
    assert "table" in ratio[1]
    override = price_table(
        default_price_table(), learned, {"gpt-4o-mini": ModelPrice(seconds_per_kilotoken=5.0)}
    )
    ratio = override.latency_ratio("gpt-4o", "gpt-4o-mini")
    assert ratio is not None
    assert ratio[0] == pytest.approx(5.0 / 20.0)
    assert effective.latency_ratio("gpt-4o", "unknown") is None
