"""Which records are analysed: the latest configuration, a window of days, or everything."""

from __future__ import annotations

import math

import numpy as np
import numpy.typing as npt
import pytest

from autotune_bot.analysis.selection import DAY, select_rows
from autotune_bot.settings import Settings

from .conftest import Synth, team_report, workflow_report

NAMES = ["cfg-a", "cfg-b", "cfg-c"]


def arrays(
    config: list[int], stamps: list[float]
) -> tuple[npt.NDArray[np.intp], npt.NDArray[np.int32], npt.NDArray[np.float64]]:
    """Rows, config codes and timestamps of a table of ``len(config)`` records."""
    return (
        np.arange(len(config), dtype=np.intp),
        np.asarray(config, dtype=np.int32),
        np.asarray(stamps, dtype=np.float64),
    )


def test_current_config_is_the_one_with_the_latest_timestamp_not_the_last_row() -> None:
    # cfg-b's records come first in the file but are the most recent.
    rows, config, stamps = arrays([1] * 5 + [0] * 5, [100.0 + k for k in range(5)] + list(range(5)))
    sel = select_rows(rows, config, stamps, NAMES, current_only=True, window_days=None)
    assert sel.current.config == "cfg-b"
    assert sel.current.rows.tolist() == [0, 1, 2, 3, 4]
    assert (sel.current.first_timestamp, sel.current.last_timestamp) == (100.0, 104.0)
    assert [g.config for g in sel.older] == ["cfg-a"]
    assert sel.older[0].rows.tolist() == [5, 6, 7, 8, 9]
    assert sel.how == "latest configuration cfg-b"


def test_older_configs_are_kept_separately_most_recent_first() -> None:
    rows, config, stamps = arrays([0, 0, 2, 2, 1, 1], [1.0, 2.0, 5.0, 6.0, 3.0, 9.0])
    sel = select_rows(rows, config, stamps, NAMES, current_only=True, window_days=None)
    assert sel.current.config == "cfg-b"  # its last record (t=9) is the most recent
    assert [g.config for g in sel.older] == ["cfg-c", "cfg-a"]
    assert sorted(np.concatenate([sel.current.rows, *(g.rows for g in sel.older)])) == list(
        range(6)
    )


def test_without_timestamps_file_order_decides() -> None:
    rows, config, stamps = arrays([0, 0, 1, 1, 0], [math.nan] * 5)
    sel = select_rows(rows, config, stamps, NAMES, current_only=True, window_days=None)
    assert sel.current.config == "cfg-a"  # it holds the last row
    assert sel.current.rows.tolist() == [0, 1, 4]
    assert math.isnan(sel.current.last_timestamp)


def test_records_without_config_form_one_group() -> None:
    rows, config, stamps = arrays([-1] * 4, [1.0, 2.0, 3.0, 4.0])
    sel = select_rows(rows, config, stamps, NAMES, current_only=True, window_days=None)
    assert sel.current.config is None
    assert sel.current.rows.tolist() == [0, 1, 2, 3]
    assert sel.older == ()
    assert "no config_fingerprint or git_sha" in sel.how


def test_all_configurations_together_when_not_current_only() -> None:
    rows, config, stamps = arrays([0, 1, 0, 1], [1.0, 2.0, 3.0, 4.0])
    sel = select_rows(rows, config, stamps, NAMES, current_only=False, window_days=None)
    assert sel.current.config is None
    assert sel.current.rows.tolist() == [0, 1, 2, 3]
    assert {g.config for g in sel.older} == {"cfg-a", "cfg-b"}
    assert sel.how == "all configurations together"


def test_window_days_keeps_the_last_days_of_data() -> None:
    # One record a day for 31 days; the data's own last day anchors the window.
    days = list(range(31))
    rows, config, stamps = arrays([0] * 31, [1.7e9 + d * DAY for d in days])
    sel = select_rows(rows, config, stamps, NAMES, current_only=True, window_days=7.0)
    assert sel.current.rows.tolist() == list(range(23, 31))  # days 23..30, cut-off included
    assert sel.current.first_timestamp == pytest.approx(1.7e9 + 23 * DAY)
    assert [g.rows.size for g in sel.older] == [23]
    assert sel.how == "records from the last 7 days of data"


def test_no_rows() -> None:
    rows, config, stamps = arrays([], [])
    sel = select_rows(rows, config, stamps, NAMES, current_only=True, window_days=None)
    assert sel.current.rows.size == 0
    assert sel.how == "no records"


# --- through the analyzer ----------------------------------------------------------------


def test_analyzer_profiles_latest_config_and_keeps_older_as_history(synth: Synth) -> None:
    old = synth.team_runs("review", 120, median=10.0)
    for r in old:
        r["git_sha"] = "abc1234"
    new = synth.team_runs("review", 80, median=10.0, first_minute=5000.0, config="fp-2")
    new[0]["git_sha"] = "def5678"  # the fingerprint wins over the commit
    # The newest records are written first: file order must not matter.
    report = team_report(synth.analyze(new + old), "review")
    assert report.selection.current.config == "fp-2"
    assert report.profile.config == "fp-2"
    assert report.profile.runs == 80
    assert [(h.config, h.runs) for h in report.older] == [("abc1234", 120)]


def test_analyzer_window_days(synth: Synth) -> None:
    # One run every 6 hours for 30 days.
    records = synth.team_runs("review", 120)
    for k, r in enumerate(records):
        r["timestamp"] = f"2026-01-{1 + k // 4:02d}T{6 * (k % 4):02d}:00:00+00:00"
    settings = Settings.model_validate({"analysis": {"window_days": 7}})
    report = team_report(synth.analyze(records, settings=settings), "review")
    # Last record: Jan 30 18:00; the window starts Jan 23 18:00 (inclusive).
    assert report.profile.runs == 4 * 7 + 1
    assert sum(h.runs for h in report.older) == 120 - 29


def test_analyzer_records_without_config_are_all_analysed(synth: Synth) -> None:
    report = synth.analyze(synth.team_runs("review", 50) + synth.node_runs("etl", 40, {"a": 1.0}))
    team = team_report(report, "review")
    assert team.selection.current.config is None
    assert team.profile.runs == 50
    assert team.older == ()
    flow = workflow_report(report, "etl")
    assert flow.selection is not None
    assert flow.selection.current.config is None
    assert flow.runs == 40


def test_analyzer_selects_workflow_runs_by_config(synth: Synth) -> None:
    old = synth.node_runs("etl", 30, {"a": 1.0})
    new = synth.node_runs("etl", 20, {"a": 1.0})
    for r in old:
        r["config_fingerprint"] = "old"
    for r in new:
        r["config_fingerprint"] = "new"
        r["timestamp"] = r["timestamp"].replace("2026-01-", "2026-02-")
        r["run_id"] += "-new"
    flow = workflow_report(synth.analyze(old + new), "etl")
    assert flow.selection is not None
    assert flow.selection.current.config == "new"
    assert flow.runs == 20
    assert [g.config for g in flow.selection.older] == ["old"]
