"""`autotune run` against GitHub: the cycle with the GitHub forge, pushing to ``origin``, and
the metrics of recent workflow runs' artifacts added to the repository's own metrics files."""

from __future__ import annotations

import dataclasses
import tempfile
from pathlib import Path

from autotune_bot.errors import AutotuneError
from autotune_bot.forge.github import GitHubForge
from autotune_bot.forge.github_artifacts import GitHubArtifacts
from autotune_bot.forge.github_client import GitHubClient
from autotune_bot.gitops.cycle import CycleOptions, CycleReport, run_cycle
from autotune_bot.secret import Secret
from autotune_bot.settings import load_settings

__all__ = ["REMOTE", "github_cycle", "run_on_github"]

REMOTE = "origin"


def github_cycle(options: CycleOptions, client: GitHubClient) -> CycleReport:
    """Run the cycle on the checkout at ``options.repo`` with pull requests on GitHub."""
    settings, _ = load_settings(options.repo, options.settings_file)
    forge = GitHubForge.from_settings(client, settings.pull_requests)
    notes: list[str] = []
    with tempfile.TemporaryDirectory(prefix="autotune-artifacts-") as tmp:
        downloaded: tuple[Path, ...] = ()
        if settings.metrics_artifacts:
            try:
                got = GitHubArtifacts(client).fetch_metrics(settings.metrics_artifacts, Path(tmp))
            except AutotuneError as err:
                notes.append(f"metrics artifacts not read: {err}")
            else:
                downloaded = got.files
                notes += [f"artifact {name} not used: {why}" for name, why in got.rejected]
                if got.extracted:
                    notes.append(
                        f"metrics from {len(got.extracted)} artifact(s): "
                        + ", ".join(a.name for a in got.extracted)
                    )
        extra = (*options.extra_metrics_files, *downloaded)
        run = dataclasses.replace(options, extra_metrics_files=extra, remote=REMOTE)
        report = run_cycle(run, forge)
    report.notes = notes + report.notes
    return report


def run_on_github(
    options: CycleOptions, *, token: Secret, repository: str, api_url: str
) -> CycleReport:
    """:func:`github_cycle` with a client for ``repository``; the token also authenticates
    git's fetches and pushes (as an HTTP header, never in a URL)."""
    client = GitHubClient(base_url=api_url, token=token.reveal(), repository=repository)
    return github_cycle(dataclasses.replace(options, token=token.reveal()), client)
