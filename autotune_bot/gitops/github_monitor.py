"""`autotune monitor` against GitHub: merged pull requests and their comments through the API,
revert branches pushed to ``origin``, and the metrics of recent workflow runs' artifacts read
with the repository's own (as `autotune run` does, :mod:`.github_cycle`)."""

from __future__ import annotations

import dataclasses
import tempfile
from pathlib import Path

from autotune_bot.actions_env import ActionConfig
from autotune_bot.forge.github import GitHubForge
from autotune_bot.forge.github_client import GitHubClient
from autotune_bot.gitops.github_cycle import REMOTE, artifact_metrics
from autotune_bot.gitops.monitor_cycle import MonitorOptions, MonitorReport, run_monitor
from autotune_bot.settings import load_settings

__all__ = ["monitor_for_config", "monitor_on_github"]


def monitor_on_github(options: MonitorOptions, client: GitHubClient) -> MonitorReport:
    """Monitor the checkout at ``options.repo`` with pull requests on GitHub
    (``options.token`` authenticates git's fetches and pushes)."""
    settings, _ = load_settings(options.repo, options.settings_file)
    forge = GitHubForge.from_settings(client, settings.pull_requests)
    notes: list[str] = []
    with tempfile.TemporaryDirectory(prefix="autotune-artifacts-") as tmp:
        got = artifact_metrics(client, settings.metrics_artifacts, Path(tmp), notes)
        extra = (*options.extra_metrics_files, *got)
        report = run_monitor(
            dataclasses.replace(options, extra_metrics_files=extra, remote=REMOTE), forge
        )
    report.notes = notes + report.notes
    return report


def monitor_for_config(options: MonitorOptions, cfg: ActionConfig) -> MonitorReport:
    """Monitoring with the forge ``cfg`` chose: GitHub (its repository, token and API URL) or
    local branches and drafts in ``options.repo``."""
    if cfg.forge == "github":
        assert cfg.token is not None  # action_config refuses the github forge without one
        assert cfg.repository is not None
        token = cfg.token.reveal()
        client = GitHubClient(base_url=cfg.api_url, token=token, repository=cfg.repository)
        return monitor_on_github(dataclasses.replace(options, token=token), client)
    from autotune_bot.forge.local import LocalForge

    return run_monitor(options, LocalForge(options.repo))
