"""Edge: read what a repository holds (settings, workflow files, metrics) into values.

The only module of the analysis path that touches the file system. Bad files are collected
as errors and skipped; everything else is still loaded.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from autotune_bot.discovery import discover
from autotune_bot.errors import InputError, UsageError
from autotune_bot.metrics.ingest import IngestResult, ingest_files
from autotune_bot.metrics.parallel import Pending, abandon
from autotune_bot.repo_paths import display_path
from autotune_bot.settings import Settings, load_settings
from autotune_bot.workflow.loader import read_workflow_files
from autotune_bot.workflow.model import WorkflowFile

__all__ = ["RepositoryInputs", "load_inputs"]


@dataclass(frozen=True)
class RepositoryInputs:
    root: Path
    settings: Settings
    settings_path: str | None
    workflows: tuple[WorkflowFile, ...]
    workflow_errors: tuple[InputError, ...]
    metrics: IngestResult


def load_inputs(
    root: Path,
    *,
    settings_file: Path | None = None,
    workflow_files: Sequence[Path] = (),
    metrics_files: Sequence[Path] = (),
    extra_metrics_files: Sequence[Path] = (),
    member_teams: frozenset[str] | None = None,
    early: Pending | None = None,
    parallel: bool = False,
) -> RepositoryInputs:
    """Load a repository's inputs.

    Explicit ``workflow_files`` / ``metrics_files`` replace discovery for that kind (with
    ``--metrics`` given, nothing else is read for metrics, and no workflow file is read
    unless ``--config`` names one). ``extra_metrics_files`` are read in addition to whatever
    the rest selects (e.g. metrics downloaded from workflow-run artifacts). ``early`` is a
    worker already reading part of the single metrics file (see
    :func:`autotune_bot.metrics.parallel.start`); ``parallel`` lets a single large metrics
    file be read on two cores. Raises
    :class:`SettingsError` for a bad settings file and :class:`UsageError` for a named file
    that does not exist.
    """
    try:
        settings, settings_path = load_settings(root, settings_file)
    except BaseException:
        if early is not None:
            abandon(early)
        raise
    explicit = bool(workflow_files) or bool(metrics_files)
    for flag, paths in (("--config", workflow_files), ("--metrics", metrics_files)):
        for path in paths:
            if not path.is_file():
                if early is not None:
                    abandon(early)
                raise UsageError(f"no such file: {path}", field=flag)
    if explicit:
        wf_paths = list(workflow_files)
        m_paths = list(metrics_files)
        if not metrics_files:
            m_paths = list(discover(root, settings).metrics_files)
    else:
        found = discover(root, settings)
        wf_paths, m_paths = list(found.workflow_files), list(found.metrics_files)
    m_paths += [p for p in extra_metrics_files if p not in m_paths]
    workflows, errors = read_workflow_files((p, display_path(root, p)) for p in wf_paths)
    metrics = ingest_files(
        [(p, display_path(root, p)) for p in m_paths],
        member_teams=member_teams,
        early=early,
        parallel=parallel,
    )
    return RepositoryInputs(root, settings, settings_path, tuple(workflows), tuple(errors), metrics)
