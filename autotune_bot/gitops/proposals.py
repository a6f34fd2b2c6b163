"""From per-target patches (and their A/B results) to :class:`Proposal` values.

One proposal per tuning target (:mod:`autotune_bot.gitops.target_patches` makes each patch
hold only its target's change). A proposal's files are the patched workflow file and
``.autotune/history.jsonl`` as the base holds it plus the new history entry (history travels
with the change, so merging the pull request records it and ``autotune rollback`` can undo it).
Two proposals on one file both start from the same base: merging one makes the other conflict,
and the next run rebuilds it on the new base (see :mod:`autotune_bot.gitops.lifecycle`).

The evidence key and the headline figure (:mod:`autotune_bot.gitops.evidence_key`) decide
whether a later run's proposal differs materially from an earlier one; the marker
(:mod:`autotune_bot.gitops.marker`) stores it with the key and branch in the body. Proposals
are returned most worthwhile first: passed A/B tests, then unvalidated estimates, then
inconclusive and failed ones, each by headline improvement, then by key. Pure: ``now`` is
passed in.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from autotune_bot.analysis.analyzer import AnalysisReport
from autotune_bot.analysis.insight import Insight
from autotune_bot.errors import InputError
from autotune_bot.gitops.body import BodyInputs, render_body
from autotune_bot.gitops.body_fit import BODY_LIMIT
from autotune_bot.gitops.body_stamps import STAMP_RESERVE
from autotune_bot.gitops.branch_names import branch_name
from autotune_bot.gitops.evidence_key import changed_lines, evidence_key
from autotune_bot.gitops.headline import Headline, headline
from autotune_bot.gitops.marker import render_marker
from autotune_bot.gitops.target_patches import TargetPatch, workflow_name
from autotune_bot.gitops.titles import change_summary, commit_message, proposal_title
from autotune_bot.gitops.types import Proposal
from autotune_bot.history import HISTORY_FILE, apply_entry, history_line
from autotune_bot.settings import Settings
from autotune_bot.tuning.plan_types import TargetPlan, TuningPlan
from autotune_bot.validation.report import result_to_json
from autotune_bot.validation.result import ABTestResult
from autotune_bot.workflow.loader import parse_workflow_text
from autotune_bot.workflow.model import WorkflowDef

__all__ = [
    "DEFAULT_DETAILS",
    "HISTORY_PATH",
    "appended_history",
    "build_proposal",
    "build_proposals",
    "change_digest",
    "proposal_branch",
    "target_insights",
]

HISTORY_PATH = HISTORY_FILE.as_posix()
DEFAULT_DETAILS = "the proposal's branch, where the whole change is committed"
_STATUS_ORDER = {"passed": 0, "inconclusive": 2, "failed": 3}


def appended_history(old_text: str, entry: Mapping[str, Any]) -> str:
    """The history file's text with ``entry`` appended as one line (as ``append_history``
    writes it, a missing final newline repaired)."""
    line = history_line(entry)
    if old_text and not old_text.endswith("\n"):
        old_text += "\n"
    return old_text + line


def change_digest(diff: str) -> str:
    """The digest of a change itself (its removed and added lines, not where they sit): two
    proposals of the same change have the same digest, whatever their evidence."""
    canonical = json.dumps(changed_lines(diff), separators=(",", ":"), ensure_ascii=True)
    return hashlib.sha256(canonical.encode("ascii")).hexdigest()[:20]


def target_insights(report: AnalysisReport | None, scope: str, target: str) -> tuple[Insight, ...]:
    """The bottlenecks behind a target, most severe first: a team's own insights and the
    workflow insights about its node, or a workflow's insights."""
    if report is None:
        return ()
    found: list[Insight] = []
    if scope == "team":
        for team in report.teams:
            if team.team_id == target:
                found += team.insights
        found += [i for w in report.workflows for i in w.insights if i.component == target]
    else:
        found += [i for w in report.workflows if w.name == target for i in w.insights]
    return tuple(sorted(found, key=lambda i: -i.severity))


def proposal_branch(prefix: str, target: TargetPlan) -> str:
    """The branch of a target's proposals: ``<prefix><workflow>/<team-or-node>`` (an
    :class:`InputError` for a prefix that cannot make a valid branch name)."""
    try:
        return branch_name(prefix, workflow_name(target), target.target)
    except ValueError as err:
        raise InputError(str(err), field="pull_requests.branch_prefix") from err


def _after(new_text: str, path: str, name: str) -> WorkflowDef | None:
    try:
        parsed = parse_workflow_text(new_text, path)
    except InputError:
        return None
    return next((wf for wf in parsed.workflows if wf.name == name), None)


