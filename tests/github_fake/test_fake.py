"""The fake GitHub behaves like GitHub for the calls the bot makes (through PyGithub)."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
import requests
from github import Auth, Github, GithubException
from github.Repository import Repository

from autotune_bot.forge.github_client import GitHubClient
from tests.github_fake.proposals import BOT_EMAIL, make_proposal, push_branch
from tests.github_fake.remote import BareRemote, files_of, init_bare_remote, push_commit
from tests.github_fake.server import FAKE_TOKEN, FakeGitHub

pytest_plugins = ("tests.github_fake.fixtures",)


@pytest.fixture
def repo(github_client: GitHubClient) -> Repository:
    return github_client.repo()


def open_pull(repo: Repository, remote: Path, key: str = "review/team") -> int:
    proposal = make_proposal(key)
    push_branch(remote, proposal)
    pull = repo.create_pull(base="main", head=proposal.branch, title=proposal.title, body="b")
    return pull.number


def test_branches_refs_and_comparisons_come_from_the_bare_remote(
    repo: Repository, bare_remote: Path
) -> None:
    remote = BareRemote(bare_remote)
    main = remote.branch_sha("main")
    assert main is not None
    head = push_commit(
        bare_remote, "autotune/a/b", {"x.yaml": "x: 1\n"}, start="main", author_email=BOT_EMAIL
    )
    push_commit(bare_remote, "main", {"README.md": "moved\n"})

    branch = repo.get_branch("autotune/a/b")
    assert branch.commit.sha == head
    assert branch.commit.commit.author.email == BOT_EMAIL
    assert repo.get_git_ref("heads/autotune/a/b").object.sha == head
    # Not through PyGithub: with per_page != 30 it sends a parameter this operation lacks.
    matching = requests.get(
        f"{repo.url}/git/matching-refs/heads/autotune/",
        headers={"Authorization": f"Bearer {FAKE_TOKEN}"},
        timeout=5,
    ).json()
    assert [(r["ref"], r["object"]["sha"]) for r in matching] == [("refs/heads/autotune/a/b", head)]
    compare = repo.compare("main", "autotune/a/b")
    assert (compare.status, compare.ahead_by, compare.behind_by) == ("diverged", 1, 1)
    assert compare.merge_base_commit.sha == main
    assert [c.sha for c in compare.commits] == [head]
    with pytest.raises(GithubException) as missing:
        repo.get_branch("autotune/none")
    assert missing.value.status == 404


def test_pull_request_filters_and_order(repo: Repository, bare_remote: Path) -> None:
    first = open_pull(repo, bare_remote, "review/one")
    second = open_pull(repo, bare_remote, "review/two")

    def numbers(**query: str) -> list[int]:
        return [p.number for p in repo.get_pulls(**query)]

    assert numbers(state="all") == [second, first]  # newest first by default
    assert numbers(state="all", direction="asc") == [first, second]
    assert numbers(state="open", head="octo-org:autotune/review/two") == [second]
    assert numbers(state="open", head="autotune/review/two") == [second, first]  # needs owner:
    assert numbers(state="closed") == []
    assert numbers(state="all", base="other") == []


def test_create_is_validated_like_github(
    repo: Repository, fake_github: FakeGitHub, bare_remote: Path
) -> None:
    number = open_pull(repo, bare_remote)

    def create(head: str, body: str = "b") -> str:
        with pytest.raises(GithubException) as refused:
            repo.create_pull(base="main", head=head, title="t", body=body)
        assert refused.value.status == 422
        return str(refused.value)

    assert "A pull request already exists for octo-org:autotune/review/team." in create(
        "autotune/review/team"
    )
    subprocess.run(["git", "branch", "same", "main"], cwd=bare_remote, check=True)
    assert "No commits between main and same" in create("same")
    assert "head" in create("no-such-branch")
    push_branch(bare_remote, make_proposal("review/long"))
    assert "body is too long" in create("autotune/review/long", body="x" * 65537)
    fake_github.close_pull(number)
    # Once closed, the same head may get a new pull request.
    again = repo.create_pull(base="main", head="autotune/review/team", title="t", body="b")
    assert again.number == number + 1


def test_closed_and_merged_pull_requests(
    repo: Repository, fake_github: FakeGitHub, bare_remote: Path
) -> None:
    one = open_pull(repo, bare_remote, "review/one")
    two = open_pull(repo, bare_remote, "review/two")
    head = BareRemote(bare_remote).branch_sha("autotune/review/one")
    fake_github.close_pull(one)
    fake_github.merge_pull(two, merge_sha="c" * 40)

    closed, merged = repo.get_pull(one), repo.get_pull(two)
    assert (closed.state, closed.merged, closed.head.sha) == ("closed", False, head)
    assert (merged.state, merged.merged, merged.merge_commit_sha) == ("closed", True, "c" * 40)
    assert merged.merged_at is not None
    assert fake_github.pull_json(two)["merged"] is True


def test_comments_reactions_labels_and_permissions(
    repo: Repository, fake_github: FakeGitHub, bare_remote: Path
) -> None:
    number = open_pull(repo, bare_remote)
    pull = repo.get_pull(number)

    comment = pull.create_issue_comment("status: validating")
    comment.edit("status: done")
    assert [c.body for c in pull.get_issue_comments()] == ["status: done"]
    assert pull.get_issue_comment(comment.id).body == "status: done"
    assert comment.create_reaction("eyes").content == "eyes"
    comment.create_reaction("eyes")  # already there: GitHub answers 200 with the same one
    assert [r.content for r in comment.get_reactions()] == ["eyes"]
    assert [c.status for c in fake_github.calls_to("reactions/create-for-issue-comment")] == [
        201,
        200,
    ]

    repo.create_label("autotune", "0e8a16", "Proposals from autotune")
    with pytest.raises(GithubException) as twice:
        repo.create_label("autotune", "0e8a16")
    assert twice.value.status == 422
    pull.add_to_labels("autotune", "new-label")
    assert [label.name for label in pull.get_labels()] == ["autotune", "new-label"]

    fake_github.set_permission("maintainer", "maintain")
    assert repo.get_collaborator_permission("maintainer") == "write"
    with pytest.raises(GithubException) as stranger:
        repo.get_collaborator_permission("stranger")
    assert stranger.value.status == 404


def test_wrong_token_is_refused(fake_github: FakeGitHub) -> None:
    github = Github(auth=Auth.Token("not-the-token"), retry=None)
    with pytest.raises(GithubException) as refused:
        github.get_repo(fake_github.full_name)
    assert refused.value.status == 401
    assert fake_github.calls[-1].headers["Authorization"] != f"token {FAKE_TOKEN}"


def test_injected_faults_are_used_up(fake_github: FakeGitHub) -> None:
    url = f"{fake_github.base_url}/repos/{fake_github.full_name}"
    headers = {"Authorization": f"Bearer {FAKE_TOKEN}"}
    fake_github.inject("repos/get", status=503, times=2)
    fake_github.rate_limit("repos/get", status=429, retry_after=4)
    statuses = [requests.get(url, headers=headers, timeout=5).status_code for _ in range(4)]
    assert statuses == [503, 503, 429, 200]
    assert fake_github.calls[2].operation_id == "repos/get"
    fake_github.timeout("repos/get")
    with pytest.raises(requests.exceptions.ReadTimeout):
        requests.get(url, headers=headers, timeout=5)


def test_a_remote_seeded_from_a_directory(tmp_path: Path) -> None:
    source = tmp_path / "example"
    (source / "workflows").mkdir(parents=True)
    (source / ".git").mkdir()
    (source / "workflows" / "a.yaml").write_text("name: a\n", encoding="utf-8")
    (source / "README.md").write_text("hi\n", encoding="utf-8")
    (source / ".git" / "HEAD").write_text("ref: refs/heads/main\n", encoding="utf-8")

    files = files_of(source)
    remote = init_bare_remote(tmp_path / "remote.git", files)

    assert files == {"README.md": "hi\n", "workflows/a.yaml": "name: a\n"}
    shown = subprocess.run(
        ["git", "show", "main:workflows/a.yaml"], cwd=remote, capture_output=True, text=True
    )
    assert shown.stdout == "name: a\n"
    assert BareRemote(remote).default_branch() == "main"
