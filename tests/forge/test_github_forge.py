"""The GitHub forge against the fake GitHub: open, list by marker, update in place."""

from __future__ import annotations

from pathlib import Path

import pytest

from autotune_bot.forge.github import MAX_LIST_PAGES, GitHubForge
from autotune_bot.forge.github_client import GitHubClient
from autotune_bot.forge.github_errors import GitHubRequestError
from autotune_bot.gitops.marker import render_marker
from autotune_bot.settings.proposals import PullRequestSettings
from tests.github_contract.checker import ContractViolationError, load_contract
from tests.github_fake.proposals import make_proposal, push_branch
from tests.github_fake.remote import BareRemote
from tests.github_fake.server import FAKE_TOKEN, FakeGitHub

pytest_plugins = ("tests.github_fake.fixtures",)


@pytest.fixture
def forge(github_client: GitHubClient) -> GitHubForge:
    return GitHubForge(github_client)


def test_open_creates_one_labelled_pull_request(
    forge: GitHubForge, fake_github: FakeGitHub, bare_remote: Path
) -> None:
    proposal = make_proposal(labels=("performance",))
    sha = push_branch(bare_remote, proposal)

    opened = forge.open_proposal(proposal, base="main")

    [pull] = fake_github.pulls()
    assert (pull.head, pull.base, pull.title, pull.body) == (
        "autotune/review/review_team",
        "main",
        proposal.title,
        proposal.body,
    )
    assert pull.labels == ["autotune", "performance"]
    assert opened.ref == str(pull.number)
    assert (opened.key, opened.branch, opened.state) == (proposal.key, proposal.branch, "open")
    assert opened.evidence_key == "ev-1"
    assert opened.head_sha == sha == BareRemote(bare_remote).branch_sha(proposal.branch)
    assert opened.url == f"https://github.com/octo-org/agents/pull/{pull.number}"
    assert opened.metadata["file"] == "workflows/review.yaml"


def test_list_finds_the_bots_pull_requests_by_marker_in_every_state(
    forge: GitHubForge, fake_github: FakeGitHub, bare_remote: Path
) -> None:
    first, second, third = (make_proposal(f"review/team_{i}", evidence=f"e{i}") for i in range(3))
    for proposal in (first, second, third):
        push_branch(bare_remote, proposal)
        forge.open_proposal(proposal, base="main")
    fake_github.close_pull(2)
    fake_github.merge_pull(3, merge_sha="f" * 40)
    # Pull requests that are not the bot's proposals:
    human = make_proposal("review/human")
    push_branch(bare_remote, human)
    fake_github.open_pull_as_person("autotune/review/human", "main", "by hand", "no marker")
    other = make_proposal("review/other", prefix="feature/")
    push_branch(bare_remote, other)
    fake_github.open_pull_as_person(other.branch, "main", "copied marker", other.body)
    lying = render_marker({"key": "k", "branch": "autotune/review/else", "evidence_key": "e"})
    fake_github.open_pull_as_person("autotune/review/human", "main", "wrong branch", lying)

    found = forge.list_proposals()

    assert [(p.ref, p.key, p.state, p.evidence_key) for p in found] == [
        ("1", "review/team_0", "open", "e0"),
        ("2", "review/team_1", "closed", "e1"),
        ("3", "review/team_2", "merged", "e2"),
    ]
    assert found[2].merged_sha == "f" * 40
    assert found[0].merged_sha is None
    lists = fake_github.calls_to("pulls/list")
    assert "state=all" in lists[-1].url
    assert not fake_github.calls_to("search/issues-and-pull-requests")


def test_list_reads_every_page(fake_github: FakeGitHub, bare_remote: Path) -> None:
    small_pages = GitHubClient(
        base_url=fake_github.base_url,
        token=FAKE_TOKEN,
        repository=fake_github.full_name,
        per_page=2,
        seconds_between_writes=None,
    )
    forge = GitHubForge(small_pages)
    keys = [f"review/team_{i}" for i in range(5)]
    for key in keys:
        proposal = make_proposal(key)
        push_branch(bare_remote, proposal)
        forge.open_proposal(proposal, base="main")

    found = forge.list_proposals([make_proposal(keys[0]).branch])

    assert [p.key for p in found] == keys
    pages = [c.url for c in fake_github.calls_to("pulls/list") if "state=all" in c.url]
    assert len(pages) == 3  # the last page is short: the listing is complete
    assert all("per_page=2" in url for url in pages)
    assert all("sort=updated" in url and "direction=desc" in url for url in pages)
    assert not any("head=" in url for url in pages)  # no lookup needed


