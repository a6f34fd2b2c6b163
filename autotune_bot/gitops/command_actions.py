"""Carrying out one ``/autotune`` command and saying what came of it, as Markdown for the reply.

- ``status``: the merged proposals (newest first, at most :data:`STATUS_MERGED`) with the
  monitoring outcome their status comment records, and the open proposals, with links;
- ``rollback`` on a merged proposal without ``N``: monitoring reverts it now
  (:attr:`Runners.revert`); ``rollback N``: :mod:`.command_rollback`;
- ``analyze [team]``: the analysis of ``autotune analyze``, its findings summarised;
- ``retune [team]``: the tuning cycle restricted to that team (:attr:`Runners.cycle`);
- ``ignore X``: a pull request of the settings file (:mod:`.command_ignore`).

Names from the repository are shown inertly (:func:`~autotune_bot.commands.quote.code_span`
or :func:`~autotune_bot.gitops.markdown.prose`). A problem is raised as an
:class:`~autotune_bot.errors.AutotuneError`; the caller writes it into the reply.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from autotune_bot.commands.plan import RunAnalyze, RunRetune, RunRollback
from autotune_bot.commands.quote import code_span
from autotune_bot.gitops.cycle import CycleOptions, CycleReport
from autotune_bot.gitops.markdown import prose
from autotune_bot.gitops.types import Forge, ForgeProposal

__all__ = [
    "STATUS_MERGED",
    "ActionContext",
    "CommandOptions",
    "Outcome",
    "RevertOutcome",
    "Runners",
    "analyze_outcome",
    "retune_outcome",
    "revert_pull_outcome",
    "status_outcome",
]

STATUS_MERGED = 10  # merged proposals shown by `status` (one comment listing each)
ANALYZE_FINDINGS = 10  # findings shown by `analyze`


@dataclass(frozen=True)
class CommandOptions:
    repo: Path
    now: datetime
    settings_file: Path | None = None
    remote: str | None = None  # None: local branches; else the remote to push to
    token: str | None = field(default=None, repr=False)
    run_url: str | None = None  # the workflow run, linked from the replies
    # the environment of benchmark commands a retune runs: it may hold tokens
    environ: Mapping[str, str] = field(default_factory=lambda: dict(os.environ), repr=False)


@dataclass(frozen=True)
class RevertOutcome:
    """What monitoring did when asked to revert one merged proposal now."""

    reverts: tuple[str, ...] = ()  # Markdown: the revert opened, or the one already there
    notes: tuple[str, ...] = ()
    errors: tuple[str, ...] = ()
    opened: int = 0  # revert pull requests opened now


@dataclass(frozen=True)
class Runners:
    """The longer jobs a command starts, wired to the forge in use by the caller."""

    revert: Callable[[str, str], RevertOutcome]  # (merged ref, requested by) -> outcome
    cycle: Callable[[CycleOptions], CycleReport]  # the tuning cycle (retune)


@dataclass(frozen=True)
class ActionContext:
    options: CommandOptions
    forge: Forge
    runners: Runners
    requested_by: str


@dataclass(frozen=True)
class Outcome:
    text: str  # Markdown for the reply
    ok: bool = True
    opened: int = 0  # pull requests opened (the action's prs_opened output)
    updated: int = 0  # pull requests updated in place (prs_updated)


def _link(p: ForgeProposal) -> str:
    from autotune_bot.monitor.status import ref_link

    return ref_link(p.ref, p.url)


def _monitoring(forge: Forge, p: ForgeProposal) -> str:
    from autotune_bot.gitops.comment_trust import bot_comments
    from autotune_bot.monitor.status import parse_status, ref_link

    found = None
    for comment in bot_comments(forge.list_comments(p.ref), (p.author,)):
        record = parse_status(comment.body)
        if record is not None:
            found = record
    if found is None:
        return "not checked yet"
    text = f"{found.outcome} ({found.post_runs} of {found.horizon} runs after the merge)"
    if found.revert is not None:
        revert = found.revert
        text += f"; revert {revert.state}: {ref_link(revert.ref, revert.url)}"
    return text


def status_outcome(ctx: ActionContext) -> Outcome:
    proposals = ctx.forge.list_proposals()
    merged = [p for p in proposals if p.state == "merged" and p.kind == "proposal"]
    merged.sort(key=lambda p: (p.merged_at is not None, p.merged_at, p.ref), reverse=True)
    opened = [p for p in proposals if p.state == "open"]
    lines = ["**autotune status**", ""]
    if merged:
        lines += ["Merged proposals (newest first):", ""]
        lines += ["| Pull request | Target | Monitoring |", "| --- | --- | --- |"]
        for p in merged[:STATUS_MERGED]:
            lines.append(f"| {_link(p)} | {code_span(p.key)} | {_monitoring(ctx.forge, p)} |")
        if len(merged) > STATUS_MERGED:
            lines.append(f"\n…and {len(merged) - STATUS_MERGED} older merged proposal(s).")
    else:
        lines.append("No merged autotune proposal.")
    lines.append("")
    if opened:
        lines += ["Open proposals:", ""]
        lines += [f"- {_link(p)} {code_span(p.key)} ({p.kind})" for p in opened]
    else:
        lines.append("No open autotune proposal.")
    return Outcome("\n".join(lines))


def revert_pull_outcome(ctx: ActionContext, action: RunRollback, ref: str) -> Outcome | None:
    """Revert the merged proposal ``ref`` through monitoring; None when ``ref`` is no merged
    proposal of the bot's (the caller says so)."""
    found = next((p for p in ctx.forge.list_proposals() if p.ref == ref), None)
    if found is None or found.state != "merged":
        return None
    if found.kind != "proposal":
        return Outcome(f"{_link(found)} is a {found.kind} made by autotune: it is not reverted.")
    done = ctx.runners.revert(ref, ctx.requested_by)
    lines = [f"Revert of {_link(found)}: {line}" for line in done.reverts]
    lines += [f"- {prose(note)}" for note in done.notes]
    lines += [f"- failed: {prose(error)}" for error in done.errors]
    if not done.reverts and not done.errors:
        lines.insert(0, f"No revert of {_link(found)} was opened.")
    del action
    ok = not done.errors and bool(done.reverts)
    return Outcome("\n".join(lines), ok=ok, opened=done.opened)


