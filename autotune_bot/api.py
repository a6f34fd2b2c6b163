"""The Python API named in the design documents.

    from autotune_bot import PerformanceAnalyzer

    analyzer = PerformanceAnalyzer()
    analyzer.load_metrics_from_file("metrics.json")
    insights = analyzer.analyze_team_workflow(team_id="review_team")
    for insight in insights:
        print(insight.bottleneck, insight.severity, insight.recommendation)

Reading files happens here; the analysis itself is :func:`autotune_bot.analysis.analyzer.analyze`,
which takes values only.
"""

from __future__ import annotations

from os import PathLike
from pathlib import Path

from autotune_bot.analysis.analyzer import AnalysisReport, analyze, check_team_ids
from autotune_bot.analysis.insight import Insight
from autotune_bot.errors import UsageError
from autotune_bot.metrics.ingest import IngestResult, ingest_files
from autotune_bot.settings import Settings
from autotune_bot.workflow.model import WorkflowFile

__all__ = ["PerformanceAnalyzer"]


class PerformanceAnalyzer:
    """Load metrics (and optionally workflow files), then analyse teams and workflows.

    ``settings`` defaults to ``Settings()`` (every default of ``.autotune.yml``).
    """

    def __init__(self, settings: Settings | None = None) -> None:
        self.settings = settings if settings is not None else Settings()
        self._metrics: list[Path] = []
        self._workflows: list[WorkflowFile] = []
        self._ingested: IngestResult | None = None

    def load_metrics_from_file(self, path: str | PathLike[str]) -> None:
        """Add a metrics file (JSON array, JSON Lines, optionally gzipped)."""
        file = Path(path)
        if not file.is_file():
            raise UsageError(f"no such metrics file: {file}")
        self._metrics.append(file)
        self._ingested = None

    def load_workflow_file(self, path: str | PathLike[str]) -> WorkflowFile:
        """Add a workflow YAML file; raises an :class:`~autotune_bot.errors.InputError` if bad."""
        from autotune_bot.workflow.loader import read_workflow_file

        wf_file = read_workflow_file(Path(path), str(path))
        self._workflows.append(wf_file)
        return wf_file

    @property
    def workflows(self) -> list[WorkflowFile]:
        """The workflow files loaded so far."""
        return list(self._workflows)

    @property
    def metrics(self) -> IngestResult:
        if self._ingested is None:
            self._ingested = ingest_files((p, str(p)) for p in self._metrics)
        return self._ingested

    def analyze(self, team_ids: list[str] | None = None) -> AnalysisReport:
        """Analyse every team and workflow in the loaded data (or only ``team_ids``)."""
        data = self.metrics
        return analyze(data.store, data.problems, self._workflows, self.settings, team_ids=team_ids)

    def analyze_team_workflow(self, team_id: str) -> list[Insight]:
        """Bottlenecks of one team, most severe first."""
        check_team_ids(self.metrics.store, [team_id], "team_id")
        report = self.analyze(team_ids=[team_id])
        return list(report.teams[0].insights) if report.teams else []
