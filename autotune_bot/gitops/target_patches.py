"""One patch per tuning target: the change a single proposal carries.

``build_patches`` merges every accepted suggestion of a file into one patch; a proposal must
carry only its own target's change, so each target's best configuration is patched alone
(:func:`target_patches`). Two proposals on one file are then independent branches from the
same base: whichever is merged first lands cleanly, the other conflicts (both edit the file
and both append to the history file) and is rebuilt on the current base by the next run.
Pure.
"""

from __future__ import annotations

import pathlib
from collections.abc import Mapping
from dataclasses import dataclass

from autotune_bot.settings.models import Constraints
from autotune_bot.tuning.file_patches import FilePatch, PatchFailure, build_patches
from autotune_bot.tuning.plan_types import TargetPlan, TuningPlan
from autotune_bot.tuning.suggestion import OptimizationSuggestion
from autotune_bot.workflow.model import WorkflowFile

__all__ = [
    "CURRENT_IS_BEST",
    "TargetPatch",
    "current_is_best",
    "proposal_key",
    "target_patches",
    "workflow_name",
]

CURRENT_IS_BEST = "the search finds the current configuration best: no change beats it"


def workflow_name(target: TargetPlan) -> str:
    """The name of the workflow holding the target (the file's stem when not known)."""
    if target.scope == "workflow":
        return target.target
    if target.workflow is not None:
        return target.workflow.name
    return pathlib.PurePosixPath(target.file.replace("\\", "/")).stem


def proposal_key(target: TargetPlan) -> str:
    """``<workflow>/<team-or-node>``; a workflow-level target repeats the workflow name."""
    return f"{workflow_name(target)}/{target.target}"


@dataclass(frozen=True)
class TargetPatch:
    """A target, the suggestion a proposal ships for it and the patch of that suggestion."""

    target: TargetPlan
    suggestion: OptimizationSuggestion
    patch: FilePatch

    @property
    def key(self) -> str:
        return proposal_key(self.target)


def current_is_best(plan: TuningPlan) -> dict[str, str]:
    """Targets the search ran for and kept as they are (the configuration it ships is the
    current one), by proposal key, with that reason: a definite "no" to any earlier
    proposal of theirs. A search that was skipped, or whose result a constraint dropped, is
    not one."""
    return {
        proposal_key(t): CURRENT_IS_BEST
        for t in plan.targets
        if t.best is None and t.search is not None and not t.search.shipped
    }


def target_patches(
    plan: TuningPlan,
    files: Mapping[str, WorkflowFile],
    constraints: Constraints | None = None,
) -> tuple[list[TargetPatch], list[PatchFailure]]:
    """The patch of each target's best configuration alone, in plan order; targets without a
    best configuration are left out, and a target whose patch fails is reported instead."""
    found: list[TargetPatch] = []
    failures: list[PatchFailure] = []
    for target in plan.targets:
        if target.best is None or target.file not in files:
            continue
        patches, failed = build_patches([target.best], plan, files, constraints)
        failures += failed
        found += [TargetPatch(target, target.best, p) for p in patches if p.path == target.file]
    return found, failures
