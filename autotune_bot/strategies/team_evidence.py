"""Pieces of the evidence sentences team strategies write: ``file:line`` of the team's YAML
elements, rates with their intervals, and the analysis findings a proposal addresses."""

from __future__ import annotations

from collections.abc import Callable

from autotune_bot.analysis import stats
from autotune_bot.strategies.base import TeamTarget
from autotune_bot.workflow.model import Field, MemberSpec

__all__ = [
    "field_where",
    "member_spec",
    "percent",
    "rate",
    "signed_interval",
    "team_insights",
    "where",
]


def where(target: TeamTarget, line: int | None = None) -> str:
    """``file:line`` of a line of the team's workflow file (the team node by default)."""
    return f"{target.workflow.path}:{target.node.line if line is None else line}"


def field_where(target: TeamTarget, field: Field | None) -> str:
    """``file:line`` of a team field, or of the team node when the field is not written."""
    return where(target, field.line if field is not None and field.present else None)


def member_spec(target: TeamTarget, member_id: str) -> MemberSpec | None:
    team = target.node.team
    if team is None:
        return None
    return next((m for m in team.members if m.id == member_id), None)


def percent(share: float) -> str:
    return f"{100.0 * share:.1f}%"


def rate(interval: stats.Interval) -> str:
    """``"94.8% (95% interval 92.9–96.3%)"``."""
    level = f"{100.0 * interval.confidence:g}%"
    return (
        f"{percent(interval.estimate)} ({level} interval "
        f"{100.0 * interval.low:.1f}–{percent(interval.high)})"
    )


def signed_interval(interval: stats.Interval) -> str:
    """A difference of rates: ``"+0.5 points (95% interval −3.1 to +3.9)"``."""
    level = f"{100.0 * interval.confidence:g}%"
    return (
        f"{100.0 * interval.estimate:+.1f} points ({level} interval "
        f"{100.0 * interval.low:+.1f} to {100.0 * interval.high:+.1f})"
    )


def team_insights(target: TeamTarget, wanted: Callable[[str], bool]) -> tuple[str, ...]:
    """Names of the analysis findings for this team that ``wanted`` accepts, in report order,
    each once."""
    names = (i.bottleneck for i in target.report.insights if wanted(i.bottleneck))
    return tuple(dict.fromkeys(names))
