"""The three kinds of evidence a result can rest on, and how every output labels them."""

from __future__ import annotations

from typing import Literal

__all__ = ["EVIDENCE_LABELS", "Evidence", "evidence_label"]

Evidence = Literal["measured", "recorded", "simulated"]

EVIDENCE_LABELS: dict[Evidence, str] = {
    "measured": "measured: runs of the benchmark command, control and variant interleaved",
    "recorded": (
        "recorded: metrics already in the repository, the two configurations told apart by "
        "config_fingerprint/git_sha; not interleaved, so drift between the periods is not "
        "controlled"
    ),
    "simulated": (
        "simulated from recorded traces by the performance model; an estimate, not an A/B result"
    ),
}


def evidence_label(evidence: Evidence) -> str:
    return EVIDENCE_LABELS[evidence]
