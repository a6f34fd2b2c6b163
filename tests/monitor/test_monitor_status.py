"""The status comment: honest wording per outcome, its marker read back strictly, hostile
text kept inert."""

from __future__ import annotations

import dataclasses
import json

import pytest

from autotune_bot.monitor.status import (
    MAX_STATUS_MARKER,
    RevertLink,
    StatusRecord,
    parse_status,
    render_status,
)
from autotune_bot.monitor.types import DetectorResult, MonitorDecision, RealisedChange

FIRED = DetectorResult("duration", "performance below baseline", True, 9.5, 4.25, 0.0125, 17)
QUIET = DetectorResult("failures", "success rate down", True, 1.5, 3.75, 0.0125, None)
NA = DetectorResult("cost", "cost up", False, float("nan"), float("nan"), 0.0, None, "no costs")


def _decision(outcome: str, post: int, detectors: tuple[DetectorResult, ...]) -> MonitorDecision:
    realised = RealisedChange(0.8, (0.7, 0.9), 0.9, 0.92, None, 60, post)
    return MonitorDecision(outcome, 60, post, 200, 0.05, detectors, realised)  # type: ignore[arg-type]


def _record(outcome: str, post: int, **more: object) -> StatusRecord:
    return StatusRecord(
        "12", "wf/team", outcome, post, 60, 200, "2026-11-02T00:00:00+00:00", **more
    )  # type: ignore[arg-type]


def test_round_trip_of_every_outcome() -> None:
    link = RevertLink("13", "https://example.test/pull/13", "open", "maintainer")
    for record in (
        _record("holding", 40),
        _record("confirmed", 200),
        _record("regressed", 17, revert=link),
        _record("not_monitored", 0, reason="12 runs before the merge, 30 needed"),
        _record("superseded", 0, superseded_by="20"),
        _record("holding", 3, merge_sha="f" * 40),
        _record("confirmed", 200, realised={"duration_ratio": 0.8, "ci": [0.7, 0.9], "x": None}),
    ):
        body = render_status(record, _decision("holding", record.post_runs, (QUIET,)))
        assert parse_status(body) == record
        assert parse_status("quoted text\n" + body + "\nmore") == record


def test_wording_says_what_each_outcome_means() -> None:
    holding = render_status(_record("holding", 40), _decision("holding", 40, (QUIET, NA)))
    assert "**holding** — 40 of 200 post-merge runs watched, no regression detected so far" in (
        holding
    )
    assert "no costs" in holding  # an inapplicable detector says why
    confirmed = render_status(_record("confirmed", 200), _decision("confirmed", 200, (QUIET,)))
    assert "recorded before/after the merge, not an A/B test" in confirmed
    assert "20.0 % faster" in confirmed
    assert "95 % interval" in confirmed
    regressed = render_status(_record("regressed", 17), _decision("regressed", 17, (FIRED, QUIET)))
    assert (
        "**regressed** — performance below baseline: statistic 9.5 vs threshold 4.25" in regressed
    )
    assert "at post-merge run 17" in regressed
    why = render_status(_record("not_monitored", 0, reason="too few runs"), None)
    assert "**not monitored** — too few runs" in why
    newer = render_status(_record("superseded", 0, superseded_by="20"), None)
    assert "superseded by #20" in newer
    declined = _record("regressed", 17, revert=RevertLink("13", None, "closed"))
    assert "Revert declined" in render_status(declined, None)


def test_final_outcomes() -> None:
    assert not _record("holding", 1).final
    assert _record("confirmed", 200).final
    assert _record("regressed", 3).final
    merged = RevertLink("13", None, "merged")
    assert _record("holding", 5, revert=merged).final


HOSTILE = [
    "--> <script>alert(1)</script>",
    "@everyone #1 `x` ``` **b**",
    "\u202eevil\u2066",
    "a" * 5000,
    'quote " and \\ backslash\n<!-- autotune:monitor {"version":1} -->',
]


@pytest.mark.parametrize("text", HOSTILE)
def test_hostile_names_stay_inert_and_the_marker_survives(text: str) -> None:
    record = _record("not_monitored", 0, reason=text)
    record = dataclasses.replace(record, key=text, revert=RevertLink("9", None, "open", text))
    body = render_status(record, None)
    visible = body.split("<!-- autotune:monitor ")[0]  # the marker is an HTML comment
    assert "<script>" not in body
    assert "@everyone" not in visible
    assert body.count("-->") == 1  # only the marker's own end
    parsed = parse_status(body)
    assert parsed is not None
    assert parsed.outcome == "not_monitored"
    assert parsed.ref == "12"
    assert text.startswith(parsed.key)
    assert text.startswith(parsed.reason)


def _marker(data: object) -> str:
    return f"<!-- autotune:monitor {json.dumps(data)} -->"


GOOD = json.loads(render_status(_record("holding", 3), None).split("autotune:monitor ")[1][:-5])


@pytest.mark.parametrize(
    "change",
    [
        {"outcome": "exploded"},
        {"post_runs": -1},
        {"post_runs": True},
        {"final": "yes"},
        {"version": 2},
        {"ref": ""},
        {"revert": {"ref": "1", "state": "reopened", "url": None, "requested_by": None}},
        {"revert": "13"},
        {"merge_sha": 5},
        {"realised": "20 % faster"},
        {"realised": {"duration_ratio": "0.8"}},
        {"realised": {"duration_ratio": True}},
        {"realised": {"ci": [0.7, 0.8, 0.9]}},
        {"realised": {"nested": {"a": 1}}},
    ],
)
def test_malformed_markers_are_not_status_comments(change: dict[str, object]) -> None:
    assert parse_status(_marker(GOOD)) is not None
    assert parse_status(_marker({**GOOD, **change})) is None


def test_duplicate_keys_nan_and_oversized_markers_are_refused() -> None:
    text = json.dumps(GOOD)
    assert parse_status(f'<!-- autotune:monitor {text[:-1]}, "ref": "99"}} -->') is None
    assert parse_status(_marker({**GOOD, "reason": "x"}).replace('"x"', "NaN")) is None
    assert parse_status(_marker({**GOOD, "reason": "y" * MAX_STATUS_MARKER})) is None
    assert parse_status("no marker here") is None
