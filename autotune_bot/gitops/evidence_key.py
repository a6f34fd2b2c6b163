"""Deciding "the evidence changed materially": a digest of the discrete facts, and a threshold
on the headline figure.

A pull request closed without merge is ignored until its target's evidence changes
materially, and an open one is only rebuilt when it does (or when the base moved under it).
The evidence changed materially when

* the **evidence key** differs: the first 20 hex digits of the SHA-256 of the canonical JSON
  of the discrete facts a proposal rests on:

  - **the change itself**: the removed and added lines of the workflow diff, in order.
    Context lines, hunk headers and line numbers do not count, so an unrelated edit
    elsewhere in the file (which shifts the hunks) does not make a closed proposal come back;
  - **the validation status** (``not_validated``, ``passed``, ...);
  - **the evidence source** (``simulated``, ``recorded``, ``measured``);

* or **the headline improvement moved** by :data:`MATERIAL_STEP` percentage points or more
  from the figure stored in the earlier proposal's marker (:func:`improvement_moved`), or
  its metric changed, or one of the two has no figure. The comparison is with the stored
  figure, not with a fixed grid, so noise between runs (12.4 % → 12.6 %) never counts.

Pure.
"""

from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Mapping
from typing import Any

from autotune_bot.patch.error import PatchError
from autotune_bot.patch.hunks import parse_diff

__all__ = [
    "KEY_VERSION",
    "MATERIAL_STEP",
    "changed_lines",
    "evidence_key",
    "headline_figure",
    "improvement_moved",
]

KEY_VERSION = 2  # bump when the digested fields change (every open proposal then differs once)
MATERIAL_STEP = 5.0  # percentage points of the headline improvement


def changed_lines(diff: str) -> list[str]:
    """The removed (``-``) and added (``+``) lines of a unified diff, in order; a diff that
    cannot be read counts as a whole."""
    try:
        files = parse_diff(diff)
    except PatchError:
        return [diff]
    return [op + text for f in files for h in f.hunks for op, text in h.ops if op != " "]


def evidence_key(*, key: str, diff: str, validation_status: str, evidence: str) -> str:
    """The digest of a proposal's discrete evidence (see the module docstring)."""
    payload = {
        "version": KEY_VERSION,
        "key": key,
        "change": changed_lines(diff),
        "status": validation_status,
        "evidence": evidence,
    }
    canonical = json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=True)
    return hashlib.sha256(canonical.encode("ascii")).hexdigest()[:20]


def headline_figure(meta: Mapping[str, Any]) -> tuple[str | None, float | None]:
    """``(metric, percent)`` of a marker's ``improvement`` (None where it has none)."""
    found = meta.get("improvement")
    if not isinstance(found, Mapping):
        return None, None
    metric = found.get("metric")
    percent = found.get("percent")
    value: float | None = None
    if isinstance(percent, int | float) and not isinstance(percent, bool):
        value = float(percent) if math.isfinite(percent) else None
    return (metric if isinstance(metric, str) else None), value


def improvement_moved(old: Mapping[str, Any], new: Mapping[str, Any]) -> bool:
    """Whether the headline improvement of marker ``new`` differs materially from ``old``'s:
    another metric, a figure on one side only, or a move of :data:`MATERIAL_STEP` points or
    more. Two markers without any figure have not moved."""
    old_metric, old_percent = headline_figure(old)
    new_metric, new_percent = headline_figure(new)
    if old_percent is None or new_percent is None:
        return (old_percent is None) != (new_percent is None)
    if old_metric != new_metric:
        return True
    # the stored figures are rounded to 0.1: compare at that precision, so 5.0 points count
    return round(abs(new_percent - old_percent), 6) >= MATERIAL_STEP
