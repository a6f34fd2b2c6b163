"""Metrics from workflow-run artifacts, over GitHub's REST API.

Listing goes through PyGithub (the repository's artifacts, or one run's). Downloading does
not: GitHub answers the archive URL with a 302 to a short-lived signed storage URL on
another host, which is fetched at once with a plain ``requests`` session that carries no
credentials (the token is only ever sent to the API host). Archives are streamed to a
spooled temporary file under the size caps and unpacked by
:func:`autotune_bot.forge.artifacts.extract_metrics_archive`. A refused artifact (too big,
unsafe, expired) is reported and the others are still used; GitHub being unavailable is an
error.
"""

from __future__ import annotations

import logging
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import IO, Any

import requests

from autotune_bot.forge.artifacts import (
    ArtifactError,
    ArtifactInfo,
    ArtifactLimits,
    ExtractedArtifact,
    artifact_directory_name,
    extract_metrics_archive,
    select_artifacts,
)
from autotune_bot.forge.github_client import GitHubClient
from autotune_bot.forge.github_errors import GitHubRequestError, HttpStatusError

__all__ = ["ArtifactDownload", "GitHubArtifacts", "artifact_info"]

_log = logging.getLogger(__name__)
_CHUNK = 64 * 1024
_SPOOL_BYTES = 8 * 1024 * 1024


@dataclass(frozen=True)
class ArtifactDownload:
    """What a download brought: the unpacked artifacts and the refused ones with why."""

    extracted: tuple[ExtractedArtifact, ...]
    rejected: tuple[tuple[str, str], ...]  # (artifact name, reason)

    @property
    def files(self) -> tuple[Path, ...]:
        return tuple(path for artifact in self.extracted for path in artifact.files)


def _no_auth(request: requests.PreparedRequest) -> requests.PreparedRequest:
    """An auth hook that adds nothing (and stops requests from reading ``~/.netrc``)."""
    return request


def _time(value: Any) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None


def artifact_info(raw: dict[str, Any]) -> ArtifactInfo:
    """An :class:`ArtifactInfo` from the API's ``artifact`` object."""
    run = raw.get("workflow_run") or {}
    repo_id, head_repo_id = run.get("repository_id"), run.get("head_repository_id")
    return ArtifactInfo(
        id=int(raw["id"]),
        name=str(raw["name"]),
        size_in_bytes=int(raw.get("size_in_bytes") or 0),
        expired=bool(raw.get("expired")),
        created_at=_time(raw.get("created_at")),
        archive_url=str(raw["archive_download_url"]),
        run_id=run.get("id"),
        head_branch=run.get("head_branch"),
        from_fork=repo_id is not None and head_repo_id is not None and repo_id != head_repo_id,
    )


def _message(answer: requests.Response) -> str:
    try:
        data = answer.json()
    except ValueError:
        return answer.reason or ""
    return str(data.get("message", "")) if isinstance(data, dict) else answer.reason or ""


