"""The local forge on a real repository: drafts in the outbox, state read from git."""

from __future__ import annotations

from pathlib import Path

import pytest

from autotune_bot.forge.local import OUTBOX, LocalForge, LocalForgeError, draft_name
from autotune_bot.gitops.body_stamps import restamp
from autotune_bot.gitops.commit_files import commit_files
from autotune_bot.gitops.git import GitIdentity
from autotune_bot.gitops.git_refs import update_branch
from autotune_bot.gitops.marker import render_marker
from autotune_bot.gitops.types import Forge, Proposal
from tests.gitops.git_fixtures import BOT, commit, git, isolate_git, make_remote

BRANCH = "autotune/flow/team"
DRAFT = f"{OUTBOX}/autotune__flow__team.md"
IDENTITY = GitIdentity(*BOT)


@pytest.fixture(autouse=True)
def _no_machine_git_config(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    isolate_git(monkeypatch, tmp_path / "home")


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """A local repository on ``main`` with a tracked history file."""
    work = make_remote(tmp_path).work
    commit(work, {".autotune/history.jsonl": '{"id": 1}\n'}, "history")
    return work


def _proposal(evidence: str = "e1", title: str = "Tune flow/team") -> Proposal:
    meta = {"key": "flow/team", "branch": BRANCH, "evidence_key": evidence, "target": "team"}
    return Proposal(
        key="flow/team",
        branch=BRANCH,
        files={"workflows/flow.yml": f"name: flow\nversion: {evidence}\n"},
        diff="",
        title=title,
        body=f"## What changes\n\nversion → {evidence}\n\n{render_marker(meta)}\n",
        evidence_key=evidence,
        validation_status="not_validated",
    )


def _commit_branch(repo: Path, proposal: Proposal, expected_old: str | None) -> str:
    base = git(repo, "rev-parse", "main")
    sha = commit_files(repo, base, proposal.files, proposal.title, IDENTITY)
    update_branch(repo, proposal.branch, sha, expected_old)
    return sha


def _tree(repo: Path) -> dict[str, bytes]:
    return {
        p.relative_to(repo).as_posix(): p.read_bytes()
        for p in sorted(repo.rglob("*"))
        if p.is_file() and p.relative_to(repo).parts[0] != ".git"
    }


def test_lifecycle_open_list_update_close(repo: Path) -> None:
    forge: Forge = LocalForge(repo)
    assert forge.name == "local"
    assert forge.list_proposals() == []
    (repo / "README.md").write_text("dirty, not committed\n")
    before_tree, before_head = _tree(repo), git(repo, "rev-parse", "HEAD")
    first = _proposal()
    head1 = _commit_branch(repo, first, None)

    opened = forge.open_proposal(first, "main")
    assert (opened.ref, opened.state, opened.head_sha, opened.url) == (
        draft_name(BRANCH),
        "open",
        head1,
        DRAFT,
    )
    text = (repo / DRAFT).read_text()
    assert text.startswith("# Tune flow/team\n\n## What changes\n")
    assert "<!-- autotune:proposal " in text
    [listed] = forge.list_proposals()
    assert listed == opened
    assert (listed.key, listed.branch, listed.evidence_key) == ("flow/team", BRANCH, "e1")
    assert (listed.title, listed.body) == (first.title, first.body)
    assert listed.metadata["target"] == "team"

    # only the outbox and .autotune/.gitignore changed; HEAD, index and history untouched
    after = _tree(repo)
    changed = {p for p in set(before_tree) | set(after) if before_tree.get(p) != after.get(p)}
    assert changed == {DRAFT, ".autotune/.gitignore"}
    assert git(repo, "rev-parse", "HEAD") == before_head
    assert git(repo, "symbolic-ref", "--short", "HEAD") == "main"
    status = git(repo, "status", "--porcelain", "--untracked-files=all").splitlines()
    assert sorted(line.strip() for line in status) == ["?? .autotune/.gitignore", "M README.md"]

    second = _proposal("e2", "Tune flow/team again")
    head2 = _commit_branch(repo, second, head1)
    updated = forge.update_proposal(listed, second)
    [relisted] = forge.list_proposals()
    assert relisted == updated
    assert (relisted.evidence_key, relisted.title, relisted.head_sha) == (
        "e2",
        "Tune flow/team again",
        head2,
    )
    assert relisted.state == "open"

    git(repo, "branch", "-D", BRANCH)  # the user declines the proposal
    [closed] = forge.list_proposals()
    assert (closed.state, closed.head_sha, closed.merged_sha) == ("closed", head2, None)


def test_fast_forward_merge_then_branch_deleted(repo: Path) -> None:
    forge = LocalForge(repo)
    proposal = _proposal()
    head = _commit_branch(repo, proposal, None)
    forge.open_proposal(proposal, "main")
    git(repo, "merge", "-q", "--ff-only", BRANCH)
    [merged] = forge.list_proposals()
    assert (merged.state, merged.merged_sha) == ("merged", head)
    git(repo, "branch", "-d", BRANCH)  # merged, so the recorded commit still tells
    [still] = forge.list_proposals()
    assert (still.state, still.head_sha, still.merged_sha) == ("merged", head, head)


def test_merge_commit_is_reported(repo: Path) -> None:
    forge = LocalForge(repo)
    proposal = _proposal()
    head = _commit_branch(repo, proposal, None)
    forge.open_proposal(proposal, "main")
    commit(repo, {"README.md": "meanwhile\n"}, "meanwhile on main")
    git(repo, "merge", "-q", "--no-ff", "-m", "Merge proposal", BRANCH)
    merge = git(repo, "rev-parse", "HEAD")
    commit(repo, {"README.md": "later\n"}, "later on main")
    [merged] = forge.list_proposals()
    assert (merged.state, merged.head_sha, merged.merged_sha) == ("merged", head, merge)


def test_existing_gitignore_is_extended_not_replaced(repo: Path) -> None:
    ignore = repo / ".autotune" / ".gitignore"
    ignore.write_bytes(b"cache/")
    proposal = _proposal()
    _commit_branch(repo, proposal, None)
    LocalForge(repo).open_proposal(proposal, "main")
    assert ignore.read_bytes() == b"cache/\noutbox/\n"
    LocalForge(repo).open_proposal(proposal, "main")  # idempotent
    assert ignore.read_bytes() == b"cache/\noutbox/\n"
    assert git(repo, "check-ignore", f"{OUTBOX}/x.md") == f"{OUTBOX}/x.md"


def test_outbox_already_ignored_elsewhere_needs_no_gitignore(repo: Path) -> None:
    (repo / ".gitignore").write_text(".autotune/outbox/\n")
    proposal = _proposal()
    _commit_branch(repo, proposal, None)
    LocalForge(repo).open_proposal(proposal, "main")
    assert not (repo / ".autotune" / ".gitignore").exists()
    assert (repo / DRAFT).is_file()


def test_missing_branch_or_base_writes_nothing(repo: Path) -> None:
    forge = LocalForge(repo)
    with pytest.raises(LocalForgeError, match="does not exist"):
        forge.open_proposal(_proposal(), "main")
    _commit_branch(repo, _proposal(), None)
    with pytest.raises(LocalForgeError, match="base branch 'develop'"):
        forge.open_proposal(_proposal(), "develop")
    assert not (repo / OUTBOX).exists()
    assert not (repo / ".autotune" / ".gitignore").exists()


def test_foreign_and_broken_drafts_are_skipped(repo: Path) -> None:
    proposal = _proposal()
    _commit_branch(repo, proposal, None)
    forge = LocalForge(repo)
    forge.open_proposal(proposal, "main")
    outbox = repo / OUTBOX
    (outbox / "notes.md").write_text("# My notes\n\nno marker here\n")
    (outbox / "broken.md").write_bytes(b"\xff\xfe not text")
    (outbox / "untitled.md").write_text((outbox / draft_name(BRANCH)).read_text()[1:])
    assert [p.ref for p in forge.list_proposals()] == [draft_name(BRANCH)]


def test_body_round_trips_exactly(repo: Path) -> None:
    proposal = _proposal()
    odd = Proposal(
        **{
            **proposal.__dict__,
            "title": "Multi\nline   title",
            "body": "\n\nleading blank lines\r\nCRLF kept\n" + proposal.body + "\n\n\n",
        }
    )
    _commit_branch(repo, odd, None)
    opened = LocalForge(repo).open_proposal(odd, "main")
    assert opened.title == "Multi line title"
    assert opened.body == odd.body


def test_a_draft_written_before_its_branch_moves_records_the_coming_head(repo: Path) -> None:
    # a rebuild edits the draft first (its marker names the new head), then moves the branch
    forge = LocalForge(repo)
    first = _proposal()
    head1 = _commit_branch(repo, first, None)
    opened = forge.open_proposal(first, "main")
    second = _proposal("e2")
    base = git(repo, "rev-parse", "main")
    head2 = commit_files(repo, base, second.files, second.title, IDENTITY)
    forge.update_proposal(opened, restamp(second, head=head2, previous_head=head1))
    assert f'"head": "{head2}"' in (repo / DRAFT).read_text().splitlines()[-1]
    update_branch(repo, BRANCH, head2, head1)
    git(repo, "merge", "-q", "--ff-only", BRANCH)
    git(repo, "branch", "-d", BRANCH)
    [merged] = forge.list_proposals()  # the recorded commit tells it was merged
    assert (merged.state, merged.head_sha, merged.merged_sha) == ("merged", head2, head2)


def test_listing_takes_the_branches_of_the_run_and_needs_none(repo: Path) -> None:
    proposal = _proposal()
    _commit_branch(repo, proposal, None)
    forge = LocalForge(repo)
    forge.open_proposal(proposal, "main")
    assert forge.list_proposals([BRANCH, "autotune/other/x"]) == forge.list_proposals()
