"""A revert the status comment records counts even when the forge no longer lists it (GitHub
lists a bounded number of the most recently updated pull requests): no second revert is
opened, nothing is edited, and no revert is prepared for it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from autotune_bot.gitops.monitor_watch import _needs_verdict
from autotune_bot.gitops.types import ForgeComment
from autotune_bot.monitor.plan import OpenRevert, PostStatus, Watch, plan_monitor
from autotune_bot.monitor.status import parse_status
from tests.monitor.test_monitor_plan import _as_forge, _decision, _merged, _prepared

NOW = datetime(2026, 12, 1, tzinfo=UTC)


def test_a_recorded_revert_missing_from_the_listing_is_not_opened_again() -> None:
    p = _merged()
    for state in ("open", "merged", "closed"):
        listed = _as_forge(p, state)
        seen = plan_monitor([Watch(p, decision=_decision("regressed"))], [listed], now=NOW)
        (post,) = [e for e in seen.effects if isinstance(e, PostStatus)]
        comment = ForgeComment("c1", post.body)
        status = parse_status(post.body)
        assert status is not None
        assert status.revert is not None
        assert status.revert.state == state
        # later the revert has dropped out of the forge's listing
        assert not _needs_verdict(status, [], None)
        later = Watch(p, comment, status, _decision("regressed"), revert=_prepared(p))
        plan = plan_monitor([later], [], now=NOW + timedelta(days=30))
        assert not [e for e in plan.effects if isinstance(e, OpenRevert)], state
        assert plan.effects == []
        assert plan.statuses[p.ref].revert == status.revert
        # a person asking again is told it exists
        asked = Watch(p, comment, status, _decision("regressed"), "", None, "maint", _prepared(p))
        plan = plan_monitor([asked], [], now=NOW + timedelta(days=30))
        assert not [e for e in plan.effects if isinstance(e, OpenRevert)]
        assert any("maint" in n and listed.ref in n for n in plan.notes)
