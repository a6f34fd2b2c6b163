"""Proposal branch names: ``<prefix><workflow>/<team-or-node>``, always a valid git branch name.

Workflow and team names come from YAML, so they may hold spaces, ``..``, ``~``, ``:``,
non-ASCII letters or a leading ``-``. :func:`ref_component` maps a name onto letters, digits,
``.``, ``_`` and ``-``; a name it had to change gets a short digest of the original appended,
so two names that differ only in such characters (``a b`` and ``a:b``) still get different
branches, while a clean name stays as written. :func:`is_valid_branch` checks the rules of
``git check-ref-format --branch``. Pure.
"""

from __future__ import annotations

import hashlib
import re

__all__ = ["MAX_COMPONENT", "branch_name", "is_valid_branch", "ref_component"]

MAX_COMPONENT = 60  # characters of one sanitised name, before the digest
_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")
_FORBIDDEN = re.compile(r"[\x00-\x20\x7f~^:?*\[\\]")


def ref_component(name: str) -> str:
    """``name`` as one path component of a branch name (never empty, never ``.``-led)."""
    clean = _UNSAFE.sub("-", name)
    clean = re.sub(r"\.{2,}", ".", clean)
    clean = re.sub(r"-{2,}", "-", clean)
    clean = clean[:MAX_COMPONENT].strip(".-")
    while clean.endswith(".lock"):
        clean = clean.removesuffix(".lock").rstrip(".-")
    if clean != name or not clean:
        digest = hashlib.sha256(name.encode("utf-8", "surrogatepass")).hexdigest()[:8]
        clean = f"{clean}-{digest}" if clean else digest
    return clean


def is_valid_branch(name: str) -> bool:
    """Whether ``git check-ref-format --branch`` accepts ``name`` (for ``refs/heads/<name>``)."""
    if not name or name in ("@", "HEAD") or name.startswith("-"):
        return False
    if _FORBIDDEN.search(name) or ".." in name or "@{" in name:
        return False
    if name.startswith("/") or name.endswith(("/", ".")) or "//" in name:
        return False
    return all(
        part and not part.startswith(".") and not part.endswith(".lock") for part in name.split("/")
    )


def branch_name(prefix: str, workflow: str, target: str) -> str:
    """The proposal branch of a target; ValueError when ``prefix`` makes it invalid."""
    name = f"{prefix}{ref_component(workflow)}/{ref_component(target)}"
    if not is_valid_branch(name):
        raise ValueError(f"branch prefix {prefix!r} does not make a valid git branch name")
    return name
