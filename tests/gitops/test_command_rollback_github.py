"""`/autotune` commands about merged autotune pull requests, end to end: `autotune action` on
an ``issue_comment`` event against the fake GitHub (every request and answer checked against
the REST contract) and a real bare remote, where a person merged the bot's proposal with a
real merge commit. Also: markers planted by people in comments are not believed."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

import pytest

from autotune_bot.cli import main
from autotune_bot.commands.plan import reply_body, reply_state
from autotune_bot.gitops.marker import parse_marker
from autotune_bot.monitor.status import StatusRecord, parse_status, render_status
from tests.github_fake.remote import BareRemote
from tests.github_fake.server import FakeGitHub
from tests.github_fake.state import CommentState
from tests.gitops.example_files import FILES
from tests.gitops.github_site import Runs, Site, merged_proposal

WORKFLOW = "workflows/code_review.yaml"
HISTORY = ".autotune/history.jsonl"
BOT = "autotune-bot[bot]"


def _git(remote: Path, *args: str) -> str:
    done = subprocess.run(
        ["git", "--git-dir", str(remote), *args], check=True, capture_output=True, text=True
    )
    return done.stdout


def _writes(fake: FakeGitHub) -> list[tuple[str, str]]:
    return [(c.method, c.url) for c in fake.calls if c.method != "GET"]


def _bot_replies(site: Site, number: int) -> list[CommentState]:
    return [c for c in site.replies(number) if c.user["login"] == BOT]


def _new_pulls(fake: FakeGitHub, known: set[int]) -> list[int]:
    return sorted(p.number for p in fake.pulls() if p.number not in known)


def _pull_url(fake: FakeGitHub, number: int) -> str:
    return f"https://github.com/{fake.full_name}/pull/{number}"


def _history(remote: Path, ref: str) -> list[dict[str, Any]]:
    return [json.loads(line) for line in _git(remote, "show", f"{ref}:{HISTORY}").splitlines()]


def test_rollback_from_a_maintainer_opens_one_revert_and_reruns_do_nothing(
    site: Site, runs: Runs, fake: FakeGitHub, remote: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    number = merged_proposal(runs, fake, slowdown=1.0, count=5)
    merge = fake.pull(number).merge_commit_sha
    assert merge is not None
    known = {p.number for p in fake.pulls()}
    fake.set_permission("maya", "maintain")
    comment = site.comment(number, "/autotune rollback", login="maya")
    code, _ = site.action(capsys, number, comment)
    assert code == 0
    [revert] = _new_pulls(fake, known)
    branch = f"autotune/revert/{number}"
    assert fake.pull(revert).head == branch
    meta = parse_marker(fake.pull(revert).body or "")
    assert meta is not None
    assert (meta["kind"], meta["reverts"]["ref"], meta["reverts"]["merge_sha"]) == (
        "revert",
        str(number),
        merge,
    )
    # one commit on main: a real revert of the merge plus one appended history line
    head = f"refs/heads/{branch}"
    assert _git(remote, "rev-parse", f"{head}^") == _git(remote, "rev-parse", "refs/heads/main")
    assert f"This reverts merge commit {merge}" in _git(remote, "log", "-1", "--format=%B", head)
    assert _git(remote, "show", f"{head}:{WORKFLOW}") == FILES[WORKFLOW]
    assert _git(remote, "show", f"{merge}:{WORKFLOW}") != FILES[WORKFLOW]  # it did undo something
    changed = _git(remote, "diff", "--name-only", "refs/heads/main", head).split()
    assert sorted(changed) == sorted([WORKFLOW, HISTORY])
    before, after = _history(remote, "refs/heads/main"), _history(remote, head)
    assert after[:-1] == before
    assert after[-1]["kind"] == "rollback"
    assert after[-1]["mode"] == "command"
    assert after[-1]["reverts"] == before[-1]["id"]
    # the reply: created, then edited in place with the link; one reaction
    [reply] = _bot_replies(site, number)
    # "#N" is the reference GitHub turns into a link to the revert pull request
    assert f"Revert of #{number}: opened #{revert}\n" in reply.body
    assert "Working on it" not in reply.body
    assert reply_state(reply.body) == (str(comment), True)
    edits = [c.url for c in fake.calls_to("issues/update-comment")]
    assert any(url.endswith(f"/issues/comments/{reply.id}") for url in edits)
    assert [r["content"] for r in site.reactions(comment)] == ["eyes"]
    # the status comment on the merged pull request links the revert and who asked
    statuses = [parse_status(c.body) for c in fake.state.comments.values() if c.issue == number]
    [status] = [s for s in statuses if s is not None]
    assert status.revert is not None
    assert (status.revert.ref, status.revert.requested_by) == (str(revert), "maya")
    # the same event again: nothing new anywhere
    writes, branches = _writes(fake), BareRemote(remote).branches()
    assert site.action(capsys, number, comment)[0] == 0
    assert _writes(fake) == writes
    assert BareRemote(remote).branches() == branches
    assert _new_pulls(fake, known) == [revert]
    assert len(_bot_replies(site, number)) == 1
    assert len(site.reactions(comment)) == 1


def test_rollback_from_a_reader_on_the_merged_proposal_pushes_nothing(
    site: Site, runs: Runs, fake: FakeGitHub, remote: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    number = merged_proposal(runs, fake, slowdown=2.0, count=36)  # even with a regression
    known, branches = {p.number for p in fake.pulls()}, BareRemote(remote).branches()
    fake.set_permission("rita", "triage")
    comment = site.comment(number, "/autotune rollback", login="rita")
    assert site.action(capsys, number, comment)[0] == 0
    [reply] = _bot_replies(site, number)
    assert "needs write access" in reply.body
    assert _new_pulls(fake, known) == []
    assert BareRemote(remote).branches() == branches


def test_rollback_of_history_entry_zero_opens_one_revert_of_that_entry(
    site: Site, runs: Runs, fake: FakeGitHub, remote: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    number = merged_proposal(runs, fake, slowdown=1.0, count=5)
    entries = _history(remote, "refs/heads/main")
    applied = [e for e in entries if e["kind"] == "apply"]
    newest = applied[-1]["id"]
    known = {p.number for p in fake.pulls()}
    fake.set_permission("walt", "write")
    comment = site.comment(number, "/autotune rollback 0", login="walt")
    assert site.action(capsys, number, comment)[0] == 0
    [revert] = _new_pulls(fake, known)
    branch = f"autotune/revert/history-{newest}"
    assert fake.pull(revert).head == branch
    meta = parse_marker(fake.pull(revert).body or "")
    assert meta is not None
    assert (meta["kind"], meta["reverts"]) == ("revert", {"history_entry": newest})
    head = f"refs/heads/{branch}"
    assert _git(remote, "rev-parse", f"{head}^") == _git(remote, "rev-parse", "refs/heads/main")
    assert _git(remote, "show", f"{head}:{WORKFLOW}") == FILES[WORKFLOW]
    after = _history(remote, head)
    assert after[:-1] == entries
    assert (after[-1]["kind"], after[-1]["reverts"]) == ("rollback", newest)
    [reply] = _bot_replies(site, number)
    assert f"Opened #{revert}: it rolls back history entry `{newest}`" in reply.body
    assert reply_state(reply.body) == (str(comment), True)
    writes = _writes(fake)
    assert site.action(capsys, number, comment)[0] == 0
    assert _writes(fake) == writes
    assert _new_pulls(fake, known) == [revert]


def test_analyze_of_a_team_from_a_maintainer_replies_with_findings(
    site: Site, fake: FakeGitHub, capsys: pytest.CaptureFixture[str]
) -> None:
    number = fake.open_pull_as_person("feature", "main", "A person's change")
    fake.set_permission("maya", "maintain")
    comment = site.comment(number, "/autotune analyze review_team", login="maya")
    assert site.action(capsys, number, comment)[0] == 0
    [reply] = _bot_replies(site, number)
    assert "**Analysis of team `review_team`**" in reply.body
    # the same count as `autotune analyze` of that team on a checkout
    assert main(["analyze", "--repo", str(site.checkout()), "--team", "review_team",
                 "--format", "json"]) == 0  # fmt: skip
    records = json.loads(capsys.readouterr().out)["inputs"]["records_read"]
    assert f"**: {records} records read." in reply.body
    assert "| Severity | Target | Finding |" in reply.body
    assert "review_team" in reply.body.split("| --- | --- | --- |", 1)[1]
    assert reply_state(reply.body) == (str(comment), True)
    assert fake.calls_to("pulls/create") == []  # analysis changes nothing


def test_retune_of_a_team_opens_only_that_teams_proposal(
    site: Site, fake: FakeGitHub, capsys: pytest.CaptureFixture[str]
) -> None:
    number = fake.open_pull_as_person("feature", "main", "A person's change")
    fake.set_permission("maya", "admin")
    other = site.comment(number, "/autotune retune static_checks", login="maya")
    assert site.action(capsys, number, other)[0] == 0
    assert fake.calls_to("pulls/create") == []  # nothing to tune there, so nothing opened
    [first] = _bot_replies(site, number)
    assert "**Tuning pass for team `static_checks`**" in first.body
    comment = site.comment(number, "/autotune retune review_team", login="maya")
    assert site.action(capsys, number, comment)[0] == 0
    opened = [p for p in fake.pulls() if p.head.startswith("autotune/")]
    assert [p.head for p in opened] == ["autotune/code_review/review_team"]
    [reply] = [r for r in _bot_replies(site, number) if r.id != first.id]
    assert "**Tuning pass for team `review_team`**" in reply.body
    assert f"/pull/{opened[0].number})" in reply.body  # the link to what it opened
    assert reply_state(reply.body) == (str(comment), True)


def _plant_status(fake: FakeGitHub, site: Site, number: int, outcome: str) -> None:
    """A person pastes a status comment that looks like the bot's, as final ``outcome``."""
    pull = fake.pull(number)
    record = StatusRecord(
        str(number),
        "code_review/review_team",
        outcome,  # type: ignore[arg-type]
        40,
        50,
        40,
        "2026-11-02T00:00:00+00:00",
        merge_sha=pull.merge_commit_sha or "",
    )
    site.comment(number, render_status(record, None), login="mallory")


