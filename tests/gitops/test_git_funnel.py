"""The git funnel: errors, a clean environment, identity and tokens kept out of sight."""

from __future__ import annotations

import base64
import http.server
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from autotune_bot.errors import AutotuneError
from autotune_bot.gitops.commit_files import commit_files
from autotune_bot.gitops.git import GitError, GitIdentity, HttpAuth, git_text, run_git
from autotune_bot.gitops.git_remote import fetch_for_proposals, http_auth, push_branch
from tests.gitops.git_fixtures import BOT, checkout_clone, git, make_remote

pytestmark = pytest.mark.usefixtures("isolated_git")

TOKEN = "ghs_s3cr3tT0kenValue0123456789"
ENCODED = base64.b64encode(f"x-access-token:{TOKEN}".encode()).decode()


class _Recorder(http.server.BaseHTTPRequestHandler):
    seen: list[list[str]]

    def do_GET(self) -> None:
        self.seen.append(self.headers.get_all("Authorization") or [])
        self.send_response(403)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, format: str, *args: object) -> None:
        return


@pytest.fixture
def http_remote() -> Iterator[tuple[str, list[list[str]]]]:
    """A URL answering every git request with 403, and the Authorization headers it got."""
    seen: list[list[str]] = []
    handler = type("Handler", (_Recorder,), {"seen": seen})
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/owner/repo.git", seen
    finally:
        server.shutdown()
        server.server_close()


def test_failure_names_command_and_last_stderr_line(tmp_path: Path) -> None:
    remote = make_remote(tmp_path)
    with pytest.raises(GitError) as caught:
        run_git(remote.work, ["rev-parse", "--verify", "no-such-ref"])
    err = caught.value
    assert isinstance(err, AutotuneError)
    assert err.returncode == 128
    assert err.command == ("rev-parse", "--verify", "no-such-ref")
    assert str(err) == (
        "git rev-parse --verify no-such-ref failed (exit 128): fatal: Needed a single revision"
    )


def test_missing_directory_is_a_git_error(tmp_path: Path) -> None:
    with pytest.raises(GitError, match="could not start"):
        run_git(tmp_path / "absent", ["status"])


def test_environment_pointing_elsewhere_is_ignored(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    one = make_remote(tmp_path / "one")
    other = make_remote(tmp_path / "other", commits=1)
    monkeypatch.setenv("GIT_DIR", str(other.work / ".git"))
    monkeypatch.setenv("GIT_INDEX_FILE", str(tmp_path / "bogus-index"))
    expected = git(one.work, "--git-dir", str(one.work / ".git"), "rev-parse", "HEAD")
    assert git_text(one.work, ["rev-parse", "HEAD"]) == expected
    assert expected != git(other.work, "--git-dir", str(other.work / ".git"), "rev-parse", "HEAD")


def test_bot_identity_wins_over_user_configuration_and_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, isolated_git: Path
) -> None:
    remote = make_remote(tmp_path)
    clone = checkout_clone(remote, tmp_path)
    isolated_git.write_text(
        "[user]\n\tname = Someone\n\temail = someone@example.com\n"
        "[author]\n\temail = author-override@example.com\n"
        "[committer]\n\temail = committer-override@example.com\n"
        "[commit]\n\tgpgSign = true\n"
    )
    monkeypatch.setenv("GIT_AUTHOR_EMAIL", "env-author@example.com")
    monkeypatch.setenv("GIT_COMMITTER_NAME", "Env Committer")
    base = git(clone, "rev-parse", "HEAD")
    sha = commit_files(clone, base, {"a.txt": "a\n"}, "msg", GitIdentity(*BOT))
    people = git(clone, "log", "-1", "--format=%an <%ae>|%cn <%ce>|%G?", sha)
    assert people == f"{BOT[0]} <{BOT[1]}>|{BOT[0]} <{BOT[1]}>|N"


def test_token_travels_as_one_header_and_never_in_errors(
    tmp_path: Path, http_remote: tuple[str, list[list[str]]]
) -> None:
    url, seen = http_remote
    remote = make_remote(tmp_path)
    clone = checkout_clone(remote, tmp_path)
    git(clone, "remote", "add", "upstream", url)
    # What actions/checkout persists (persist-credentials: true): a header for the host.
    host = url.split("/owner")[0] + "/"
    git(clone, "config", f"http.{host}.extraheader", "AUTHORIZATION: basic b2xkOm9sZA==")
    sha = git(clone, "rev-parse", "HEAD")
    with pytest.raises(GitError) as caught:
        push_branch(clone, "upstream", "autotune/x/y", sha, default_branch="main", token=TOKEN)
    assert seen, "the server was never asked"
    assert all(headers == [f"basic {ENCODED}"] for headers in seen)
    for text in (str(caught.value), repr(caught.value), " ".join(caught.value.command)):
        assert TOKEN not in text
        assert ENCODED not in text
    assert "403" in str(caught.value)
    with pytest.raises(GitError) as fetched:
        fetch_for_proposals(clone, "upstream", "main", "autotune/", token=TOKEN)
    assert TOKEN not in str(fetched.value)
    assert ENCODED not in str(fetched.value)
    assert TOKEN not in git(clone, "config", "--list")


def test_credentials_in_a_remote_url_are_masked_in_errors(
    tmp_path: Path, http_remote: tuple[str, list[list[str]]]
) -> None:
    url, _ = http_remote
    remote = make_remote(tmp_path)
    with_secret = url.replace("http://", f"http://x-access-token:{TOKEN}@")
    with pytest.raises(GitError) as caught:
        run_git(remote.work, ["ls-remote", with_secret])
    assert TOKEN not in str(caught.value)
    assert TOKEN not in " ".join(caught.value.command)


def test_http_auth_only_for_http_remotes(tmp_path: Path) -> None:
    remote = make_remote(tmp_path)
    clone = checkout_clone(remote, tmp_path)
    assert http_auth(clone, "origin", TOKEN) is None  # a file:// remote
    assert http_auth(clone, "https://example.com/o/r.git", None) is None
    auth = http_auth(clone, "https://example.com/o/r.git", TOKEN)
    assert auth == HttpAuth("https://example.com/o/r.git", TOKEN)
    assert TOKEN not in repr(auth)
