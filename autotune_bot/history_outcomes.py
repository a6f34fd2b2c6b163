"""Monitoring outcomes in the history: the ``outcome`` entries of confirmed merged changes.

When post-merge monitoring confirms a merged autotune change (enough runs after the merge, no
regression), the next bot change to the repository records it: one ``outcome`` entry appended
to `.autotune/history.jsonl` before that change's own ``apply`` entry. An outcome entry changes
no file (``files`` is empty: there is nothing to roll back); it names the apply entry it is
about (``applied``), the merged pull request (``pull_request``: ``{"ref", "url"}``), the
monitoring counts (``post_runs``, ``baseline_runs``, ``horizon``) and the realised change
(``realised``, or null): figures recorded before and after the merge, not interleaved, so drift
between the two periods is part of them; they are not an A/B result.

:func:`pending_outcomes` says which confirmed changes still lack their entry in a history, so
each is recorded once: a history that has an outcome entry for an apply entry gets no second.
Pure.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any, Protocol

from autotune_bot.history import build_entry, entry_id, history_line
from autotune_bot.monitor.types import RealisedChange

__all__ = [
    "OUTCOME_KIND",
    "ConfirmedChange",
    "history_entries",
    "outcome_entry",
    "pending_outcomes",
    "realised_json",
    "realised_words",
    "with_outcomes",
]

OUTCOME_KIND = "outcome"
_OUTCOMES = ("confirmed",)


class ConfirmedChange(Protocol):
    """What :func:`pending_outcomes` reads of a watched merged change
    (:class:`autotune_bot.gitops.monitor_cycle.WatchedChange`)."""

    @property
    def ref(self) -> str: ...
    @property
    def url(self) -> str | None: ...
    @property
    def outcome(self) -> str: ...
    @property
    def history_entry(self) -> str | None: ...
    @property
    def realised(self) -> RealisedChange | Mapping[str, Any] | None: ...
    @property
    def post_runs(self) -> int: ...
    @property
    def baseline_runs(self) -> int: ...
    @property
    def horizon(self) -> int: ...


def _number(value: float | None) -> float | None:
    if value is None or not math.isfinite(value):
        return None
    return round(float(value), 6)


def realised_json(realised: RealisedChange) -> dict[str, Any]:
    """The realised change as strict JSON (None where a figure is unknown or not finite)."""
    ci = realised.duration_ratio_ci
    interval = [_number(ci[0]), _number(ci[1])] if ci is not None else None
    return {
        "duration_ratio": _number(realised.duration_ratio),
        "duration_ratio_ci": None if interval is None or None in interval else interval,
        "duration_percent": _number(realised.duration_percent),
        "success_before": _number(realised.success_before),
        "success_after": _number(realised.success_after),
        "cost_ratio": _number(realised.cost_ratio),
        "baseline_runs": realised.baseline_runs,
        "post_runs": realised.post_runs,
    }


def realised_words(realised: Mapping[str, Any] | None) -> str:
    """The realised duration change of an outcome entry's ``realised`` in words."""
    pct = realised.get("duration_percent") if isinstance(realised, Mapping) else None
    if not isinstance(pct, int | float) or isinstance(pct, bool):
        return "no duration change could be computed"
    word = "faster" if pct >= 0 else "slower"
    return f"{abs(pct):.1f} % {word}"


