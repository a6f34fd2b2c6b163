"""`autotune monitor` (and the first step of `autotune run`): watch merged autotune changes.

Merged autotune pull requests are found by their marker on every run (a merge made with the
default ``GITHUB_TOKEN`` starts no workflow, so the schedule has to discover it; a
``pull_request`` event only makes it sooner, with ``only_ref``). For each one: its target's
recorded runs are split at the merge (:mod:`autotune_bot.monitor.split`), judged
(:func:`autotune_bot.monitor.decide.decide`, seeded from the key so reruns agree), and the
pure planner (:mod:`autotune_bot.monitor.plan`) says which status comments to write and
which reverts to open; :mod:`.monitor_effects` carries them out. ``requested_by`` (a
``/autotune rollback`` on the merged pull request ``only_ref``) opens its revert now.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from autotune_bot.errors import AutotuneError
from autotune_bot.gitops.git import GitIdentity
from autotune_bot.gitops.git_refs import BaseRef, repo_prefix
from autotune_bot.gitops.git_remote import proposal_base
from autotune_bot.gitops.monitor_effects import (
    MonitorDone,
    RevertTarget,
    apply_monitor_effects,
)
from autotune_bot.gitops.monitor_watch import (
    WatchContext,
    confirmed_realised,
    seed_of,
    watch_merged,
)
from autotune_bot.gitops.types import Forge, ForgeProposal
from autotune_bot.metrics.columns import MetricsStore
from autotune_bot.monitor.decide import monitor_config
from autotune_bot.monitor.plan import (
    MonitorEffect,
    OpenRevert,
    Watch,
    newest_merged,
    plan_monitor,
)
from autotune_bot.monitor.status import StatusRecord
from autotune_bot.monitor.types import RealisedChange
from autotune_bot.settings import Settings

__all__ = [
    "MonitorOptions",
    "MonitorReport",
    "WatchedChange",
    "monitor_loaded",
    "run_monitor",
    "seed_of",
]


@dataclass(frozen=True)
class MonitorOptions:
    repo: Path
    now: datetime
    settings_file: Path | None = None
    extra_metrics_files: tuple[Path, ...] = ()
    dry_run: bool = False
    remote: str | None = None  # None: local branches (local forge); else the remote to push to
    token: str | None = field(default=None, repr=False)
    only_ref: str | None = None  # a pull_request event: just this merged proposal
    requested_by: str | None = None  # a /autotune rollback: revert `only_ref` now, by this login


@dataclass(frozen=True)
class WatchedChange:
    """One merged proposal and where its monitoring stands after this run."""

    ref: str
    key: str
    outcome: str
    post_runs: int
    baseline_runs: int
    horizon: int
    url: str | None = None
    revert: str | None = None  # the revert's handle, when there is one
    notes: tuple[str, ...] = ()
    history_entry: str | None = None  # the apply entry its marker records
    # before/after figures, when confirmed (as the status marker kept them, or computed)
    realised: RealisedChange | Mapping[str, Any] | None = None
    revert_url: str | None = None  # the revert's link, when there is one


@dataclass
class MonitorReport:
    forge: str
    dry_run: bool = False
    enabled: bool = True
    watched: list[WatchedChange] = field(default_factory=list)
    reverts: list[MonitorDone] = field(default_factory=list)  # reverts opened (or failed)
    effects: list[MonitorEffect] = field(default_factory=list)
    done: list[MonitorDone] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    held: dict[str, str] = field(default_factory=dict)  # key -> why new proposals wait
    regressed_changes: set[str] = field(default_factory=set)  # change digests reverted

    def failed(self) -> list[MonitorDone]:
        return [d for d in self.done if d.action == "failed"]


def _merged(
    report: MonitorReport, options: MonitorOptions, found: list[ForgeProposal]
) -> list[ForgeProposal]:
    """The merged autotune proposals; with ``only_ref``, a problem with it is reported (an
    error for a rollback request, a note for an event about some other pull request)."""
    merged = [p for p in found if p.state == "merged" and p.kind == "proposal"]
    if options.only_ref is None:
        return merged
    ref = options.only_ref
    chosen = next((p for p in found if p.ref == ref), None)
    problem = None
    if chosen is None:
        problem = f"{ref}: not an autotune proposal (no autotune marker found)"
    elif chosen.kind != "proposal":
        problem = f"{ref}: an autotune revert; autotune never monitors or reverts a revert"
    elif chosen.state != "merged":
        problem = f"{ref}: not merged ({chosen.state}); nothing to monitor or revert"
    if problem is not None:
        (report.errors if options.requested_by is not None else report.notes).append(problem)
        return []
    return merged


def monitor_loaded(
    options: MonitorOptions,
    forge: Forge,
    settings: Settings,
    store: MetricsStore,
    base: BaseRef,
    listed: Sequence[ForgeProposal] | None = None,
) -> MonitorReport:
    """Monitoring with the inputs already loaded and the base resolved (``autotune run``);
    ``listed``: the forge's proposals when the caller has listed them already."""
    report = MonitorReport(forge=forge.name, dry_run=options.dry_run)
    if not settings.monitoring.enabled and options.requested_by is None:
        report.enabled = False
        report.notes.append("monitoring is off (monitoring.enabled: false); nothing watched")
        return report
    found = list(listed) if listed is not None else forge.list_proposals()
    merged = _merged(report, options, found)
    if not merged:
        return report
    ctx = WatchContext(
        options.repo,
        options.now,
        forge,
        settings,
        store,
        base,
        repo_prefix(options.repo),
        monitor_config(settings.monitoring),
        [p for p in found if p.kind == "revert"],
        report.notes,
    )
    newest, older = newest_merged(merged)
    watches = []
    for p in merged:
        if options.only_ref is not None and p.ref != options.only_ref:
            continue
        asked = options.requested_by if p.ref == options.only_ref else None
        try:
            watches.append(watch_merged(p, ctx, older.get(p.ref), asked))
        except AutotuneError as err:  # e.g. its comments cannot be read: the others go on
            report.errors.append(f"{p.ref}: {err}")
    plan = plan_monitor(watches, ctx.reverts, now=options.now)
    report.notes += plan.notes
    report.effects = plan.effects
    _summarise(report, watches, plan.statuses, {p.ref for p in newest}, ctx)
    if options.dry_run or not plan.effects:
        return report
    prs = settings.pull_requests
    target = RevertTarget(
        options.repo,
        base,
        GitIdentity(prs.author_name, prs.author_email),
        options.remote,
        options.token,
        options.now,
        ctx.in_tree,
    )
    report.done = apply_monitor_effects(plan.effects, forge, target)
    made = {d.ref: d for d in report.done if d.revert is not None}
    report.watched = [
        dataclasses.replace(w, revert=made[w.ref].revert, revert_url=made[w.ref].url)
        if w.ref in made
        else w
        for w in report.watched
    ]
    opening = {e.original.ref for e in plan.effects if isinstance(e, OpenRevert)}
    report.reverts = [
        d
        for d in report.done
        if d.action == "opened" or (d.action == "failed" and d.ref in opening)
    ]
    return report


