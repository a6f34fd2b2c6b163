"""The Python API of monitoring: OptimizationMonitor.check on plain records,
check_repository on a real git repository, and PerformanceAutotuner.check_regression with and
without automatic rollback."""

from __future__ import annotations

import asyncio
import math
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from autotune_bot import OptimizationMonitor, PerformanceAutotuner, Settings
from autotune_bot.errors import UsageError
from autotune_bot.monitor.api import run_series
from autotune_bot.monitor.types import RunSeries
from tests.gitops.monitor_repo import REVERT, merged_repo, post_merge
from tests.repo_helpers import DEMO, changed, git, make_repo, snapshot

Record = dict[str, Any]
REVIEW_METRICS = DEMO / "metrics" / "teams" / "review_team.json"
SEED_CONFIG = {"formation": "sequential", "member_count": 4}
NOW = datetime(2026, 12, 1, tzinfo=UTC)


def records(rng: np.random.Generator, n: int, *, slowdown: float = 1.0) -> list[Record]:
    """n runs as users record them: log-normal durations (σ 0.5) times ``slowdown``,
    successes with probability 0.9, log-normal costs."""
    durations = slowdown * np.exp(0.5 * rng.standard_normal(n))
    successes = rng.random(n) < 0.9
    costs = np.exp(0.5 * rng.standard_normal(n))
    return [
        {"duration_seconds": float(d), "success": bool(s), "cost_usd": float(c)}
        for d, s, c in zip(durations, successes, costs, strict=True)
    ]


@pytest.fixture(scope="module")
def before() -> list[Record]:
    return records(np.random.default_rng(20261207), 100)


