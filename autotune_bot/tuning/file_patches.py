"""From accepted suggestions to one patch per workflow file.

Suggestions of one target are merged into one configuration (:mod:`.merge`), so two
suggestions touching the same node never produce conflicting edits; the changes of every
target in a file are applied in one batch by the minimal patcher; the result is read back with
the workflow loader and must say exactly what the merged configurations say; the changed file
must keep a valid graph and the user's ``constraints:`` (see
:mod:`autotune_bot.validation.constraints`). A file whose patch fails any of this is left alone
and reported, the others still get theirs. Pure.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from autotune_bot.errors import AutotuneError
from autotune_bot.patch.apply import apply_edits
from autotune_bot.patch.diff import unified_diff
from autotune_bot.settings.models import Constraints
from autotune_bot.tuning.config import TeamConfig, WorkflowConfig
from autotune_bot.tuning.merge import merge_candidates
from autotune_bot.tuning.plan_types import TargetPlan, TuningPlan
from autotune_bot.tuning.readback import check_team_readback, check_workflow_readback
from autotune_bot.tuning.suggestion import Change, OptimizationSuggestion
from autotune_bot.tuning.team_edits import team_changes
from autotune_bot.tuning.workflow_edits import workflow_changes
from autotune_bot.validation.constraints import check_estimate, check_patched_text
from autotune_bot.workflow.model import WorkflowFile

__all__ = ["FilePatch", "PatchFailure", "build_patches", "preview_patch"]


@dataclass(frozen=True)
class FilePatch:
    path: str
    old_text: str
    new_text: str
    diff: str
    suggestions: tuple[OptimizationSuggestion, ...]


@dataclass(frozen=True)
class PatchFailure:
    path: str
    reason: str

    def __str__(self) -> str:
        return f"{self.path}: not changed: {self.reason}"


@dataclass(frozen=True)
class _Merged:
    plan: TargetPlan
    config: TeamConfig | WorkflowConfig
    suggestions: tuple[OptimizationSuggestion, ...]


def _merge(
    accepted: Sequence[OptimizationSuggestion], plan: TuningPlan
) -> dict[str, list[_Merged]]:
    by_target: dict[tuple[str, str], list[OptimizationSuggestion]] = {}
    for s in accepted:
        by_target.setdefault((s.scope, s.target), []).append(s)
    by_file: dict[str, list[_Merged]] = {}
    for target in plan.targets:
        chosen = by_target.get(target.key)
        if not chosen or target.current is None:
            continue
        candidates = [s.candidate for s in chosen if s.candidate is not None]
        config = merge_candidates(target.current, candidates)  # type: ignore[type-var]
        by_file.setdefault(target.file, []).append(_Merged(target, config, tuple(chosen)))
    return by_file


def _changes(m: _Merged, wf_file: WorkflowFile) -> tuple[Change, ...]:
    t = m.plan
    assert t.workflow is not None
    if isinstance(m.config, TeamConfig):
        assert t.node is not None
        assert isinstance(t.current, TeamConfig)
        return team_changes(t.workflow, t.node, t.current, m.config)
    assert isinstance(t.current, WorkflowConfig)
    return workflow_changes(t.workflow, t.current, m.config, document=wf_file.document)


def _readback(m: _Merged, text: str, path: str) -> list[str]:
    t = m.plan
    assert t.workflow is not None
    if isinstance(m.config, TeamConfig):
        assert t.node is not None
        return check_team_readback(text, path, t.workflow.name, t.node.id, m.config)
    assert isinstance(t.current, WorkflowConfig)
    removed = m.config.removed - t.current.removed
    groups = [g for g in m.config.parallel_groups if g not in t.current.parallel_groups]
    return check_workflow_readback(
        text, path, t.workflow.name, m.config, removed, groups, original=t.workflow
    )


def _patch_file(path: str, wf_file: WorkflowFile, merged: list[_Merged]) -> FilePatch:
    edits = []
    for m in merged:
        edits += [c.edit for c in _changes(m, wf_file)]
    new_text = apply_edits(wf_file.text, edits, path)
    problems = [p for m in merged for p in _readback(m, new_text, path)]
    if problems:
        raise AutotuneError("the patched file does not read back as intended: " + problems[0])
    suggestions = tuple(s for m in merged for s in m.suggestions)
    return FilePatch(
        path, wf_file.text, new_text, unified_diff(wf_file.text, new_text, path), suggestions
    )


def build_patches(
    accepted: Sequence[OptimizationSuggestion],
    plan: TuningPlan,
    files: Mapping[str, WorkflowFile],
    constraints: Constraints | None = None,
) -> tuple[list[FilePatch], list[PatchFailure]]:
    """One patch per file. Each patched file must keep its graph valid and, with
    ``constraints``, the user's rules (:mod:`autotune_bot.validation.constraints`); a file
    that breaks a rule is not changed and its failure names the rule."""
    patches: list[FilePatch] = []
    failures: list[PatchFailure] = []
    for path, merged in _merge(accepted, plan).items():
        try:
            patch = _patch_file(path, files[path], merged)
            broken = check_patched_text(files[path], patch.new_text, constraints)
        except (AutotuneError, ValueError) as err:
            failures.append(PatchFailure(path, str(err)))
            continue
        if constraints is not None:
            broken += [
                v
                for s in patch.suggestions
                for v in check_estimate(s.estimate, constraints, path).violations
            ]
        if broken:
            failures.append(PatchFailure(path, "; ".join(map(str, broken))))
            continue
        if patch.new_text != patch.old_text:
            patches.append(patch)
    return patches, failures


def preview_patch(
    suggestion: OptimizationSuggestion,
    plan: TuningPlan,
    files: Mapping[str, WorkflowFile],
    constraints: Constraints | None = None,
) -> str:
    """The diff the suggestion alone would make (or why it cannot be applied)."""
    patches, failures = build_patches([suggestion], plan, files, constraints)
    return "".join(p.diff for p in patches) + "".join(f"{f}\n" for f in failures)