def _summarise(
    report: MonitorReport,
    watches: list[Watch],
    statuses: dict[str, StatusRecord],
    newest: set[str],
    ctx: WatchContext,
) -> None:
    for w in watches:
        p, s = w.proposal, statuses.get(w.proposal.ref)
        if s is None:
            continue
        notes = w.decision.notes if w.decision is not None else ((w.reason,) if w.reason else ())
        revert = s.revert.ref if s.revert is not None else None
        realised: RealisedChange | Mapping[str, Any] | None = None
        if s.outcome == "confirmed":  # the figures of the confirmation, else computed anew
            d = w.decision
            if d is not None:
                realised = d.realised
            else:
                realised = s.realised or confirmed_realised(p, ctx, s.post_runs)
        applied = p.metadata.get("history_entry")
        report.watched.append(
            WatchedChange(
                p.ref,
                p.key,
                s.outcome,
                s.post_runs,
                s.baseline_runs,
                s.horizon,
                p.url,
                revert,
                notes,
                applied if isinstance(applied, str) else None,
                realised,
                s.revert.url if s.revert is not None else None,
            )
        )
        change = p.metadata.get("change")
        reverted = s.outcome == "regressed" or (s.revert is not None and s.revert.state == "merged")
        if reverted and isinstance(change, str):
            report.regressed_changes.add(change)
        if p.ref in newest and s.outcome == "holding" and not reverted:  # reverted: undone
            report.held[p.key] = (
                f"merged {p.ref} is being monitored ({s.post_runs} of {s.horizon} post-merge "
                "runs watched); a new proposal waits for its outcome"
            )


def run_monitor(options: MonitorOptions, forge: Forge) -> MonitorReport:
    """Load the settings and metrics, resolve the base, and monitor (module docstring);
    raises :class:`AutotuneError` for what stops the whole run."""
    from autotune_bot.repository import load_inputs

    inputs = load_inputs(
        options.repo,
        settings_file=options.settings_file,
        extra_metrics_files=options.extra_metrics_files,
    )
    prefix = inputs.settings.pull_requests.branch_prefix
    base = proposal_base(options.repo, options.remote, prefix, token=options.token)
    report = monitor_loaded(options, forge, inputs.settings, inputs.metrics.store, base)
    report.errors += [str(e) for e in inputs.metrics.unreadable]
    return report
