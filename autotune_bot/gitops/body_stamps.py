"""Edits of a rendered pull request body: restamping its marker, and the "superseded" notice.

The lifecycle records facts only known when it decides (the head commit the bot pushes, the
branch an older pull request really uses) in the proposal's marker: :func:`restamp` renders
the marker again with those fields and puts it where the old one was. When a later run no
longer proposes an open pull request's change for a definite reason, :func:`with_notice`
puts a clearly marked notice at the top of the body, keeping the rest (and the marker)
as it is; :func:`notice_reason` reads back which reason a body's notice gives, and
:func:`without_notice` removes it. Bodies are rendered :data:`STAMP_RESERVE` characters
under GitHub's limit so these edits always fit. Pure.
"""

from __future__ import annotations

import dataclasses
import json
import re
from datetime import datetime
from typing import Any

from autotune_bot.gitops.body_fit import BODY_LIMIT, text_size
from autotune_bot.gitops.markdown import prose
from autotune_bot.gitops.marker import comment_json, render_marker
from autotune_bot.gitops.types import ForgeProposal, Proposal

__all__ = [
    "NOTICE_REASON_CHARS",
    "STAMP_RESERVE",
    "notice_reason",
    "restamp",
    "same_notice",
    "superseded_proposal",
    "with_notice",
    "without_notice",
]

#: UTF-16 units a body is rendered under GitHub's limit, for a restamped marker (head
#: commits, another branch) and a superseded notice.
STAMP_RESERVE = 4096
#: Characters of a reason shown in a notice (before escaping).
NOTICE_REASON_CHARS = 300
_MARKER = re.compile(r"<!--[ \t]*autotune:proposal[ \t]+[^\n]*?-->")
_NOTICE_OPEN = "<!-- autotune:superseded "
_NOTICE_CLOSE = "<!-- /autotune:superseded -->\n\n"
_NOTICE = re.compile(
    r"\A<!-- autotune:superseded (?P<json>[^\n]*?) -->\n.*?<!-- /autotune:superseded -->\n\n",
    re.DOTALL,
)


def restamp(proposal: Proposal, **fields: Any) -> Proposal:
    """``proposal`` with ``fields`` set in its metadata and in its body's marker (the last
    marker of the body is replaced; a body without one gets the marker appended). A field set
    to None is removed."""
    meta: dict[str, Any] = {
        "key": proposal.key,
        "branch": proposal.branch,
        "evidence_key": proposal.evidence_key,
        **proposal.metadata,
    }
    for name, value in fields.items():
        if value is None:
            meta.pop(name, None)
        else:
            meta[name] = value
    marker = render_marker(meta)
    found = list(_MARKER.finditer(proposal.body))
    if found:
        last = found[-1]
        body = proposal.body[: last.start()] + marker + proposal.body[last.end() :]
    else:
        body = f"{proposal.body}\n\n{marker}\n"
    branch = meta["branch"] if isinstance(meta.get("branch"), str) else proposal.branch
    return dataclasses.replace(proposal, body=body, branch=branch, metadata=meta)


def notice_reason(body: str) -> str | None:
    """The reason the notice at the top of ``body`` gives (clipped to
    :data:`NOTICE_REASON_CHARS`), or None without a notice."""
    found = _NOTICE.match(body)
    if found is None:
        return None
    try:
        data = json.loads(found.group("json"))
    except ValueError:
        return ""
    reason = data.get("reason") if isinstance(data, dict) else None
    return reason if isinstance(reason, str) else ""


def _clipped(reason: str) -> str:
    if len(reason) <= NOTICE_REASON_CHARS:
        return reason
    return reason[: NOTICE_REASON_CHARS - 1] + "…"


def same_notice(body: str, reason: str) -> bool:
    """Whether ``body`` already carries the notice for ``reason``."""
    return notice_reason(body) == _clipped(reason)


def without_notice(body: str) -> str:
    """``body`` without the superseded notice at its top (unchanged when it has none)."""
    found = _NOTICE.match(body)
    return body if found is None else body[found.end() :]


def with_notice(body: str, reason: str, now: datetime | None) -> str | None:
    """``body`` (without any earlier notice) under a notice that the latest run no longer
    proposes its change, and why; None when the result would exceed GitHub's limit."""
    clipped = _clipped(reason)
    when = f" ({now.date().isoformat()})" if now is not None else ""
    notice = (
        f"{_NOTICE_OPEN}{comment_json({'reason': clipped})} -->\n"
        f"> [!WARNING]\n"
        f"> ⚠ **Superseded:** the latest run{when} no longer proposes this change: "
        f"{prose(clipped)}\n"
        ">\n"
        "> autotune leaves this pull request open, and updates it again if a later run "
        "proposes the change: close it, or merge it if you still want the change.\n\n"
        f"{_NOTICE_CLOSE}"
    )
    text = notice + without_notice(body)
    return text if text_size(text) <= BODY_LIMIT else None


def superseded_proposal(
    existing: ForgeProposal, reason: str, now: datetime | None
) -> Proposal | None:
    """What an open pull request becomes when it is superseded: the same title, branch and
    marker, its body under the notice (None when that would not fit)."""
    body = with_notice(existing.body, reason, now)
    if body is None:
        return None
    status = existing.metadata.get("validation_status")
    return Proposal(
        key=existing.key,
        branch=existing.branch,
        files={},
        diff="",
        title=existing.title,
        body=body,
        evidence_key=existing.evidence_key,
        validation_status=status if isinstance(status, str) else "",
        metadata=dict(existing.metadata),
    )