class GitHubArtifacts:
    """Lists and downloads the repository's workflow-run artifacts."""

    def __init__(
        self,
        client: GitHubClient,
        *,
        limits: ArtifactLimits | None = None,
        api_session: requests.Session | None = None,
        storage_session: requests.Session | None = None,
    ) -> None:
        self.client = client
        self.limits = limits or ArtifactLimits()
        self._api = api_session or requests.Session()
        self._storage = storage_session or requests.Session()
        self._storage.auth = _no_auth

    def __repr__(self) -> str:
        return f"GitHubArtifacts({self.client!r})"

    def list_artifacts(self, run_id: int | None = None) -> list[ArtifactInfo]:
        """The repository's artifacts, or those of workflow run ``run_id``."""
        repo = self.client.repo()
        if run_id is None:
            return self.client.call(
                "list artifacts",
                lambda: [artifact_info(a.raw_data) for a in repo.get_artifacts()],
            )
        run = self.client.call(f"read workflow run {run_id}", lambda: repo.get_workflow_run(run_id))
        return self.client.call(
            f"list artifacts of workflow run {run_id}",
            lambda: [artifact_info(a.raw_data) for a in run.get_artifacts()],
        )

    def fetch_metrics(
        self,
        patterns: Sequence[str],
        directory: Path,
        *,
        run_id: int | None = None,
        branch: str | None = None,
        include_forks: bool = False,
        limit: int | None = 20,
    ) -> ArtifactDownload:
        """Download the newest artifacts matching ``patterns`` into ``directory``."""
        listed = self.list_artifacts(run_id)
        chosen = select_artifacts(
            listed, patterns, branch=branch, include_forks=include_forks, limit=limit
        )
        return self.download(chosen, directory)

    def download(self, artifacts: Sequence[ArtifactInfo], directory: Path) -> ArtifactDownload:
        """Unpack each artifact into ``directory/<id>-<name>/`` under the size caps."""
        extracted: list[ExtractedArtifact] = []
        rejected: list[tuple[str, str]] = []
        used = 0
        for artifact in artifacts:
            left = self.limits.max_total_bytes - used
            try:
                if left <= 0:
                    raise ArtifactError(
                        f"artifact {artifact.name!r}: the total cap of "
                        f"{self.limits.max_total_bytes} bytes is used up"
                    )
                with self._archive(artifact) as archive:
                    target = directory / artifact_directory_name(artifact)
                    done = extract_metrics_archive(
                        archive, target, name=artifact.name, limits=self.limits, budget_bytes=left
                    )
            except (ArtifactError, GitHubRequestError) as err:
                _log.warning("%s", err)
                rejected.append((artifact.name, str(err)))
                continue
            used += done.extracted_bytes
            extracted.append(done)
        return ArtifactDownload(tuple(extracted), tuple(rejected))

    def _archive(self, artifact: ArtifactInfo) -> IO[bytes]:
        """The artifact's zip, in a (spooled) temporary file positioned at its start."""
        return self.client.call(
            f"download artifact {artifact.name!r}", lambda: self._fetch_once(artifact)
        )

    def _fetch_once(self, artifact: ArtifactInfo) -> IO[bytes]:
        url = artifact.archive_url
        if not url.startswith(self.client.base_url + "/"):
            raise ArtifactError(f"artifact {artifact.name!r}: archive URL is not on the API")
        cap = self.limits.max_archive_bytes
        if artifact.size_in_bytes > cap:
            raise ArtifactError(
                f"artifact {artifact.name!r}: {artifact.size_in_bytes} bytes (more than {cap})"
            )
        with self._api.get(
            url,
            headers=self.client.auth_headers(),
            allow_redirects=False,
            timeout=self.client.timeout_seconds,
        ) as answer:
            location = answer.headers.get("Location")
            if answer.status_code != 302 or not location:
                raise HttpStatusError(answer.status_code, answer.headers, _message(answer))
        # The signed URL expires within about a minute: fetch it now, without credentials.
        with self._storage.get(
            location,
            headers={"User-Agent": self.client.user_agent},
            stream=True,
            timeout=self.client.timeout_seconds,
        ) as answer:
            if answer.status_code != 200:
                # An expired or refused signed URL: a new 302 gives a new one, so retry.
                status = answer.status_code
                raise HttpStatusError(
                    status if status >= 500 else 503,
                    {},
                    f"artifact storage answered {status} {answer.reason or ''}".strip(),
                )
            declared = answer.headers.get("Content-Length", "")
            if declared.isdigit() and int(declared) > cap:
                raise ArtifactError(
                    f"artifact {artifact.name!r}: archive of {declared} bytes (more than {cap})"
                )
            # Handed to the caller, who closes it.
            spool = tempfile.SpooledTemporaryFile(max_size=_SPOOL_BYTES)  # noqa: SIM115
            try:
                size = 0
                for chunk in answer.iter_content(_CHUNK):
                    size += len(chunk)
                    if size > cap:
                        raise ArtifactError(f"artifact {artifact.name!r}: archive over {cap} bytes")
                    spool.write(chunk)
            except BaseException:
                spool.close()
                raise
        spool.seek(0)
        return spool