def _marker_meta(
    tp: TargetPatch, branch: str, key: str, head: Headline, entry: Mapping[str, Any]
) -> dict[str, Any]:
    percent = None if head.percent is None else round(head.percent, 1)
    return {
        "key": key,
        "branch": branch,
        "file": tp.patch.path,
        "scope": tp.target.scope,
        "workflow": workflow_name(tp.target),
        "target": tp.target.target,
        "evidence_key": evidence_key(
            key=key,
            diff=tp.patch.diff,
            validation_status=head.status,
            evidence=head.evidence,
        ),
        "validation_status": head.status,
        "evidence": head.evidence,
        "improvement": {"metric": head.metric, "percent": percent},
        "history_entry": entry["id"],
        "proposed_at": entry["timestamp"],
        "change": change_digest(tp.patch.diff),
    }


def build_proposal(
    tp: TargetPatch,
    *,
    plan: TuningPlan,
    settings: Settings,
    now: datetime,
    history_text: str = "",
    report: AnalysisReport | None = None,
    validation: ABTestResult | None = None,
    details: str = DEFAULT_DETAILS,
) -> Proposal:
    """The proposal of one target's patch (``history_text``: the base's history file, "" when
    it has none; ``validation``: the patch's A/B result, None when none ran)."""
    target, patch = tp.target, tp.patch
    key = tp.key
    prs = settings.pull_requests
    branch = proposal_branch(prs.branch_prefix, target)
    head = headline(tp.suggestion, validation, settings.ab_test.primary_metric)
    ran = validation is not None and head.validated
    entry = apply_entry(
        patch,
        plan,
        now=now,
        mode="auto",
        evidence=head.evidence,
        validation=result_to_json(validation) if ran and validation is not None else None,
        validation_status=head.status,
    )
    meta = _marker_meta(tp, branch, key, head, entry)
    try:
        marker = render_marker(meta)
    except ValueError as err:
        raise InputError(f"names too long for a proposal: {err}", path=patch.path) from err
    summary = change_summary(tp.suggestion.changes, target.target)
    title = proposal_title(target.target, tp.suggestion.changes, head)
    body = render_body(
        BodyInputs(
            scope=target.scope,
            target=target.target,
            workflow=workflow_name(target),
            file=patch.path,
            suggestion=tp.suggestion,
            diff=patch.diff,
            headline=head,
            insights=target_insights(report, target.scope, target.target),
            validation=validation,
            before=target.workflow,
            after=_after(patch.new_text, patch.path, workflow_name(target)),
            history_entry=entry["id"],
            marker=marker,
            details=details,
            search=target.search,
            summary=summary,
        ),
        limit=BODY_LIMIT - STAMP_RESERVE,  # room for the lifecycle's stamps and notices
    )
    return Proposal(
        key=key,
        branch=branch,
        files={patch.path: patch.new_text, HISTORY_PATH: appended_history(history_text, entry)},
        diff=patch.diff,
        title=title,
        body=body,
        evidence_key=meta["evidence_key"],
        validation_status=head.status,
        labels=tuple(prs.labels),
        reviewers=tuple(prs.reviewers),
        commit_message=commit_message(
            title,
            description=tp.suggestion.description,
            key=key,
            file=patch.path,
            evidence_key=meta["evidence_key"],
            validation_status=head.status,
            history_entry=entry["id"],
        ),
        metadata={"version": 1, **meta},
    )


def _worth(p: Proposal) -> tuple[int, float, str]:
    percent = p.metadata.get("improvement", {}).get("percent")
    rank = _STATUS_ORDER.get(p.validation_status, 1)
    return (rank, percent if isinstance(percent, int | float) else float("inf"), p.key)


def build_proposals(
    patches: Sequence[TargetPatch],
    *,
    plan: TuningPlan,
    settings: Settings,
    now: datetime,
    history_text: str = "",
    report: AnalysisReport | None = None,
    validations: Mapping[str, ABTestResult] | None = None,
    details: str = DEFAULT_DETAILS,
) -> list[Proposal]:
    """One proposal per target patch, most worthwhile first; ``validations``: A/B results by
    proposal key (a target without one is "not validated"). Two patches of one key are an
    error (ValueError)."""
    keys = [tp.key for tp in patches]
    if len(set(keys)) != len(keys):
        raise ValueError("two patches for the same proposal key")
    results = validations or {}
    made = [
        build_proposal(
            tp,
            plan=plan,
            settings=settings,
            now=now,
            history_text=history_text,
            report=report,
            validation=results.get(tp.key),
            details=details,
        )
        for tp in patches
    ]
    return sorted(made, key=_worth)