def _small_pages(fake_github: FakeGitHub) -> GitHubClient:
    return GitHubClient(
        base_url=fake_github.base_url,
        token=FAKE_TOKEN,
        repository=fake_github.full_name,
        per_page=2,
        seconds_between_writes=None,
    )


def test_listing_stops_after_a_bounded_number_of_pages(
    fake_github: FakeGitHub, bare_remote: Path
) -> None:
    assert MAX_LIST_PAGES == 10
    forge = GitHubForge(_small_pages(fake_github), max_pages=2)
    old = make_proposal("review/declined", evidence="e-old")
    push_branch(bare_remote, old)
    forge.open_proposal(old, base="main")
    fake_github.close_pull(1)  # declined long ago: the least recently updated
    keys = [f"review/team_{i}" for i in range(5)]
    for key in keys:
        proposal = make_proposal(key)
        push_branch(bare_remote, proposal)
        forge.open_proposal(proposal, base="main")

    recent = forge.list_proposals()
    assert [p.key for p in recent] == keys[1:]  # 2 pages of 2, most recently updated first
    pages = [c.url for c in fake_github.calls_to("pulls/list") if "state=all" in c.url]
    assert len(pages) == 2
    assert all("sort=updated" in url and "direction=desc" in url for url in pages)

    # this run's proposal branches are looked up by head: the declined one is found
    fake_github.calls.clear()
    found = forge.list_proposals([old.branch, make_proposal(keys[0]).branch])
    assert [(p.ref, p.key, p.state) for p in found] == [
        ("1", "review/declined", "closed"),
        *[(str(k + 2), key, "open") for k, key in enumerate(keys)],
    ]
    lookups = [c.url for c in fake_github.calls_to("pulls/list") if "head=" in c.url]
    assert len(lookups) == 2
    assert all("state=all" in url for url in lookups)
    assert "head=octo-org%3Aautotune%2Freview%2Fdeclined" in lookups[0]


def test_pull_requests_are_found_whatever_the_branch_prefix_now_is(
    github_client: GitHubClient, fake_github: FakeGitHub, bare_remote: Path
) -> None:
    before = make_proposal("review/old_prefix", prefix="bots/")
    push_branch(bare_remote, before)
    GitHubForge(github_client, branch_prefix="bots/").open_proposal(before, base="main")
    unlabelled = make_proposal("review/unlabelled")
    push_branch(bare_remote, unlabelled)
    forge = GitHubForge(github_client)  # prefix autotune/ now
    forge.open_proposal(unlabelled, base="main")
    fake_github.pull(2).labels.clear()  # someone removed the label
    copied = make_proposal("review/copied", prefix="feature/")
    push_branch(bare_remote, copied)
    fake_github.open_pull_as_person(copied.branch, "main", "copied marker", copied.body)

    found = forge.list_proposals()

    # the old prefix's pull request has the bot's label; the unlabelled one the prefix; the
    # copied marker on someone's branch neither
    assert [(p.ref, p.branch) for p in found] == [
        ("1", "bots/review/old_prefix"),
        ("2", "autotune/review/unlabelled"),
    ]


def test_update_edits_in_place_and_only_when_changed(
    forge: GitHubForge, fake_github: FakeGitHub, bare_remote: Path
) -> None:
    proposal = make_proposal()
    push_branch(bare_remote, proposal)
    opened = forge.open_proposal(proposal, base="main")
    newer = make_proposal(evidence="ev-2", text="Lower max_rounds of review_team from 5 to 2.")
    new_sha = push_branch(bare_remote, newer)

    updated = forge.update_proposal(opened, newer)

    [pull] = fake_github.pulls()
    assert updated.ref == opened.ref
    assert (pull.body, updated.evidence_key, updated.head_sha) == (newer.body, "ev-2", new_sha)
    assert len(fake_github.calls_to("pulls/update")) == 1
    forge.update_proposal(updated, newer)  # nothing changed: no edit, no notification
    assert len(fake_github.calls_to("pulls/update")) == 1
    assert len(fake_github.calls_to("pulls/create")) == 1


