"""Why a run has nothing to work on: notes for the run report.

A run with no workflow files, no metrics, no recorded execution of any workflow, or no target
with a change would otherwise only print "0 opened"; these notes say which it is, and where
the files were looked for. Pure.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:  # only for the annotations: the run imports these when it starts
    from autotune_bot.repository import RepositoryInputs
    from autotune_bot.settings import Settings
    from autotune_bot.tuning.plan_types import TuningPlan

__all__ = ["idle_notes"]

_WORKFLOWS_LOOKED_FOR = "*.yaml and *.yml files under directories named workflows/"
_METRICS_LOOKED_FOR = (
    ".json, .jsonl and .ndjson files (each optionally .gz) under directories named metrics/"
)


def idle_notes(inputs: RepositoryInputs, plan: TuningPlan, settings: Settings) -> list[str]:
    """Why a run has nothing to work on, when it has not: no workflow files, no metrics, no
    target with recorded executions, or no target with a change."""
    notes: list[str] = []
    store = inputs.metrics.store
    if not inputs.workflows and not inputs.workflow_errors:
        where = ", ".join(settings.workflows) or _WORKFLOWS_LOOKED_FOR
        notes.append(f"no workflow files found (looked for {where})")
    if not store.files_read and not inputs.metrics.unreadable:
        where = ", ".join(settings.metrics) or _METRICS_LOOKED_FOR
        notes.append(f"no metrics files found (looked for {where})")
    elif store.files_read and store.records_read == 0:
        notes.append(f"the {len(store.files_read)} metrics file(s) hold no execution records")
    elif inputs.workflows and not plan.targets:
        notes.append(
            "no workflow has recorded executions to tune: none of the "
            f"{store.records_read} records read from {len(store.files_read)} metrics file(s) "
            "belongs to a workflow or team of the workflow files"
        )
    elif plan.targets and all(t.best is None for t in plan.targets):
        notes.append(
            f"none of the {len(plan.targets)} tuning target(s) has a change to propose: the "
            "search found nothing better than the current configurations"
        )
    return notes
