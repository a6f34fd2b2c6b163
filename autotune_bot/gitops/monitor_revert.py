"""Preparing the revert proposal of a merged autotune change from what the base branch holds.

The revert's commit (made later by :func:`autotune_bot.gitops.revert_commit.revert_commit`)
appends one ``rollback`` history entry to the base's history file. This module builds that
entry from the base's history (``reverts`` = the merged proposal's entry, mode ``monitor`` or
``command``, evidence ``recorded``), the texts the commit falls back to when ``git revert``
conflicts, and the proposal (:func:`autotune_bot.monitor.revert_body.build_revert`).

The fallback texts are a minimal edit back to the recorded configuration: the stored diff
reversed (:func:`autotune_bot.rollback.plan_rollback`: the recorded text back byte for byte)
where it still applies, else each field the change set written back to its recorded
``before`` (:func:`autotune_bot.rollback_config.revert_configs`), which also works when later
commits edited lines next to the tuned ones. When neither can be made (a person changed a
tuned field since, or a structural change the configuration edits cannot express and the
diff no longer reverses), the reason goes with the prepared revert, and the commit fails
with it if ``git revert`` conflicts. When the change is no longer on the base (every field
it changed is back at ``before``, or its files are as before its merge: reverted by hand),
:class:`ChangeUndoneError` is raised: there is nothing to revert. It only reads git objects (of
the base commit and of the merge commit's first parent).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

from autotune_bot.errors import InputError
from autotune_bot.gitops.git_refs import text_at
from autotune_bot.gitops.proposals import HISTORY_PATH
from autotune_bot.gitops.types import ForgeProposal
from autotune_bot.history import build_entry
from autotune_bot.history_outcomes import history_entries
from autotune_bot.monitor.plan import PreparedRevert
from autotune_bot.monitor.revert_body import RevertInputs, build_revert
from autotune_bot.monitor.types import MonitorDecision
from autotune_bot.patch.diff import unified_diff
from autotune_bot.rollback import RollbackError, plan_rollback
from autotune_bot.rollback_config import (
    ConfigRefusedError,
    ConfigRevert,
    ConfigUnsupportedError,
    revert_configs,
)

__all__ = ["ChangeUndoneError", "prepare_revert"]


class ChangeUndoneError(InputError):
    """The merged change is no longer on the base: nothing to revert."""


def _basis(decision: MonitorDecision | None, requested_by: str | None) -> list[str]:
    basis = [f"/autotune rollback by {requested_by}"] if requested_by else []
    if decision is not None:
        basis += [
            f"post-merge monitoring: {d.name} ({d.rule}) at run {d.alarm_at}"
            for d in decision.triggers
        ]
    return basis or ["post-merge monitoring"]


def _fallback(
    entries: Sequence[dict[str, Any]],
    chosen: dict[str, Any],
    texts: dict[str, str | None],
    originals: dict[str, str | None],
    *,
    now: datetime,
) -> tuple[dict[str, str] | None, str]:
    """The texts of a minimal edit back to the recorded configuration (None: none can be
    made, with the reason); raises :class:`ChangeUndoneError` when the change is gone already."""
    configs = [c for c in chosen.get("configs", ()) if isinstance(c, dict)]
    by_config: ConfigRevert | None = None
    problem = ""
    refused = False
    try:
        by_config = revert_configs(configs, texts, originals=originals)
    except ConfigRefusedError as err:
        problem, refused = str(err), True
    except ConfigUnsupportedError as err:
        problem = f"no minimal edit back to the recorded configuration: {err}"
    if by_config is not None and by_config.undone:
        raise ChangeUndoneError("every field it changed is back at its recorded value")
    if texts and all(t is not None and originals.get(p) == t for p, t in texts.items()):
        raise ChangeUndoneError("its files are as before its merge")
    targets = [str(t) for t in chosen.get("targets", ()) if isinstance(t, str)]
    try:  # the stored diff reversed: the recorded text back byte for byte where it applies
        plan = plan_rollback(entries, targets[0], texts, now=now, entry_id=str(chosen["id"]))
        return {f.path: f.new_text for f in plan.files}, ""
    except (RollbackError, IndexError, KeyError, TypeError) as err:
        if by_config is not None:
            return by_config.texts, ""
        if not refused:
            problem += f"; the stored diff does not reverse either: {err}"
        return None, problem


def _rollback_entry(
    chosen: dict[str, Any] | None,
    entry_id: str,
    fallback: dict[str, str] | None,
    texts: dict[str, str | None],
    *,
    now: datetime,
    mode: str,
    basis: list[str],
) -> dict[str, Any]:
    """The rollback entry appended by the revert's commit."""
    targets, configs = [], []
    description = f"rollback of {entry_id}"
    if chosen is not None:
        targets = [str(t) for t in chosen.get("targets", ()) if isinstance(t, str)]
        description += f": {chosen.get('description', '')}"
        configs = [
            {**c, "before": c.get("after"), "after": c.get("before")}
            for c in chosen.get("configs", ())
            if isinstance(c, dict)
        ]
    files = [
        (path, unified_diff(texts[path] or "", text, path))
        for path, text in (fallback or {}).items()
        if text != texts.get(path)
    ]
    return build_entry(
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
    entries = history_entries(text_at(repo, base_sha, in_tree + HISTORY_PATH) or "")[::-1]
    chosen = next((e for e in entries if e["id"] == entry_id), None)
    if chosen is None:  # the base's history lost it (a revert by hand): as the merge had it
        merged = history_entries(text_at(repo, original.merged_sha, in_tree + HISTORY_PATH) or "")
        chosen = next((e for e in merged if e["id"] == entry_id), None)
    fallback: dict[str, str] | None = None
    problem = f"history entry {entry_id} is not in the base's history"
    texts: dict[str, str | None] = {}
    if chosen is not None:
        paths = [str(f.get("path")) for f in chosen.get("files", [])]
        paths += [str(c.get("file")) for c in chosen.get("configs", []) if isinstance(c, dict)]
        texts = {p: text_at(repo, base_sha, in_tree + p) for p in dict.fromkeys(paths)}
        parent = f"{original.merged_sha}^1"
        originals = {p: text_at(repo, parent, in_tree + p) for p in texts}
        fallback, problem = _fallback(entries, chosen, texts, originals, now=now)
    mode = "command" if requested_by else "monitor"
    basis = _basis(decision, requested_by)
    entry = _rollback_entry(chosen, entry_id, fallback, texts, now=now, mode=mode, basis=basis)
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
    return PreparedRevert(proposal, entry, rooted, problem), ""
