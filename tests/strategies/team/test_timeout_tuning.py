"""Timeout tuning on constructed teams: P95 of successful runs + 20 %, never below the
longest successful run, proposed only when it differs meaningfully."""

from __future__ import annotations

import dataclasses
import math
import random

import numpy as np

from autotune_bot.strategies.base import OptionValue, TeamTarget
from autotune_bot.strategies.timeout_tuning import TimeoutTuningStrategy
from autotune_bot.tuning.dimension_names import TIMEOUT_SECONDS

from .conftest import Builder, Member, candidate, execution, team_yaml


def _durations(n: int, median: float, sigma: float, seed: int = 7) -> list[float]:
    rng = random.Random(seed)
    return [round(rng.lognormvariate(math.log(median), sigma), 2) for _ in range(n)]


def _target(
    builder: Builder,
    durations: list[float],
    timeout: float | None,
    hung: list[float] | None = None,
    options: dict[str, OptionValue] | None = None,
) -> TeamTarget:
    """Successful runs of ``durations`` and failed runs of ``hung`` seconds."""
    records = [
        execution("crew", i, {"writer": Member(d - 1.0)}, success=True, duration=d)
        for i, d in enumerate(durations)
    ]
    records += [
        execution(
            "crew", len(records) + i, {"writer": Member(d - 1.0, False)}, success=False, duration=d
        )
        for i, d in enumerate(hung or [])
    ]
    settings = {} if timeout is None else {"timeout_seconds": timeout}
    yaml = team_yaml("crew", "hierarchical", ["writer"], settings=settings)
    return builder.target(records, yaml, "crew", options)


def _expected(durations: list[float]) -> float:
    return 10.0 * math.ceil(max(np.quantile(durations, 0.95) * 1.2, max(durations)) / 10.0)


def test_healthy_timeout_is_left_alone(builder: Builder) -> None:
    # like the demo's release_team: the timeout already is the P95 plus 20 %, rounded up
    durations = _durations(300, 205.0, 0.07)
    value = _expected(durations)
    target = _target(builder, durations, value)
    assert TimeoutTuningStrategy().propose(target) == []
    assert TimeoutTuningStrategy().dimensions(target) == []
    # within min_change of it: still nothing
    assert TimeoutTuningStrategy().propose(_target(builder, durations, value + 20)) == []


def test_loose_timeout_is_lowered_when_hung_runs_would_stop_sooner(builder: Builder) -> None:
    durations = _durations(300, 205.0, 0.07)
    value = _expected(durations)
    target = _target(builder, durations, 900, hung=[880.0, 890.0, 150.0])
    (proposal,) = TimeoutTuningStrategy().propose(target)
    assert candidate(proposal).timeout_seconds == value
    assert proposal.description == f"Set crew timeout_seconds 900 → {value:g}"
    assert proposal.evidence[0] == "crew has timeout_seconds: 900 (workflows/flow.yaml:7)."
    assert proposal.evidence[1].startswith("300 successful executions: P95 ")
    saved = 880 + 890 - 2 * value
    assert proposal.evidence[3] == (
        f"2 of 3 failed executions ran longer than {value:g} s; they would have been stopped "
        f"{saved:.0f} s earlier in total."
    )
    (dim,) = TimeoutTuningStrategy().dimensions(target)
    assert dim.name == TIMEOUT_SECONDS
    assert dim.choices == (value, math.ceil(value * 1.5 / 10) * 10.0, 900.0)
    assert dim.choices[dim.current] == 900.0


def test_timeout_never_reached_is_left_alone(builder: Builder) -> None:
    durations = _durations(300, 205.0, 0.07)
    target = _target(builder, durations, 900, hung=[150.0])
    assert TimeoutTuningStrategy().propose(target) == []
    plain = _target(builder, durations, 900, options={"require_stopped_runs": False})
    (proposal,) = TimeoutTuningStrategy().propose(plain)
    assert "None of the 300 recorded executions ran longer" in proposal.evidence[3]


def test_missing_timeout_is_added(builder: Builder) -> None:
    durations = _durations(100, 50.0, 0.1)
    target = _target(builder, durations, None)
    (proposal,) = TimeoutTuningStrategy().propose(target)
    assert proposal.description == f"Add timeout_seconds {_expected(durations):g} to crew"
    assert proposal.evidence[0] == "crew writes no timeout_seconds (workflows/flow.yaml:4)."
    (dim,) = TimeoutTuningStrategy().dimensions(target)
    assert dim.choices[-1] is None
    assert dim.current == len(dim.choices) - 1


def test_heavy_tail_of_successes_is_never_cut(builder: Builder) -> None:
    durations = [*_durations(200, 100.0, 0.1), 950.0, 1003.5, 1088.2]
    target = _target(builder, durations, 3000, hung=[2990.0])
    (proposal,) = TimeoutTuningStrategy().propose(target)
    assert candidate(proposal).timeout_seconds == 1090.0  # longest success, rounded up
    assert "longest successful 1088.2 s" in proposal.evidence[2]


def test_options_change_the_rule(builder: Builder) -> None:
    durations = _durations(300, 100.0, 0.05)
    target = dataclasses.replace(
        _target(builder, durations, 900, hung=[899.0]),
        options={"quantile": 0.5, "headroom": 0.0, "round_to": 1},
    )
    (proposal,) = TimeoutTuningStrategy().propose(target)
    assert candidate(proposal).timeout_seconds == math.ceil(max(durations))
