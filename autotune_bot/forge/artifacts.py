"""Workflow-run artifacts holding metrics: which to take, and unpacking them safely.

Artifacts are untrusted data (a fork's pull request run can upload one). :func:`select_artifacts`
keeps the unexpired ones whose name matches a glob from the settings (``metrics_artifacts``),
by default only those of runs in this repository (not a fork's), newest first.
:func:`extract_metrics_archive` unpacks a zip archive under size caps, refusing the whole
archive when any entry could escape the target directory (absolute paths, ``..``, drive
letters, backslashes, symbolic links) or has a name too long to create, and writing only
``.json``, ``.jsonl``, ``.ndjson`` and ``.gz`` files (others are skipped and named). The
caps count the bytes actually written plus, for ``.gz`` files, the bytes they decompress to,
rather than trusting the archive's headers.
"""

from __future__ import annotations

import fnmatch
import gzip
import os
import re
import shutil
import stat
import zipfile
import zlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path, PurePosixPath
from typing import IO

from autotune_bot.errors import AutotuneError

__all__ = [
    "MAX_ENTRY_NAME",
    "MAX_NAME_PART",
    "METRICS_SUFFIXES",
    "ArtifactError",
    "ArtifactInfo",
    "ArtifactLimits",
    "ExtractedArtifact",
    "artifact_directory_name",
    "extract_metrics_archive",
    "select_artifacts",
    "unsafe_entry_reason",
]

METRICS_SUFFIXES = (".json", ".jsonl", ".ndjson", ".gz")
MAX_ENTRY_NAME = 1024  # characters of an entry's path
MAX_NAME_PART = 255  # bytes of one file or directory name (what file systems allow)
_MIB = 1024 * 1024
_CHUNK = 64 * 1024


class ArtifactError(AutotuneError):
    """An artifact is too big or its archive is unsafe; nothing of it is used."""


@dataclass(frozen=True)
class ArtifactLimits:
    """Size caps on downloaded artifacts."""

    max_archive_bytes: int = 50 * _MIB  # one artifact's zip, as downloaded
    max_extracted_bytes: int = 200 * _MIB  # one artifact, unpacked (and .gz decompressed)
    max_total_bytes: int = 500 * _MIB  # every artifact of one invocation, unpacked
    max_entries: int = 10_000  # entries of one archive


@dataclass(frozen=True)
class ArtifactInfo:
    """What the API says about one artifact."""

    id: int
    name: str
    size_in_bytes: int
    expired: bool
    created_at: datetime | None
    archive_url: str
    run_id: int | None = None
    head_branch: str | None = None
    from_fork: bool = False  # the run's head repository is not this repository


@dataclass(frozen=True)
class ExtractedArtifact:
    """An artifact unpacked into ``directory``."""

    name: str
    directory: Path
    files: tuple[Path, ...]
    skipped: tuple[str, ...]  # entries that are not metrics files
    extracted_bytes: int


def select_artifacts(
    artifacts: Iterable[ArtifactInfo],
    patterns: Sequence[str],
    *,
    branch: str | None = None,
    include_forks: bool = False,
    limit: int | None = None,
) -> list[ArtifactInfo]:
    """Unexpired artifacts whose name matches one of ``patterns`` (case-sensitive globs),
    of runs on ``branch`` when given, newest first, at most ``limit``."""
    chosen = [
        artifact
        for artifact in artifacts
        if not artifact.expired
        and any(fnmatch.fnmatchcase(artifact.name, pattern) for pattern in patterns)
        and (include_forks or not artifact.from_fork)
        and (branch is None or artifact.head_branch == branch)
    ]
    chosen.sort(key=lambda a: (a.created_at is not None, a.created_at or 0, a.id), reverse=True)
    return chosen if limit is None else chosen[:limit]


def artifact_directory_name(artifact: ArtifactInfo) -> str:
    """A directory name for an artifact: its id and a tame version of its name."""
    tame = re.sub(r"[^A-Za-z0-9._-]+", "_", artifact.name).strip("._") or "artifact"
    return f"{artifact.id}-{tame[:80]}"


