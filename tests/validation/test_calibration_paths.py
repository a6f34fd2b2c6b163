"""The calibration benchmark's batch decision agrees with ``decide`` experiment by experiment."""

from __future__ import annotations

import importlib.util
import sys
from functools import cache
from pathlib import Path
from types import ModuleType

import numpy as np
import pytest

from autotune_bot.settings.proposals import ABTestSettings

BENCH = Path(__file__).resolve().parents[2] / "benchmarks" / "bench_ab_calibration.py"


@cache
def load_benchmark() -> ModuleType:
    spec = importlib.util.spec_from_file_location("bench_ab_calibration", BENCH)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize(
    ("model", "ratio", "n", "method", "rest"),
    [
        ("LN 1.0 + outliers", 0.8, 10, "t", ()),
        ("LN 0.5", 0.6, 12, "rank", ()),
        ("paired run 0.4", 0.7, 8, "t", ()),
        ("paired run 0.2", 0.9, 10, "rank", ()),
        ("LN 0.5", 0.6, 10, "t", (0.85,)),
        ("LN 0.5", 0.6, 10, "t", (0.9, 0.75)),  # the success guardrail truly violated
        ("LN 0.5", 0.6, 10, "t", (1.0, None, 0.5, 1.4)),  # cost beyond its tolerance
        ("cycled 4 inputs", 0.7, 10, "t", ()),  # repeated inputs: one unit per input
        ("cycled 10 inputs", 0.75, 20, "rank", ()),
    ],
)
def test_batch_statuses_equal_decide(
    model: str, ratio: float, n: int, method: str, rest: tuple[object, ...]
) -> None:
    bench = load_benchmark()
    cell = bench.Cell(0, model, ratio, n, method, *rest)
    settings = ABTestSettings(method=method)  # type: ignore[arg-type]
    data = bench.simulate(cell, 50, np.random.default_rng(42))
    status = bench.batch_statuses(cell, *data, settings)["status"]
    one_by_one = [
        bench.decide_one(cell, *(a[i] for a in data), settings) for i in range(len(status))
    ]
    assert status.tolist() == one_by_one
    # the cells are chosen so that the comparison covers more than one verdict
    assert len(set(one_by_one)) >= 2
