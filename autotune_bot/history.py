"""The optimisation history of a repository, `.autotune/history.jsonl`.

The file lives in the repository itself, so it travels with the change it records: commit it
together with the edited workflow files (and it is part of the same pull request). It is append
only, one strict-JSON object per line, and every entry is self-contained (the format is
documented in docs/history-and-rollback.md):

* ``id``: the first 12 hex digits of the SHA-256 of the entry's canonical JSON without ``id``;
* ``kind``: ``"apply"`` (written by ``autotune apply``), ``"rollback"`` (``autotune
  rollback``) or ``"outcome"`` (post-merge monitoring confirmed an applied change; no file
  changes, see :mod:`autotune_bot.history_outcomes`), with ``reverts``: the id of the entry a
  rollback undid (null otherwise);
* ``timestamp``, ``mode``, ``targets`` (team ids and workflow names), ``description``;
* ``files``: ``[{"path", "diff"}]``, the unified diff applied to each file, and ``diff``, all of
  them in one text (``git apply -R`` reverts it);
* ``configs``: per target its scope, file and plain ``before``/``after`` configuration;
* ``evidence`` (``{"label": "measured" | "recorded" | "simulated", "basis": [...]}``, null for a
  rollback), ``validation_status`` and ``validation`` (the A/B result as JSON, or null);
* for apply entries ``optimization`` (the suggestions), ``improvement_percentage`` and
  ``improvement_basis``.

Reading checks every entry: its ``files`` must name files inside the repository, with readable
one-file diffs (:mod:`autotune_bot.history_files`), since a rollback writes them.

Building entries is pure (:func:`build_entry`, :func:`history_entry`, :func:`apply_entry`,
:func:`entry_id`); only
:func:`append_history`, :func:`read_history` and :func:`read_texts` touch files.
"""

from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Mapping, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any, Protocol

from autotune_bot.errors import InputError
from autotune_bot.file_limits import FileTooLargeError, read_capped
from autotune_bot.history_configs import target_configs
from autotune_bot.history_files import file_problem, path_problem
from autotune_bot.history_upgrade import upgrade_entry
from autotune_bot.patch.error import PatchError
from autotune_bot.patch.hunks import parse_diff
from autotune_bot.report.suggestions_json import plain, suggestion_to_json
from autotune_bot.tuning.plan_types import TuningPlan
from autotune_bot.tuning.suggestion import OptimizationSuggestion
from autotune_bot.workspace import inside_repository

__all__ = [
    "EVIDENCE_LABELS",
    "HISTORY_FILE",
    "KINDS",
    "MAX_HISTORY_BYTES",
    "VALIDATION_STATUSES",
    "append_history",
    "apply_entry",
    "build_entry",
    "entry_id",
    "history_entry",
    "history_line",
    "read_history",
    "read_texts",
]

HISTORY_FILE = Path(".autotune") / "history.jsonl"
KINDS = ("apply", "rollback", "outcome")
MAX_HISTORY_BYTES = 64 * 1024 * 1024  # the history file is read whole; larger is refused
EVIDENCE_LABELS = ("measured", "recorded", "simulated")
VALIDATION_STATUSES = ("passed", "failed", "inconclusive", "skipped", "dry_run", "not_validated")


class AppliedPatch(Protocol):
    @property
    def path(self) -> str: ...
    @property
    def diff(self) -> str: ...
    @property
    def suggestions(self) -> tuple[OptimizationSuggestion, ...]: ...


def _canonical(value: Any) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), allow_nan=False)


def entry_id(entry: Mapping[str, Any]) -> str:
    """The short, stable hash identifying an entry: its content without ``id``."""
    content = {k: v for k, v in entry.items() if k != "id"}
    return hashlib.sha256(_canonical(content).encode("utf-8")).hexdigest()[:12]