def test_opening_again_reuses_the_open_pull_request(
    forge: GitHubForge, fake_github: FakeGitHub, bare_remote: Path
) -> None:
    proposal = make_proposal()
    push_branch(bare_remote, proposal)
    first = forge.open_proposal(proposal, base="main")
    second = forge.open_proposal(make_proposal(evidence="ev-9"), base="main")

    assert first.ref == second.ref
    assert second.evidence_key == "ev-9"
    assert len(fake_github.pulls()) == 1
    assert len(fake_github.calls_to("pulls/create")) == 1


def test_a_branch_with_someone_elses_open_pull_request_is_left_alone(
    forge: GitHubForge, fake_github: FakeGitHub, bare_remote: Path
) -> None:
    proposal = make_proposal()
    push_branch(bare_remote, proposal)
    fake_github.open_pull_as_person(proposal.branch, "main", "mine", "hands off")

    with pytest.raises(GitHubRequestError, match="autotune did not open"):
        forge.open_proposal(proposal, base="main")
    assert not fake_github.calls_to("pulls/create")
    assert fake_github.pull(1).body == "hands off"


def test_update_refuses_a_pull_request_of_another_branch(
    forge: GitHubForge, bare_remote: Path
) -> None:
    proposal = make_proposal()
    push_branch(bare_remote, proposal)
    opened = forge.open_proposal(proposal, base="main")
    with pytest.raises(GitHubRequestError, match="not 'autotune/review/other'"):
        forge.update_proposal(opened, make_proposal("review/other"))


def test_labels_and_prefix_come_from_the_settings(
    github_client: GitHubClient, fake_github: FakeGitHub, bare_remote: Path
) -> None:
    settings = PullRequestSettings(labels=("bot", "perf"), branch_prefix="tune-")
    forge = GitHubForge.from_settings(github_client, settings)
    proposal = make_proposal(prefix="tune-")
    push_branch(bare_remote, proposal)
    forge.open_proposal(proposal, base="main")
    default_prefix = make_proposal()
    push_branch(bare_remote, default_prefix)
    GitHubForge(github_client).open_proposal(default_prefix, base="main")

    assert fake_github.pull(1).labels == ["bot", "perf"]
    assert [p.branch for p in forge.list_proposals()] == ["tune-review/review_team"]


def test_enterprise_server_base_url(bare_remote: Path) -> None:
    with FakeGitHub(bare_remote, base_url="https://ghe.example.com/api/v3") as fake:
        client = GitHubClient(
            base_url="https://ghe.example.com/api/v3/",
            token=FAKE_TOKEN,
            repository=fake.full_name,
            seconds_between_writes=None,
        )
        forge = GitHubForge(client)
        proposal = make_proposal()
        push_branch(bare_remote, proposal)
        opened = forge.open_proposal(proposal, base=forge.default_branch())
        assert [p.ref for p in forge.list_proposals()] == [opened.ref]
    fake.assert_clean()
    assert opened.url == "https://ghe.example.com/octo-org/agents/pull/1"
    assert all(c.url.startswith("https://ghe.example.com:443/api/v3/") for c in fake.calls)


def test_every_request_is_in_the_contract(
    forge: GitHubForge, fake_github: FakeGitHub, bare_remote: Path
) -> None:
    proposal = make_proposal()
    push_branch(bare_remote, proposal)
    opened = forge.open_proposal(proposal, base="main")
    forge.update_proposal(opened, make_proposal(evidence="ev-2"))
    forge.list_proposals()

    known = {op.operation_id for op in load_contract().operations}
    used = {call.operation_id for call in fake_github.calls}
    assert used <= known
    assert {"pulls/list", "pulls/create", "pulls/update", "issues/add-labels"} <= used
    assert fake_github.violations == []


def test_a_request_outside_the_contract_fails_the_test(
    github_client: GitHubClient, fake_github: FakeGitHub, bare_remote: Path
) -> None:
    proposal = make_proposal()
    push_branch(bare_remote, proposal)
    GitHubForge(github_client).open_proposal(proposal, base="main")
    pull = github_client.repo().get_pull(1)

    with pytest.raises(ContractViolationError, match="unknown path"):
        pull.create_review_request(reviewers=["octocat"])  # not an operation of the contract

    assert fake_github.violations == [
        "unknown path: POST /repos/octo-org/agents/pulls/1/requested_reviewers"
    ]
    fake_github.violations.clear()  # seen; the fixture would fail the test otherwise
