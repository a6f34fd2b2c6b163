"""`autotune suggest` and `autotune apply` end to end on copies of the demo repository made
into real git repositories: what is printed, which files change (and which stay byte for
byte), that nothing is committed, and how errors are reported."""

from __future__ import annotations

import contextlib
import io
import json
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from autotune_bot.cli import main
from tests.repo_helpers import DEMO, Snapshot, changed, git, make_repo, snapshot

WORKFLOWS = ("workflows/code_review.yaml", "workflows/research.yaml")
HISTORY = ".autotune/history.jsonl"
PLANTED = (
    "workflows/code_review.yaml:40 review_team.team_formation: 'sequential' → 'parallel'",
    "workflows/code_review.yaml:68 review_team.members[docs]: remove",
    "workflows/research.yaml:55 nodes[legacy_enrich]: remove",
    "workflows/research.yaml:40 fetch_news.cache: (absent) → ",
    "workflows/research.yaml:167 report.llm_config.model_hint: 'gpt-4o' → 'gpt-4o-mini'",
)


def status(repo: Path) -> list[str]:
    return sorted(git(repo, "status", "--porcelain", "--untracked-files=all").splitlines())


def history(repo: Path) -> list[dict[str, object]]:
    path = repo / HISTORY
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


@pytest.fixture(scope="module")
def pristine(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A repository only read by the tests that use it."""
    return make_repo(tmp_path_factory.mktemp("pristine"))


# --- suggest ----------------------------------------------------------------------------


def test_suggest_text_names_the_planted_changes(
    pristine: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    before = snapshot(pristine)
    assert main(["suggest", "--repo", str(pristine)]) == 0
    captured = capsys.readouterr()
    for change in PLANTED:
        assert change in captured.out
    assert "not validated" in captured.out
    assert "Team: review_team  (workflows/code_review.yaml:38)" in captured.out
    assert "Search: hill_climbing" in captured.out
    assert captured.err == ""
    assert snapshot(pristine) == before  # suggest changes nothing
    assert status(pristine) == []


def test_suggest_json_with_output_and_no_search(
    pristine: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "suggestions.json"
    code = main(
        [
            "suggest",
            "--repo",
            str(pristine),
            "--format",
            "json",
            "--output",
            str(target),
            "--no-search",
        ]
    )
    assert code == 0
    printed = json.loads(capsys.readouterr().out)
    assert printed == json.loads(target.read_text(encoding="utf-8"))
    assert printed["schema_version"] == 1
    assert all(t["best"] is None and t["search"] is None for t in printed["targets"])
    changes = {
        (c["file"], c["line"], c["node"], c["field"])
        for t in printed["targets"]
        for s in t["suggestions"]
        for c in s["changes"]
    }
    assert ("workflows/code_review.yaml", 40, "review_team", "team_formation") in changes
    assert ("workflows/research.yaml", 55, None, "nodes[legacy_enrich]") in changes
    assert ("workflows/research.yaml", 167, "report", "llm_config.model_hint") in changes
    assert status(pristine) == []


def test_suggest_for_one_team(pristine: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(
        ["suggest", "--repo", str(pristine), "--team-id", "review_team", "--format", "json"]
    )
    assert code == 0
    printed = json.loads(capsys.readouterr().out)
    assert [(t["scope"], t["target"]) for t in printed["targets"]] == [("team", "review_team")]
    (review,) = printed["targets"]
    assert review["best"]["candidate"]["formation"] == "parallel"
    assert review["search"]["algorithm"] == "hill_climbing"


def test_unknown_team_is_a_one_line_error(
    pristine: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["suggest", "--repo", str(pristine), "--team-id", "nope", "--no-search"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert err.startswith("autotune: error: ")
    assert "nope" in err


# --- apply ------------------------------------------------------------------------------


def test_apply_without_a_mode_is_a_usage_error(
    pristine: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["apply", "--repo", str(pristine)]) == 2
    captured = capsys.readouterr()
    assert captured.err == "autotune: error: apply: choose --auto or --interactive\n"
    assert captured.out == ""
    assert status(pristine) == []


def test_apply_modes_are_exclusive(pristine: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as info:
        main(["apply", "--repo", str(pristine), "--auto", "--interactive"])
    assert info.value.code == 2
    assert "not allowed with argument" in capsys.readouterr().err


@dataclass(frozen=True)
class Applied:
    repo: Path
    head: str
    before: Snapshot
    first: subprocess.CompletedProcess[str]
    after_first: Snapshot
    status_after_first: list[str]
    second_code: int
    second_out: str
    second_err: str
    after_second: Snapshot


@pytest.fixture(scope="module")
def applied(tmp_path_factory: pytest.TempPathFactory) -> Applied:
    """`apply --auto` run twice on one repository: as a subprocess, then in-process."""
    repo = make_repo(tmp_path_factory.mktemp("applied"))
    head = git(repo, "rev-parse", "HEAD").strip()
    before = snapshot(repo)
    first = subprocess.run(
        [sys.executable, "-m", "autotune_bot.cli", "apply", "--auto"],
        cwd=repo,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    after_first = snapshot(repo)
    status_after_first = status(repo)
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        second_code = main(["apply", "--auto", "--repo", str(repo)])
    return Applied(
        repo,
        head,
        before,
        first,
        after_first,
        status_after_first,
        second_code,
        out.getvalue(),
        err.getvalue(),
        snapshot(repo),
    )


def test_apply_auto_edits_the_working_tree_only(applied: Applied) -> None:
    assert applied.first.returncode == 0, applied.first.stderr
    assert applied.first.stderr == ""
    assert changed(applied.before, applied.after_first) == {*WORKFLOWS, HISTORY}
    # no commit: the history of the repository is the one commit it had
    assert git(applied.repo, "rev-parse", "HEAD").strip() == applied.head
    assert git(applied.repo, "rev-list", "--count", "HEAD").strip() == "1"
    assert applied.status_after_first == sorted(
        [f"?? {HISTORY}", " M workflows/code_review.yaml", " M workflows/research.yaml"]
    )
    out = applied.first.stdout
    assert "--- a/workflows/code_review.yaml\n+++ b/workflows/code_review.yaml\n" in out
    assert "not committed" in out
    assert "not validated" in out


def test_apply_auto_changes_exactly_the_expected_lines(applied: Applied) -> None:
    old = applied.before["workflows/code_review.yaml"].decode().splitlines()
    new = applied.after_first["workflows/code_review.yaml"].decode().splitlines()
    assert new == [*old[:39], "        team_formation: parallel", *old[40:67], *old[74:]]
    assert old[67] == "          - id: docs"
    research = applied.after_first["workflows/research.yaml"].decode()
    assert "legacy_enrich" not in research
    assert "parallel_nodes: [fetch_papers, fetch_news]" in research
    assert "cache: {enabled: true, tools: [web_search], ttl_seconds: 3600}" in research
    assert "model_hint: gpt-4o\n" in research  # report keeps its model: not searched by default


def test_apply_auto_leaves_every_other_file_byte_identical(applied: Applied) -> None:
    for path, data in applied.before.items():
        if path not in WORKFLOWS:
            assert applied.after_first[path] == data, path
    # and the copy is still the demo repository byte for byte, apart from the edits
    demo = snapshot(DEMO)
    assert dict(applied.before.items()) == demo


def test_apply_auto_records_history(applied: Applied) -> None:
    entries = [json.loads(line) for line in applied.after_first[HISTORY].decode().splitlines()]
    assert sorted(tuple(e["targets"]) for e in entries) == [("deep_research",), ("review_team",)]
    for entry in entries:
        assert entry["mode"] == "auto"
        assert entry["validation_status"] == "not_validated"
        assert entry["diff"].startswith("--- a/workflows/")
        (suggestion,) = entry["optimization"]["suggestions"]
        assert suggestion["type"] == "combined"


def test_second_apply_auto_breaks_nothing(applied: Applied) -> None:
    assert applied.second_code == 0, applied.second_err
    assert applied.second_err == ""
    # the metrics did not change: nothing new is worth applying, nothing is rewritten
    assert changed(applied.after_first, applied.after_second) <= {HISTORY}
    for path in WORKFLOWS:
        assert applied.after_second[path] == applied.after_first[path]
    assert git(applied.repo, "rev-list", "--count", "HEAD").strip() == "1"
    # the edited files are still valid workflows
    assert main(["validate", "--repo", str(applied.repo)]) == 0


def test_apply_auto_dry_run_changes_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    repo = make_repo(tmp_path)
    before = snapshot(repo)
    assert (
        main(["apply", "--auto", "--dry-run", "--repo", str(repo), "--team-id", "review_team"]) == 0
    )
    out = capsys.readouterr().out
    assert "--- a/workflows/code_review.yaml\n+++ b/workflows/code_review.yaml\n" in out
    assert "+        team_formation: parallel\n" in out
    assert "Dry run: 1 file(s) would change; nothing was written." in out
    assert snapshot(repo) == before
    assert status(repo) == []


def test_apply_dry_run_labels_its_evidence(
    pristine: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    before = snapshot(pristine)
    assert main(["apply", "--auto", "--dry-run", "--repo", str(pristine)]) == 0
    lines = capsys.readouterr().out.splitlines()
    at = lines.index("Dry run: 2 file(s) would change; nothing was written.")
    assert lines[at + 1] == (
        "Estimates are simulated from recorded traces, not validated by an A/B test."
    )
    assert snapshot(pristine) == before


def test_apply_interactive_applies_just_the_accepted_suggestion(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    repo = make_repo(tmp_path)
    before = snapshot(repo)
    monkeypatch.setattr(sys, "stdin", io.StringIO("y\nn\nq\n"))
    code = main(
        ["apply", "--interactive", "--repo", str(repo), "--team-id", "review_team", "--no-search"]
    )
    assert code == 0
    out = capsys.readouterr().out
    # 1: formation (yes), 2: team sizing (no), 3: quit
    assert "Apply suggestion #3? (y/n/v/q)" in out
    assert "Apply suggestion #4?" not in out
    assert changed(before, snapshot(repo)) == {"workflows/code_review.yaml", HISTORY}
    old = before["workflows/code_review.yaml"].decode().splitlines()
    new = (repo / "workflows/code_review.yaml").read_text(encoding="utf-8").splitlines()
    assert new == [*old[:39], "        team_formation: parallel", *old[40:]]  # docs stays
    (entry,) = history(repo)
    assert entry["mode"] == "interactive"
    assert [s["type"] for s in entry["optimization"]["suggestions"]] == ["formation_selection"]  # type: ignore[index]
    assert "Applied to 1 file(s): workflows/code_review.yaml" in out


def test_invalid_workflow_is_reported_and_the_others_processed(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    repo = make_repo(tmp_path)
    broken = repo / "workflows" / "broken.yaml"
    broken.write_text("workflows:\n  x: [unclosed\n", encoding="utf-8")
    args = ["--team-id", "review_team", "--workflow", "code_review", "--workflow", "release_notes"]
    assert main(["suggest", "--repo", str(repo), "--no-search", *args]) == 1
    captured = capsys.readouterr()
    errors = captured.err.splitlines()
    assert len(errors) == 1
    assert errors[0].startswith("autotune: error: workflows/broken.yaml:")
    assert "invalid YAML" in errors[0]
    # the other workflow files were still read and their teams and workflows tuned
    assert PLANTED[0] in captured.out
    assert PLANTED[1] in captured.out
    assert "Workflow: code_review  (workflows/code_review.yaml:6)" in captured.out
    assert "Workflow: release_notes  (workflows/release_notes.yml:4)" in captured.out


def test_apply_auto_without_search_does_not_claim_nothing_beats_the_current(
    pristine: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    main(["apply", "--auto", "--no-search", "--repo", str(pristine), "--team-id", "review_team"])
    out = capsys.readouterr().out
    assert "no configuration beats the current one" not in out


def test_unknown_algorithm_is_a_one_line_error(
    pristine: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    args = ["suggest", "--repo", str(pristine), "--team-id", "review_team", "--algorithm", "nope"]
    assert main(args) == 2
    err = capsys.readouterr().err
    assert err.startswith("autotune: error: ")
    assert "nope" in err


def test_unwritable_output_is_a_one_line_error(
    pristine: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "missing" / "out.json"
    args = ["suggest", "--repo", str(pristine), "--team-id", "review_team", "--no-search"]
    assert main([*args, "--output", str(target)]) == 2
    assert "--output" in capsys.readouterr().err
