"""Branch facts: existence, foreign (human) commits, base containment, content."""

from __future__ import annotations

from pathlib import Path

import pytest

from autotune_bot.gitops.branch_facts import branch_facts
from autotune_bot.gitops.commit_files import commit_files
from autotune_bot.gitops.git import GitIdentity
from autotune_bot.gitops.git_refs import update_branch
from autotune_bot.gitops.types import BranchFacts
from tests.gitops.git_fixtures import BOT, HUMAN, commit, git, make_remote

pytestmark = pytest.mark.usefixtures("isolated_git")

IDENTITY = GitIdentity(*BOT)
FILES = {"workflows/flow.yml": "name: flow\nversion: tuned\n", ".autotune/history.jsonl": "{}\n"}
REF = "refs/heads/autotune/flow/team"


def _repo_with_bot_branch(tmp_path: Path) -> tuple[Path, str, str]:
    repo = make_remote(tmp_path).work
    base = git(repo, "rev-parse", "HEAD")
    sha = commit_files(repo, base, FILES, "autotune: tune flow", IDENTITY)
    update_branch(repo, "autotune/flow/team", sha, None)
    return repo, base, sha


def test_missing_branch(tmp_path: Path) -> None:
    repo = make_remote(tmp_path).work
    base = git(repo, "rev-parse", "HEAD")
    assert branch_facts(repo, REF, base, IDENTITY, FILES) == BranchFacts(
        exists=False,
        head_sha=None,
        foreign_commits=0,
        up_to_date_with_base=False,
        content_matches=False,
    )


def test_bot_only_branch_on_current_base(tmp_path: Path) -> None:
    repo, base, sha = _repo_with_bot_branch(tmp_path)
    facts = branch_facts(repo, REF, base, IDENTITY, FILES)
    assert facts == BranchFacts(True, sha, 0, True, True, frozenset())
    changed = {**FILES, "workflows/flow.yml": "name: flow\nversion: other\n"}
    assert not branch_facts(repo, REF, base, IDENTITY, changed).content_matches


def test_human_commit_on_branch_is_foreign(tmp_path: Path) -> None:
    repo, base, _ = _repo_with_bot_branch(tmp_path)
    git(repo, "checkout", "-q", "autotune/flow/team")
    human = commit(repo, {"workflows/flow.yml": "name: flow\nversion: hand\n"}, "fix", HUMAN)
    git(repo, "checkout", "-q", "main")
    facts = branch_facts(repo, REF, base, IDENTITY, FILES)
    assert (facts.head_sha, facts.foreign_commits) == (human, 1)
    assert facts.up_to_date_with_base
    assert not facts.content_matches
    # every commit by someone else counts
    git(repo, "checkout", "-q", "autotune/flow/team")
    commit(repo, {"extra.txt": "x\n"}, "more", HUMAN)
    git(repo, "checkout", "-q", "main")
    assert branch_facts(repo, REF, base, IDENTITY, FILES).foreign_commits == 2


def test_bot_email_compared_without_case(tmp_path: Path) -> None:
    repo, base, _ = _repo_with_bot_branch(tmp_path)
    shouting = GitIdentity(BOT[0], BOT[1].upper())
    assert branch_facts(repo, REF, base, shouting, FILES).foreign_commits == 0
    other_bot = GitIdentity(BOT[0], "another-bot@example.com")
    assert branch_facts(repo, REF, base, other_bot, FILES).foreign_commits == 1


def test_base_moved_on(tmp_path: Path) -> None:
    repo, base, sha = _repo_with_bot_branch(tmp_path)
    commit(repo, {"README.md": "moved\n"}, "base moves", HUMAN)
    git(repo, "mv", "workflows/flow.yml", "workflows/renamed.yml")
    git(repo, "commit", "-q", "-m", "rename")
    new_base = git(repo, "rev-parse", "HEAD")
    facts = branch_facts(repo, REF, new_base, IDENTITY, FILES)
    # the human commits on main are base history, not commits on the branch
    assert facts == BranchFacts(
        True,
        sha,
        0,
        False,
        True,
        frozenset({"README.md", "workflows/flow.yml", "workflows/renamed.yml"}),
    )
    assert base != new_base


def _rewrite(repo: Path, *steps: tuple[str, ...]) -> str:
    """Run git ``steps`` as the person on the proposal branch; its new head."""
    git(repo, "checkout", "-q", "autotune/flow/team")
    for step in steps:
        git(repo, *step)
    head = git(repo, "rev-parse", "HEAD")
    git(repo, "checkout", "-q", "main")
    return head


def _identities(repo: Path, sha: str) -> tuple[str, str]:
    author, committer = git(repo, "log", "-1", "--format=%ae %ce", sha).split()
    return author, committer


def test_an_amended_bot_commit_is_foreign(tmp_path: Path) -> None:
    repo, base, _ = _repo_with_bot_branch(tmp_path)
    git(repo, "checkout", "-q", "autotune/flow/team")
    (repo / "workflows" / "flow.yml").write_text("name: flow\nversion: by hand\n")
    git(repo, "commit", "-q", "--amend", "--no-edit", "-a")  # as the person
    head = git(repo, "rev-parse", "HEAD")
    git(repo, "checkout", "-q", "main")
    assert _identities(repo, head) == (BOT[1], HUMAN[1])  # amend keeps the bot as author
    facts = branch_facts(repo, REF, base, IDENTITY, FILES)
    assert (facts.head_sha, facts.foreign_commits) == (head, 1)


def test_a_bot_commit_rebased_by_a_person_is_foreign(tmp_path: Path) -> None:
    repo, _, _ = _repo_with_bot_branch(tmp_path)
    commit(repo, {"README.md": "base moved\n"}, "base moves", HUMAN)
    new_base = git(repo, "rev-parse", "HEAD")
    head = _rewrite(repo, ("rebase", "-q", "main"))
    assert _identities(repo, head) == (BOT[1], HUMAN[1])
    facts = branch_facts(repo, REF, new_base, IDENTITY, FILES)
    assert (facts.foreign_commits, facts.up_to_date_with_base, facts.content_matches) == (
        1,
        True,
        True,  # the very same files: only the committer tells
    )


def test_a_bot_commit_cherry_picked_by_a_person_is_foreign(tmp_path: Path) -> None:
    repo, base, sha = _repo_with_bot_branch(tmp_path)
    head = _rewrite(repo, ("reset", "-q", "--hard", "main"), ("cherry-pick", sha))
    assert head != sha
    assert _identities(repo, head) == (BOT[1], HUMAN[1])
    assert branch_facts(repo, REF, base, IDENTITY, FILES).foreign_commits == 1


def test_a_commit_made_entirely_as_the_bot_is_the_bots(tmp_path: Path) -> None:
    # what the head recorded in the marker is for: git alone cannot tell it from the bot's
    repo, base, sha = _repo_with_bot_branch(tmp_path)
    other = git(repo, "commit-tree", "-p", base, "-m", "not the bot", f"{sha}^{{tree}}", who=BOT)
    git(repo, "update-ref", "refs/heads/autotune/flow/team", other)
    assert _identities(repo, other) == (BOT[1], BOT[1])
    assert branch_facts(repo, REF, base, IDENTITY, FILES).foreign_commits == 0