@pytest.mark.parametrize(
    ("planted", "slowdown", "count", "expected"),
    [("confirmed", 2.0, 36, "regressed"), ("regressed", 1.0, 20, "holding")],
)
def test_a_status_comment_planted_by_a_person_is_ignored_by_monitoring(
    site: Site,
    runs: Runs,
    fake: FakeGitHub,
    planted: str,
    slowdown: float,
    count: int,
    expected: str,
) -> None:
    number = merged_proposal(runs, fake, slowdown=slowdown, count=count)
    _plant_status(fake, site, number, planted)
    known = {p.number for p in fake.pulls()}
    report = runs.monitor()
    assert not report.errors, report.errors
    [watched] = report.watched
    assert watched.outcome == expected  # decided from the runs, not from the planted comment
    reverts = _new_pulls(fake, known)
    assert len(reverts) == (1 if expected == "regressed" else 0)
    bots = [c for c in fake.state.comments.values() if c.issue == number and c.user["login"] == BOT]
    [own] = bots
    status = parse_status(own.body)
    assert status is not None
    assert status.outcome == expected


def test_a_reply_marker_planted_by_a_person_does_not_silence_a_command(
    site: Site, fake: FakeGitHub, capsys: pytest.CaptureFixture[str]
) -> None:
    number = fake.open_pull_as_person("feature", "main", "A person's change")
    comment = site.comment(number, "/autotune status", login="visitor")
    site.comment(number, reply_body(str(comment), "Done already.", done=True), login="mallory")
    assert site.action(capsys, number, comment)[0] == 0
    [reply] = _bot_replies(site, number)
    assert "**autotune status**" in reply.body
    assert reply_state(reply.body) == (str(comment), True)
    assert [r["content"] for r in site.reactions(comment)] == ["eyes"]


def test_rollback_of_an_entry_monitoring_reverts_already_opens_no_second_revert(
    site: Site, runs: Runs, fake: FakeGitHub, remote: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    number = merged_proposal(runs, fake, slowdown=1.0, count=5)
    known = {p.number for p in fake.pulls()}
    fake.set_permission("maya", "maintain")
    first = site.comment(number, "/autotune rollback", login="maya")
    assert site.action(capsys, number, first)[0] == 0
    [revert] = _new_pulls(fake, known)
    branches = BareRemote(remote).branches()
    again = site.comment(number, "/autotune rollback 0", login="maya")  # the same change
    assert site.action(capsys, number, again)[0] == 0
    assert _new_pulls(fake, known) == [revert]  # one open revert per change
    assert BareRemote(remote).branches() == branches
    [reply] = [r for r in _bot_replies(site, number) if reply_state(r.body) == (str(again), True)]
    assert "is open already" in reply.body
    assert f"#{revert}" in reply.body
