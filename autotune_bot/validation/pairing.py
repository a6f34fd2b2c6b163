"""Pairing the runs of the two arms for a paired analysis, and grouping the pairs by input.

The two runs of one trial (same ``trial`` index, one per arm) form a pair. Pairs that ran the
same task input are not independent: they share whatever that input does to the effect, so
20 pairs cycled over 4 inputs carry the evidence of 4 tasks, not 20. The paired tests
therefore work on **clusters**: one cluster per distinct input (pairs without an input are
each a cluster of their own), and each cluster contributes the mean log ratio of its pairs
(:func:`autotune_bot.validation.statistics.cluster_means`). With all inputs distinct this is
the ordinary paired analysis.

A paired analysis needs every trial in both arms exactly once, the same input in both runs
of a trial, and at least 2 clusters; otherwise :func:`pair_runs` returns None and why, and the
runs are analysed unpaired. Pure.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from autotune_bot.validation import verdict_reasons
from autotune_bot.validation.runs import RunResult

__all__ = ["Pairing", "keep_pairs", "pair_runs"]


@dataclass(frozen=True)
class Pairing:
    """Both arms ordered by trial (position i of each is pair i) and each pair's cluster."""

    control: tuple[RunResult, ...]
    variant: tuple[RunResult, ...]
    clusters: tuple[int, ...]  # 0..n_clusters−1, numbered in order of first appearance
    n_clusters: int

    @property
    def pairs(self) -> int:
        return len(self.control)

    @property
    def repeated(self) -> bool:
        """Whether some input occurs in more than one pair."""
        return self.n_clusters < self.pairs


def pair_runs(
    control: Sequence[RunResult], variant: Sequence[RunResult]
) -> tuple[Pairing | None, str]:
    """The pairing of both arms, or None and why they cannot be paired (then: unpaired)."""
    repeated = sorted(
        t for arm in (control, variant) for t, k in Counter(r.trial for r in arm).items() if k > 1
    )
    if repeated:
        return None, verdict_reasons.repeated_trials(repeated)
    c_trials = {r.trial for r in control}
    v_trials = {r.trial for r in variant}
    if c_trials != v_trials:
        return None, verdict_reasons.unmatched_trials(sorted(c_trials ^ v_trials))
    c_sorted = tuple(sorted(control, key=lambda r: r.trial))
    v_sorted = tuple(sorted(variant, key=lambda r: r.trial))
    for c, v in zip(c_sorted, v_sorted, strict=True):
        if c.input != v.input:
            return None, verdict_reasons.different_inputs(c.trial, c.input, v.input)
    labels = _labels([(r.input, r.trial) for r in c_sorted])
    pairing = Pairing(c_sorted, v_sorted, labels, max(labels, default=-1) + 1)
    if pairing.n_clusters < 2:
        return None, verdict_reasons.single_input(c_sorted[0].input if c_sorted else None)
    if pairing.repeated:
        return pairing, verdict_reasons.paired_by_input(pairing.pairs, pairing.n_clusters)
    return pairing, verdict_reasons.paired_by_trial(pairing.pairs)


def keep_pairs(pairing: Pairing, keep: Sequence[bool]) -> Pairing | None:
    """The pairing restricted to the pairs marked True (clusters renumbered); None when fewer
    than 2 clusters remain."""
    kept = [i for i, k in enumerate(keep) if k]
    labels = _labels([(pairing.clusters[i], 0) for i in kept])
    n = max(labels, default=-1) + 1
    if n < 2:
        return None
    return Pairing(
        tuple(pairing.control[i] for i in kept),
        tuple(pairing.variant[i] for i in kept),
        labels,
        n,
    )


def _labels(keys: Sequence[tuple[object, int]]) -> tuple[int, ...]:
    """Cluster numbers: the first element of a key when it is not None, else the second."""
    seen: dict[object, int] = {}
    out = []
    for value, fallback in keys:
        key = ("input", value) if value is not None else ("trial", fallback)
        out.append(seen.setdefault(key, len(seen)))
    return tuple(out)
