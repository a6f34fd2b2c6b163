"""The pull request body of a proposal: what a reviewer needs to decide in a minute.

Sections, in order: a summary (the change in words, the headline figure and its verdict,
confidence and risk); what was found (the target's bottlenecks with their numbers); what
changes (old → new per field, then the YAML diff); why (strategy, evidence source, confidence,
risk, the estimate); the A/B report or an explicit "not validated"; a Mermaid diagram of the
workflow before → after; how to roll back; and the hidden marker, always last and intact.
Every name from the workflow or the metrics is put in a code span or escaped
(:mod:`autotune_bot.gitops.markdown`). The body is cut to GitHub's size limit by
:func:`autotune_bot.gitops.body_fit.fit_body`. Pure.
"""

from __future__ import annotations

import shlex
from collections.abc import Sequence
from dataclasses import dataclass

from autotune_bot.analysis.insight import Insight
from autotune_bot.gitops.body_fit import BODY_LIMIT, Part, fit_body
from autotune_bot.gitops.headline import Headline
from autotune_bot.gitops.markdown import code_span, prose
from autotune_bot.gitops.mermaid import MAX_DIAGRAM_NODES, workflow_flowchart
from autotune_bot.report.suggestions_text import estimate_lines
from autotune_bot.tuning.plan_types import SearchSummary
from autotune_bot.tuning.suggestion import OptimizationSuggestion
from autotune_bot.validation.evidence import evidence_label
from autotune_bot.validation.report import result_table
from autotune_bot.validation.result import ABTestResult
from autotune_bot.workflow.model import WorkflowDef

__all__ = ["MAX_INSIGHTS", "BodyInputs", "render_body"]

MAX_INSIGHTS = 8  # bottlenecks listed; the rest are counted


@dataclass(frozen=True)
class BodyInputs:
    scope: str  # "team" or "workflow"
    target: str
    workflow: str
    file: str
    suggestion: OptimizationSuggestion
    diff: str
    headline: Headline
    insights: tuple[Insight, ...]  # most severe first
    validation: ABTestResult | None
    before: WorkflowDef | None
    after: WorkflowDef | None
    history_entry: str  # id of the history entry the branch appends
    marker: str
    details: str  # Markdown naming where the full report is (job summary, report file)
    search: SearchSummary | None = None
    summary: str = ""  # the change in a few words (the title's phrase)


def _summary(b: BodyInputs) -> Part:
    kind = "team" if b.scope == "team" else "workflow"
    head = b.headline
    figure = head.figure(1)
    per = "" if head.metric == "objective" or head.percent is None else " per successful run"
    if head.validated:
        effect = f"**Measured effect:** {figure}{per} — {head.verdict()}"
    else:
        effect = (
            f"**Expected effect:** {figure}{per} — **not validated**: simulated from recorded "
            "traces (an estimate, not an A/B result)"
        )
    s = b.suggestion
    lines = [
        f"## autotune proposal for {kind} {code_span(b.target)} in {code_span(b.file)}",
        "",
        *([f"Workflow {code_span(b.workflow)}.", ""] if b.scope == "team" else []),
        f"**Change:** {prose(b.summary or s.description)}",
        "",
        effect,
        "",
        f"**Confidence** {s.confidence:.2f} · **risk** {prose(s.risk)} ({s.risk_level:.2f}) · "
        f"**strategy** {code_span(s.strategy or s.type.value)}",
    ]
    return Part("\n".join(lines) + "\n")


def _insight_line(i: Insight) -> str:
    e = i.evidence
    about = f" ({code_span(i.component)})" if i.component else ""
    facts = [f"n = {e.n}"]
    if e.interval is not None:
        lo, hi = e.interval
        facts.append(f"{e.confidence:.0%} interval of {prose(e.interval_of)}: {lo:.4g}–{hi:.4g}")
    if e.baseline_source:
        facts.append(f"baseline: {prose(e.baseline_source)}")
    return f"- **{prose(i.bottleneck)}**{about}: {prose(i.message)} ({'; '.join(facts)})"


def _found(b: BodyInputs) -> Part:
    shown = b.insights[:MAX_INSIGHTS]
    lines = [_insight_line(i) for i in shown]
    if len(b.insights) > len(shown):
        lines.append(f"- … and {len(b.insights) - len(shown)} more in the analysis report")
    if not lines:
        lines = [
            "- No bottleneck was flagged for this target; the change comes from the search "
            "over the recorded executions."
        ]
    return Part("## What was found\n\n", tuple(lines), what="list of findings")


