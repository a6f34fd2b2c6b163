"""A naive merge time is taken as UTC (as naive metrics timestamps are), whatever the
machine's local time zone: the split does not depend on the environment."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from autotune_bot.monitor.split import split_runs
from tests.monitor.test_monitor_split import MERGED, TEAM, _store, _team


def test_a_naive_merge_time_is_utc_in_any_local_time_zone(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    hour = 3600.0
    records = [_team(-3 * hour, 10.0), _team(-0.5 * hour, 11.0)]
    records += [_team(0.5 * hour, 20.0, cfg="new"), _team(3 * hour, 21.0, cfg="new")]
    store = _store(tmp_path, records)
    aware = split_runs(store, TEAM, MERGED, baseline_cap=100)
    assert (aware.baseline.durations, aware.post.durations) == ((10.0, 11.0), (20.0, 21.0))
    naive = MERGED.replace(tzinfo=None)
    try:
        for zone in ("Asia/Tokyo", "America/Los_Angeles", "UTC"):
            monkeypatch.setenv("TZ", zone)
            time.tzset()
            assert split_runs(store, TEAM, naive, baseline_cap=100) == aware, zone
    finally:
        monkeypatch.undo()
        time.tzset()