def test_no_change_holds_then_confirms(before: list[Record]) -> None:
    monitor = OptimizationMonitor()
    horizon = monitor.settings.monitoring.horizon_runs
    after = records(np.random.default_rng(1207), horizon)
    early = monitor.check(before, after[: horizon // 4])
    assert early.outcome == "holding"
    assert early.post_runs == horizon // 4
    assert early.triggers == ()
    done = monitor.check(before, after)
    assert done.outcome == "confirmed"
    assert done.post_runs == horizon
    assert done.realised is not None


def test_planted_slowdown_regresses_on_duration(before: list[Record]) -> None:
    after = records(np.random.default_rng(1208), 80, slowdown=2.0)
    decision = OptimizationMonitor().check(before, after)
    assert decision.outcome == "regressed"
    assert "duration" in {d.name for d in decision.triggers}
    assert decision.realised is not None
    assert decision.realised.duration_ratio is not None
    assert decision.realised.duration_ratio > 1.0


def test_the_settings_configure_the_check(before: list[Record]) -> None:
    settings = Settings.model_validate({"monitoring": {"horizon_runs": 40, "min_runs": 30}})
    after = records(np.random.default_rng(1209), 40)
    decision = OptimizationMonitor(settings).check(before, after)
    assert decision.horizon == 40
    assert decision.outcome == "confirmed"
    too_few = OptimizationMonitor(settings).check(before[:29], after)
    assert too_few.outcome == "not_monitored"


def test_run_series_and_records_give_the_same_decision(before: list[Record]) -> None:
    after = records(np.random.default_rng(1210), 60, slowdown=1.5)
    monitor = OptimizationMonitor()
    as_series = monitor.check(run_series(before, "before"), run_series(after, "after"))
    assert as_series == monitor.check(before, after)
    mixed = monitor.check(run_series(before, "before"), after)
    assert mixed == as_series
    by_hand = RunSeries(
        tuple(r["duration_seconds"] for r in after),
        tuple(r["success"] for r in after),
        tuple(r["cost_usd"] for r in after),
    )
    assert run_series(by_hand, "after") is by_hand
    assert monitor.check(before, by_hand) == as_series


def test_record_fields_and_unrecorded_values() -> None:
    rows: list[Record] = [
        {"duration": 2.0, "success": True, "cost": 0.5},
        {"duration_seconds": 3.0, "success": False, "cost_usd": 0.25},
        {"success": True},
        {"duration": None, "duration_seconds": None, "success": np.bool_(True)},
        {"duration": math.nan, "success": True, "cost": -1.0},
        {"duration": 0, "success": False, "cost": 0.0},
        {"duration": -4.0, "success": True, "cost": math.inf},
    ]
    series = run_series(rows, "before")
    assert series.durations[:2] == (2.0, 3.0)
    assert series.successes == (True, False, True, True, True, False, True)
    assert series.costs[:2] == (0.5, 0.25)
    assert all(math.isnan(d) for d in series.durations[2:])
    assert all(math.isnan(c) for c in series.costs[2:])
    assert series.timed == 2
    assert series.costed == 2


@pytest.mark.parametrize(
    ("record", "field"),
    [
        ({"duration": 1.0}, "after[2].success"),
        ({"duration": 1.0, "success": None}, "after[2].success"),
        ({"duration": 1.0, "success": "yes"}, "after[2].success"),
        ({"duration": 1.0, "success": 1}, "after[2].success"),
        ({"duration": "1.5", "success": True}, "after[2].duration"),
        ({"duration_seconds": True, "success": True}, "after[2].duration_seconds"),
        ({"success": True, "cost_usd": "cheap"}, "after[2].cost_usd"),
        (["duration", 1.0], "after[2]"),
    ],
)
def test_a_bad_record_is_a_usage_error_naming_it(record: Any, field: str) -> None:
    good = {"duration": 1.0, "success": True}
    with pytest.raises(UsageError) as info:
        OptimizationMonitor().check([good] * 40, [good, good, record])
    assert info.value.field == field
    assert str(info.value).startswith(f"{field}: ")
    assert "\n" not in str(info.value)


@pytest.mark.parametrize("runs", ["runs", {"success": True}, 5])
def test_runs_must_be_a_list_or_a_run_series(runs: Any) -> None:
    with pytest.raises(UsageError) as info:
        OptimizationMonitor().check(runs, [])
    assert info.value.field == "before"


def test_importing_the_package_stays_light() -> None:
    script = (
        "import sys\n"
        "import autotune_bot\n"
        "light = 'numpy' not in sys.modules and 'scipy' not in sys.modules\n"
        "from autotune_bot import OptimizationMonitor\n"
        "assert 'OptimizationMonitor' in autotune_bot.__all__\n"
        "still = 'numpy' not in sys.modules\n"
        "print('LIGHT', light, still, OptimizationMonitor.__module__)\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "LIGHT True True autotune_bot.monitor.api"


# check_repository ----------------------------------------------------------------------


def _refs(repo: Path) -> str:
    return git(repo, "for-each-ref", "--format=%(refname) %(objectname)")


def test_a_repository_with_nothing_merged(tmp_path: Path) -> None:
    repo = make_repo(tmp_path)
    files, refs = snapshot(repo), _refs(repo)
    report = OptimizationMonitor().check_repository(repo, now=NOW)
    assert report.dry_run is True
    assert report.forge == "local"
    assert report.watched == []
    assert report.effects == []
    assert report.errors == []
    assert changed(files, snapshot(repo)) == set()
    assert _refs(repo) == refs


def test_check_repository_dry_run_plans_a_revert_and_writes_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    repo = _merged_repo(tmp_path, monkeypatch)
    files, refs = snapshot(repo), _refs(repo)
    monitor = OptimizationMonitor()
    report = monitor.check_repository(str(repo))  # now: the current time
    (watched,) = report.watched
    assert watched.outcome == "regressed"
    # a revert and a status comment would be written
    assert [type(e).__name__ for e in report.effects] == ["OpenRevert", "PostStatus"]
    assert changed(files, snapshot(repo)) == set()
    assert _refs(repo) == refs
    # asked to, it writes them: a revert branch appears
    written = monitor.check_repository(repo, dry_run=False, now=NOW)
    assert [d.action for d in written.reverts] == ["opened"]
    new = set(_refs(repo).splitlines()) - set(refs.splitlines())
    assert [line.split()[0] for line in new] == [f"refs/heads/{REVERT}"]


def _merged_repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The example, its proposal merged, then twice-as-slow runs."""
    repo = merged_repo(tmp_path, monkeypatch)
    post_merge(repo, slowdown=2.0, seed=20261207)
    return repo


def test_check_repository_checks_its_arguments(tmp_path: Path) -> None:
    monitor = OptimizationMonitor()
    with pytest.raises(UsageError) as info:
        monitor.check_repository(tmp_path / "missing")
    assert info.value.field == "repo"
    with pytest.raises(UsageError) as info:
        monitor.check_repository(tmp_path, now=datetime(2026, 12, 1))
    assert info.value.field == "now"


# PerformanceAutotuner.check_regression ---------------------------------------------------


def _applied(enable_auto_rollback: bool) -> PerformanceAutotuner:
    tuner = PerformanceAutotuner(search=False, enable_auto_rollback=enable_auto_rollback)
    tuner.load_metrics_from_file(REVIEW_METRICS)
    suggestions = tuner.suggest_optimizations("review_team", current_config=SEED_CONFIG)
    asyncio.run(tuner.apply_optimizations("review_team", suggestions[:1], SEED_CONFIG))
    assert len(tuner.get_optimization_history("review_team")) == 1
    return tuner


def test_a_regression_is_rolled_back_when_enabled(before: list[Record]) -> None:
    tuner = _applied(enable_auto_rollback=True)
    slow = records(np.random.default_rng(1211), 80, slowdown=2.0)
    decision = asyncio.run(tuner.check_regression("review_team", before, slow))
    assert decision.outcome == "regressed"
    assert tuner.get_optimization_history("review_team") == []
    assert "rolled back" in decision.notes[-1]
    # again: nothing left to roll back, and the notes say so
    again = asyncio.run(tuner.check_regression("review_team", before, slow))
    assert again.outcome == "regressed"
    assert "nothing applied" in again.notes[-1]


def test_only_reported_when_auto_rollback_is_off(before: list[Record]) -> None:
    tuner = _applied(enable_auto_rollback=False)
    slow = records(np.random.default_rng(1211), 80, slowdown=2.0)
    decision = asyncio.run(tuner.check_regression("review_team", before, slow))
    assert decision.outcome == "regressed"
    assert len(tuner.get_optimization_history("review_team")) == 1
    assert "automatic rollback is off" in decision.notes[-1]


def test_no_regression_rolls_nothing_back(before: list[Record]) -> None:
    tuner = _applied(enable_auto_rollback=True)
    same = records(np.random.default_rng(1212), 50)
    decision = asyncio.run(tuner.check_regression("review_team", before, same))
    assert decision.outcome == "holding"
    assert len(tuner.get_optimization_history("review_team")) == 1
    assert not any("roll" in note for note in decision.notes)


def test_a_repository_change_is_rolled_back_in_its_history(
    before: list[Record], tmp_path: Path
) -> None:
    import shutil

    from autotune_bot.cli import main

    repo = Path(shutil.copytree(DEMO, tmp_path / "repo"))
    assert main(["apply", "--auto", "--team-id", "review_team", "--repo", str(repo)]) == 0
    review = repo / "workflows" / "code_review.yaml"
    assert review.read_bytes() != (DEMO / "workflows" / "code_review.yaml").read_bytes()
    tuner = PerformanceAutotuner(search=False)
    tuner.use_repository(repo)
    slow = records(np.random.default_rng(1213), 80, slowdown=2.0)
    decision = asyncio.run(tuner.check_regression("review_team", before, slow))
    assert decision.outcome == "regressed"
    kinds = [e.get("kind") for e in tuner.get_optimization_history("review_team")]
    assert kinds == ["rollback", "apply"]
    assert review.read_bytes() == (DEMO / "workflows" / "code_review.yaml").read_bytes()
    # a target the history does not know: noted, not raised
    unknown = asyncio.run(tuner.check_regression("nope", before, slow))
    assert unknown.outcome == "regressed"
    assert "not done" in unknown.notes[-1]
