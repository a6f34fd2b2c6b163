"""What post-merge monitoring reports: plain text, Markdown (job summary) and JSON. Pure."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from autotune_bot.gitops.markdown import code_span, prose
from autotune_bot.gitops.monitor_cycle import MonitorReport, WatchedChange
from autotune_bot.gitops.monitor_effects import describe_monitor_effect
from autotune_bot.history_outcomes import realised_json

__all__ = ["monitor_json", "monitor_markdown", "monitor_text"]

_WORDS = {
    "holding": "holding",
    "confirmed": "confirmed",
    "regressed": "regressed",
    "not_monitored": "not monitored",
    "superseded": "superseded",
}


def _state(w: WatchedChange) -> str:
    text = _WORDS.get(w.outcome, w.outcome)
    if w.outcome in ("holding", "confirmed", "regressed"):
        text += f" ({w.post_runs} of {w.horizon} post-merge runs, {w.baseline_runs} before)"
    if w.revert:
        text += f"; revert {w.revert}"
    return text


def _quiet(report: MonitorReport) -> bool:
    """Nothing merged to watch and nothing to say: the summaries leave monitoring out."""
    return not (report.watched or report.effects or report.done or report.notes or report.errors)


def headline(report: MonitorReport) -> str:
    if not report.enabled:
        return "monitoring: off"
    opened = sum(1 for d in report.done if d.action == "opened")
    failed = len(report.failed())
    what = f"{len(report.watched)} merged change(s) watched"
    if report.dry_run:
        return f"monitoring (dry run): {what}, {len(report.effects)} planned effect(s)"
    return f"monitoring: {what}, {opened} revert(s) opened, {failed} failed"


def monitor_text(report: MonitorReport) -> list[str]:
    """The report's lines for the terminal (none when there is nothing to say)."""
    if _quiet(report):
        return []
    lines = [headline(report)]
    lines += [f"  {w.ref}: {w.key}: {_state(w)}" for w in report.watched]
    if report.dry_run:
        lines += [f"  planned: {describe_monitor_effect(e)}" for e in report.effects]
    else:
        for d in report.done:
            where = f" ({d.url})" if d.url else ""
            lines.append(f"  {d.action}: {d.ref}: {d.detail}{where}")
    lines += [f"  note: {n}" for n in report.notes]
    lines += [f"  error: {e}" for e in report.errors]
    return lines


def monitor_markdown(report: MonitorReport) -> list[str]:
    """The report's Markdown lines (a section of the job summary; none when there is
    nothing to say)."""
    if _quiet(report):
        return []
    lines = ["### Post-merge monitoring", "", prose(headline(report)), ""]
    if report.watched:
        lines += ["| pull request | target | status |", "|---|---|---|"]
        for w in report.watched:
            cells = (code_span(w.ref), code_span(w.key), prose(_state(w)))
            lines.append("| " + " | ".join(cells) + " |")
        lines.append("")
    if report.dry_run:
        lines += [f"- planned: {prose(describe_monitor_effect(e))}" for e in report.effects]
    else:
        lines += [f"- {d.action}: {code_span(d.ref)}: {prose(d.detail)}" for d in report.done]
    lines += [f"- note: {prose(n)}" for n in report.notes]
    lines += [f"- error: {prose(e)}" for e in report.errors]
    return [*lines, ""]


def _realised(w: WatchedChange) -> dict[str, Any] | None:
    """A confirmed change's before/after figures as JSON (None: not confirmed or unknown)."""
    if w.realised is None or isinstance(w.realised, Mapping):
        return dict(w.realised) if w.realised is not None else None
    return realised_json(w.realised)


def monitor_json(report: MonitorReport) -> dict[str, Any]:
    return {
        "enabled": report.enabled,
        "dry_run": report.dry_run,
        "watched": [
            {
                "ref": w.ref,
                "key": w.key,
                "outcome": w.outcome,
                "post_runs": w.post_runs,
                "baseline_runs": w.baseline_runs,
                "horizon": w.horizon,
                "url": w.url,
                "revert": w.revert,
                "revert_url": w.revert_url,
                "realised": _realised(w),
                "notes": list(w.notes),
            }
            for w in report.watched
        ],
        "planned": [describe_monitor_effect(e) for e in report.effects],
        "done": [
            {"ref": d.ref, "action": d.action, "detail": d.detail, "url": d.url}
            for d in report.done
        ],
        "held": dict(report.held),
        "notes": list(report.notes),
        "errors": list(report.errors),
    }
