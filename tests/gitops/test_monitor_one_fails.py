"""A merged pull request whose comments cannot be read is reported as an error and left
alone; the other merged pull requests are still watched (and commented on)."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from autotune_bot.forge.local import LocalForge, LocalForgeError
from autotune_bot.gitops.monitor_cycle import MonitorOptions, run_monitor
from autotune_bot.gitops.types import ForgeComment, ForgeProposal
from tests.gitops.monitor_repo import DRAFT, MONITORED_AT, merged_repo, post_merge

BROKEN = "unreadable.md"


class OneBrokenForge(LocalForge):
    """The local forge plus a second merged proposal whose comments cannot be read."""

    def list_proposals(self) -> list[ForgeProposal]:
        found = super().list_proposals()
        (merged,) = [p for p in found if p.state == "merged"]
        other = dataclasses.replace(merged, ref=BROKEN, key="other/target")
        return [other, *found]

    def list_comments(self, ref: str) -> list[ForgeComment]:
        if ref == BROKEN:
            raise LocalForgeError(f"{ref}: comments cannot be read")
        return super().list_comments(ref)


def test_an_unreadable_merged_proposal_does_not_stop_the_others(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    repo = merged_repo(tmp_path, monkeypatch)
    post_merge(repo, slowdown=1.0, runs=10)
    forge = OneBrokenForge(repo)
    report = run_monitor(MonitorOptions(repo, MONITORED_AT), forge)
    assert report.errors == [f"{BROKEN}: {BROKEN}: comments cannot be read"]
    assert [(w.ref, w.outcome) for w in report.watched] == [(DRAFT, "holding")]
    assert [(d.ref, d.action) for d in report.done] == [(DRAFT, "commented")]
    assert len(forge.list_comments(DRAFT)) == 1
