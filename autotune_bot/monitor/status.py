"""The status comment on a merged autotune pull request: rendered, and read back from its marker.

The comment says where post-merge monitoring stands (``holding``, ``confirmed``,
``regressed``, ``not monitored``, or superseded by a later merge of the same target), with
the detectors' statistics and, once confirmed, the realised change. It ends with a hidden
``<!-- autotune:monitor {json} -->`` marker (JSON written by
:func:`autotune_bot.gitops.marker.comment_json`) by which the bot finds and edits the same
comment on later runs. ``confirmed``, ``regressed`` and ``superseded`` are final: the marker
says so, and later runs do not decide again. Reading the marker is strict: a size cap,
``json.loads`` without NaN or duplicate keys, and every field checked; anything else is not
a status comment of the bot. Pure.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

from autotune_bot.gitops.markdown import code_span, prose
from autotune_bot.gitops.marker import comment_json, strict_json
from autotune_bot.monitor.types import DetectorResult, MonitorDecision

__all__ = [
    "FINAL_OUTCOMES",
    "MAX_STATUS_MARKER",
    "RevertLink",
    "StatusOutcome",
    "StatusRecord",
    "parse_status",
    "ref_link",
    "render_status",
]

StatusOutcome = Literal["holding", "confirmed", "regressed", "not_monitored", "superseded"]
RevertState = Literal["open", "merged", "closed"]
FINAL_OUTCOMES = frozenset({"confirmed", "regressed", "superseded"})
MAX_STATUS_MARKER = 8192  # characters of the marker's JSON
_CLIP = 200  # characters of a name or reason kept in the marker
_OUTCOMES = ("holding", "confirmed", "regressed", "not_monitored", "superseded")
_STATES = ("open", "merged", "closed")
_OPEN = "<!-- autotune:monitor "
_START = re.compile(r"<!--[ \t]*autotune:monitor[ \t]+")


@dataclass(frozen=True)
class RevertLink:
    ref: str
    url: str | None
    state: RevertState
    requested_by: str | None = None  # the login that asked for it with /autotune rollback


@dataclass(frozen=True)
class StatusRecord:
    """What a status comment states (and its marker records)."""

    ref: str  # the merged pull request (or local draft)
    key: str
    outcome: StatusOutcome
    post_runs: int
    baseline_runs: int
    horizon: int
    decided_at: str  # when the comment last changed (ISO 8601)
    reason: str = ""  # why not monitored
    superseded_by: str | None = None
    revert: RevertLink | None = None
    merge_sha: str = ""  # the merge commit judged: a later merge under the same ref is new
    # confirmed: the realised figures when it was confirmed (history_outcomes.realised_json),
    # kept so the history gets them even after those runs left the metrics
    realised: Mapping[str, Any] | None = None

    @property
    def final(self) -> bool:
        """Later runs do not decide again (the comment may still gain a revert link)."""
        return self.outcome in FINAL_OUTCOMES or (
            self.revert is not None and self.revert.state == "merged"
        )


def ref_link(ref: str, url: str | None = None) -> str:
    """A pull request reference: ``#12`` for a number, else the draft's name as code."""
    if ref.isdigit():
        return f"#{ref}"
    return code_span(ref)


def _num(value: float) -> str:
    return "n/a" if not math.isfinite(value) else f"{value:.3g}"


def _pct(fraction: float) -> str:
    return f"{fraction * 100:.3g} %"


def _trigger(d: DetectorResult) -> str:
    return (
        f"{prose(d.rule)}: statistic {_num(d.statistic)} vs threshold {_num(d.threshold)} "
        f"at post-merge run {d.alarm_at}"
    )


def _realised(decision: MonitorDecision) -> str | None:
    r = decision.realised
    pct = r.duration_percent if r is not None else None
    if r is None or pct is None:
        return None
    word = "faster" if pct >= 0 else "slower"
    text = f"{abs(pct):.1f} % {word}"
    if r.duration_ratio_ci is not None:  # in the same direction as the estimate
        sign = 1.0 if pct >= 0 else -1.0
        lo, hi = sorted(sign * (1.0 - x) * 100.0 for x in r.duration_ratio_ci)
        text += f" (95 % interval {lo:.1f} % to {hi:.1f} % {word})"
    if r.success_before is not None and r.success_after is not None:
        text += f"; success {_pct(r.success_before)} before, {_pct(r.success_after)} after"
    return text


