"""`autotune run`: the whole cycle for one repository, with either forge.

Load the settings, workflows and metrics; analyse; plan (strategies and search); list the
forge's proposals once and, on that listing, watch the merged changes before anything is
proposed (:mod:`.monitor_cycle`: status comments and revert proposals; a key whose merged
change is still watched, or a change that regressed, is not proposed again meanwhile);
validate each target's change as the settings say (measured A/B
runs when ``ab_test.enabled``, otherwise the estimate, labelled "not validated — simulated
from recorded traces"); build one proposal per target (its history file: the base's, then
an ``outcome`` entry for each confirmed merged change the base's history does not record yet
(:mod:`autotune_bot.history_outcomes`), then its own ``apply`` entry); compare with what the
forge already holds; then apply the effects (or, in a dry run, only list them). The
decisions are the pure planners' (:mod:`.proposals`, :mod:`.lifecycle`); this module only
gathers their inputs and hands the effects to :mod:`.apply_effects`.

``--repo`` may be a directory inside a larger work tree (a monorepo): workflow and history
paths are relative to it for reading and for the bodies, and prefixed with its place in the
work tree (``git rev-parse --show-prefix``) wherever git needs them (base texts, commits,
branch facts).
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from autotune_bot.errors import AutotuneError
from autotune_bot.gitops.apply_effects import Done, EffectTarget, apply_effects
from autotune_bot.gitops.branch_state import (
    BranchSource,
    fetch_other_branches,
    planned_commits,
    proposal_branch_facts,
)
from autotune_bot.gitops.git import GitIdentity
from autotune_bot.gitops.git_refs import (
    BaseRef,
    checked_out_branches,
    repo_prefix,
    text_at,
)
from autotune_bot.gitops.git_remote import proposal_base
from autotune_bot.gitops.idle_notes import idle_notes
from autotune_bot.gitops.lifecycle import Effect, Skip, plan_effects
from autotune_bot.gitops.monitor_cycle import MonitorOptions, MonitorReport, monitor_loaded
from autotune_bot.gitops.monitor_effects import MonitorDone
from autotune_bot.gitops.proposals import HISTORY_PATH, build_proposals, proposal_branch
from autotune_bot.gitops.target_patches import TargetPatch, current_is_best, target_patches
from autotune_bot.gitops.types import Forge, ForgeProposal, Proposal
from autotune_bot.history_outcomes import with_outcomes
from autotune_bot.metrics.columns import MetricsStore
from autotune_bot.settings import Settings
from autotune_bot.settings.proposals import ABTestSettings
from autotune_bot.validation.progress import RunProgress
from autotune_bot.validation.result import ABTestResult, not_run_result

__all__ = ["CycleOptions", "CycleReport", "run_cycle"]


@dataclass(frozen=True)
class CycleOptions:
    repo: Path
    now: datetime
    settings_file: Path | None = None
    extra_metrics_files: tuple[Path, ...] = ()  # besides the repository's (e.g. artifacts)
    dry_run: bool = False
    max_prs: int | None = None  # overrides pull_requests.max_per_run
    remote: str | None = None  # None: local branches (local forge); else the remote to push to
    token: str | None = field(default=None, repr=False)
    # the environment of benchmark commands: it may hold tokens, so it is not shown either
    environ: Mapping[str, str] = field(default_factory=lambda: dict(os.environ), repr=False)
    progress: Callable[[RunProgress], None] | None = None
    # only these targets (team or node ids, workflow names, or proposal keys); None: all
    only_targets: frozenset[str] | None = None


@dataclass
class CycleReport:
    forge: str
    base: str = ""
    proposals: list[Proposal] = field(default_factory=list)
    validations: dict[str, ABTestResult] = field(default_factory=dict)
    not_proposed: list[str] = field(default_factory=list)  # targets dropped, and why
    effects: list[Effect] = field(default_factory=list)
    done: list[Done] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)  # input problems (other targets went on)
    notes: list[str] = field(default_factory=list)  # e.g. metrics artifacts refused
    dry_run: bool = False
    monitor: MonitorReport | None = None  # post-merge monitoring, before any proposal

    def count(self, action: str) -> int:
        return sum(1 for d in self.done if d.action == action)

    def failed(self) -> list[Done]:
        """The effects that failed (the run's exit status is then non-zero)."""
        return [d for d in self.done if d.action == "failed"]

    def monitor_failed(self) -> list[MonitorDone]:
        """The monitoring effects that failed."""
        return self.monitor.failed() if self.monitor is not None else []


_SETTLED = frozenset({"merged", "foreign_commits", "monitoring", "reverted"})


def _failed_reason(result: ABTestResult) -> str:
    why = f"the A/B test failed: {result.reasons[0]}" if result.reasons else ""
    return why or "the A/B test failed"


def _validate(
    patches: list[TargetPatch],
    options: CycleOptions,
    settings_ab: ABTestSettings,
    report: CycleReport,
    withdrawn: dict[str, str],
    store: MetricsStore,
) -> tuple[list[TargetPatch], dict[str, ABTestResult]]:
    from autotune_bot.validation.design_note import design_notes, patch_targets
    from autotune_bot.validation.gate import validate_patches

    for tp in patches:  # before any run: can a test of this size see the improvement?
        targets = patch_targets([(s.scope, s.target) for s in tp.patch.suggestions])
        report.notes += [f"{tp.key}: {note}" for note in design_notes(settings_ab, targets, store)]
    decisions = validate_patches(
        [tp.patch for tp in patches],
        settings_ab,
        cwd=options.repo,
        environ=options.environ,
        progress=options.progress,
    )
    kept: list[TargetPatch] = []
    results: dict[str, ABTestResult] = {}
    for tp, decision in zip(patches, decisions, strict=True):
        if decision.result is not None:
            results[tp.key] = decision.result
        if decision.apply:
            kept.append(tp)
        else:
            report.not_proposed.append(f"{tp.key}: {decision.reason}")
            if decision.result is not None and decision.result.status == "failed":
                withdrawn[tp.key] = _failed_reason(decision.result)
    return kept, results


def _not_run(ab: ABTestSettings) -> ABTestResult:
    reason = "dry run: the A/B test would run here; nothing was run or measured"
    return not_run_result("dry_run", ab, (reason,))


def _rooted(proposal: Proposal, prefix: str) -> Proposal:
    """The proposal with its files named from the work tree's top level."""
    if not prefix:
        return proposal
    files = {prefix + path: text for path, text in proposal.files.items()}
    return dataclasses.replace(proposal, files=files)


def _monitor(
    options: CycleOptions,
    forge: Forge,
    settings: Settings,
    store: MetricsStore,
    base: BaseRef,
    listed: list[ForgeProposal],
) -> MonitorReport:
    """Post-merge monitoring on the inputs already loaded (its own failures are its report's)."""
    watch = MonitorOptions(
        repo=options.repo,
        now=options.now,
        settings_file=options.settings_file,
        dry_run=options.dry_run,
        remote=options.remote,
        token=options.token,
    )
    try:
        return monitor_loaded(watch, forge, settings, store, base, listed)
    except AutotuneError as err:
        return MonitorReport(forge=forge.name, dry_run=options.dry_run, errors=[str(err)])


def run_cycle(options: CycleOptions, forge: Forge) -> CycleReport:
    """One full cycle; raises :class:`AutotuneError` for what stops the whole run."""
    from autotune_bot.analysis.analyzer import analyze
    from autotune_bot.repository import load_inputs
    from autotune_bot.tuning.tuner import TunerOptions, plan_tuning

    report = CycleReport(forge=forge.name, dry_run=options.dry_run)
    repo = options.repo
    inputs = load_inputs(
        repo,
        settings_file=options.settings_file,
        extra_metrics_files=options.extra_metrics_files,
    )
    settings = inputs.settings
    report.errors += [str(e) for e in (*inputs.workflow_errors, *inputs.metrics.unreadable)]
    prs = settings.pull_requests
    identity = GitIdentity(prs.author_name, prs.author_email)

    base = proposal_base(repo, options.remote, prs.branch_prefix, token=options.token)
    report.base = base.branch
    in_tree = repo_prefix(repo)

    analysis = analyze(
        inputs.metrics.store,
        inputs.metrics.problems,
        inputs.workflows,
        settings,
        workflow_errors=inputs.workflow_errors,
    )
    plan = plan_tuning(
        analysis,
        inputs.workflows,
        inputs.metrics.store,
        settings,
        TunerOptions(settings_source=inputs.settings_path),
    )
    report.notes += idle_notes(inputs, plan, settings)
    withdrawn = current_is_best(plan)
    files = {f.path: f for f in inputs.workflows}
    patches, failures = target_patches(plan, files, settings.constraints)
    if options.only_targets is not None:
        patches = [tp for tp in patches if {tp.target.target, tp.key} & options.only_targets]
    report.not_proposed += [str(f) for f in failures]
    fresh: list[TargetPatch] = []
    for tp in patches:  # the working tree must hold what the base holds, or the diff would lie
        if text_at(repo, base.sha, in_tree + tp.patch.path) != tp.patch.old_text:
            report.not_proposed.append(
                f"{tp.key}: {tp.patch.path} differs from {base.branch} (uncommitted or "
                "unpushed changes); not proposed"
            )
        else:
            fresh.append(tp)

    wanted = [proposal_branch(prs.branch_prefix, tp.target) for tp in fresh]
    existing = forge.list_proposals(wanted)
    # post-merge monitoring before any proposal (on the same listing): what it holds back
    # or saw regress decides what may be proposed
    report.monitor = _monitor(options, forge, settings, inputs.metrics.store, base, existing)
    held: dict[str, str] | None = report.monitor.held if report.monitor.enabled else {}
    if report.monitor.errors:  # not known what is still watched: merged keys wait
        held = None
    regressed = frozenset(report.monitor.regressed_changes)
    report.errors += [f"monitoring: {e}" for e in report.monitor.errors]
    report.errors += [f"monitoring {d.ref}: {d.detail}" for d in report.monitor.failed()]
    history_text = text_at(repo, base.sha, in_tree + HISTORY_PATH) or ""
    # confirmed merged changes not yet in the base's history: recorded by this run's commits
    history_text = with_outcomes(history_text, report.monitor.watched, now=options.now)

    def proposals_of(
        patches: list[TargetPatch], validations: dict[str, ABTestResult]
    ) -> list[Proposal]:
        made = build_proposals(
            patches,
            plan=plan,
            settings=settings,
            now=options.now,
            history_text=history_text,
            report=analysis,
            validations=validations,
        )
        return [_rooted(p, in_tree) for p in made]

    if options.remote is not None:
        fetch_other_branches(
            repo, options.remote, base.branch, prs.branch_prefix, existing, token=options.token
        )
    where = BranchSource(
        repo,
        base.sha,
        identity,
        options.remote,
        checked_out_branches(repo) if options.remote is None else {},
    )
    max_per_run = options.max_prs if options.max_prs is not None else prs.max_per_run
    validations: dict[str, ABTestResult] = {}
    if settings.ab_test.enabled and fresh:
        if options.dry_run:  # nothing runs: say so rather than plan them as "not validated"
            validations = {tp.key: _not_run(settings.ab_test) for tp in fresh}
        else:
            # A/B runs cost time and money: none for a target whose branch or pull request
            # is settled whatever the evidence (merged, or a person pushed to its branch).
            draft = proposals_of(fresh, {})
            settled = {
                e.key
                for e in plan_effects(
                    draft,
                    existing,
                    proposal_branch_facts(where, draft, existing),
                    max_open=prs.max_open,
                    max_per_run=max_per_run,
                    held=held,
                    regressed_changes=regressed,
                )
                if isinstance(e, Skip) and e.code in _SETTLED
            }
            to_test = [tp for tp in fresh if tp.key not in settled]
            passed, validations = _validate(
                to_test, options, settings.ab_test, report, withdrawn, inputs.metrics.store
            )
            fresh = [tp for tp in fresh if tp.key in settled or tp in passed]
    report.validations = validations

    proposals = proposals_of(fresh, validations)
    report.proposals = proposals
    facts = proposal_branch_facts(where, proposals, existing)
    commits = {} if options.dry_run else planned_commits(where, proposals, options.now)
    effects = plan_effects(
        proposals,
        existing,
        facts,
        max_open=prs.max_open,
        max_per_run=max_per_run,
        commits=commits,
        withdrawn=withdrawn,
        now=options.now,
        held=held,
        regressed_changes=regressed,
    )
    report.effects = effects
    if options.dry_run:
        return report
    target = EffectTarget(repo, base, identity, options.remote, options.token, options.now, commits)
    report.done = apply_effects(effects, forge, target, facts)
    return report
