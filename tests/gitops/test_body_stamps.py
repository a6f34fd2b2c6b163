"""Restamping a body's marker and the superseded notice."""

from __future__ import annotations

from datetime import UTC, datetime

from autotune_bot.gitops.body_fit import BODY_LIMIT, text_size
from autotune_bot.gitops.body_stamps import (
    STAMP_RESERVE,
    notice_reason,
    restamp,
    same_notice,
    with_notice,
    without_notice,
)
from autotune_bot.gitops.marker import parse_marker, render_marker
from autotune_bot.gitops.types import Proposal

NOW = datetime(2026, 2, 3, 23, 59, tzinfo=UTC)
META = {"version": 1, "key": "w/t", "branch": "autotune/w/t", "evidence_key": "e1"}


def _proposal(body: str) -> Proposal:
    return Proposal(
        key="w/t",
        branch="autotune/w/t",
        files={},
        diff="",
        title="t",
        body=body,
        evidence_key="e1",
        validation_status="not_validated",
        metadata=META,
    )


def test_restamp_replaces_the_last_marker_and_keeps_the_rest() -> None:
    quoted = render_marker({**META, "key": "quoted/in/a/diff"})
    body = f"intro\n\n```diff\n+{quoted}\n```\n\n{render_marker(META)}\n"
    stamped = restamp(_proposal(body), head="abc", branch="bots/w/t")
    assert stamped.branch == "bots/w/t"
    assert stamped.metadata == {**META, "head": "abc", "branch": "bots/w/t"}
    assert parse_marker(stamped.body) == stamped.metadata
    assert stamped.body.startswith(f"intro\n\n```diff\n+{quoted}\n```\n\n<!-- autotune:proposal ")
    assert stamped.body.endswith(" -->\n")
    cleared = restamp(stamped, head=None)  # None removes a field
    assert "head" not in cleared.metadata
    assert parse_marker(cleared.body) == cleared.metadata


def test_restamp_appends_a_marker_to_a_body_without_one() -> None:
    stamped = restamp(_proposal("no marker"), head="abc")
    assert stamped.body.startswith("no marker\n\n<!-- autotune:proposal ")
    assert parse_marker(stamped.body) == {**META, "head": "abc"}


def test_notice_at_the_top_escaped_read_back_and_replaced() -> None:
    body = f"## autotune proposal\n\n{render_marker(META)}\n"
    reason = "the A/B test failed: @octocat <b>slower</b> --> #12"
    noticed = with_notice(body, reason, NOW)
    assert noticed is not None
    first = noticed.splitlines()[:3]
    assert first[0].startswith("<!-- autotune:superseded {")
    assert "-->" not in first[0][: -len(" -->")]  # the reason cannot end the comment early
    assert first[1] == "> [!WARNING]"
    assert first[2].startswith("> ⚠ **Superseded:** the latest run (2026-02-03) no longer")
    shown = "\n".join(noticed.splitlines()[1:])  # what GitHub renders (not the comment)
    assert "@octocat" not in shown  # no mention, no HTML, no issue reference
    assert "<b>" not in shown
    assert "#12" not in shown
    assert noticed.endswith(body)
    assert notice_reason(noticed) == reason
    assert parse_marker(noticed) == META
    again = with_notice(noticed, "another reason", NOW)
    assert again is not None
    assert notice_reason(again) == "another reason"
    assert again.count("<!-- autotune:superseded ") == 1
    assert without_notice(again) == body
    assert notice_reason(body) is None
    assert without_notice(body) == body


def test_a_notice_that_would_not_fit_is_refused() -> None:
    fits = "x" * (BODY_LIMIT - STAMP_RESERVE)  # the largest body a proposal is rendered to
    long_reason = "r" * 10_000
    noticed = with_notice(fits, long_reason, NOW)  # reasons are clipped
    assert noticed is not None
    assert text_size(noticed) <= BODY_LIMIT
    assert same_notice(noticed, long_reason)  # written once, not again on every run
    assert not same_notice(noticed, "s" + long_reason)
    assert with_notice("x" * BODY_LIMIT, "reason", NOW) is None
