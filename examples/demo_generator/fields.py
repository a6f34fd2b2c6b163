"""How values are written into records: rounding, UTC timestamps and LLM cost."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from .parameters import PRICES

Record = dict[str, Any]


def r2(x: float) -> float:
    return round(x, 2)


def r6(x: float) -> float:
    return round(x, 6)


def iso(t: datetime) -> str:
    return t.isoformat(timespec="seconds").replace("+00:00", "Z")


def after(t: datetime, seconds: float) -> datetime:
    return t + timedelta(seconds=seconds)


def llm_cost(model: str, tokens_in: int, tokens_out: int) -> float:
    price_in, price_out = PRICES[model]
    return (tokens_in * price_in + tokens_out * price_out) / 1_000_000
