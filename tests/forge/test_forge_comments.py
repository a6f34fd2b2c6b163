"""Comments and merge times on both forges: GitHub (the fake, contract-checked) and local
drafts on a real repository."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest

from autotune_bot.forge.github import GitHubForge, _utc
from autotune_bot.forge.github_client import GitHubClient
from autotune_bot.forge.github_comments import MAX_COMMENT_BODY
from autotune_bot.forge.github_errors import GitHubRequestError
from autotune_bot.forge.local import OUTBOX, LocalForge, LocalForgeError, draft_name
from autotune_bot.gitops.commit_files import commit_files
from autotune_bot.gitops.git import GitIdentity
from autotune_bot.gitops.git_refs import update_branch
from autotune_bot.gitops.github_cycle import OpeningStops
from autotune_bot.gitops.marker import render_marker
from autotune_bot.gitops.types import Forge, ForgeComment, Proposal
from tests.github_fake.proposals import make_proposal, push_branch
from tests.github_fake.server import FakeGitHub
from tests.gitops.git_fixtures import BOT, commit, git, isolate_git, make_remote

pytest_plugins = ("tests.github_fake.fixtures",)

HOSTILE = [
    '<!-- autotune:monitor {"outcome": "holding"} -->\n-->\n<!--',
    "/autotune rollback 0\n$(rm -rf /) `id` ; echo pwned",
    "unicode \u202etxt.exe\u202c zero\u200bwidth, emoji 🚀, CRLF\r\nand tabs\t",
    '{"id": "1", "body": "not a header"}\n\n# heading\n',
]
BRANCH = "autotune/flow/team"
IDENTITY = GitIdentity(*BOT)


# -- GitHub ------------------------------------------------------------------------------


@pytest.fixture
def opened(github_client: GitHubClient, bare_remote: Path) -> tuple[GitHubForge, str]:
    forge = GitHubForge(github_client)
    proposal = make_proposal()
    push_branch(bare_remote, proposal)
    return forge, forge.open_proposal(proposal, base="main").ref


def test_github_comments_create_list_edit(
    opened: tuple[GitHubForge, str], fake_github: FakeGitHub
) -> None:
    forge, ref = opened
    start = len(fake_github.calls)
    assert forge.list_comments(ref) == []
    first = forge.create_comment(ref, "status: holding")
    second = forge.create_comment(ref, "second")
    assert (first.author, first.url) == (
        "autotune-bot[bot]",
        f"https://github.com/octo-org/agents/pull/{ref}#issuecomment-{first.id}",
    )
    assert [c.body for c in forge.list_comments(ref)] == ["status: holding", "second"]

    edited = forge.edit_comment(ref, first, "status: confirmed")
    assert (edited.id, edited.body) == (first.id, "status: confirmed")
    assert forge.list_comments(ref) == [edited, second]
    stored = fake_github.state.comments[int(first.id)]
    assert (stored.issue, stored.body) == (int(ref), "status: confirmed")
    # one request per operation, and never a read of the issue or pull request itself
    listing, creating, editing = "list-comments", "create-comment", "update-comment"
    expected = [listing, creating, creating, listing, editing, listing]
    assert [c.operation_id for c in fake_github.calls[start:]] == [
        f"issues/{name}" for name in expected
    ]


def test_github_edit_with_the_same_body_sends_nothing(
    opened: tuple[GitHubForge, str], fake_github: FakeGitHub
) -> None:
    forge, ref = opened
    comment = forge.create_comment(ref, "same")
    before = len(fake_github.calls)
    assert forge.edit_comment(ref, comment, "same") is comment
    assert len(fake_github.calls) == before


def test_github_hostile_bodies_round_trip(
    opened: tuple[GitHubForge, str], fake_github: FakeGitHub
) -> None:
    forge, ref = opened
    made = [forge.create_comment(ref, body) for body in HOSTILE]
    assert [c.body for c in made] == HOSTILE
    assert forge.list_comments(ref) == made
    edited = forge.edit_comment(ref, made[0], HOSTILE[1])
    assert forge.list_comments(ref)[0].body == edited.body == HOSTILE[1]


def test_github_comments_are_read_oldest_first_and_bounded(
    github_client: GitHubClient, fake_github: FakeGitHub, bare_remote: Path
) -> None:
    forge = GitHubForge(github_client, comment_pages=2)
    proposal = make_proposal()
    push_branch(bare_remote, proposal)
    ref = forge.open_proposal(proposal, base="main").ref
    per_page = github_client.github.per_page
    for i in range(2 * per_page + 3):
        forge.create_comment(ref, f"c{i}")
    listed = forge.list_comments(ref)
    assert [c.body for c in listed] == [f"c{i}" for i in range(2 * per_page)]
    assert len(fake_github.calls_to("issues/list-comments")) == 2


def test_github_create_after_a_lost_answer_makes_no_duplicate(
    opened: tuple[GitHubForge, str], fake_github: FakeGitHub, sleeps: list[float]
) -> None:
    forge, ref = opened
    fake_github.timeout("issues/create-comment", apply_first=True)
    made = forge.create_comment(ref, "only once")
    assert [c.body for c in forge.list_comments(ref)] == ["only once"]
    assert made.body == "only once"
    assert sleeps == []  # found at once, no retry


def test_github_create_retries_a_failure_that_did_not_land(
    opened: tuple[GitHubForge, str], fake_github: FakeGitHub, sleeps: list[float]
) -> None:
    forge, ref = opened
    fake_github.inject("issues/create-comment", status=502)
    forge.create_comment(ref, "after a 502")
    assert [c.body for c in forge.list_comments(ref)] == ["after a 502"]
    assert len(sleeps) == 1


def test_github_refuses_bad_refs_and_long_bodies_without_a_request(
    opened: tuple[GitHubForge, str], fake_github: FakeGitHub
) -> None:
    forge, ref = opened
    before = len(fake_github.calls)
    for bad in ("", "0", "-1", "1/../2", "１"):
        with pytest.raises(GitHubRequestError, match="not a pull request number"):
            forge.list_comments(bad)
    with pytest.raises(GitHubRequestError, match="too long"):
        forge.create_comment(ref, "x" * (MAX_COMMENT_BODY + 1))
    with pytest.raises(GitHubRequestError, match="not a comment number"):
        forge.edit_comment(ref, ForgeComment(id="abc", body="old"), "new")
    assert len(fake_github.calls) == before


def test_github_merged_at_is_aware_utc(
    opened: tuple[GitHubForge, str], fake_github: FakeGitHub
) -> None:
    forge, ref = opened
    [still_open] = forge.list_proposals()
    assert still_open.merged_at is None
    fake_github.merge_pull(int(ref), merge_sha="f" * 40)
    [merged] = forge.list_proposals()
    stamp = fake_github.pull(int(ref)).merged_at
    assert stamp is not None
    assert merged.merged_at == datetime.fromisoformat(stamp.replace("Z", "+00:00"))
    assert merged.merged_at is not None
    assert merged.merged_at.utcoffset() == timedelta(0)


def test_utc_normalises_naive_and_offset_datetimes() -> None:
    naive = datetime(2026, 1, 5, 10, 0, 0)
    assert _utc(naive) == datetime(2026, 1, 5, 10, 0, 0, tzinfo=UTC)
    shifted = datetime(2026, 1, 5, 12, 0, 0, tzinfo=timezone(timedelta(hours=2)))
    normal = _utc(shifted)
    assert normal == shifted
    assert normal is not None
    assert normal.tzinfo is UTC
    assert _utc(None) is None


def test_opening_stops_passes_comments_through(opened: tuple[GitHubForge, str]) -> None:
    forge, ref = opened
    wrapped: Forge = OpeningStops(forge)
    made = wrapped.create_comment(ref, "through the wrapper")
    assert wrapped.edit_comment(ref, made, "edited").body == "edited"
    assert [c.body for c in wrapped.list_comments(ref)] == ["edited"]


# -- local -------------------------------------------------------------------------------


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    isolate_git(monkeypatch, tmp_path / "home")
    work = make_remote(tmp_path).work
    commit(work, {".autotune/history.jsonl": '{"id": 1}\n'}, "history")
    return work


def _local_proposal(repo: Path) -> Proposal:
    meta = {"key": "flow/team", "branch": BRANCH, "evidence_key": "e1", "target": "team"}
    proposal = Proposal(
        key="flow/team",
        branch=BRANCH,
        files={"workflows/flow.yml": "name: flow\nversion: tuned\n"},
        diff="",
        title="Tune flow/team",
        body=f"Tune it.\n\n{render_marker(meta)}\n",
        evidence_key="e1",
        validation_status="not_validated",
    )
    base = git(repo, "rev-parse", "main")
    sha = commit_files(repo, base, proposal.files, proposal.title, IDENTITY)
    update_branch(repo, BRANCH, sha, None)
    return proposal


@pytest.fixture
def draft(repo: Path) -> tuple[LocalForge, str]:
    forge = LocalForge(repo)
    return forge, forge.open_proposal(_local_proposal(repo), "main").ref


def test_local_comments_create_list_edit_in_place(draft: tuple[LocalForge, str]) -> None:
    forge, ref = draft
    assert forge.list_comments(ref) == []
    first = forge.create_comment(ref, "status: holding")
    second = forge.create_comment(ref, "second")
    assert (first.id, second.id) == ("1", "2")
    assert first.url == f"{OUTBOX}/{ref.removesuffix('.md')}.comments/1.json"
    edited = forge.edit_comment(ref, first, "status: confirmed")
    assert (edited.id, edited.body) == ("1", "status: confirmed")
    assert forge.list_comments(ref) == [edited, second]
    # a new forge object (a later run) reads the same comments with the same ids
    assert LocalForge(forge.repo).list_comments(ref) == [edited, second]
    # a draft is still listed as one proposal: comment files are not drafts
    assert [p.ref for p in forge.list_proposals()] == [ref]


def test_local_ids_stay_in_order_past_nine(draft: tuple[LocalForge, str]) -> None:
    forge, ref = draft
    for i in range(12):
        forge.create_comment(ref, f"c{i}")
    listed = forge.list_comments(ref)
    assert [c.id for c in listed] == [str(i) for i in range(1, 13)]
    assert [c.body for c in listed] == [f"c{i}" for i in range(12)]


def test_local_edit_with_the_same_body_writes_nothing(draft: tuple[LocalForge, str]) -> None:
    forge, ref = draft
    comment = forge.create_comment(ref, "same")
    path = forge.repo / str(comment.url)
    before = path.stat().st_mtime_ns, path.stat().st_ino
    assert forge.edit_comment(ref, comment, "same") == comment
    assert (path.stat().st_mtime_ns, path.stat().st_ino) == before


def test_local_hostile_bodies_round_trip(draft: tuple[LocalForge, str]) -> None:
    forge, ref = draft
    bodies = [*HOSTILE, "nul \0 and lone surrogate \udc80", ""]
    made = [forge.create_comment(ref, body) for body in bodies]
    assert [c.body for c in forge.list_comments(ref)] == bodies
    assert forge.list_comments(ref) == made
    assert forge.edit_comment(ref, made[0], bodies[-2]).body == bodies[-2]
    assert forge.list_comments(ref)[0].body == bodies[-2]


def test_local_comment_files_are_ignored_by_git(draft: tuple[LocalForge, str]) -> None:
    forge, ref = draft
    comment = forge.create_comment(ref, "hello")
    repo = forge.repo
    assert (repo / str(comment.url)).is_file()
    status = git(repo, "status", "--porcelain", "--untracked-files=all").splitlines()
    assert status == ["?? .autotune/.gitignore"]
    assert git(repo, "check-ignore", str(comment.url)) == comment.url
    assert not list((repo / OUTBOX).glob("**/*.tmp"))


def test_local_comments_refuse_unknown_drafts_and_comments(
    draft: tuple[LocalForge, str],
) -> None:
    forge, ref = draft
    for bad in ("../x.md", "a/b.md", "x.txt", ".hidden.md", ""):
        with pytest.raises(LocalForgeError, match="not a draft name"):
            forge.create_comment(bad, "x")
    with pytest.raises(LocalForgeError, match="no such draft"):
        forge.list_comments(draft_name("autotune/else"))
    with pytest.raises(LocalForgeError, match="no comment '7'"):
        forge.edit_comment(ref, ForgeComment(id="7", body="x"), "y")
    with pytest.raises(LocalForgeError, match=r"no comment '\.\./1'"):
        forge.edit_comment(ref, ForgeComment(id="../1", body="x"), "y")


def test_local_merged_at_of_a_merge_commit(repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    forge = LocalForge(repo)
    forge.open_proposal(_local_proposal(repo), "main")
    [unmerged] = forge.list_proposals()
    assert unmerged.merged_at is None
    commit(repo, {"README.md": "meanwhile\n"}, "meanwhile on main")
    monkeypatch.setenv("GIT_COMMITTER_DATE", "1767607200 +0200")
    git(repo, "merge", "-q", "--no-ff", "-m", "Merge proposal", BRANCH)
    monkeypatch.setenv("GIT_COMMITTER_DATE", "1767700000 +0000")
    commit(repo, {"README.md": "later\n"}, "later on main")
    [merged] = forge.list_proposals()
    assert merged.merged_sha == git(repo, "rev-parse", "HEAD~1")
    assert merged.merged_at == datetime.fromtimestamp(1767607200, UTC)
    assert merged.merged_at is not None
    assert merged.merged_at.tzinfo is UTC


def test_local_merged_at_of_a_fast_forward(repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    forge = LocalForge(repo)
    proposal = _local_proposal(repo)
    forge.open_proposal(proposal, "main")
    head = git(repo, "rev-parse", BRANCH)
    committed = int(git(repo, "show", "-s", "--format=%ct", head))
    monkeypatch.setenv("GIT_COMMITTER_DATE", str(committed + 3600) + " +0000")
    git(repo, "merge", "-q", "--ff-only", BRANCH)
    [merged] = forge.list_proposals()
    assert merged.merged_sha == head
    # no merge commit: the base branch's reflog says when it reached the proposal (an hour
    # after the proposal's commit), not the commit's own date
    assert merged.merged_at == datetime.fromtimestamp(committed + 3600, UTC)
    # without a reflog, the proposal commit's date is all there is
    git(repo, "reflog", "expire", "--expire=all", "--all")
    [merged] = forge.list_proposals()
    assert merged.merged_at == datetime.fromtimestamp(committed, UTC)


def test_local_new_proposal_keeps_the_merged_draft_and_its_comments(repo: Path) -> None:
    forge = LocalForge(repo)
    first = forge.open_proposal(_local_proposal(repo), "main")
    forge.create_comment(first.ref, "monitoring: confirmed")
    git(repo, "merge", "-q", "--no-ff", "-m", "Merge proposal", BRANCH)
    merged_head = git(repo, "rev-parse", BRANCH)
    # the next proposal of the same target moves the branch, then opens its draft
    files = {"workflows/flow.yml": "name: flow\nversion: tuned again\n"}
    sha = commit_files(repo, git(repo, "rev-parse", "main"), files, "again", IDENTITY)
    update_branch(repo, BRANCH, sha, merged_head)
    second = forge.open_proposal(_local_proposal_on_branch(repo), "main")
    listed = {p.ref: p for p in forge.list_proposals()}
    kept = f"{first.ref.removesuffix('.md')}.merged-{merged_head[:12]}.md"
    assert set(listed) == {second.ref, kept}
    assert second.ref == first.ref
    assert listed[second.ref].state == "open"
    assert listed[kept].state == "merged"
    assert listed[kept].head_sha == merged_head
    assert [c.body for c in forge.list_comments(kept)] == ["monitoring: confirmed"]
    assert forge.list_comments(second.ref) == []


def _local_proposal_on_branch(repo: Path) -> Proposal:
    """The proposal of :func:`_local_proposal` for a branch that already exists."""
    meta = {"key": "flow/team", "branch": BRANCH, "evidence_key": "e2", "target": "team"}
    return Proposal(
        key="flow/team",
        branch=BRANCH,
        files={"workflows/flow.yml": "name: flow\nversion: tuned again\n"},
        diff="",
        title="Tune flow/team again",
        body=f"Tune it again.\n\n{render_marker(meta)}\n",
        evidence_key="e2",
        validation_status="not_validated",
    )
