"""The monitor's planner and the revert proposal: one revert per merged pull request, never a
revert of a revert, a declined revert stays declined, quiet reruns, superseded merges."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta

from autotune_bot.gitops.marker import parse_marker
from autotune_bot.gitops.types import ForgeComment, ForgeProposal
from autotune_bot.monitor.plan import (
    OpenRevert,
    PostStatus,
    PreparedRevert,
    Watch,
    newest_merged,
    plan_monitor,
    reverts_of,
)
from autotune_bot.monitor.revert_body import RevertInputs, build_revert, revert_branch
from autotune_bot.monitor.status import parse_status
from autotune_bot.monitor.types import DetectorResult, MonitorDecision, RealisedChange

NOW = datetime(2026, 12, 1, tzinfo=UTC)
MERGE = "0123456789abcdef0123456789abcdef01234567"
FIRED = DetectorResult("duration", "performance below baseline", True, 12.0, 5.0, 0.0125, 9)


def _merged(ref: str = "7", key: str = "wf/team", days: int = 3, **more: object) -> ForgeProposal:
    meta = {
        "version": 1,
        "key": key,
        "branch": f"autotune/{key}",
        "evidence_key": "ev",
        "scope": "team",
        "workflow": "wf",
        "target": "team",
        "history_entry": "h-apply",
        "change": f"change-{ref}",
    }
    return ForgeProposal(
        ref, key, meta["branch"], "merged", "ev", "body", "Make team parallel",
        url=f"https://forge.test/pull/{ref}", merged_sha=MERGE, metadata=meta,
        merged_at=NOW - timedelta(days=days), **more,  # type: ignore[arg-type]
    )  # fmt: skip


def _decision(outcome: str, post: int = 20) -> MonitorDecision:
    fired = (FIRED,) if outcome == "regressed" else ()
    realised = RealisedChange(2.0, (1.6, 2.5), 0.9, 0.9, None, 60, post)
    return MonitorDecision(outcome, 60, post, 200, 0.05, fired, realised)  # type: ignore[arg-type]


def _prepared(original: ForgeProposal, asked: str | None = None) -> PreparedRevert:
    entry = {"id": "h-rollback", "diff": ""}
    inputs = RevertInputs(original, _decision("regressed"), "autotune/", entry, {}, (), asked)
    return PreparedRevert(build_revert(inputs), entry, None)


def _as_forge(p: ForgeProposal, state: str, ref: str = "8") -> ForgeProposal:
    r = _prepared(p).proposal
    return ForgeProposal(ref, r.key, r.branch, state, r.evidence_key, r.body, r.title,  # type: ignore[arg-type]
                         metadata=parse_marker(r.body) or {})  # fmt: skip


def test_regression_opens_one_revert_and_posts_the_status_after_it() -> None:
    p = _merged()
    plan = plan_monitor(
        [Watch(p, decision=_decision("regressed"), revert=_prepared(p))], [], now=NOW
    )
    kinds = [type(e) for e in plan.effects]
    assert kinds == [OpenRevert, PostStatus]
    opening = plan.effects[0]
    assert isinstance(opening, OpenRevert)
    assert opening.proposal.branch == "autotune/revert/7"
    assert plan.statuses["7"].outcome == "regressed"


def test_an_open_merged_or_declined_revert_is_never_opened_again() -> None:
    p = _merged()
    for state, words in (
        ("open", "Revert proposed"),
        ("merged", "Reverted by"),
        ("closed", "Revert declined"),
    ):
        existing = _as_forge(p, state)
        w = Watch(p, decision=_decision("regressed"), revert=_prepared(p), requested_by="maint")
        plan = plan_monitor([w], [existing], now=NOW)
        assert not [e for e in plan.effects if isinstance(e, OpenRevert)]
        posts = [e for e in plan.effects if isinstance(e, PostStatus)]
        assert words in posts[0].body
        assert any("maint" in n for n in plan.notes)  # the person who asked is told why not


def test_a_history_rollback_of_the_same_change_counts_as_its_revert() -> None:
    p = _merged()
    history_revert = ForgeProposal(
        "9", "revert/history-h-apply", "autotune/revert/history-h-apply", "open", "ev2",
        "body", "Roll back h-apply",
        metadata={"kind": "revert", "reverts": {"history_entry": "h-apply"}},
    )  # fmt: skip
    other = dataclasses.replace(
        history_revert, ref="10", metadata={"kind": "revert", "reverts": {"history_entry": "x"}}
    )
    assert reverts_of(p, [history_revert, other]) == [history_revert]
    w = Watch(p, decision=_decision("regressed"), revert=_prepared(p))
    plan = plan_monitor([w], [history_revert, other], now=NOW)
    assert not [e for e in plan.effects if isinstance(e, OpenRevert)]


def test_reruns_are_quiet_and_final_outcomes_are_not_decided_again() -> None:
    p = _merged()
    first = plan_monitor([Watch(p, decision=_decision("holding", 20))], [], now=NOW)
    post = first.effects[0]
    assert isinstance(post, PostStatus)
    comment = ForgeComment("c1", post.body)
    status = parse_status(post.body)
    again = Watch(p, comment, status, _decision("holding", 20))
    assert plan_monitor([again], [], now=NOW + timedelta(hours=1)).effects == []
    more = plan_monitor(
        [dataclasses.replace(again, decision=_decision("holding", 25))], [], now=NOW
    )
    assert [type(e) for e in more.effects] == [PostStatus]
    # a confirmed status stays confirmed whatever a later verdict says, and stays quiet
    done = plan_monitor([Watch(p, decision=_decision("confirmed", 200))], [], now=NOW)
    body = done.effects[0].body  # type: ignore[union-attr]
    later = Watch(
        p, ForgeComment("c1", body), parse_status(body), _decision("regressed"), revert=_prepared(p)
    )
    replan = plan_monitor([later], [], now=NOW + timedelta(days=1))
    assert replan.effects == []
    assert replan.statuses["7"].outcome == "confirmed"


def test_reverts_are_never_monitored_or_reverted() -> None:
    p = _merged()
    revert = dataclasses.replace(_as_forge(p, "merged"), merged_at=NOW, merged_sha=MERGE)
    assert revert.kind == "revert"
    plan = plan_monitor([Watch(revert, decision=_decision("regressed"))], [], now=NOW)
    assert plan.effects == []
    assert plan.statuses == {}


def test_only_the_newest_merge_of_a_key_is_watched() -> None:
    old, new, other = _merged("3", days=9), _merged("7", days=2), _merged("5", key="wf/other")
    newest, older = newest_merged([new, other, old])
    assert {p.ref for p in newest} == {"7", "5"}
    assert older == {"3": "7"}
    plan = plan_monitor([Watch(old, superseded_by="7")], [], now=NOW)
    post = plan.effects[0]
    assert isinstance(post, PostStatus)
    assert "superseded by #7" in post.body
    said = Watch(old, ForgeComment("c", post.body), parse_status(post.body), superseded_by="7")
    assert plan_monitor([said], [], now=NOW).effects == []  # said once


def test_revert_body_and_marker() -> None:
    p = _merged(ref="7")
    hostile = dataclasses.replace(p, title="<img src=x> @org/team `rm -rf` -->")
    asked = build_revert(
        RevertInputs(hostile, None, "autotune/", {"id": "h-r"}, {}, ("autotune",), "maint")
    )
    meta = parse_marker(asked.body)
    assert meta is not None
    assert meta["kind"] == "revert"
    assert meta["key"] == "revert/wf/team"
    assert meta["reverts"] == {
        "ref": "7",
        "key": "wf/team",
        "merge_sha": MERGE,
        "history_entry": "h-apply",
    }
    assert meta["history_entry"] == "h-r"
    visible = asked.body.split("<!-- autotune:proposal")[0]
    assert "<img" not in visible
    assert "@org" not in visible
    assert "requested by @" in visible.lower()
    assert "Close this pull request" in visible
    assert MERGE in visible
    regressed = build_revert(RevertInputs(p, _decision("regressed"), "autotune/", {"id": "h"}, {}))
    assert "statistic 12 crossed its threshold 5 at post-merge run 9" in regressed.body
    assert "| runs | 60 | 20 |" in regressed.body
    assert regressed.evidence_key == asked.evidence_key  # same merged PR, same revert
    assert revert_branch("bot/", "autotune__wf__team.md") == "bot/revert/autotune__wf__team"