def build_entry(
    *,
    kind: str,
    now: datetime,
    mode: str,
    targets: Sequence[str],
    description: str,
    files: Sequence[tuple[str, str]],
    configs: Sequence[Mapping[str, Any]],
    evidence: Mapping[str, Any] | None,
    validation_status: str,
    validation: Mapping[str, Any] | None = None,
    reverts: str | None = None,
    extra: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """One history record (pure). ``targets``: team ids and workflow names; ``files``: (path,
    unified diff) per changed file; ``configs``: ``{"scope", "target", "file", "before",
    "after"}`` per target; ``extra``: further fields (an apply's ``optimization`` and
    ``improvement_percentage``). Raises ValueError for an unknown kind, evidence label or
    validation status, or a value that is not strict JSON."""
    if kind not in KINDS:
        raise ValueError(f"unknown history entry kind {kind!r}")
    if validation_status not in VALIDATION_STATUSES:
        raise ValueError(f"unknown validation status {validation_status!r}")
    if evidence is not None and evidence.get("label") not in EVIDENCE_LABELS:
        raise ValueError(f"unknown evidence label {evidence.get('label')!r}")
    if (kind == "rollback") != (reverts is not None):
        raise ValueError("a rollback entry names the entry it reverts; other kinds do not")
    entry: dict[str, Any] = {
        "kind": kind,
        "timestamp": now.isoformat(),
        "mode": mode,
        "targets": sorted(set(targets)),
        "description": description,
        "files": [{"path": path, "diff": diff} for path, diff in files],
        "diff": "".join(diff for _, diff in files),
        "configs": [dict(c) for c in configs],
        "evidence": dict(evidence) if evidence is not None else None,
        "validation_status": validation_status,
        "validation": dict(validation) if validation is not None else None,
        "reverts": reverts,
        **(extra or {}),
    }
    entry = json.loads(_canonical(entry))  # strict JSON (no NaN, no tuples): fails here, early
    return {"id": entry_id(entry), **entry}


def _measured(validation: Mapping[str, Any]) -> tuple[float | None, list[str]]:
    """The primary metric's improvement (percent) and what it rests on, from an A/B result."""
    primary = validation.get("primary_metric")
    for metric in validation.get("metrics", ()):
        if metric.get("metric") == primary and metric.get("ratio") is not None:
            n_c, n_v = metric.get("n_control"), metric.get("n_variant")
            where = f"{validation.get('evidence')} comparison of {primary}"
            return (1.0 - float(metric["ratio"])) * 100.0, [f"{where}: {n_c} vs {n_v} runs"]
    return None, [f"{validation.get('evidence')} comparison"]


_BASIS = {
    "simulated": "estimated from recorded traces",
    "recorded": "compared on recorded metrics",
    "measured": "A/B test",
}


def history_entry(
    suggestions: Sequence[OptimizationSuggestion],
    diff: str,
    *,
    now: datetime,
    mode: str,
    path: str | None = None,
    plan: TuningPlan | None = None,
    evidence: str = "simulated",
    validation: Mapping[str, Any] | None = None,
    validation_status: str = "not_validated",
) -> dict[str, Any]:
    """The apply entry of one file's change (``mode``: "auto", "interactive", ...): the
    suggestions applied and the file's unified ``diff``; ``path`` defaults to the diff's; with
    the tuning ``plan``, the before/after configuration of each target. ``evidence`` labels
    what the estimates rest on; ``validation`` is the A/B result as JSON (None when none ran)."""
    if path is None:
        parsed = parse_diff(diff) if diff else []
        path = parsed[0].new_path if parsed else ""
    # Estimated effects of several suggestions are not additive: one figure only for one.
    improvement: float | None = None
    if len(suggestions) == 1 and math.isfinite(suggestions[0].expected_improvement):
        improvement = suggestions[0].expected_improvement
    basis = sorted({s.estimate.basis for s in suggestions if s.estimate is not None})
    if validation is not None:  # the figure and its basis are the comparison's, not the model's
        improvement, basis = _measured(validation)
    description = "; ".join(s.description for s in suggestions)
    return build_entry(
        kind="apply",
        now=now,
        mode=mode,
        targets=[s.target for s in suggestions],
        description=description,
        files=[(path, diff)],
        configs=target_configs(suggestions, plan) if plan is not None else [],
        evidence={"label": evidence, "basis": basis},
        validation_status=validation_status,
        validation=validation,
        extra={
            "optimization": {
                "description": description,
                "suggestions": [suggestion_to_json(s) for s in suggestions],
            },
            "improvement_percentage": plain(improvement),
            "improvement_basis": _BASIS.get(evidence),
        },
    )


def apply_entry(
    patch: AppliedPatch,
    plan: TuningPlan,
    *,
    now: datetime,
    mode: str,
    evidence: str = "simulated",
    validation: Mapping[str, Any] | None = None,
    validation_status: str = "not_validated",
) -> dict[str, Any]:
    """:func:`history_entry` of a patch built by :mod:`autotune_bot.tuning.file_patches`."""
    return history_entry(
        patch.suggestions,
        patch.diff,
        now=now,
        mode=mode,
        path=patch.path,
        plan=plan,
        evidence=evidence,
        validation=validation,
        validation_status=validation_status,
    )


def history_line(entry: Mapping[str, Any]) -> str:
    """One entry as the history file holds it: strict JSON, sorted keys, a final newline."""
    return json.dumps(entry, sort_keys=True, allow_nan=False) + "\n"


def append_history(root: Path, entries: Sequence[Mapping[str, Any]]) -> Path:
    """Append entries (one line each) to the repository's history file; returns its path."""
    path = root / HISTORY_FILE
    path.parent.mkdir(parents=True, exist_ok=True)
    lines = "".join(history_line(e) for e in entries)
    with path.open("a+b") as out:
        out.seek(0, 2)
        if out.tell():
            out.seek(-1, 2)
            if out.read(1) != b"\n":
                lines = "\n" + lines  # a hand-edited last line without its newline
        out.write(lines.encode("utf-8"))
    return path


def _error(message: str, number: int, field: str | None = None) -> InputError:
    return InputError(message, path=HISTORY_FILE.as_posix(), line=number, field=field)


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not strict JSON")


def _strings(value: Any) -> bool:
    return isinstance(value, list) and all(isinstance(v, str) for v in value)


def _id(value: Any) -> bool:
    return isinstance(value, str) and bool(value)


def _checked(entry: dict[str, Any], number: int, root: Path) -> dict[str, Any]:
    """The entry, checked; entries written before ids and kinds existed get them here. Its
    ``files`` must name files inside the repository ``root`` (:mod:`.history_files`, then
    symbolic links followed) with readable one-file diffs: a rollback writes them."""
    if "id" not in entry:
        entry = {"id": entry_id(entry), **entry}
    try:
        entry = upgrade_entry(entry, HISTORY_FILE.as_posix())
    except PatchError as err:
        raise _error(f"unreadable diff: {err}", number, "diff") from err
    checks: list[tuple[str, bool]] = [
        ("id", isinstance(entry["id"], str) and bool(entry["id"])),
        ("kind", entry["kind"] in KINDS),
        ("targets", _strings(entry.get("targets"))),
        ("timestamp", isinstance(entry.get("timestamp"), str)),
        ("files", isinstance(entry.get("files"), list)),
        ("reverts", (entry["kind"] == "rollback") == isinstance(entry["reverts"], str)),
    ]
    if entry["kind"] == "outcome":  # a record of a change, not one: no files, names its apply
        checks += [("files", entry.get("files") == []), ("applied", _id(entry.get("applied")))]
    for field, ok in checks:
        if not ok:
            raise _error(f"bad or missing value ({entry.get(field)!r})", number, field)
    problem = file_problem(entry["files"])
    if problem is not None:
        raise _error(problem[1], number, problem[0])
    for n, f in enumerate(entry["files"]):
        if not inside_repository(root, f["path"]):
            raise _error(
                f"{f['path']!r} resolves outside the repository (through a symbolic link)",
                number,
                f"files[{n}].path",
            )
    return entry


def read_history(root: Path, target: str | None = None) -> list[dict[str, Any]]:
    """Entries, newest first (optionally only those naming ``target``). A line that is not a
    well-formed entry is an :class:`InputError` naming the file and the line."""
    path = root / HISTORY_FILE
    if not path.is_file():
        return []
    try:
        text = read_capped(path, MAX_HISTORY_BYTES).decode("utf-8")
    except FileTooLargeError as err:
        raise InputError(f"history file {err.reason()}", path=HISTORY_FILE.as_posix()) from None
    except UnicodeDecodeError as err:
        raise InputError(f"not UTF-8: {err.reason}", path=HISTORY_FILE.as_posix()) from err
    entries: list[dict[str, Any]] = []
    for number, line in enumerate(text.split("\n"), 1):
        if not line.strip():
            continue
        try:
            entry = json.loads(line, parse_constant=_no_constant)
        except (json.JSONDecodeError, ValueError) as err:
            reason = err.msg if isinstance(err, json.JSONDecodeError) else str(err)
            raise _error(f"not a JSON object: {reason}", number) from err
        if not isinstance(entry, dict):
            raise _error("not a JSON object", number)
        entry = _checked(entry, number, root)
        if target is None or target in entry["targets"]:
            entries.append(entry)
    return entries[::-1]


def read_texts(root: Path, paths: Sequence[str]) -> dict[str, str | None]:
    """The exact text of each file the history names (line endings and byte-order mark
    kept), None for a file that is missing or not UTF-8; paths are relative to ``root``.
    A path that is not a safe relative path inside ``root`` is an :class:`InputError`
    (:func:`read_history` refuses such entries already)."""
    texts: dict[str, str | None] = {}
    for name in paths:
        problem = path_problem(name)
        if problem is not None or not inside_repository(root, name):
            why = problem or f"{name!r} resolves outside the repository"
            raise InputError(f"{why}; not read", path=HISTORY_FILE.as_posix())
        target = root / name
        try:
            texts[name] = target.read_bytes().decode("utf-8")
        except (OSError, UnicodeDecodeError):
            texts[name] = None
    return texts