def unsafe_entry_reason(info: zipfile.ZipInfo) -> str | None:
    """Why an archive entry could write outside the target directory; None when safe."""
    name = info.filename
    mode = info.external_attr >> 16
    if stat.S_ISLNK(mode):
        return "is a symbolic link"
    if "\\" in name or "\x00" in name:
        return "has a backslash or NUL in its name"
    if name.startswith("/") or re.match(r"[A-Za-z]:", name):
        return "has an absolute path"
    if ".." in PurePosixPath(name).parts:
        return "has '..' in its path"
    if len(name) > MAX_ENTRY_NAME or any(
        len(part.encode("utf-8", "surrogateescape")) > MAX_NAME_PART
        for part in PurePosixPath(name).parts
    ):
        return (
            f"has a name longer than {MAX_ENTRY_NAME} characters "
            f"or a path part longer than {MAX_NAME_PART} bytes"
        )
    return None


def _member_path(name: str) -> PurePosixPath | None:
    """The relative path of a file entry (None for directories and empty names)."""
    parts = [part for part in PurePosixPath(name).parts if part not in ("", ".")]
    if not parts or name.endswith("/"):
        return None
    return PurePosixPath(*parts)


def _gzip_size(path: Path, cap: int) -> int:
    """Bytes ``path`` decompresses to, stopping once over ``cap``; 0 when not gzip."""
    total = 0
    try:
        with gzip.open(path, "rb") as stream:
            while chunk := stream.read(_CHUNK):
                total += len(chunk)
                if total > cap:
                    break
    except (OSError, EOFError, zlib.error):
        return total  # not gzip or cut short: the metrics reader reports it
    return total


def extract_metrics_archive(
    archive: IO[bytes] | Path,
    directory: Path,
    *,
    name: str,
    limits: ArtifactLimits = ArtifactLimits(),
    budget_bytes: int | None = None,
) -> ExtractedArtifact:
    """Unpack the metrics files of a zip ``archive`` into ``directory`` (created; must not
    exist). ``budget_bytes``: what is left of the total cap. Raises :class:`ArtifactError`
    for an unsafe or oversized archive, removing what was written."""
    cap = (
        limits.max_extracted_bytes
        if budget_bytes is None
        else min(limits.max_extracted_bytes, budget_bytes)
    )
    try:
        zipped = zipfile.ZipFile(archive)
    except (zipfile.BadZipFile, OSError) as err:
        raise ArtifactError(f"artifact {name!r}: not a zip archive ({err})") from None
    with zipped:
        entries = zipped.infolist()
        if len(entries) > limits.max_entries:
            raise ArtifactError(
                f"artifact {name!r}: {len(entries)} entries (more than {limits.max_entries})"
            )
        for info in entries:
            reason = unsafe_entry_reason(info)
            if reason is not None:
                raise ArtifactError(f"artifact {name!r}: entry {info.filename!r} {reason}")
        directory.mkdir(parents=True)
        try:
            return _extract(zipped, entries, directory, name, cap)
        except BaseException:
            shutil.rmtree(directory, ignore_errors=True)
            raise


def _extract(
    zipped: zipfile.ZipFile,
    entries: list[zipfile.ZipInfo],
    directory: Path,
    name: str,
    cap: int,
) -> ExtractedArtifact:
    written: list[Path] = []
    skipped: list[str] = []
    total = 0
    root = directory.resolve()
    for info in entries:
        member = _member_path(info.filename)
        if member is None:
            continue
        if not member.name.lower().endswith(METRICS_SUFFIXES):
            skipped.append(info.filename)
            continue
        if total + info.file_size > cap:
            raise ArtifactError(f"artifact {name!r}: unpacks to more than {cap} bytes")
        target = directory.joinpath(*member.parts)
        if not target.resolve().is_relative_to(root):
            raise ArtifactError(f"artifact {name!r}: entry {info.filename!r} escapes")
        target.parent.mkdir(parents=True, exist_ok=True)
        flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0)
        try:
            handle = os.open(target, flags, 0o644)
        except FileExistsError:
            raise ArtifactError(
                f"artifact {name!r}: entry {info.filename!r} appears twice"
            ) from None
        written.append(target)
        try:
            with os.fdopen(handle, "wb") as out, zipped.open(info) as source:
                while chunk := source.read(_CHUNK):
                    total += len(chunk)
                    if total > cap:
                        raise ArtifactError(f"artifact {name!r}: unpacks to more than {cap} bytes")
                    out.write(chunk)
        except (zipfile.BadZipFile, zlib.error, EOFError) as err:
            raise ArtifactError(f"artifact {name!r}: corrupt entry ({err})") from None
        if member.name.lower().endswith(".gz"):
            total += _gzip_size(target, cap - total + 1)
            if total > cap:
                raise ArtifactError(f"artifact {name!r}: decompresses to more than {cap} bytes")
    return ExtractedArtifact(name, directory, tuple(written), tuple(skipped), total)
