"""What people and scripts read from post-merge monitoring: the terminal lines, the JSON
report (outcomes, realised figures, revert links), the status comment (no figure said twice,
times to the second) and a rollback reply when a revert is already open."""

from __future__ import annotations

import contextlib
import io
import re
from pathlib import Path

import pytest

from autotune_bot.cli import main
from autotune_bot.forge.local import LocalForge
from autotune_bot.gitops.command_wiring import revert_outcome
from autotune_bot.gitops.monitor_cycle import MonitorReport, WatchedChange
from tests.gitops.monitor_repo import DRAFT, merged_repo, post_merge, run_cli

_TIME = re.compile(r"_As of (\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\+00:00)\._")


def _text(repo: Path) -> str:
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        main(["monitor", "--repo", str(repo), "--forge", "local"])
    return out.getvalue()


def test_regression_report_links_the_revert_and_the_comment_says_things_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    repo = merged_repo(tmp_path, monkeypatch)
    post_merge(repo, slowdown=2.0)
    code, report = run_cli(repo, "monitor")
    assert code == 0, report
    [watched] = report["watched"]  # type: ignore[misc]
    reverts = [p for p in LocalForge(repo).list_proposals() if p.kind == "revert"]
    assert watched["outcome"] == "regressed"
    assert watched["revert_url"] == reverts[0].url is not None
    [comment] = LocalForge(repo).list_comments(DRAFT)
    body = comment.body
    assert _TIME.search(body), body  # to the second, no microseconds, no "T"
    assert body.lower().count("false-alarm budget") == 1
    assert "runs after the merge so far" not in body
    cost_reason = re.search(r"\| `cost` \| .*? \| n/a \| n/a \| (.+?) \|", body)
    assert cost_reason is not None
    assert body.count(cost_reason.group(1)) == 1  # in the table, not again as a note
    # a rerun (final outcome, nothing to do) still names the revert and its link
    code, again = run_cli(repo, "monitor")
    assert again["watched"][0]["revert_url"] == reverts[0].url  # type: ignore[index]
    assert "`" not in _text(repo)  # plain text for the terminal


def test_confirmed_report_has_the_realised_figures(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    repo = merged_repo(tmp_path, monkeypatch)
    post_merge(repo, slowdown=1.0, runs=40)
    code, report = run_cli(repo, "monitor")
    [watched] = report["watched"]  # type: ignore[misc]
    assert watched["outcome"] == "confirmed"
    realised = watched["realised"]
    assert realised["post_runs"] == 40
    assert 0.0 < realised["duration_ratio"] < 2.0
    assert realised["duration_ratio_ci"][0] < realised["duration_ratio"]
    assert watched["revert_url"] is None
    # figures kept from the confirmation when the next run does not judge again
    assert run_cli(repo, "monitor")[0] == 0
    code, again = run_cli(repo, "monitor")
    assert code == 0
    assert again["watched"][0]["realised"] == realised  # type: ignore[index]


def test_rollback_reply_names_the_open_revert_once() -> None:
    report = MonitorReport(forge="local")
    report.watched.append(WatchedChange("12", "wf/team", "regressed", 30, 60, 200, revert="14"))
    report.notes += [
        "12: rollback requested by lee: a revert is already open (14); no other is opened",
        "metrics: 2 record(s) without a timestamp left out",
    ]
    outcome = revert_outcome(report, "12")
    assert outcome.reverts == ("one exists already: #14; no other is opened",)
    assert outcome.notes == ("metrics: 2 record(s) without a timestamp left out",)
    report.notes[0] = "12: rollback requested by lee: a revert is already declined earlier (14)"
    assert revert_outcome(report, "12").notes[0] == report.notes[0]  # the state is kept


def test_a_slower_change_states_its_interval_as_slower() -> None:
    from autotune_bot.monitor.status import StatusRecord, render_status
    from autotune_bot.monitor.types import MonitorDecision, RealisedChange

    realised = RealisedChange(1.2, (1.1, 1.3), 0.9, 0.9, None, 60, 200)
    decision = MonitorDecision("confirmed", 60, 200, 200, 0.05, (), realised)
    status = StatusRecord("12", "wf/team", "confirmed", 200, 60, 200, "2026-11-02T00:00:00+00:00")
    body = render_status(status, decision)
    assert "20.0 % slower (95 % interval 10.0 % to 30.0 % slower); success 90 % before" in body
