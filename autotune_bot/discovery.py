"""Which workflow and metrics files a repository has.

Without globs in the settings, workflows are the ``*.yaml``/``*.yml`` files under any
directory named ``workflows`` and metrics the ``.json``/``.jsonl``/``.ndjson`` files (each
optionally ``.gz``) under any directory named ``metrics``. With globs (``**`` matches any
number of directories) those are used instead. ``exclude`` globs then drop files; a glob
that matches a directory drops everything below it.

``.git``, ``.venv``, ``node_modules`` and ``.autotune`` are never searched. ``.github`` is
skipped too (its ``workflows`` are CI, not agent workflows) unless a glob names it
literally. Symlinked directories are not followed, and symlinked files only count when
they point inside the repository.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from fnmatch import fnmatchcase
from pathlib import Path, PurePosixPath

from autotune_bot.errors import UsageError
from autotune_bot.repo_paths import display_path
from autotune_bot.settings.models import Settings

__all__ = ["NEVER_SEARCHED", "Discovered", "discover", "glob_matches"]

NEVER_SEARCHED = frozenset({".git", ".venv", "node_modules", ".autotune"})
_WILDCARD_SKIPPED = frozenset({".github"}) | NEVER_SEARCHED
_WORKFLOW_SUFFIXES = (".yaml", ".yml")
_METRICS_SUFFIXES = tuple(
    base + gz for base in (".json", ".jsonl", ".ndjson") for gz in ("", ".gz")
)


@dataclass(frozen=True, slots=True)
class Discovered:
    """The files found in a repository; paths are absolute, sorted by repository path."""

    repo_root: Path
    workflow_files: tuple[Path, ...]
    metrics_files: tuple[Path, ...]

    def display(self, path: Path) -> str:
        """``path`` relative to the repository root, with ``/`` separators."""
        return display_path(self.repo_root, path)


def discover(repo_root: Path, settings: Settings) -> Discovered:
    """Find the workflow and metrics files of the repository at ``repo_root``."""
    if not repo_root.is_dir():
        raise UsageError("repository root is not a directory", path=str(repo_root))
    root = repo_root.resolve()
    kept = [
        rel
        for rel in _repo_files(root)
        if not any(_excluded_by(pattern, rel) for pattern in settings.exclude)
    ]
    workflows = (rel for rel in kept if _is_workflow(rel, settings.workflows))
    metrics = (rel for rel in kept if _is_metrics(rel, settings.metrics))
    return Discovered(
        repo_root=root,
        workflow_files=tuple(sorted(root.joinpath(*rel) for rel in workflows)),
        metrics_files=tuple(sorted(root.joinpath(*rel) for rel in metrics)),
    )


def glob_matches(pattern: str, parts: Sequence[str]) -> bool:
    """Whether a repository path (as ``parts``) matches ``pattern``.

    Segments are matched with :func:`fnmatch.fnmatchcase`; a ``**`` segment matches any
    number of directories. Wildcards never match ``.github`` or the never-searched
    directories; a literal segment does.
    """
    segments = [s for s in PurePosixPath(pattern.strip("/")).parts if s != "."]
    return _match(segments, tuple(parts))


def _match(segments: Sequence[str], parts: tuple[str, ...]) -> bool:
    if not segments:
        return not parts
    head, rest = segments[0], segments[1:]
    if head == "**":
        for skip in range(len(parts) + 1):
            if _match(rest, parts[skip:]):
                return True
            if skip < len(parts) and parts[skip] in _WILDCARD_SKIPPED:
                return False
        return False
    if not parts:
        return False
    name = parts[0]
    if head != name and (name in _WILDCARD_SKIPPED or not fnmatchcase(name, head)):
        return False
    return _match(rest, parts[1:])


def _excluded_by(pattern: str, rel: tuple[str, ...]) -> bool:
    """A file is excluded when the pattern matches it or one of its directories."""
    return any(glob_matches(pattern, rel[:end]) for end in range(1, len(rel) + 1))


def _is_workflow(rel: tuple[str, ...], patterns: Sequence[str]) -> bool:
    if patterns:
        return any(glob_matches(pattern, rel) for pattern in patterns)
    return _under_named(rel, "workflows") and rel[-1].lower().endswith(_WORKFLOW_SUFFIXES)


def _is_metrics(rel: tuple[str, ...], patterns: Sequence[str]) -> bool:
    if patterns:
        return any(glob_matches(pattern, rel) for pattern in patterns)
    return _under_named(rel, "metrics") and rel[-1].lower().endswith(_METRICS_SUFFIXES)


def _under_named(rel: tuple[str, ...], directory: str) -> bool:
    return directory in rel[:-1] and ".github" not in rel[:-1]


def _repo_files(root: Path) -> Iterator[tuple[str, ...]]:
    """Every regular file in the repository as path parts relative to ``root``."""
    for current, dirnames, filenames in os.walk(root, followlinks=False):
        base = Path(current)
        dirnames[:] = [
            name
            for name in dirnames
            if name not in NEVER_SEARCHED and not (base / name).is_symlink()
        ]
        rel_dir = base.relative_to(root).parts
        for name in filenames:
            file = base / name
            if file.is_symlink() and not _points_inside(file, root):
                continue
            if file.is_file():
                yield (*rel_dir, name)


def _points_inside(link: Path, root: Path) -> bool:
    try:
        return link.resolve().is_relative_to(root)
    except (OSError, RuntimeError):
        return False
