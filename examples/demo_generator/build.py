"""Building the demo repository in memory, writing it out and comparing two trees."""

from __future__ import annotations

import gzip
from dataclasses import dataclass
from pathlib import Path

from .metrics_files import DirtyLine, build_metrics
from .parameters import MAX_TOTAL_BYTES, SEED
from .readme import readme
from .workflows import workflow_files


@dataclass(frozen=True)
class Demo:
    files: dict[str, bytes]  # path relative to the demo root -> content
    dirty: list[DirtyLine]


def build_demo(seed: int = SEED) -> Demo:
    """Generate every file of the demo repository in memory."""
    data, metrics, dirty = build_metrics(seed)
    texts = {**workflow_files(data.release_timeout), **metrics}
    texts["README.md"] = readme(data, texts, dirty)
    files = {
        path: gzip.compress(text.encode(), compresslevel=9, mtime=0)
        if path.endswith(".gz")
        else text.encode()
        for path, text in sorted(texts.items())
    }
    size = sum(len(content) for content in files.values())
    if size >= MAX_TOTAL_BYTES:
        raise AssertionError(f"the demo is {size} bytes; keep it under {MAX_TOTAL_BYTES}")
    return Demo(files, dirty)


def content(path: Path) -> bytes:
    """A file's bytes; gzipped files compare by their decompressed content."""
    raw = path.read_bytes()
    return gzip.decompress(raw) if path.name.endswith(".gz") else raw


def listing(root: Path) -> set[str]:
    return {p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file()}


def differences(expected: Path, actual: Path) -> list[str]:
    """How the tree at ``actual`` differs from the tree at ``expected``."""
    want, have = listing(expected), listing(actual)
    problems = [f"missing: {p}" for p in sorted(want - have)]
    problems += [f"not generated: {p}" for p in sorted(have - want)]
    problems += [
        f"differs: {p}" for p in sorted(want & have) if content(expected / p) != content(actual / p)
    ]
    return problems


def write(root: Path, files: dict[str, bytes]) -> None:
    for relative, data in files.items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
