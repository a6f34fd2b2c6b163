"""`autotune rollback` end to end on copies of the demo repository: history and rollback
survive across processes (apply, then new processes for `--list` and the rollback), the YAML
comes back byte for byte, and refusals are one-line errors that change nothing. Also the Python
API (`get_optimization_history`, `rollback_optimization`) on a repository."""

from __future__ import annotations

import asyncio
import json
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from autotune_bot import PerformanceAutotuner
from autotune_bot.cli import main
from autotune_bot.errors import UsageError
from autotune_bot.rollback import RollbackError

DEMO = Path(__file__).resolve().parents[1] / "examples" / "demo-repo"
HISTORY = ".autotune/history.jsonl"
REVIEW = "workflows/code_review.yaml"
RESEARCH = "workflows/research.yaml"


def autotune(repo: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """One `autotune` command in a process of its own, run from the repository."""
    return subprocess.run(
        [sys.executable, "-m", "autotune_bot.cli", *args],
        cwd=repo,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def snapshot(repo: Path) -> dict[str, bytes]:
    return {p.relative_to(repo).as_posix(): p.read_bytes() for p in repo.rglob("*") if p.is_file()}


def entries(repo: Path) -> list[dict[str, Any]]:
    lines = (repo / HISTORY).read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines]


def by_target(repo: Path, target: str) -> dict[str, Any]:
    (entry,) = [e for e in entries(repo) if e["targets"] == [target]]
    return entry


@pytest.fixture(scope="module")
def applied(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo repository after `autotune apply --auto` in a process of its own."""
    repo = tmp_path_factory.mktemp("applied") / "repo"
    shutil.copytree(DEMO, repo)
    done = autotune(repo, "apply", "--auto")
    assert done.returncode == 0, done.stderr
    return repo


@pytest.fixture
def repo(applied: Path, tmp_path: Path) -> Path:
    """A copy of the applied repository of one's own."""
    return Path(shutil.copytree(applied, tmp_path / "repo"))


def test_history_and_rollback_survive_across_processes(repo: Path) -> None:
    review = by_target(repo, "review_team")
    assert (repo / REVIEW).read_bytes() != (DEMO / REVIEW).read_bytes()

    listed = autotune(repo, "rollback", "--target", "review_team", "--list")
    assert listed.returncode == 0, listed.stderr
    assert listed.stderr == ""
    header, row = listed.stdout.splitlines()[1:]
    assert header.split()[:5] == ["INDEX", "ID", "DATE", "KIND", "VALIDATION"]
    assert row.split()[:2] == ["0", review["id"]]
    assert " apply " in row
    assert " not_validated " in row
    assert review["description"] in row

    rolled = autotune(repo, "rollback", "--target", "review_team")
    assert rolled.returncode == 0, rolled.stderr
    assert rolled.stderr == ""
    assert (repo / REVIEW).read_bytes() == (DEMO / REVIEW).read_bytes()  # byte for byte
    assert (repo / RESEARCH).read_bytes() != (DEMO / RESEARCH).read_bytes()  # untouched
    assert "+        team_formation: sequential\n" in rolled.stdout
    assert f"Rolled back {review['id']}" in rolled.stdout
    assert "not committed" in rolled.stdout

    history = entries(repo)
    assert [e["kind"] for e in history] == ["apply", "apply", "rollback"]
    assert history[:2] == [e for e in history if e["kind"] == "apply"]  # appended, not rewritten
    rollback = history[2]
    assert rollback["reverts"] == review["id"]
    assert rollback["targets"] == ["review_team"]
    assert rollback["configs"][0]["after"] == review["configs"][0]["before"]

    again = autotune(repo, "rollback", "--team-id", "review_team", "--list")
    assert again.returncode == 0, again.stderr
    rows = again.stdout.splitlines()[2:]
    assert rows[0].split()[:4] == ["-", rollback["id"], *rollback_date(rollback)]
    assert f"reverts {review['id']}" in rows[0]
    assert rows[1].split()[:2] == ["-", review["id"]]
    assert f"by {rollback['id']}" in rows[1]


def rollback_date(entry: dict[str, Any]) -> list[str]:
    day, time = entry["timestamp"][:19].split("T")
    return [day, time]


def test_rollback_of_a_workflow_target(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    research = by_target(repo, "deep_research")
    assert research["configs"][0]["scope"] == "workflow"
    assert "legacy_enrich" in research["configs"][0]["after"]["removed"]
    assert main(["rollback", "--target", "deep_research", "--repo", str(repo)]) == 0
    out = capsys.readouterr().out
    assert "+      - id: legacy_enrich\n" in out
    assert (repo / RESEARCH).read_bytes() == (DEMO / RESEARCH).read_bytes()
    assert (repo / REVIEW).read_bytes() != (DEMO / REVIEW).read_bytes()
    assert entries(repo)[-1]["reverts"] == research["id"]


def test_dry_run_changes_nothing(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    before = snapshot(repo)
    assert main(["rollback", "--target", "review_team", "--dry-run", "--repo", str(repo)]) == 0
    out = capsys.readouterr().out
    assert "--- a/workflows/code_review.yaml\n+++ b/workflows/code_review.yaml\n" in out
    assert "Dry run: rolling back" in out
    assert "nothing was written" in out
    assert snapshot(repo) == before


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--target", "nope"], "--target: no change of 'nope' is recorded in the history"),
        (["--target", "nope", "--list"], "recorded targets: deep_research, review_team"),
        (["--target", "review_team", "--index", "1"], "--index: 'review_team' has 1 change(s)"),
        (["--target", "review_team", "--id", "0000"], "--id: no entry of 'review_team'"),
    ],
)
def test_refusals_are_one_line_errors_that_change_nothing(
    repo: Path, args: list[str], message: str
) -> None:
    before = snapshot(repo)
    done = autotune(repo, "rollback", *args)
    assert done.returncode == 2
    assert done.stdout == ""
    assert done.stderr.count("\n") == 1
    assert done.stderr.startswith("autotune: error: ")
    assert message in done.stderr
    assert snapshot(repo) == before


def test_already_rolled_back_entry_is_refused(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    review = by_target(repo, "review_team")
    assert main(["rollback", "--target", "review_team", "--repo", str(repo)]) == 0
    capsys.readouterr()
    before = snapshot(repo)
    args = ["rollback", "--target", "review_team", "--id", review["id"], "--repo", str(repo)]
    assert main(args) == 2
    err = capsys.readouterr().err
    assert f"{review['id']} was already rolled back by {entries(repo)[-1]['id']}" in err
    assert snapshot(repo) == before


def test_hand_edit_of_the_changed_line_is_refused(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = repo / REVIEW
    edited = path.read_bytes().replace(b"team_formation: parallel", b"team_formation: consensus")
    path.write_bytes(edited)
    before = snapshot(repo)
    assert main(["rollback", "--target", "review_team", "--repo", str(repo)]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    (line,) = captured.err.splitlines()
    assert f"{REVIEW}:37: hunk 1 (@@ -37,7 +37,7 @@)" in line
    assert "edited since" in line
    assert snapshot(repo) == before


def test_crlf_file_comes_back_byte_for_byte(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    repo = Path(shutil.copytree(DEMO, tmp_path / "repo"))
    original = (repo / REVIEW).read_bytes().replace(b"\n", b"\r\n")
    (repo / REVIEW).write_bytes(original)
    assert main(["apply", "--auto", "--team-id", "review_team", "--repo", str(repo)]) == 0
    assert b"team_formation: parallel\r\n" in (repo / REVIEW).read_bytes()
    assert main(["rollback", "--target", "review_team", "--repo", str(repo)]) == 0
    assert (repo / REVIEW).read_bytes() == original
    capsys.readouterr()


def test_python_api_on_a_repository(repo: Path) -> None:
    review = by_target(repo, "review_team")
    tuner = PerformanceAutotuner()
    with pytest.raises(UsageError, match="no such repository directory"):
        tuner.use_repository(repo / "missing")
    tuner.use_repository(repo)
    (entry,) = tuner.get_optimization_history("review_team")
    assert entry["id"] == review["id"]
    assert entry["index"] == 0
    assert entry["rolled_back_by"] is None
    assert entry["optimization"]["description"] == review["description"]
    assert entry["validation_status"] == "not_validated"

    assert asyncio.run(tuner.rollback_optimization("review_team", rollback_index=0)) is True
    assert (repo / REVIEW).read_bytes() == (DEMO / REVIEW).read_bytes()
    rollback, undone = tuner.get_optimization_history("review_team")
    assert rollback["kind"] == "rollback"
    assert rollback["reverts"] == review["id"]
    assert undone["rolled_back_by"] == rollback["id"]
    assert undone["index"] is None
    with pytest.raises(RollbackError, match="no change still applied"):
        asyncio.run(tuner.rollback_optimization("review_team"))
    with pytest.raises(RollbackError, match="no change of 'nope'"):
        asyncio.run(tuner.rollback_optimization("nope"))


def _append_entry(repo: Path, target: str, path: str, diff: str) -> int:
    """Append an apply entry (as a hand edit or a pull request could) and return its line."""
    from datetime import UTC, datetime

    from autotune_bot.history import append_history, build_entry

    entry = build_entry(
        kind="apply",
        now=datetime.now(UTC),
        mode="auto",
        targets=[target],
        description="planted",
        files=[(path, diff)],
        configs=[],
        evidence=None,
        validation_status="not_validated",
    )
    append_history(repo, [entry])
    return len((repo / HISTORY).read_text(encoding="utf-8").splitlines())


def test_rollback_never_writes_outside_the_repository(tmp_path: Path) -> None:
    from autotune_bot.patch.diff import unified_diff

    repo = Path(shutil.copytree(DEMO, tmp_path / "repo"))
    outside = tmp_path / "outside.txt"
    outside.write_text("a: 1\n", encoding="utf-8")
    line = _append_entry(
        repo, "evil", "../outside.txt", unified_diff("a: 0\n", "a: 1\n", "../outside.txt")
    )
    before = snapshot(repo)
    for args in (["--target", "evil"], ["--target", "evil", "--list"]):
        done = autotune(repo, "rollback", *args)
        assert done.returncode == 2
        assert done.stderr.startswith(
            f"autotune: error: .autotune/history.jsonl:{line}: files[0].path: '../outside.txt' "
            "has a '..' component"
        )
    assert outside.read_text(encoding="utf-8") == "a: 1\n"
    assert snapshot(repo) == before


def test_rollback_through_a_symbolic_link_leaving_the_repository_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from autotune_bot.patch.diff import unified_diff

    repo = Path(shutil.copytree(DEMO, tmp_path / "repo"))
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "wf.yaml").write_text("a: 1\n", encoding="utf-8")
    (repo / "shared").symlink_to(elsewhere, target_is_directory=True)
    line = _append_entry(repo, "evil", "shared/wf.yaml", unified_diff("a: 0\n", "a: 1\n", "wf"))
    assert main(["rollback", "--target", "evil", "--repo", str(repo)]) == 2
    err = capsys.readouterr().err
    assert (
        f".autotune/history.jsonl:{line}: files[0].path: 'shared/wf.yaml' resolves outside" in err
    )
    assert (elsewhere / "wf.yaml").read_text(encoding="utf-8") == "a: 1\n"


def test_a_corrupt_stored_diff_names_the_history_line_and_field(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    review = by_target(repo, "review_team")
    corrupt = review["files"][0]["diff"].replace("+++ b/", "+++b/")
    line = _append_entry(repo, "review_team", REVIEW, corrupt)
    before = snapshot(repo)
    assert main(["rollback", "--target", "review_team", "--repo", str(repo)]) == 2
    (message,) = capsys.readouterr().err.splitlines()
    assert message.startswith(
        f"autotune: error: .autotune/history.jsonl:{line}: files[0].diff: unreadable diff: "
        "diff line 1: '---' header without '+++'"
    )
    assert f"{REVIEW}:" not in message  # not blamed on the workflow file
    assert snapshot(repo) == before
