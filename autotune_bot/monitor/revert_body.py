"""A revert proposal of a merged autotune change: branch, title, body, commit message, marker.

The marker is the ordinary proposal marker (:func:`autotune_bot.gitops.marker.render_marker`)
with ``"kind": "revert"`` and ``"reverts": {"ref", "key", "merge_sha", "history_entry"}``;
its key is ``revert/<original key>``, its branch ``<branch_prefix>revert/<ref>``, and its
evidence key a digest of the original's handle and merge commit, so the bot finds the revert
of a merged pull request again on every run and never opens a second one. The body says why
(the detectors that fired, each with its statistic, threshold and run, or who asked with
``/autotune rollback``), shows the runs before and after the merge, links the original, says
what the commit does and how to keep the change. Names are escaped for Markdown. Pure.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from autotune_bot.gitops.branch_names import is_valid_branch, ref_component
from autotune_bot.gitops.markdown import code_span, one_line, prose
from autotune_bot.gitops.marker import render_marker
from autotune_bot.gitops.types import ForgeProposal, Proposal
from autotune_bot.monitor.status import ref_link
from autotune_bot.monitor.types import MonitorDecision

__all__ = ["RevertInputs", "build_revert", "revert_branch", "revert_evidence_key", "revert_key"]

_COPIED = ("file", "scope", "workflow", "target", "change")


def revert_key(original_key: str) -> str:
    return f"revert/{original_key}"


def revert_branch(prefix: str, ref: str) -> str:
    """``<prefix>revert/<ref>`` (a local draft's ref without ``.md``); ValueError when the
    prefix makes no valid branch name."""
    name = f"{prefix}revert/{ref_component(ref.removesuffix('.md'))}"
    if not is_valid_branch(name):
        raise ValueError(f"branch prefix {prefix!r} does not make a valid git branch name")
    return name


def revert_evidence_key(ref: str, merge_sha: str) -> str:
    payload = f"revert\0{ref}\0{merge_sha}".encode("utf-8", "surrogatepass")
    return hashlib.sha256(payload).hexdigest()[:20]


@dataclass(frozen=True)
class RevertInputs:
    original: ForgeProposal  # the merged proposal (merged_sha known)
    decision: MonitorDecision | None  # the monitor's verdict (None: not judged)
    branch_prefix: str
    history_entry: Mapping[str, Any]  # the rollback entry the revert appends
    files: Mapping[str, str]  # the patch method's file texts (informational)
    labels: tuple[str, ...] = ()
    requested_by: str | None = None  # login that asked with /autotune rollback


def _num(value: float) -> str:
    return "n/a" if not math.isfinite(value) else f"{value:.3g}"


def _why(inputs: RevertInputs) -> list[str]:
    lines: list[str] = []
    if inputs.requested_by:
        lines.append(f"- Requested by @{prose(inputs.requested_by)} with `/autotune rollback`.")
    decision = inputs.decision
    fired = decision.triggers if decision is not None else ()
    horizon = decision.horizon if decision is not None else 0
    for d in fired:
        lines.append(
            f"- {prose(d.rule)} ({code_span(d.name)}): decision statistic {_num(d.statistic)} "
            f"crossed its threshold {_num(d.threshold)} at post-merge run {d.alarm_at} "
            f"(false-alarm share {d.alpha * 100:.3g} % over {horizon} runs)."
        )
    if not lines:
        lines.append("- Post-merge monitoring found a regression.")
    return lines


def _pct(ratio: float | None) -> str:
    if ratio is None or not math.isfinite(ratio):
        return "n/a"
    return f"{(ratio - 1.0) * 100.0:+.1f} %"


def _rate(value: float | None) -> str:
    return "n/a" if value is None else f"{value * 100:.1f} %"


def _table(decision: MonitorDecision | None) -> list[str]:
    r = decision.realised if decision is not None else None
    if r is None:
        return ["No before/after figures are available."]
    ci = ""
    if r.duration_ratio_ci is not None:
        lo, hi = r.duration_ratio_ci
        ci = f" (95 % interval {_pct(lo)} to {_pct(hi)})"
    return [
        "| | before the merge | after the merge |",
        "|---|---|---|",
        f"| runs | {r.baseline_runs} | {r.post_runs} |",
        f"| success rate | {_rate(r.success_before)} | {_rate(r.success_after)} |",
        f"| duration (geometric mean) | reference | {_pct(r.duration_ratio)}{ci} |",
        f"| cost (geometric mean) | reference | {_pct(r.cost_ratio)} |",
        "",
        "Recorded before and after the merge, not an A/B test: drift between the two periods "
        "(load, provider latency, task mix) is not cancelled.",
    ]


def _meta(inputs: RevertInputs, branch: str) -> dict[str, Any]:
    o = inputs.original
    merge = o.merged_sha or ""
    entry = inputs.history_entry
    meta: dict[str, Any] = {
        "kind": "revert",
        "key": revert_key(o.key),
        "branch": branch,
        "evidence_key": revert_evidence_key(o.ref, merge),
        "validation_status": "not_validated",
        "reverts": {
            "ref": o.ref,
            "key": o.key,
            "merge_sha": merge,
            "history_entry": o.metadata.get("history_entry"),
        },
        "history_entry": entry.get("id"),
        "requested_by": inputs.requested_by,
    }
    meta.update({k: o.metadata[k] for k in _COPIED if isinstance(o.metadata.get(k), str)})
    return meta


def build_revert(inputs: RevertInputs) -> Proposal:
    """The revert proposal of ``inputs.original`` (ValueError: no merge commit, or names that
    cannot make a branch or a marker)."""
    o = inputs.original
    if not o.merged_sha:
        raise ValueError(f"{o.ref}: no merge commit recorded; nothing to revert")
    branch = revert_branch(inputs.branch_prefix, o.ref)
    meta = _meta(inputs, branch)
    marker = render_marker(meta)
    link = ref_link(o.ref, o.url)
    where = f" ({code_span(o.url)})" if o.url and not o.ref.isdigit() else ""
    entry_id = str(inputs.history_entry.get("id", ""))
    reverted = o.metadata.get("history_entry")
    body = [
        f"## Revert of {link}{where}",
        "",
        f"This reverts the merged autotune change {link} ({prose(one_line(o.title, 200))}), "
        f"merge commit {code_span(o.merged_sha)}.",
        "",
        "### Why",
        "",
        *_why(inputs),
        "",
        "### Before and after the merge",
        "",
        *_table(inputs.decision),
        "",
        "### What the commit does",
        "",
        f"- `git revert` of {code_span(o.merged_sha)}, the commit that brought the change "
        "into the base branch (of a merge commit, against its first parent), "
        "one bot commit on the base branch; when the revert conflicts with later changes, "
        "a minimal edit back to the recorded configuration instead (the commit says which).",
        f"- Appends one `rollback` entry {code_span(entry_id)} to `.autotune/history.jsonl`, "
        + (f"reverting entry {code_span(str(reverted))}; " if isinstance(reverted, str) else "")
        + "the history stays append-only.",
        "",
        "### To keep the change",
        "",
        "Close this pull request without merging: autotune will not propose a revert of "
        f"{link} again.",
        "",
        marker,
    ]
    title = one_line(f'Revert "{one_line(o.title, 200)}"', 240)
    why = (
        "requested with /autotune rollback" if inputs.requested_by else "a regression was detected"
    )
    message = (
        f"{title}\n\nThis reverts merge commit {o.merged_sha} of autotune proposal {o.ref} "
        f"({o.key}): {why}.\n\nautotune-key: {meta['key']}\n"
    )
    return Proposal(
        key=meta["key"],
        branch=branch,
        files=dict(inputs.files),
        diff=str(inputs.history_entry.get("diff", "")),
        title=title,
        body="\n".join(body) + "\n",
        evidence_key=meta["evidence_key"],
        validation_status="not_validated",
        labels=inputs.labels,
        commit_message=message,
        metadata={"version": 1, **meta},
    )