def _changes(b: BodyInputs) -> list[Part]:
    lines = tuple(f"- {code_span(c.describe(), limit=400)}" for c in b.suggestion.changes)
    fields = Part("## What changes\n\n", lines, what="list of changes")
    diff = Part(
        f"Diff of {code_span(b.file)}:\n\n",
        tuple(b.diff.rstrip("\n").split("\n")) if b.diff else (),
        fenced="diff",
        what="diff",
    )
    return [fields, diff]


def _why(b: BodyInputs) -> Part:
    s = b.suggestion
    lines = [
        f"- **Strategy:** {code_span(s.strategy or s.type.value)} "
        f"({prose(s.type.value)}): {prose(s.description)}",
        f"- **Evidence source:** {prose(evidence_label(b.headline.evidence))}",
        f"- **Confidence:** {s.confidence:.2f} · **risk:** {prose(s.risk)} ({s.risk_level:.2f})",
    ]
    estimate = [line.strip() for line in estimate_lines(s.estimate, indent="")]
    if estimate:
        lines.append(f"- **{prose(estimate[0])}**")
        lines += [f"  - {prose(line)}" for line in estimate[1:]]
    lines += [f"- {prose(line)}" for line in s.evidence]
    if b.search is not None and not s.evidence:
        lines.append(
            f"- **Search:** {prose(b.search.algorithm)}, {b.search.evaluations} evaluations "
            f"over {b.search.space_size:,} configurations; {prose(b.search.basis)}"
        )
    return Part("## Why\n\n", tuple(lines), what="explanation")


def _validation(b: BodyInputs) -> Part:
    result = b.validation
    if result is not None and b.headline.validated:
        head = (
            f"## Validation\n\n**{prose(b.headline.verdict())}** — "
            f"{prose(evidence_label(result.evidence))}\n\n"
        )
        return Part(
            head, tuple(result_table(result).splitlines()), fenced="text", what="A/B report"
        )
    lines = [
        "## Validation",
        "",
        "**Not validated — simulated from recorded traces.** The figures above are the "
        "performance model's estimate, not the result of an A/B test.",
    ]
    if result is not None:
        lines += ["", f"A/B status: {code_span(result.status)}"]
        lines += [f"- {prose(reason)}" for reason in result.reasons]
    return Part("\n".join(lines) + "\n")


def _changed_nodes(b: BodyInputs) -> set[str]:
    return {c.node for c in b.suggestion.changes if c.node is not None}


def _diagram(b: BodyInputs) -> Part:
    head = "## Workflow before → after\n\n"
    if b.before is None:
        return Part(head + "_No diagram: the workflow definition is not available._\n")
    focus = b.target if b.scope == "team" else None
    chart = workflow_flowchart(b.before, b.after, focus=focus, changed=_changed_nodes(b))
    if chart is None:
        return Part(head + f"_No diagram: the workflow has more than {MAX_DIAGRAM_NODES} nodes._\n")
    return Part(head, tuple(chart.splitlines()), fenced="mermaid", atomic=True, what="diagram")


def _rollback(b: BodyInputs) -> Part:
    local = f"autotune rollback --target {shlex.quote(b.target)} --id {b.history_entry}"
    lines = [
        "## How to roll back",
        "",
        "- **Before merging:** close this pull request; autotune then leaves this proposal "
        "alone until its evidence changes materially.",
        "- **After merging:** comment `/autotune rollback` on this pull request, or run "
        f"{code_span(local, limit=400)} in a checkout and commit the result.",
        "- autotune updates this branch in place when the evidence or the base branch "
        "changes; once someone else pushes a commit to it, autotune stops touching it.",
    ]
    return Part("\n".join(lines) + "\n")


def body_parts(b: BodyInputs) -> Sequence[Part]:
    """The sections of the body, before fitting."""
    return [
        _summary(b),
        _found(b),
        *_changes(b),
        _why(b),
        _validation(b),
        _diagram(b),
        _rollback(b),
    ]


def render_body(b: BodyInputs, limit: int = BODY_LIMIT) -> str:
    """The whole body, at most ``limit`` characters (UTF-16 units), the marker last."""
    return fit_body(body_parts(b), b.marker, b.details, limit)
