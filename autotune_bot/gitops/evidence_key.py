"""The evidence key: a digest of what a proposal rests on, deciding "materially changed".

A pull request closed without merge is ignored until its target's evidence changes
materially, and an open one is only rebuilt when it does (or when the base moved under it).
The evidence changed materially when any of these differs:

* **the change itself**: the removed and added lines of the workflow diff, in order. Context
  lines, hunk headers and line numbers do not count, so an unrelated edit elsewhere in the
  file (which shifts the hunks) does not make a closed proposal come back;
* **the validation status** (``not_validated``, ``passed``, ``inconclusive``, ...);
* **the evidence source** (``simulated``, ``recorded``, ``measured``);
* **the headline improvement**, in steps of :data:`MATERIAL_STEP` percentage points: it is
  rounded to the nearest multiple of the step, so a move of a full step or more always counts,
  a smaller one only when it crosses a rounding boundary (12.4 % → 12.6 % does, 13 % → 17 %
  does not). Noise between two runs on nearly the same data therefore does not count.

The key is the first 20 hex digits of the SHA-256 of these values' canonical JSON. Pure.
"""

from __future__ import annotations

import hashlib
import json
import math

from autotune_bot.patch.error import PatchError
from autotune_bot.patch.hunks import parse_diff

__all__ = ["KEY_VERSION", "MATERIAL_STEP", "changed_lines", "evidence_key", "improvement_step"]

KEY_VERSION = 1  # bump when the digested fields change (every open proposal then differs once)
MATERIAL_STEP = 5.0  # percentage points of the headline improvement


def changed_lines(diff: str) -> list[str]:
    """The removed (``-``) and added (``+``) lines of a unified diff, in order; a diff that
    cannot be read counts as a whole."""
    try:
        files = parse_diff(diff)
    except PatchError:
        return [diff]
    return [op + text for f in files for h in f.hunks for op, text in h.ops if op != " "]


def improvement_step(percent: float | None) -> int | None:
    """Which :data:`MATERIAL_STEP` the improvement rounds to (None: no figure)."""
    if percent is None or not math.isfinite(percent):
        return None
    return math.floor(percent / MATERIAL_STEP + 0.5)


def evidence_key(
    *,
    key: str,
    diff: str,
    validation_status: str,
    evidence: str,
    improvement_percent: float | None,
) -> str:
    """The digest of a proposal's material evidence (see the module docstring)."""
    payload = {
        "version": KEY_VERSION,
        "key": key,
        "change": changed_lines(diff),
        "status": validation_status,
        "evidence": evidence,
        "improvement_step": improvement_step(improvement_percent),
    }
    canonical = json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=True)
    return hashlib.sha256(canonical.encode("ascii")).hexdigest()[:20]
