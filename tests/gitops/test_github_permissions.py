"""Missing permissions and repository settings, said in plain words, before anything is pushed
where that can be known: the preflight of the GitHub cycle (the repository's answer and a
dry-run push), git's HTTP 401/403/404 in words, GitHub's refusal to let the token open pull
requests (no later pull request of the run is attempted), the permissions GitHub says a
request needs, and the warning about reviewers.

The GitHub API is the contract-checked fake; the remote is a real bare repository. Where a
test needs the git remote to refuse the token, pushes go (``remote.origin.pushurl``) to a
local HTTP server answering 403 or 401, as GitHub answers a push the token may not make.
"""

from __future__ import annotations

import http.server
import subprocess
import threading
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, ClassVar

import pytest

from autotune_bot.forge.github_client import GitHubClient
from autotune_bot.forge.github_errors import (
    Failure,
    GitHubPermissionError,
    accepted_permissions,
    to_error,
)
from autotune_bot.gitops.cycle import CycleOptions, CycleReport
from autotune_bot.gitops.git import GitError
from autotune_bot.gitops.git_remote import RemoteAccessError, access_error, push_branch
from autotune_bot.gitops.github_cycle import github_cycle
from tests.github_fake.remote import BareRemote, init_bare_remote
from tests.github_fake.server import FAKE_CLOCK, FAKE_TOKEN, FakeGitHub
from tests.gitops.example_files import FILES
from tests.repo_helpers import make_repo

PERSONAL_TOKEN = "ghp_fakePersonalToken0123456789SECRET"
NOT_PERMITTED = "GitHub Actions is not permitted to create or approve pull requests."


class Refusing(http.server.BaseHTTPRequestHandler):
    """Answers every request with ``status`` (GitHub's answer to a push it refuses)."""

    status = 403
    seen_authorization: ClassVar[list[str]] = []

    def do_GET(self) -> None:
        self.seen_authorization.append(self.headers.get("Authorization", ""))
        body = b"Permission to octo-org/agents.git denied to github-actions[bot].\n"
        self.send_response(self.status)
        self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_POST(self) -> None:
        self.do_GET()

    def log_message(self, format: str, *args: Any) -> None:
        del format, args


@pytest.fixture
def refusing() -> Iterator[tuple[str, type[Refusing]]]:
    handler = type("Handler", (Refusing,), {"seen_authorization": []})
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/octo-org/agents.git", handler
    finally:
        server.shutdown()
        server.server_close()


def _bare_demo(tmp_path: Path) -> Path:
    """A bare repository whose main branch holds the example repository (all of it: the
    gzipped metrics give it a second tuning target)."""
    work = make_repo(tmp_path / "seed")
    bare = tmp_path / "remote.git"
    subprocess.run(["git", "clone", "-q", "--bare", str(work), str(bare)], check=True)
    return bare


def _small_remote(tmp_path: Path, settings_extra: str = "") -> Path:
    """The example repository with one workflow (one tuning target): quick to run."""
    files = dict(FILES)  # the example's code_review workflow and its metrics
    files[".autotune.yml"] += settings_extra
    return init_bare_remote(tmp_path / "remote.git", files)


@pytest.fixture
def remote(tmp_path: Path) -> Path:
    return _small_remote(tmp_path)


def _checkout(tmp_path: Path, remote: Path, name: str = "checkout") -> Path:
    """A depth-1 clone of one branch, as actions/checkout makes it."""
    work = tmp_path / name
    subprocess.run(
        ["git", "clone", "-q", "--depth", "1", "--single-branch", "--branch", "main",
         f"file://{remote}", str(work)],
        check=True, capture_output=True,
    )  # fmt: skip
    return work


def _client(fake: FakeGitHub, token: str = FAKE_TOKEN) -> GitHubClient:
    return GitHubClient(
        base_url=fake.base_url,
        token=token,
        repository=fake.full_name,
        seconds_between_writes=None,
        sleep=lambda _: None,
        clock=lambda: FAKE_CLOCK,
    )


def _run(repo: Path, client: GitHubClient, *, dry_run: bool = False) -> CycleReport:
    now = datetime(2026, 1, 5, 10, 0, tzinfo=UTC)
    return github_cycle(CycleOptions(repo=repo, now=now, environ={}, dry_run=dry_run), client)


def _bot_branches(remote: Path) -> list[str]:
    return sorted(b for b in BareRemote(remote).branches() if b.startswith("autotune/"))


def _with_push_permission(fake: FakeGitHub, push: bool, monkeypatch: pytest.MonkeyPatch) -> None:
    plain = fake.canned.repository

    def repository(default_branch: str) -> dict[str, Any]:
        repo = plain(default_branch)
        repo["permissions"] = {**repo["permissions"], "push": push}
        return repo

    monkeypatch.setattr(fake.canned, "repository", repository)


