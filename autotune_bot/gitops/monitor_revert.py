"""Preparing the revert proposal of a merged autotune change from what the base branch holds.

The revert's commit (made later by :func:`autotune_bot.gitops.revert_commit.revert_commit`)
appends one ``rollback`` history entry to the base's history file. This module builds that
entry from the base's history (``reverts`` = the merged proposal's entry, mode ``monitor`` or
``command``, evidence ``recorded``), the texts a minimal patch back to the recorded
configuration would give (:func:`autotune_bot.rollback.plan_rollback`, used when ``git
revert`` conflicts), and the proposal (:func:`autotune_bot.monitor.revert_body.build_revert`).
It only reads git objects of the base commit.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

from autotune_bot.errors import InputError
from autotune_bot.gitops.git import run_git
from autotune_bot.gitops.proposals import HISTORY_PATH
from autotune_bot.gitops.types import ForgeProposal
from autotune_bot.history import build_entry
from autotune_bot.monitor.plan import PreparedRevert
from autotune_bot.monitor.revert_body import RevertInputs, build_revert
from autotune_bot.monitor.types import MonitorDecision
from autotune_bot.rollback import RollbackError, plan_rollback

__all__ = ["base_text", "history_entries", "prepare_revert"]


def base_text(repo: Path, sha: str, path: str) -> str | None:
    """The text of ``path`` (from the work tree's top level) in commit ``sha``."""
    done = run_git(repo, ["cat-file", "-p", f"{sha}:{path}"], ok_codes=(0, 128))
    if done.returncode != 0:
        return None
    return done.stdout.decode("utf-8", errors="replace")


def history_entries(text: str) -> list[dict[str, Any]]:
    """The history file's entries, newest first (lines that are not JSON objects skipped)."""
    found: list[dict[str, Any]] = []
    for line in text.splitlines():
        try:
            entry = json.loads(line) if line.strip() else None
        except ValueError:
            continue
        if isinstance(entry, dict) and isinstance(entry.get("id"), str):
            found.append(entry)
    return found[::-1]


def _basis(decision: MonitorDecision | None, requested_by: str | None) -> list[str]:
    basis = [f"/autotune rollback by {requested_by}"] if requested_by else []
    if decision is not None:
        basis += [
            f"post-merge monitoring: {d.name} ({d.rule}) at run {d.alarm_at}"
            for d in decision.triggers
        ]
    return basis or ["post-merge monitoring"]


def _rollback_entry(
    entries: Sequence[dict[str, Any]],
    entry_id: str,
    texts: dict[str, str | None],
    *,
    now: datetime,
    mode: str,
    basis: list[str],
) -> tuple[dict[str, Any], dict[str, str] | None, str]:
    """The rollback entry, the patch method's texts (None: none), and a note."""
    chosen = next((e for e in entries if e["id"] == entry_id), None)
    note = ""
    files: list[tuple[str, str]] = []
    fallback: dict[str, str] | None = None
    configs: list[dict[str, Any]] = []
    targets: list[str] = []
    description = f"rollback of {entry_id}"
    if chosen is None:
        note = f"history entry {entry_id} is not in the base's history"
    else:
        targets = [str(t) for t in chosen.get("targets", ()) if isinstance(t, str)]
        description += f": {chosen.get('description', '')}"
        try:
            plan = plan_rollback(entries, targets[0], texts, now=now, entry_id=entry_id, mode=mode)
        except (RollbackError, IndexError, KeyError, TypeError) as err:
            note = f"no patch fallback: {err}"
        else:
            files = [(f.path, f.diff) for f in plan.files]
            fallback = {f.path: f.new_text for f in plan.files}
            configs = list(plan.entry.get("configs", []))
    entry = build_entry(
        kind="rollback",
        now=now,
        mode=mode,
        targets=targets,
        description=description,
        files=files,
        configs=configs,
        evidence={"label": "recorded", "basis": basis},
        validation_status="not_validated",
        reverts=entry_id,
    )
    return entry, fallback, note


def prepare_revert(
    repo: Path,
    original: ForgeProposal,
    decision: MonitorDecision | None,
    *,
    base_sha: str,
    in_tree: str,
    branch_prefix: str,
    labels: tuple[str, ...],
    now: datetime,
    requested_by: str | None = None,
) -> tuple[PreparedRevert, str]:
    """The revert of ``original`` on the base commit ``base_sha``, and a note (empty when
    nothing is worth saying). ``in_tree``: the repository's place in its work tree. Raises
    :class:`InputError` when the merged proposal records no history entry or merge commit."""
    entry_id = original.metadata.get("history_entry")
    if not isinstance(entry_id, str) or not entry_id:
        raise InputError(f"{original.ref}: its marker records no history entry; not reverted")
    if not original.merged_sha:
        raise InputError(f"{original.ref}: no merge commit known; not reverted")
    entries = history_entries(base_text(repo, base_sha, in_tree + HISTORY_PATH) or "")
    chosen = next((e for e in entries if e["id"] == entry_id), None)
    paths = [str(f.get("path")) for f in chosen.get("files", [])] if chosen else []
    texts = {p: base_text(repo, base_sha, in_tree + p) for p in paths}
    mode = "command" if requested_by else "monitor"
    entry, fallback, note = _rollback_entry(
        entries, entry_id, texts, now=now, mode=mode, basis=_basis(decision, requested_by)
    )
    rooted = {in_tree + p: t for p, t in fallback.items()} if fallback is not None else None
    try:
        proposal = build_revert(
            RevertInputs(
                original=original,
                decision=decision,
                branch_prefix=branch_prefix,
                history_entry=entry,
                files=rooted or {},
                labels=labels,
                requested_by=requested_by,
            )
        )
    except ValueError as err:
        raise InputError(f"{original.ref}: cannot make its revert: {err}") from err
    return PreparedRevert(proposal, entry, rooted), note
