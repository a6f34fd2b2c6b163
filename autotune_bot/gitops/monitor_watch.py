"""Judging one merged autotune proposal: its status comment, the verdict, a prepared revert.

For :mod:`.monitor_cycle`: finds the proposal's status comment (by its marker, the same
handle and merge commit), splits its target's runs at the merge and asks the statistics for
a verdict (seeded from the key, so reruns agree; a final outcome is judged again only on the
runs it saw, and only when its comment must be rendered again), and prepares the revert when
one may be opened. Reads git objects and the forge's comments; writes nothing.
"""

from __future__ import annotations

import dataclasses
import hashlib
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from autotune_bot.errors import AutotuneError
from autotune_bot.gitops.comment_trust import bot_comments
from autotune_bot.gitops.git_refs import BaseRef
from autotune_bot.gitops.monitor_revert import ChangeUndoneError, prepare_revert
from autotune_bot.gitops.types import Forge, ForgeComment, ForgeProposal
from autotune_bot.metrics.columns import MetricsStore
from autotune_bot.monitor.decide import MonitorConfig, decide
from autotune_bot.monitor.plan import Watch, revert_link, reverts_of
from autotune_bot.monitor.realised import realised_change
from autotune_bot.monitor.split import monitor_target, split_runs
from autotune_bot.monitor.status import StatusRecord, parse_status
from autotune_bot.monitor.types import MonitorDecision, RealisedChange, RunSeries
from autotune_bot.settings import Settings

__all__ = ["WatchContext", "confirmed_realised", "seed_of", "watch_merged"]


@dataclass
class WatchContext:
    """What judging a merged proposal needs: the run's inputs, base and forge."""

    repo: Path
    now: datetime
    forge: Forge
    settings: Settings
    store: MetricsStore
    base: BaseRef
    in_tree: str
    config: MonitorConfig
    reverts: list[ForgeProposal]
    notes: list[str]


def seed_of(key: str) -> int:
    """The statistics' seed for a key: stable across runs and machines."""
    return int(hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest()[:8], 16)


def _status_comment(
    p: ForgeProposal, forge: Forge
) -> tuple[ForgeComment | None, StatusRecord | None]:
    """The oldest comment of ``p`` carrying a monitor marker about it (the same handle and,
    where both are known, the same merge commit; or the same merge commit under another
    handle: a local draft kept aside under a new name when its branch was proposed again)."""
    for comment in bot_comments(forge.list_comments(p.ref), (p.author,)):
        status = parse_status(comment.body)
        if status is None:
            continue
        same_merge = bool(status.merge_sha) and status.merge_sha == p.merged_sha
        if status.ref != p.ref and not same_merge:
            continue
        if status.merge_sha and p.merged_sha and not same_merge:
            continue
        return comment, status
    return None, None


def _first(series: RunSeries, n: int) -> RunSeries:
    return RunSeries(series.durations[:n], series.successes[:n], series.costs[:n])


def _judge(
    p: ForgeProposal, store: MetricsStore, config: MonitorConfig, status: StatusRecord | None
) -> tuple[MonitorDecision | None, str]:
    if p.merged_at is None:
        return None, "the merge time is not known"
    target = monitor_target(p.metadata)
    if target is None:
        return None, "its marker names no scope and target"
    commits = tuple(c for c in (p.head_sha, p.merged_sha) if c)
    split = split_runs(
        store, target, p.merged_at, proposal_commits=commits, baseline_cap=config.baseline_runs
    )
    post = split.post
    if status is not None and status.final:  # decided once: judged on the runs it saw
        post = _first(post, status.post_runs)
    decision = decide(split.baseline, post, config, seed=seed_of(p.key))
    return dataclasses.replace(decision, notes=(*decision.notes, *split.notes)), ""


def confirmed_realised(
    p: ForgeProposal, ctx: WatchContext, post_runs: int
) -> RealisedChange | None:
    """The realised change of a confirmed proposal this run did not judge again: its baseline
    and the first ``post_runs`` post-merge runs (those the confirmation saw), without the
    detectors (None: its runs cannot be split)."""
    target = monitor_target(p.metadata)
    if p.merged_at is None or target is None:
        return None
    commits = tuple(c for c in (p.head_sha, p.merged_sha) if c)
    split = split_runs(
        ctx.store,
        target,
        p.merged_at,
        proposal_commits=commits,
        baseline_cap=ctx.config.baseline_runs,
    )
    return realised_change(split.baseline, _first(split.post, min(post_runs, ctx.config.horizon)))


def _wants_revert(d: MonitorDecision | None, s: StatusRecord | None, asked: str | None) -> bool:
    final_regressed = s is not None and s.outcome == "regressed"
    return asked is not None or final_regressed or (d is not None and d.outcome == "regressed")


def _needs_verdict(
    status: StatusRecord | None, existing: list[ForgeProposal], asked: str | None
) -> bool:
    """Whether this run needs the statistics: always until the outcome is final; after,
    only to render the comment again for a revert to open or link."""
    if status is None or not status.final:
        return status is None or status.outcome != "superseded"
    if existing:
        return revert_link(existing[0]) != status.revert
    if status.revert is not None:  # recorded, though no longer listed: nothing to add
        return False
    return asked is not None or status.outcome == "regressed"


def watch_merged(
    p: ForgeProposal,
    ctx: WatchContext,
    superseded_by: str | None,
    requested_by: str | None,
) -> Watch:
    comment, status = _status_comment(p, ctx.forge)
    existing = reverts_of(p, ctx.reverts)
    decision: MonitorDecision | None = None
    reason = ""
    if superseded_by is None and _needs_verdict(status, existing, requested_by):
        decision, reason = _judge(p, ctx.store, ctx.config, status)
    watch = Watch(p, comment, status, decision, reason, superseded_by, requested_by)
    recorded = status is not None and status.revert is not None
    if existing or recorded or not _wants_revert(decision, status, requested_by):
        return watch
    try:
        prepared, note = prepare_revert(
            ctx.repo,
            p,
            decision,
            base_sha=ctx.base.sha,
            in_tree=ctx.in_tree,
            branch_prefix=ctx.settings.pull_requests.branch_prefix,
            labels=tuple(ctx.settings.pull_requests.labels),
            now=ctx.now,
            requested_by=requested_by,
        )
    except ChangeUndoneError:  # reverted by hand: a note (here and in the status comment)
        gone = f"the change is no longer on {ctx.base.branch}: nothing to revert"
        if decision is not None:
            decision = dataclasses.replace(decision, notes=(*decision.notes, gone))
        return dataclasses.replace(watch, decision=decision, revert_problem=gone)
    except AutotuneError as err:
        return dataclasses.replace(watch, revert_problem=str(err))
    if note:
        ctx.notes.append(f"{p.ref}: {note}")
    return dataclasses.replace(watch, revert=prepared)