def analyze_outcome(ctx: ActionContext, action: RunAnalyze) -> Outcome:
    from autotune_bot.analysis.analyzer import analyze, check_team_ids
    from autotune_bot.repository import load_inputs

    opts = ctx.options
    teams = frozenset({action.team}) if action.team else None
    inputs = load_inputs(opts.repo, settings_file=opts.settings_file, member_teams=teams)
    if action.team:
        check_team_ids(inputs.metrics.store, [action.team], "team")
    report = analyze(
        inputs.metrics.store,
        inputs.metrics.problems,
        inputs.workflows,
        inputs.settings,
        team_ids=[action.team] if action.team else None,
        workflow_names=[] if action.team else None,
        workflow_errors=inputs.workflow_errors,
    )
    found = report.all_insights()
    what = f"team {code_span(action.team)}" if action.team else "every team and workflow"
    lines = [f"**Analysis of {what}**: {report.records_read} records read.", ""]
    if not found:
        lines.append("No bottleneck found.")
    else:
        lines += ["| Severity | Target | Finding |", "| --- | --- | --- |"]
        for i in found[:ANALYZE_FINDINGS]:
            where = code_span(i.target + (f" / {i.component}" if i.component else ""))
            lines.append(f"| {i.severity:.2f} | {where} | {prose(i.message, 300)} |")
        if len(found) > ANALYZE_FINDINGS:
            lines.append(f"\n…and {len(found) - ANALYZE_FINDINGS} more (`autotune analyze`).")
    problems = [*inputs.workflow_errors, *inputs.metrics.unreadable]
    lines += [f"- not read: {prose(str(p), 300)}" for p in problems]
    return Outcome("\n".join(lines), ok=not problems)


def retune_outcome(ctx: ActionContext, action: RunRetune) -> Outcome:
    opts = ctx.options
    only = frozenset({action.team}) if action.team else None
    report = ctx.runners.cycle(
        CycleOptions(
            repo=opts.repo,
            now=opts.now,
            settings_file=opts.settings_file,
            environ=opts.environ,
            only_targets=only,
        )
    )
    what = f"team {code_span(action.team)}" if action.team else "every target"
    lines = [f"**Tuning pass for {what}**", ""]
    for d in report.done:
        if d.action in ("opened", "updated", "failed"):
            link = f"[{d.detail}]({d.url})" if d.url else code_span(d.detail)
            shown = link if d.action != "failed" else prose(d.detail, 300)
            lines.append(f"- {code_span(d.key)}: {d.action} {shown}")
    lines += [f"- {code_span(d.key)}: skipped ({prose(d.detail, 200)})" for d in report.done
              if d.action == "skipped"]  # fmt: skip
    lines += [f"- not proposed: {prose(text, 300)}" for text in report.not_proposed]
    lines += [f"- error: {prose(text, 300)}" for text in report.errors]
    if len(lines) == 2:
        lines.append("Nothing to propose.")
    return Outcome(
        "\n".join(lines),
        ok=not report.failed() and not report.errors,
        opened=report.count("opened"),
        updated=report.count("updated"),
    )
