"""Model prices and latencies: a built-in table, values learned from the metrics, overrides.

Three layers, later ones winning value by value: the table shipped with the package
(``data/model_prices.json``: public list prices as of its ``as_of`` date, rough latencies),
values learned from node rows of the metrics (:func:`learn_prices`), and the ``models:``
section of ``.autotune.yml``. Every value carries where it came from, so an estimate can say
"gpt-4o-mini output price: learned from 694 runs".
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from importlib import resources
from typing import Any, Literal

import numpy as np
import numpy.typing as npt

from autotune_bot.metrics.columns import MetricsStore
from autotune_bot.settings.models import ModelPrice

__all__ = [
    "LearnedModel",
    "ModelPrices",
    "PriceTable",
    "Priced",
    "default_price_table",
    "learn_prices",
    "load_price_table",
    "price_table",
]

F64 = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.intp]
SourceKind = Literal["table", "learned", "settings"]
_PRICE_KEYS = ("input_usd_per_mtok", "output_usd_per_mtok", "seconds_per_kilotoken")
_DATE_SUFFIX = re.compile(r"-(\d{8}|\d{4}-\d{2}-\d{2}|latest)$")


@dataclass(frozen=True, slots=True)
class Priced:
    """One number with its provenance."""

    value: float
    source: str  # "table (as of 2025-06-01)", "learned from 694 runs", ".autotune.yml"
    kind: SourceKind


@dataclass(frozen=True, slots=True)
class ModelPrices:
    """What a model costs per token and how fast it writes (None where unknown)."""

    model: str
    input_usd_per_mtok: Priced | None = None
    output_usd_per_mtok: Priced | None = None
    seconds_per_kilotoken: Priced | None = None
    tier: str | None = None  # small | medium | large (table only)

    def token_cost(self, input_tokens: F64, output_tokens: F64) -> F64 | None:
        """USD for the given token counts, or None when a price is unknown."""
        if self.input_usd_per_mtok is None or self.output_usd_per_mtok is None:
            return None
        cost: F64 = (
            input_tokens * self.input_usd_per_mtok.value
            + output_tokens * self.output_usd_per_mtok.value
        ) / 1e6
        return cost


@dataclass(frozen=True, slots=True)
class LearnedModel:
    """Per-model values fitted from node rows (None where the data did not support a fit)."""

    model: str
    cost_rows: int
    input_usd_per_mtok: float | None
    output_usd_per_mtok: float | None
    latency_rows: int
    seconds_per_kilotoken: float | None


@dataclass(frozen=True)
class PriceTable:
    """Effective prices by model name, plus the table layer alone (for like-for-like
    latency ratios)."""

    models: Mapping[str, ModelPrices]
    table: Mapping[str, ModelPrices] = field(default_factory=dict)
    as_of: str | None = None

    def get(self, model: str) -> ModelPrices | None:
        """Prices of ``model``; also matches case-insensitively, without a ``provider/``
        prefix and without a date or ``-latest`` suffix."""
        return _lookup(self.models, model)

    def tier(self, model: str) -> str | None:
        found = self.get(model)
        return found.tier if found is not None else None

    def latency_ratio(self, old: str, new: str) -> tuple[float, str] | None:
        """Seconds per output token of ``new`` / ``old`` and where the figures come from.

        Values of the same kind are compared: effective values when both are learned or either
        is a settings override, else the table's figures for both when the table has them
        (a learned latency includes tool and prompt time that a table figure does not). None
        when either model has no latency.
        """
        a, b = self.get(old), self.get(new)
        if a is None or b is None:
            return None
        la, lb = a.seconds_per_kilotoken, b.seconds_per_kilotoken
        if la is None or lb is None or la.value <= 0:
            return None
        if la.kind != lb.kind and "settings" not in (la.kind, lb.kind):
            ta, tb = _lookup(self.table, old), _lookup(self.table, new)
            if ta is not None and tb is not None:
                sa, sb = ta.seconds_per_kilotoken, tb.seconds_per_kilotoken
                if sa is not None and sb is not None and sa.value > 0:
                    la, lb = sa, sb
        how = f"{old}: {la.source}; {new}: {lb.source}"
        if la.kind != lb.kind:
            how += " (different sources: rough)"
        return lb.value / la.value, how


def _lookup(models: Mapping[str, ModelPrices], model: str) -> ModelPrices | None:
    for name in _spellings(model):
        if name in models:
            return models[name]
    return None


def _spellings(model: str) -> list[str]:
    lowered = model.strip().lower()
    bare = lowered.rsplit("/", 1)[-1]
    return [model, lowered, bare, _DATE_SUFFIX.sub("", bare)]


def load_price_table(text: str) -> PriceTable:
    """Parse the JSON price table (``source``, ``as_of``, ``models: {name: {...}}``).

    Raises ``ValueError`` for a malformed table (it ships with the package)."""
    data: Any = json.loads(text)
    if not isinstance(data, dict) or not isinstance(data.get("models"), dict):
        raise ValueError("price table: expected an object with a `models` object")
    as_of = str(data.get("as_of", "unknown date"))
    source = f"table (as of {as_of})"
    models: dict[str, ModelPrices] = {}
    for name, entry in data["models"].items():
        if not isinstance(entry, dict):
            raise ValueError(f"price table: model {name!r} is not an object")
        values: dict[str, Priced | None] = {}
        for key in _PRICE_KEYS:
            raw = entry.get(key)
            if raw is not None and (not isinstance(raw, int | float) or raw < 0):
                raise ValueError(f"price table: {name}.{key} must be a number >= 0")
            values[key] = Priced(float(raw), source, "table") if raw is not None else None
        tier = entry.get("tier")
        models[str(name)] = ModelPrices(
            str(name),
            values["input_usd_per_mtok"],
            values["output_usd_per_mtok"],
            values["seconds_per_kilotoken"],
            str(tier) if tier is not None else None,
        )
    return PriceTable(models, dict(models), as_of)


def default_price_table() -> PriceTable:
    """The table shipped with the package."""
    text = resources.files("autotune_bot").joinpath("data/model_prices.json").read_text("utf-8")
    return load_price_table(text)


def learn_prices(
    store: MetricsStore, node_rows: IntArray | None = None, *, min_rows: int = 30
) -> dict[str, LearnedModel]:
    """Per-model prices and latency fitted from node rows (all node rows when None).

    Cost: least squares of the node's LLM cost (its ``cost`` minus its tools' recorded cost)
    on (input, output) tokens without intercept, over rows with model, tokens, cost and
    duration; kept when there are ``min_rows`` such rows, both coefficients are >= 0 and the
    fit explains the costs (relative RMS residual <= 0.25). Latency: the median of duration /
    output tokens, over rows without recorded tool use when ``min_rows`` of those exist (tool
    time is not generation time), else over all rows with output tokens.
    """
    n = store.nodes
    rows = np.arange(len(n), dtype=np.intp) if node_rows is None else node_rows
    tool_cost = np.zeros(len(n))
    tool_count = np.zeros(len(n))
    tu = store.tool_use
    np.add.at(tool_cost, tu.node_row, np.nan_to_num(tu.cost))
    np.add.at(tool_count, tu.node_row, np.nan_to_num(tu.count))
    learned: dict[str, LearnedModel] = {}
    for code in np.unique(n.model[rows]).tolist():
        if code < 0:
            continue
        mine = rows[n.model[rows] == code]
        ins, outs, dur = n.input_tokens[mine], n.output_tokens[mine], n.duration[mine]
        usable = np.isfinite(ins) & np.isfinite(outs) & (outs > 0) & np.isfinite(dur) & (dur > 0)
        llm_cost = n.cost[mine] - tool_cost[mine]
        costed = usable & np.isfinite(llm_cost) & (llm_cost >= 0)
        fit = _fit_cost(ins[costed], outs[costed], llm_cost[costed], min_rows)
        plain = usable & (tool_count[mine] == 0)
        timed = plain if int(plain.sum()) >= min_rows else usable
        latency = None
        if int(timed.sum()) >= min_rows:
            latency = float(np.median(dur[timed] / outs[timed])) * 1000.0
        name = store.model_names.name(code) or "?"
        learned[name] = LearnedModel(
            name,
            int(costed.sum()),
            fit[0] if fit else None,
            fit[1] if fit else None,
            int(timed.sum()),
            latency,
        )
    return learned


def _fit_cost(ins: F64, outs: F64, cost: F64, min_rows: int) -> tuple[float, float] | None:
    if ins.size < min_rows:
        return None
    design = np.stack([ins, outs], axis=1) / 1e6
    coef, _, rank, _ = np.linalg.lstsq(design, cost, rcond=None)
    if rank < 2 or bool(np.any(coef < 0)):
        return None
    residual = cost - design @ coef
    scale = float(np.mean(cost))
    if scale <= 0 or float(np.sqrt(np.mean(residual**2))) > 0.25 * scale:
        return None
    return float(coef[0]), float(coef[1])


def price_table(
    table: PriceTable,
    learned: Mapping[str, LearnedModel] | None = None,
    overrides: Mapping[str, ModelPrice] | None = None,
) -> PriceTable:
    """The effective table: ``table`` ∪ ``learned`` ∪ ``overrides`` (``models:`` of
    ``.autotune.yml``), later layers winning value by value."""
    models = dict(table.models)
    for name, fit in (learned or {}).items():
        key = _key(models, name)
        base = models.get(key, ModelPrices(key))
        values = {
            "input_usd_per_mtok": (fit.input_usd_per_mtok, fit.cost_rows),
            "output_usd_per_mtok": (fit.output_usd_per_mtok, fit.cost_rows),
            "seconds_per_kilotoken": (fit.seconds_per_kilotoken, fit.latency_rows),
        }
        changes = {
            k: Priced(v, f"learned from {rows} runs", "learned")
            for k, (v, rows) in values.items()
            if v is not None
        }
        models[key] = _updated(base, changes)
    for name, override in (overrides or {}).items():
        key = _key(models, name)
        base = models.get(key, ModelPrices(key))
        changes = {
            k: Priced(float(v), ".autotune.yml", "settings")
            for k in _PRICE_KEYS
            if (v := getattr(override, k)) is not None
        }
        models[key] = _updated(base, changes)
    return PriceTable(models, table.table, table.as_of)


def _updated(base: ModelPrices, changes: Mapping[str, Priced]) -> ModelPrices:
    return ModelPrices(
        base.model,
        changes.get("input_usd_per_mtok", base.input_usd_per_mtok),
        changes.get("output_usd_per_mtok", base.output_usd_per_mtok),
        changes.get("seconds_per_kilotoken", base.seconds_per_kilotoken),
        base.tier,
    )


def _key(models: Mapping[str, ModelPrices], name: str) -> str:
    """The existing entry ``name`` refers to, or ``name`` itself for a new model."""
    found = _lookup(models, name)
    return found.model if found is not None else name
