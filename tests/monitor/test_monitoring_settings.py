"""The ``monitoring`` settings section the statistics read."""

from __future__ import annotations

import pytest

from autotune_bot.settings import InvalidSettingsError, parse_settings_text, settings_json_schema


def test_defaults_and_new_keys() -> None:
    text = "monitoring: {horizon_runs: 150, baseline_runs: 90}\n"
    m = parse_settings_text(text, "x.yml").monitoring
    assert (m.min_runs, m.false_alarm_rate, m.horizon_runs, m.baseline_runs) == (30, 0.05, 150, 90)
    d = parse_settings_text("", "x.yml").monitoring
    assert (d.horizon_runs, d.baseline_runs) == (200, 200)


def test_baseline_cap_below_min_runs_is_one_clear_problem() -> None:
    with pytest.raises(InvalidSettingsError) as caught:
        parse_settings_text("monitoring: {min_runs: 50, baseline_runs: 40}\n", "x.yml")
    assert [str(p) for p in caught.value.problems] == [
        "x.yml:1: monitoring: baseline_runs (40) must be at least min_runs (50), or no change "
        "could be monitored"
    ]


@pytest.mark.parametrize("key", ["horizon_runs", "baseline_runs"])
def test_new_keys_must_be_positive_integers(key: str) -> None:
    with pytest.raises(InvalidSettingsError, match=f"monitoring.{key}"):
        parse_settings_text(f"monitoring: {{{key}: 0}}\n", "x.yml")


def test_schema_describes_the_new_keys() -> None:
    props = settings_json_schema()["$defs"]["MonitoringSettings"]["properties"]
    assert props["horizon_runs"]["minimum"] == 1
    assert props["horizon_runs"]["description"]
    assert "before the merge" in props["min_runs"]["description"]
