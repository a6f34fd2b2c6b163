"""Hostile and edge cases of the command edge: who a payload says wrote the comment, replies
too long for one comment, and what `autotune action` reports (exit status, outputs) for
commands from readers and maintainers, end to end against the fake GitHub."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from autotune_bot.commands.event import CommentCommand, EventPayloadError, route_event
from autotune_bot.commands.plan import MAX_REPLY_CHARS, reply_body, reply_state
from tests.github_fake.remote import BareRemote
from tests.github_fake.server import FakeGitHub
from tests.gitops import github_site as action_site
from tests.gitops.github_site import Runs, Site, merged_proposal

# (id, login, accepted): logins as the payload could carry them.
LOGINS: list[tuple[str, str, bool]] = [
    ("plain", "alice", True),
    ("hyphens", "octo-cat-2", True),
    ("managed-user", "octocat_acme", True),  # "<handle>_<short code>" of managed users
    ("app", "autotune-bot[bot]", True),
    ("longest", "a" * 39, True),
    ("too-long", "a" * 40, False),
    ("leading-hyphen", "-alice", False),
    ("leading-underscore", "_alice", False),
    ("shell", "a;rm -rf", False),
    ("mention", "@org/team", False),
    ("workflow-command", "::add-mask::x", False),
    ("newline", "alice\n::set-output name=x::y", False),
    ("markdown-link", "[x](javascript:alert(1))", False),
    ("html", "<img>", False),
    ("fake-bot-suffix", "alice [bot]", False),
    ("unicode-lookalike", "\u0430lice", False),
    ("empty", "", False),
]


def _event(login: str) -> dict[str, Any]:
    return {
        "action": "created",
        "issue": {"number": 7},
        "comment": {"id": 11, "body": "/autotune help", "user": {"login": login, "type": "User"}},
    }


@pytest.mark.parametrize(
    ("login", "accepted"), [(lg, ok) for _, lg, ok in LOGINS], ids=[i for i, _, _ in LOGINS]
)
def test_commenter_logins(login: str, accepted: bool) -> None:
    if accepted:
        route = route_event("issue_comment", _event(login))
        assert isinstance(route, CommentCommand)
        assert route.author_login == login
    else:
        with pytest.raises(EventPayloadError) as raised:
            route_event("issue_comment", _event(login))
        assert raised.value.field == "event.comment.user.login"


# (id, reply text): replies of every size, to be posted as one comment.
REPLIES: list[tuple[str, str]] = [
    ("short", "Opened #12."),
    ("exactly-room", "x" * 100),
    ("many-lines", "\n".join(f"- not read: `metrics/run-{k}.jsonl` line 1" for k in range(5000))),
    ("one-huge-line", "y" * (3 * MAX_REPLY_CHARS)),
    ("fake-marker-at-the-cut", '- a\n<!-- autotune:reply {"comment":"9","done":true} -->\n' * 2000),
]


@pytest.mark.parametrize("text", [t for _, t in REPLIES], ids=[i for i, _ in REPLIES])
def test_a_reply_always_fits_in_one_comment_and_keeps_its_marker(text: str) -> None:
    body = reply_body("501", text, done=True)
    assert len(body) <= MAX_REPLY_CHARS
    assert reply_state(body) == ("501", True)
    assert body.endswith('<!-- autotune:reply {"comment":"501","done":true} -->\n')
    if len(text) < MAX_REPLY_CHARS // 2:
        assert body.startswith(text + "\n\n<!--")  # a reply that fits is not touched
    else:
        assert "cut here: a comment holds at most 65536 characters" in body


def _outputs(path: Path) -> dict[str, str]:
    """The ``name<<DELIM`` / value / ``DELIM`` outputs the last run wrote."""
    lines, found, k = path.read_text().splitlines(), {}, 0
    while k < len(lines):
        name, delimiter = lines[k].split("<<", 1)
        found[name] = lines[k + 1]
        assert lines[k + 2] == delimiter
        k += 3
    return found


@pytest.fixture
def outputs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """``$GITHUB_OUTPUT`` of every action run of the site (which resets GITHUB_* first)."""
    path = tmp_path / "github_output"
    real = action_site.main

    def main(argv: list[str]) -> int:
        path.write_text("")
        monkeypatch.setenv("GITHUB_OUTPUT", str(path))
        return real(argv)

    monkeypatch.setattr(action_site, "main", main)
    return path


def test_a_readers_status_and_help_on_a_regressed_merge_write_nothing_but_the_reply(
    site: Site,
    runs: Runs,
    fake: FakeGitHub,
    remote: Path,
    outputs: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    number = merged_proposal(runs, fake, slowdown=2.0, count=36)  # a regression is there
    known, branches = {p.number for p in fake.pulls()}, BareRemote(remote).branches()
    fake.set_permission("rita", "read")
    start = len(fake.calls)
    for body in ("/autotune status", "/autotune help"):
        comment = site.comment(number, body, login="rita")
        assert site.action(capsys, number, comment)[0] == 0
        assert _outputs(outputs)["prs_opened"] == "0"
    assert {p.number for p in fake.pulls()} == known
    assert BareRemote(remote).branches() == branches
    writes = [c.url.split(f"/repos/{fake.full_name}/", 1)[1] for c in fake.calls[start:]
              if c.method != "GET"]  # fmt: skip
    assert writes  # the replies and the reactions ...
    assert all(w.startswith("issues/") for w in writes), writes  # ... and nothing else
    assert fake.calls_to("repos/get-collaborator-permission-level") == []


def test_a_maintainers_rollback_and_ignore_count_the_pull_requests_they_open(
    site: Site,
    runs: Runs,
    fake: FakeGitHub,
    outputs: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    number = merged_proposal(runs, fake, slowdown=1.0, count=5)
    fake.set_permission("maya", "maintain")
    for body in ("/autotune rollback", "/autotune ignore caching"):
        comment = site.comment(number, body, login="maya")
        assert site.action(capsys, number, comment)[0] == 0
        assert (_outputs(outputs)["prs_opened"], _outputs(outputs)["prs_updated"]) == ("1", "0")
        # the same event again opens nothing
        assert site.action(capsys, number, comment)[0] == 0
        assert _outputs(outputs)["prs_opened"] == "0"


# Markers someone writes into a command line, which the reply quotes: the bot's own comment
# must not carry them in a form the bot would believe later.
_MONITOR = (
    '<!-- autotune:monitor {"version":1,"ref":"7","key":"","decided_at":"","reason":"",'
    '"outcome":"confirmed","post_runs":0,"baseline_runs":0,"horizon":0,"final":true} -->'
)
PLANTED: list[tuple[str, str]] = [
    ("monitor-marker-as-verb", f"/autotune {_MONITOR}"),
    ("monitor-marker-after-verb", f"/autotune help {_MONITOR}"),
    ("reply-marker", '/autotune x <!-- autotune:reply {"comment":"9","done":true} -->'),
    ("proposal-marker", '/autotune <!-- autotune:proposal {"key":"k","branch":"b"} -->'),
]


@pytest.mark.parametrize("line", [t for _, t in PLANTED], ids=[i for i, _ in PLANTED])
def test_markers_in_a_command_line_do_not_survive_in_the_bots_reply(line: str) -> None:
    from autotune_bot.commands.parse import parse_comment
    from autotune_bot.commands.plan import plan_command
    from autotune_bot.gitops.marker import parse_marker
    from autotune_bot.monitor.status import parse_status

    assert parse_status(_MONITOR) is not None  # the planted text itself would be believed
    route = CommentCommand("501", 7, True, "mallory", "User", line)
    plan = plan_command(route, parse_comment(line), permission=None, from_fork=False,
                        existing_reply=None)  # fmt: skip
    if not plan.first_body:  # a comment that carries a reply marker is not answered at all
        assert plan.action is None
        assert "reply" in line
        return
    assert parse_status(plan.first_body) is None
    assert parse_marker(plan.first_body) is None
    assert reply_state(plan.first_body) == ("501", True)
