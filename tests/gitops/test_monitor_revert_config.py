"""Reverting a regressed merge when later commits on the base touched the same file, end to end
on a real git repository with the local forge: a later edit next to the tuned fields makes
``git revert`` conflict, and the revert is a minimal edit back to the recorded configuration
that keeps the later edit; a later edit of a tuned field itself is refused with one clear
message and nothing is pushed; a change reverted by hand is a note, not a failure."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from autotune_bot.forge.local import LocalForge
from tests.gitops.monitor_repo import DRAFT, REVERT, branch_refs, merged_repo, post_merge, run_cli
from tests.repo_helpers import git

WORKFLOW = "workflows/code_review.yaml"


def _commit_edit(repo: Path, old: str, new: str) -> None:
    """A later commit on main that replaces ``old`` by ``new`` in the workflow file."""
    path = repo / WORKFLOW
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1
    path.write_text(text.replace(old, new), encoding="utf-8")
    git(repo, "add", WORKFLOW)
    git(repo, "commit", "-q", "-m", "a later edit")


def _recorded(repo: Path) -> dict[str, object]:
    """The merged change's recorded configuration of the review team."""
    entry = json.loads(git(repo, "show", "main:.autotune/history.jsonl").splitlines()[-1])
    (config,) = entry["configs"]
    return config  # type: ignore[no-any-return]


def _texts(report: dict[str, object]) -> list[str]:
    done = [str(d["detail"]) for d in report["done"]]  # type: ignore[attr-defined]
    notes = [str(n) for n in report["notes"]]  # type: ignore[attr-defined]
    return done + notes + [str(e) for e in report["errors"]]  # type: ignore[attr-defined]


def test_a_later_edit_next_to_the_tuned_fields_keeps_it_in_the_revert(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    repo = merged_repo(tmp_path, monkeypatch)
    merge = git(repo, "rev-parse", "HEAD").strip()
    config = _recorded(repo)
    before, after = config["before"], config["after"]  # type: ignore[index]
    assert before["formation"] != after["formation"]
    post_merge(repo, slowdown=2.0)
    _commit_edit(repo, "total_tool_budget: 120\n", "total_tool_budget: 150  # raised later\n")
    base = git(repo, "rev-parse", "main").strip()
    code, report = run_cli(repo, "monitor")
    assert code == 0, report
    assert [(d["action"], d["ref"]) for d in report["done"]] == [  # type: ignore[index]
        ("opened", DRAFT),
        ("commented", DRAFT),
    ]
    assert git(repo, "rev-parse", f"{REVERT}^").strip() == base
    text = git(repo, "show", f"{REVERT}:{WORKFLOW}")
    assert f"team_formation: {before['formation']}\n" in text
    assert "total_tool_budget: 150  # raised later\n" in text  # the later edit is kept
    for member in before["members"]:
        assert f"- id: {member}\n" in text
    # every other line is as on main: only the tuned fields changed
    diff = git(repo, "diff", "-U0", "main", REVERT, "--", WORKFLOW)
    changed = [line[1:] for line in diff.splitlines() if line.startswith(("-", "+"))]
    removed = [line for line in changed if not line.startswith(("--", "++"))]
    assert any("team_formation" in line for line in removed)
    assert not any("total_tool_budget" in line for line in removed)
    message = git(repo, "log", "-1", "--format=%B", REVERT)
    assert "a minimal edit back to the recorded configuration" in message
    assert merge[:12] in message
    history = git(repo, "show", f"{REVERT}:.autotune/history.jsonl").splitlines()
    entry = json.loads(history[-1])
    assert entry["kind"] == "rollback"
    assert entry["files"][0]["path"] == WORKFLOW
    assert entry["configs"][0]["after"] == before


def test_a_later_edit_of_a_tuned_field_is_refused_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    repo = merged_repo(tmp_path, monkeypatch)
    after = _recorded(repo)["after"]
    post_merge(repo, slowdown=2.0)
    formation = after["formation"]  # type: ignore[index]
    _commit_edit(repo, f"team_formation: {formation}\n", "team_formation: hierarchical\n")
    refs = branch_refs(repo)
    code, report = run_cli(repo, "monitor")
    assert code == 1, report  # a failed effect
    failed = [d for d in report["done"] if d["action"] == "failed"]  # type: ignore[attr-defined]
    assert len(failed) == 1
    detail = failed[0]["detail"]
    assert detail.startswith(
        f'{WORKFLOW}: review_team: formation was changed since the merge (now "hierarchical"'
    )
    assert "without overriding that edit" in detail
    assert sum("formation was changed" in t for t in _texts(report)) == 1
    assert branch_refs(repo) == refs  # nothing pushed
    assert [p for p in LocalForge(repo).list_proposals() if p.kind == "revert"] == []


def test_a_change_reverted_by_hand_is_a_note_not_a_failure(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    repo = merged_repo(tmp_path, monkeypatch)
    post_merge(repo, slowdown=2.0)
    git(repo, "revert", "--no-edit", "-m", "1", "HEAD")
    refs = branch_refs(repo)
    code, report = run_cli(repo, "monitor")
    assert code == 0, report
    assert report["watched"][0]["outcome"] == "regressed"  # type: ignore[index]
    assert [d["action"] for d in report["done"]] == ["commented"]  # type: ignore[index]
    gone = "the change is no longer on main: nothing to revert"
    assert any(gone in n for n in report["notes"])  # type: ignore[attr-defined]
    assert branch_refs(repo) == refs
    forge = LocalForge(repo)
    assert [p for p in forge.list_proposals() if p.kind == "revert"] == []
    assert gone in forge.list_comments(DRAFT)[0].body
    # a rerun says it again, quietly
    code, again = run_cli(repo, "monitor")
    assert code == 0
    assert again["done"] == []
    assert any(gone in n for n in again["notes"])  # type: ignore[attr-defined]
