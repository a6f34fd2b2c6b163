"""Builders for the performance-model tests: records → a real MetricsStore, YAML → a workflow.

Records are written as JSON Lines and ingested with the project's reader and builder, so the
model reads stores exactly as the command line builds them. Record shapes come from the
analysis tests' builders.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from autotune_bot.metrics.columns import MetricsStore
from autotune_bot.metrics.ingest import ingest_files
from autotune_bot.workflow.loader import parse_workflow_text
from autotune_bot.workflow.model import WorkflowDef

Record = dict[str, Any]


def ingest(directory: Path, records: Sequence[Record], name: str = "metrics.jsonl") -> MetricsStore:
    """Write ``records`` as JSON Lines under ``directory`` and read them into a store."""
    path = directory / name
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    result = ingest_files([(path, name)])
    assert not result.unreadable
    return result.store


def workflow(text: str, name: str = "wf.yaml") -> WorkflowDef:
    (definition,) = parse_workflow_text(text, name).workflows
    return definition


def rows_of_team(store: MetricsStore, team: str, config: str | None = None) -> npt.NDArray[np.intp]:
    mine = store.teams.team == store.team_names.lookup(team)
    if config is not None:
        mine &= store.teams.config == store.config_names.lookup(config)
    return np.flatnonzero(mine)


def rows_of_runs(store: MetricsStore) -> npt.NDArray[np.intp]:
    return np.arange(len(store.runs), dtype=np.intp)
