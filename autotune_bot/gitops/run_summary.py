"""What `autotune run` reports: a plain-text summary for the terminal and a Markdown one for the
job summary (``$GITHUB_STEP_SUMMARY``) and the report file. Pure: a cycle report in, text out."""

from __future__ import annotations

from typing import Any

from autotune_bot.gitops.cycle import CycleReport
from autotune_bot.gitops.markdown import code_span, prose
from autotune_bot.gitops.monitor_summary import monitor_json, monitor_markdown, monitor_text

__all__ = ["summary_json", "summary_markdown", "summary_text"]

_NOT_VALIDATED = "not validated — simulated from recorded traces"


def _status(report: CycleReport, key: str, status: str) -> str:
    result = report.validations.get(key)
    if result is not None:
        return f"A/B {result.status} ({result.evidence})"
    return "dry run: nothing measured" if status == "dry_run" else _NOT_VALIDATED


def _headline(report: CycleReport) -> str:
    if report.dry_run:
        return (
            f"Dry run ({report.forge} forge, base {report.base}): "
            f"{len(report.proposals)} proposal(s), {len(report.effects)} planned effect(s); "
            "nothing was written."
        )
    return (
        f"{report.forge} forge, base {report.base}: {report.count('opened')} opened, "
        f"{report.count('updated')} updated, {report.count('pushed')} branch push(es), "
        f"{report.count('skipped')} skipped, {report.count('failed')} failed."
    )


def summary_text(report: CycleReport) -> str:
    from autotune_bot.gitops.apply_effects import describe_effect

    lines = [_headline(report)]
    if report.monitor is not None:
        lines += monitor_text(report.monitor)
    for p in report.proposals:
        lines.append(f"  {p.key}: {p.title}")
        lines.append(f"    branch {p.branch}; {_status(report, p.key, p.validation_status)}")
    if report.dry_run:
        lines += ["planned:", *(f"  {describe_effect(e)}" for e in report.effects)]
    else:
        for d in report.done:
            where = f" ({d.url})" if d.url else ""
            lines.append(f"  {d.action}: {d.key}: {d.detail}{where}")
    if report.not_proposed:
        lines += ["not proposed:", *(f"  {why}" for why in report.not_proposed)]
    lines += [f"note: {n}" for n in report.notes]
    # errors are not repeated here: the command prints each on standard error (or as an
    # ::error:: annotation in the Action)
    return "\n".join(lines) + "\n"


def summary_markdown(report: CycleReport) -> str:
    lines = ["## autotune run", "", prose(_headline(report)), ""]
    if report.monitor is not None:
        lines += monitor_markdown(report.monitor)
    if report.proposals:
        lines += ["| target | change | branch | validation |", "|---|---|---|---|"]
        for p in report.proposals:
            cells = (
                code_span(p.key),
                prose(p.title),
                code_span(p.branch),
                prose(_status(report, p.key, p.validation_status)),
            )
            lines.append("| " + " | ".join(c.replace("|", "\\|") for c in cells) + " |")
        lines.append("")
    if not report.dry_run and report.done:
        lines += [f"- {d.action}: {code_span(d.key)}: {prose(d.detail)}" for d in report.done]
        lines.append("")
    if report.not_proposed:
        lines += ["**Not proposed**", ""]
        lines += [f"- {prose(why)}" for why in report.not_proposed]
        lines.append("")
    if report.notes:
        lines += ["**Notes**", "", *(f"- {prose(n)}" for n in report.notes), ""]
    if report.errors:
        lines += ["**Errors**", "", *(f"- {prose(e)}" for e in report.errors), ""]
    return "\n".join(lines)


def summary_json(report: CycleReport) -> dict[str, Any]:
    from autotune_bot.validation.report import result_to_json

    return {
        "forge": report.forge,
        "base": report.base,
        "dry_run": report.dry_run,
        "proposals": [
            {
                "key": p.key,
                "branch": p.branch,
                "title": p.title,
                "validation_status": p.validation_status,
                "validation": (
                    result_to_json(report.validations[p.key])
                    if p.key in report.validations
                    else None
                ),
            }
            for p in report.proposals
        ],
        "done": [
            {"key": d.key, "action": d.action, "detail": d.detail, "url": d.url}
            for d in report.done
        ],
        "not_proposed": list(report.not_proposed),
        "notes": list(report.notes),
        "errors": list(report.errors),
        "monitor": monitor_json(report.monitor) if report.monitor is not None else None,
    }
