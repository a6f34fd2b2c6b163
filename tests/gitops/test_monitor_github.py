"""`autotune monitor` against the fake GitHub (requests and answers checked against the REST
contract) and a real bare remote, each run from a fresh depth-1 clone: a proposal opened by
`autotune run` is merged with a real merge commit; runs recorded after the merge twice as
slow open exactly one revert pull request, and a rerun opens nothing; runs as fast as
before open none."""

from __future__ import annotations

import subprocess
from pathlib import Path

from autotune_bot.gitops.marker import parse_marker
from autotune_bot.monitor.status import parse_status
from tests.github_fake.server import FakeGitHub
from tests.gitops.example_files import FILES
from tests.gitops.github_site import Runs


def _bot_pulls(fake: FakeGitHub) -> dict[int, str]:
    return {p.number: p.head for p in fake.pulls() if p.head.startswith("autotune/")}


def _status_comments(fake: FakeGitHub, number: int) -> list[str]:
    return [c.body for c in fake.state.comments.values() if c.issue == number]


def test_planted_regression_opens_exactly_one_revert_pull_request(
    runs: Runs, fake: FakeGitHub, remote: Path
) -> None:
    runs.cycle()
    (number,) = _bot_pulls(fake)
    merge = runs.merge(number, slowdown=2.0, runs=36)
    report = runs.monitor()
    assert not report.errors, report.errors
    assert [d.action for d in report.done] == ["opened", "commented"], report.done
    pulls = _bot_pulls(fake)
    reverts = {n: head for n, head in pulls.items() if n != number}
    assert list(reverts.values()) == [f"autotune/revert/{number}"]
    (revert,) = reverts
    meta = parse_marker(fake.pull(revert).body or "")
    assert meta is not None
    assert meta["kind"] == "revert"
    assert meta["reverts"]["ref"] == str(number)
    assert meta["reverts"]["merge_sha"] == merge
    assert f"#{number}" in (fake.pull(revert).body or "")
    # the revert branch on the remote: one commit on main undoing the merge's workflow change
    show = ["git", "--git-dir", str(remote)]
    head = f"refs/heads/autotune/revert/{number}"
    parent = subprocess.run([*show, "rev-parse", f"{head}^"], capture_output=True, text=True)
    main = subprocess.run([*show, "rev-parse", "refs/heads/main"], capture_output=True, text=True)
    assert parent.stdout == main.stdout
    path = "workflows/code_review.yaml"
    now = subprocess.run([*show, "show", f"{head}:{path}"], capture_output=True, text=True)
    assert now.stdout == FILES[path]
    (comment,) = _status_comments(fake, number)
    status = parse_status(comment)
    assert status is not None
    assert status.outcome == "regressed"
    assert status.revert is not None
    assert status.revert.ref == str(revert)
    # a rerun from a fresh clone does nothing new
    again = runs.monitor()
    assert again.done == []
    assert again.effects == []
    assert _bot_pulls(fake) == pulls
    assert _status_comments(fake, number) == [comment]


def test_no_change_opens_no_revert(runs: Runs, fake: FakeGitHub) -> None:
    runs.cycle()
    (number,) = _bot_pulls(fake)
    runs.merge(number, slowdown=1.0, runs=20)
    report = runs.monitor()
    assert not report.errors, report.errors
    assert [d.action for d in report.done] == ["commented"]
    assert list(_bot_pulls(fake)) == [number]
    (comment,) = _status_comments(fake, number)
    assert "**holding** — 20 of 40 post-merge runs watched" in comment
    assert runs.monitor().done == []
