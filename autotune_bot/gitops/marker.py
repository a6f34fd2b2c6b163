"""The hidden marker that makes a pull request body carry the proposal's state.

``<!-- autotune:proposal {compact JSON} -->`` at the end of the body: invisible on GitHub,
returned verbatim by the API, found again by :func:`parse_marker` however much text surrounds
it. The JSON is written so it cannot end the comment early: ``<``, ``>`` and the second ``-``
of every ``--`` become JSON escapes (``\\u003c``, ``\\u003e``, ``\\u002d``), which only
occur inside strings, so the JSON reads back unchanged. Reading uses ``json.loads`` only, caps
the size, rejects duplicate keys, NaN, deep nesting and missing required fields, and, when a
body holds several markers (a diff quoting one, say), believes the last: the renderer always
puts the real one last. Pure.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any

__all__ = [
    "MARKER_VERSION",
    "MAX_MARKER_CHARS",
    "REQUIRED_FIELDS",
    "comment_json",
    "parse_marker",
    "render_marker",
    "strict_json",
]

MARKER_VERSION = 1
MAX_MARKER_CHARS = 16_384  # of the JSON between the marker's opening and its "-->"
#: Fields every marker has (all strings, besides the integer ``version``).
REQUIRED_FIELDS = ("key", "branch", "evidence_key")
_OPEN = "<!-- autotune:proposal "
_CLOSE = " -->"
_START = re.compile(r"<!--[ \t]*autotune:proposal[ \t]+")


def comment_json(value: Mapping[str, Any]) -> str:
    """``value`` as compact strict JSON that is safe inside an HTML comment (``<``, ``>`` and
    the ``-`` of every ``--`` as JSON escapes); ValueError for values JSON cannot hold."""
    text = json.dumps(
        dict(value), sort_keys=True, separators=(",", ":"), ensure_ascii=True, allow_nan=False
    )
    text = text.replace("<", "\\u003c").replace(">", "\\u003e")
    return text.replace("--", "-\\u002d")


def render_marker(meta: Mapping[str, Any]) -> str:
    """The marker holding ``meta`` (strict JSON: ValueError for NaN, infinities or values
    JSON cannot hold, and for a marker over :data:`MAX_MARKER_CHARS`)."""
    text = comment_json({"version": MARKER_VERSION, **meta})
    if len(text) > MAX_MARKER_CHARS:
        raise ValueError(f"marker JSON too long ({len(text)} > {MAX_MARKER_CHARS} characters)")
    return f"{_OPEN}{text}{_CLOSE}"


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not strict JSON")


def _unique(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in pairs:
        if key in out:
            raise ValueError(f"duplicate key {key!r}")
        out[key] = value
    return out


def strict_json(payload: str) -> Any:
    """``payload`` read as strict JSON: ValueError for NaN or infinities and for a key given
    twice in one object (RecursionError for nesting deeper than Python follows)."""
    return json.loads(payload, parse_constant=_no_constant, object_pairs_hook=_unique)


def _decode(payload: str) -> dict[str, Any] | None:
    if len(payload) > MAX_MARKER_CHARS or "\n" in payload:
        return None
    try:
        data = strict_json(payload)
    except (ValueError, RecursionError):
        return None
    if not isinstance(data, dict):
        return None
    version = data.get("version")
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        return None
    if not all(isinstance(data.get(name), str) and data[name] for name in REQUIRED_FIELDS):
        return None
    return data


def parse_marker(body: str) -> dict[str, Any] | None:
    """The JSON of the last well-formed marker in ``body``, or None when there is none."""
    if not isinstance(body, str):
        return None
    found: dict[str, Any] | None = None
    for start in _START.finditer(body):
        end = body.find("-->", start.end(), start.end() + MAX_MARKER_CHARS + 64)
        if end < 0:
            continue
        decoded = _decode(body[start.end() : end].strip())
        if decoded is not None:
            found = decoded
    return found