def _headline(status: StatusRecord, decision: MonitorDecision | None) -> str:
    if status.outcome == "holding":
        return (
            f"**holding** — {status.post_runs} of {status.horizon} post-merge runs watched, "
            "no regression detected so far."
        )
    if status.outcome == "confirmed":
        realised = _realised(decision) if decision is not None else None
        change = f": {realised}" if realised else ""
        return (
            f"**confirmed** — realised change (recorded before/after the merge, not an A/B "
            f"test){change}; {status.post_runs} post-merge runs watched, no regression."
        )
    if status.outcome == "regressed":
        fired = decision.triggers if decision is not None else ()
        what = "; ".join(_trigger(d) for d in fired) or "a calibrated detector fired"
        return f"**regressed** — {what}."
    if status.outcome == "superseded":
        newer = ref_link(status.superseded_by) if status.superseded_by else "a later merge"
        return (
            f"**not monitored any more** — superseded by {newer}, a later merged proposal of "
            "the same target."
        )
    return f"**not monitored** — {prose(status.reason or 'no reason recorded')}."


def _detector_table(decision: MonitorDecision) -> list[str]:
    lines = ["| detector | rule | statistic | threshold | alarm at run |", "|---|---|---|---|---|"]
    for d in decision.detectors:
        if not d.applicable:
            cells = (code_span(d.name), prose(d.rule), "n/a", "n/a", prose(d.note or "n/a"))
        else:
            alarm = str(d.alarm_at) if d.alarm_at is not None else "—"
            cells = (code_span(d.name), prose(d.rule), _num(d.statistic), _num(d.threshold), alarm)
        lines.append("| " + " | ".join(cells) + " |")
    return lines


def _revert_line(revert: RevertLink) -> str:
    link = ref_link(revert.ref, revert.url)
    by = revert.requested_by
    asked = f", requested by @{prose(by)} with `/autotune rollback`" if by else ""
    if revert.state == "open":
        return (
            f"Revert proposed in {link}{asked}: merge it to undo this change, close it to keep it."
        )
    if revert.state == "merged":
        return f"Reverted by {link}{asked}."
    return (
        f"Revert declined: {link} was closed without merge{asked}; autotune will not propose "
        "another revert of this pull request."
    )


def _marker(status: StatusRecord) -> str:
    data: dict[str, Any] = {
        "version": 1,
        "ref": status.ref,
        "key": status.key[:_CLIP],
        "outcome": status.outcome,
        "post_runs": status.post_runs,
        "baseline_runs": status.baseline_runs,
        "horizon": status.horizon,
        "decided_at": status.decided_at,
        "final": status.final,
        "reason": status.reason[:_CLIP],
        "superseded_by": status.superseded_by,
        "revert": None,
        "merge_sha": status.merge_sha,
        "realised": dict(status.realised) if status.realised is not None else None,
    }
    if status.revert is not None:
        r = status.revert
        data["revert"] = {
            "ref": r.ref,
            "url": r.url,
            "state": r.state,
            "requested_by": r.requested_by[:_CLIP] if r.requested_by else None,
        }
    return f"{_OPEN}{comment_json(data)} -->"


def _budget(decision: MonitorDecision) -> str:
    used = [d for d in decision.detectors if d.applicable]
    shares = ", ".join(f"`{d.name}` {_pct(d.alpha)}" for d in used)
    split = f", split by weight: {shares}" if len(used) > 1 else ""
    return (
        f"Baseline: {decision.baseline_runs} runs before the merge. False-alarm budget: "
        f"{_pct(decision.false_alarm_rate)} over {decision.horizon} runs after the merge"
        f"{split}."
    )


def _said_elsewhere(note: str, decision: MonitorDecision) -> bool:
    """Notes of :func:`~autotune_bot.monitor.decide.decide` that the comment already shows:
    the budget, the runs so far, and the reason a detector is not used (its table row)."""
    unused = {f"{d.name} not used: {d.note}" for d in decision.detectors if not d.applicable}
    return (
        note in unused
        or note.startswith("false-alarm budget ")
        or note.endswith(" runs after the merge so far; no alarm")
    )