def outcome_entry(
    *,
    now: datetime,
    applied: str,
    targets: Sequence[str],
    outcome: str = "confirmed",
    pull_request: str,
    url: str | None = None,
    realised: RealisedChange | Mapping[str, Any] | None,
    post_runs: int,
    baseline_runs: int,
    horizon: int,
) -> dict[str, Any]:
    """The history entry recording that monitoring ``outcome`` (``"confirmed"``) the change of
    apply entry ``applied``, merged as pull request ``pull_request`` (its ref; ``url``).
    ValueError for another outcome or an empty ``applied``."""
    if outcome not in _OUTCOMES:
        raise ValueError(f"no history outcome entry for monitoring outcome {outcome!r}")
    if not applied:
        raise ValueError("an outcome entry names the apply entry it is about")
    # the figures as computed when the change was confirmed (the status comment's marker
    # keeps them), or computed now
    figures = realised_json(realised) if isinstance(realised, RealisedChange) else realised
    merge = f"the merge of {pull_request}"
    return build_entry(
        kind=OUTCOME_KIND,
        now=now,
        mode="monitor",
        targets=targets,
        description=(
            f"{outcome} after {post_runs} post-merge runs: {realised_words(figures)}, recorded "
            f"before/after {merge} (not an A/B test); outcome of {applied}"
        ),
        files=[],
        configs=[],
        evidence={
            "label": "recorded",
            "basis": [
                f"{baseline_runs} recorded runs before {merge} and {post_runs} after it, "
                "compared as two periods, not interleaved: drift between them is part of the "
                "figures",
                f"no regression detected over {post_runs} of {horizon} post-merge runs "
                "watched (calibrated sequential detectors)",
            ],
        },
        validation_status="not_validated",
        extra={
            "applied": applied,
            "outcome": outcome,
            "pull_request": {"ref": pull_request, "url": url},
            "post_runs": post_runs,
            "baseline_runs": baseline_runs,
            "horizon": horizon,
            "realised": dict(figures) if figures is not None else None,
        },
    )


def history_entries(text: str) -> list[dict[str, Any]]:
    """The entries of a history file's text, oldest first, each with its ``id`` (entries
    written before ids existed get theirs); lines that are not JSON objects are left out
    (reading the history with :func:`autotune_bot.history.read_history` reports them)."""
    entries: list[dict[str, Any]] = []
    for line in text.split("\n"):
        if not line.strip():
            continue
        try:
            entry = json.loads(line)
        except ValueError:
            continue
        if isinstance(entry, dict):
            entries.append(entry if "id" in entry else {"id": entry_id(entry), **entry})
    return entries


def pending_outcomes(
    entries: Sequence[Mapping[str, Any]],
    watched: Sequence[ConfirmedChange],
    *,
    now: datetime,
) -> list[dict[str, Any]]:
    """The outcome entries ``entries`` (a history, in any order) still lacks: one per confirmed
    change in ``watched`` whose apply entry (its ``history_entry``) is in the history and has
    no outcome entry there yet. Oldest apply entry first."""
    position = {
        str(e.get("id")): n
        for n, e in enumerate(entries)
        if e.get("kind", "apply") == "apply" and isinstance(e.get("id"), str)
    }
    recorded = {str(e.get("applied")) for e in entries if e.get("kind") == OUTCOME_KIND}
    chosen: dict[str, ConfirmedChange] = {}
    for w in watched:
        applied = w.history_entry
        if w.outcome != "confirmed" or not applied or applied not in position:
            continue
        if applied not in recorded:
            chosen.setdefault(applied, w)
    out: list[dict[str, Any]] = []
    for applied, w in sorted(chosen.items(), key=lambda item: position[item[0]]):
        apply = entries[position[applied]]
        targets = [str(t) for t in apply.get("targets", ()) if isinstance(t, str)]
        out.append(
            outcome_entry(
                now=now,
                applied=applied,
                targets=targets,
                pull_request=w.ref,
                url=w.url,
                realised=w.realised,
                post_runs=w.post_runs,
                baseline_runs=w.baseline_runs,
                horizon=w.horizon,
            )
        )
    return out


def with_outcomes(text: str, watched: Sequence[ConfirmedChange], *, now: datetime) -> str:
    """The history text with the :func:`pending_outcomes` entries appended (a missing final
    newline repaired), unchanged when none is pending."""
    pending = pending_outcomes(history_entries(text), watched, now=now)
    if not pending:
        return text
    if text and not text.endswith("\n"):
        text += "\n"
    return text + "".join(history_line(e) for e in pending)