# -- the preflight -------------------------------------------------------------------------


def test_a_token_the_remote_refuses_to_push_stops_the_run_before_anything_is_done(
    tmp_path: Path, remote: Path, refusing: tuple[str, type[Refusing]]
) -> None:
    url, _ = refusing
    repo = _checkout(tmp_path, remote)
    subprocess.run(["git", "config", "remote.origin.pushurl", url], cwd=repo, check=True)
    with FakeGitHub(remote) as fake, pytest.raises(RemoteAccessError) as err:
        _run(repo, _client(fake))
    fake.assert_clean()
    message = str(err.value)
    assert message.startswith("the token cannot push to octo-org/agents (HTTP 403): ")
    assert "contents: write" in message
    assert "permissions: block" in message
    assert "requested URL" not in message  # git's own words are not repeated
    assert [c.operation_id for c in fake.calls] == ["repos/get"]  # no pull request listed
    assert _bot_branches(remote) == []


def test_a_dry_run_needs_no_push_access(
    tmp_path: Path, remote: Path, refusing: tuple[str, type[Refusing]]
) -> None:
    url, _ = refusing
    repo = _checkout(tmp_path, remote)
    subprocess.run(["git", "config", "remote.origin.pushurl", url], cwd=repo, check=True)
    with FakeGitHub(remote) as fake:
        report = _run(repo, _client(fake), dry_run=True)
    fake.assert_clean()
    assert report.proposals
    assert fake.calls_to("pulls/create") == []


def test_a_personal_token_whose_account_cannot_push_stops_the_run(
    tmp_path: Path, remote: Path
) -> None:
    fake = FakeGitHub(remote, token=PERSONAL_TOKEN)
    assert fake.canned.repository("main")["permissions"]["push"] is False
    with fake, pytest.raises(GitHubPermissionError) as err:
        _run(_checkout(tmp_path, remote), _client(fake, PERSONAL_TOKEN))
    fake.assert_clean()
    assert "cannot push to octo-org/agents (permissions.push is false)" in str(err.value)
    assert "contents: write" in str(err.value)
    assert PERSONAL_TOKEN not in str(err.value)
    assert [c.operation_id for c in fake.calls] == ["repos/get"]
    assert _bot_branches(remote) == []