def _when(stamp: str) -> str:
    """An ISO 8601 time shown to the second (as recorded when it cannot be read)."""
    try:
        return datetime.fromisoformat(stamp).isoformat(sep=" ", timespec="seconds")
    except ValueError:
        return stamp


def render_status(status: StatusRecord, decision: MonitorDecision | None) -> str:
    """The status comment's Markdown, ending with its marker (``decision``: the statistics
    behind the outcome, None when there are none)."""
    lines = ["### autotune: post-merge monitoring", "", _headline(status, decision), ""]
    if decision is not None and status.outcome in ("holding", "confirmed", "regressed"):
        lines += [_budget(decision), "", *_detector_table(decision), ""]
        notes = [n for n in decision.notes if not _said_elsewhere(n, decision)]
        lines += [f"- {prose(n)}" for n in notes]
        if notes:
            lines.append("")
    if status.revert is not None:
        lines += [_revert_line(status.revert), ""]
    lines += [f"_As of {prose(_when(status.decided_at))}._", "", _marker(status)]
    return "\n".join(lines) + "\n"


# -- reading back -----------------------------------------------------------------------


def _count(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0


def _figures(value: Any) -> bool:
    """Realised figures: absent, or an object of numbers, nulls and number pairs."""
    if value is None:
        return True
    if not isinstance(value, dict) or len(value) > 16:
        return False

    def number(v: Any) -> bool:
        return v is None or (
            isinstance(v, int | float) and not isinstance(v, bool) and math.isfinite(v)
        )

    def ok(v: Any) -> bool:
        return number(v) or (isinstance(v, list) and len(v) == 2 and all(map(number, v)))

    return all(isinstance(k, str) and ok(v) for k, v in value.items())


def _opt_str(value: Any) -> bool:
    return value is None or isinstance(value, str)


def _revert(value: Any) -> RevertLink | bool | None:
    """The revert link, None for none, False when malformed."""
    if value is None:
        return None
    if not isinstance(value, dict) or not isinstance(value.get("ref"), str) or not value["ref"]:
        return False
    if value.get("state") not in _STATES:
        return False
    if not _opt_str(value.get("url")) or not _opt_str(value.get("requested_by")):
        return False
    return RevertLink(value["ref"], value.get("url"), value["state"], value.get("requested_by"))


def _record(data: Any) -> StatusRecord | None:
    if not isinstance(data, dict) or data.get("version") != 1:
        return None
    strings = ("ref", "key", "decided_at", "reason")
    if not all(isinstance(data.get(k), str) for k in strings) or not data["ref"]:
        return None
    if data.get("outcome") not in _OUTCOMES:
        return None
    if not all(_count(data.get(k)) for k in ("post_runs", "baseline_runs", "horizon")):
        return None
    if not isinstance(data.get("final"), bool) or not _opt_str(data.get("superseded_by")):
        return None
    if not isinstance(data.get("merge_sha", ""), str):
        return None
    revert = _revert(data.get("revert"))
    if revert is False or not _figures(data.get("realised")):
        return None
    return StatusRecord(
        ref=data["ref"],
        key=data["key"],
        outcome=data["outcome"],
        post_runs=data["post_runs"],
        baseline_runs=data["baseline_runs"],
        horizon=data["horizon"],
        decided_at=data["decided_at"],
        reason=data["reason"],
        superseded_by=data.get("superseded_by"),
        revert=revert if isinstance(revert, RevertLink) else None,
        merge_sha=data.get("merge_sha", ""),
        realised=data.get("realised"),
    )


def parse_status(body: str) -> StatusRecord | None:
    """The status recorded by the last well-formed monitor marker in ``body`` (None: none)."""
    if not isinstance(body, str):
        return None
    found: StatusRecord | None = None
    for start in _START.finditer(body):
        end = body.find("-->", start.end(), start.end() + MAX_STATUS_MARKER + 8)
        if end < 0:
            continue
        payload = body[start.end() : end].strip()
        if len(payload) > MAX_STATUS_MARKER or "\n" in payload:
            continue
        try:
            data = strict_json(payload)
        except (ValueError, RecursionError):
            continue
        record = _record(data)
        if record is not None:
            found = record
    return found