def test_a_personal_token_whose_account_can_push_goes_on(
    tmp_path: Path, remote: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with FakeGitHub(remote, token=PERSONAL_TOKEN) as fake:
        _with_push_permission(fake, True, monkeypatch)
        report = _run(_checkout(tmp_path, remote), _client(fake, PERSONAL_TOKEN))
    fake.assert_clean()
    assert report.count("opened") == len(report.proposals) >= 1


def test_an_installation_tokens_push_false_proves_nothing_and_the_run_goes_on(
    tmp_path: Path, remote: Path
) -> None:
    # GitHub reports push: false to App installation tokens (the job's GITHUB_TOKEN) whatever
    # they may do; the dry-run push is what tells.
    with FakeGitHub(remote) as fake:
        assert FAKE_TOKEN.startswith("ghs_")
        assert fake.canned.repository("main")["permissions"]["push"] is False
        report = _run(_checkout(tmp_path, remote), _client(fake))
    fake.assert_clean()
    assert report.count("opened") == len(report.proposals) >= 1
    assert not [n for n in report.notes if "reviewers" in n]  # none configured: no warning


def test_a_repository_the_token_cannot_see_is_said_plainly(tmp_path: Path, remote: Path) -> None:
    fake = FakeGitHub(remote)
    fake.inject("repos/get", status=404, message="Not Found")
    with fake, pytest.raises(GitHubPermissionError) as err:
        _run(_checkout(tmp_path, remote), _client(fake))
    fake.assert_clean()
    assert "the token cannot see the repository octo-org/agents (404)" in str(err.value)
    assert _bot_branches(remote) == []


# -- git's refusals in plain words -------------------------------------------------------


def test_a_refused_push_is_said_plainly_and_never_shows_the_token(
    tmp_path: Path, remote: Path, refusing: tuple[str, type[Refusing]]
) -> None:
    url, handler = refusing
    repo = _checkout(tmp_path, remote)
    head = subprocess.run(
        ["git", "rev-parse", "HEAD"], cwd=repo, capture_output=True, text=True, check=True
    ).stdout.strip()
    with pytest.raises(RemoteAccessError) as err:
        push_branch(repo, url, "autotune/x", head, default_branch="main", token=FAKE_TOKEN)
    assert any(seen for seen in handler.seen_authorization)  # the token was sent...
    message = str(err.value)
    assert FAKE_TOKEN not in message  # ...and is not shown
    assert all(seen.split()[-1] not in message for seen in handler.seen_authorization if seen)
    assert message.startswith("the token cannot push to octo-org/agents (HTTP 403)")


def test_a_token_refused_outright_is_said_to_be_invalid(
    tmp_path: Path, remote: Path, refusing: tuple[str, type[Refusing]]
) -> None:
    url, handler = refusing
    handler.status = 401
    repo = _checkout(tmp_path, remote)
    with pytest.raises(RemoteAccessError) as err:
        push_branch(repo, url, "autotune/x", "HEAD", default_branch="main", token=FAKE_TOKEN)
    assert str(err.value).startswith("the token was refused by octo-org/agents")
    assert FAKE_TOKEN not in str(err.value)


@pytest.mark.parametrize(
    ("detail", "doing", "start"),
    [
        (
            "fatal: unable to access 'https://github.com/o/r/': The requested URL returned "
            "error: 403",
            "read",
            "the token cannot read o/r (HTTP 403): grant contents: read",
        ),
        (
            "fatal: repository 'https://github.com/o/r/' not found",
            "read",
            "the token cannot see o/r (not found)",
        ),
        (
            "fatal: could not read Username for 'https://github.com': terminal prompts disabled",
            "push",
            "the token was refused by o/r",
        ),
    ],
)
def test_git_refusals_in_words(tmp_path: Path, detail: str, doing: Any, start: str) -> None:
    err = GitError(f"git fetch failed (exit 128): {detail}", returncode=128, detail=detail)
    said = access_error(err, tmp_path, "https://github.com/o/r.git", doing)
    assert isinstance(said, RemoteAccessError)
    assert str(said).startswith(start)


def test_other_git_failures_are_left_as_they_are(tmp_path: Path) -> None:
    err = GitError("git fetch failed (exit 128): fatal: early EOF", detail="fatal: early EOF")
    assert access_error(err, tmp_path, "https://github.com/o/r.git", "read") is err


# -- pull requests GitHub does not let the token open --------------------------------------


def test_after_github_refuses_a_pull_request_the_others_are_not_attempted(
    tmp_path: Path,
) -> None:
    remote = _bare_demo(tmp_path)
    with FakeGitHub(remote) as fake:
        fake.inject("pulls/create", status=403, times=10, message=NOT_PERMITTED)
        report = _run(_checkout(tmp_path, remote), _client(fake))
    fake.assert_clean()
    assert len(report.proposals) >= 2  # the demo gives two targets, both within the caps
    assert len(fake.calls_to("pulls/create")) == 1
    failed = [d for d in report.done if d.action == "failed"]
    assert [d.key for d in failed] == [p.key for p in report.proposals]
    assert "Allow GitHub Actions" in failed[0].detail or "allow GitHub Actions" in failed[0].detail
    assert failed[1].detail.startswith("pull request not attempted, branch not pushed")
    # only the first proposal's branch went out (pushed before GitHub refused its pull request)
    assert _bot_branches(remote) == [report.proposals[0].branch]


def test_a_request_refused_for_a_permission_names_the_permission(
    tmp_path: Path, remote: Path
) -> None:
    with FakeGitHub(remote) as fake:
        fake.inject(
            "pulls/create",
            status=403,
            times=10,
            message="Resource not accessible by integration",
            headers={"X-Accepted-GitHub-Permissions": "pull_requests=write"},
        )
        report = _run(_checkout(tmp_path, remote), _client(fake))
    fake.assert_clean()
    failed = [d for d in report.done if d.action == "failed"]
    assert failed
    assert all("the token needs pull-requests: write" in d.detail for d in failed)


@pytest.mark.parametrize(
    ("header", "said"),
    [
        ("contents=read", "contents: read"),
        ("pull_requests=write; issues=write", "pull-requests: write or issues: write"),
        ("contents=read,actions=read", "contents: read and actions: read"),
        ("", None),
        (None, None),
    ],
)
def test_accepted_permissions_in_workflow_words(header: str | None, said: str | None) -> None:
    assert accepted_permissions(header) == said


def test_the_pull_requests_setting_hint_wins_over_the_accepted_permissions() -> None:
    failure = Failure("permission", 403, NOT_PERMITTED, False, needs="pull-requests: write")
    text = str(to_error(failure, "open a pull request for autotune/x"))
    assert "allow GitHub Actions to create pull requests" in text
    assert "the token needs" not in text


# -- reviewers ---------------------------------------------------------------------------


def test_reviewers_from_the_settings_are_not_requested_and_a_note_says_so(
    tmp_path: Path,
) -> None:
    remote = _small_remote(tmp_path, "pull_requests:\n  reviewers: [alice, bob]\n")
    with FakeGitHub(remote) as fake:
        report = _run(_checkout(tmp_path, remote), _client(fake))
    fake.assert_clean()  # no request outside the contract (it has no review-request call)
    (note,) = [n for n in report.notes if "reviewers" in n]
    assert "alice, bob" in note
    assert "not requested" in note
    assert report.count("opened") >= 1
