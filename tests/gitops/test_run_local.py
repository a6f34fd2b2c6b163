"""`autotune run` with the local forge, end to end on a real git copy of the example
repository: proposals are branches plus Markdown drafts; reruns are idempotent; a proposal
closed without merge stays closed; a branch a person pushed to is left alone; the checked-out
branch and the working tree are never touched."""

from __future__ import annotations

import contextlib
import io
import json
from pathlib import Path

import pytest

from autotune_bot.cli import main
from autotune_bot.gitops.marker import parse_marker
from tests.repo_helpers import git, make_repo, snapshot

REVIEW = "autotune/code_review/review_team"
RESEARCH = "autotune/deep_research/deep_research"
OUTBOX = ".autotune/outbox"


def _run(repo: Path, *more: str) -> tuple[int, dict[str, object]]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(["run", "--repo", str(repo), "--forge", "local", "--format", "json", *more])
    return code, json.loads(out.getvalue())


def _actions(summary: dict[str, object]) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for d in summary["done"]:  # type: ignore[attr-defined]
        found.setdefault(d["key"], []).append(d["action"])
    return found


def _branches(repo: Path) -> dict[str, str]:
    out = git(repo, "for-each-ref", "--format=%(refname:short) %(objectname)", "refs/heads/")
    return dict(line.split() for line in out.splitlines())


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    return make_repo(tmp_path)


def test_first_run_proposes_and_rerun_changes_nothing(repo: Path) -> None:
    before_tree = snapshot(repo)
    head = git(repo, "rev-parse", "HEAD").strip()
    code, summary = _run(repo)
    assert code == 0
    assert _actions(summary) == {
        "code_review/review_team": ["pushed", "opened"],
        "deep_research/deep_research": ["pushed", "opened"],
    }
    branches = _branches(repo)
    assert set(branches) == {"main", REVIEW, RESEARCH}
    # the checked-out branch did not move; the working tree changed only under .autotune/
    assert git(repo, "rev-parse", "HEAD").strip() == head
    assert git(repo, "symbolic-ref", "--short", "HEAD").strip() == "main"
    after_tree = snapshot(repo)
    changed = {
        k for k in after_tree.keys() | before_tree.keys() if after_tree.get(k) != before_tree.get(k)
    }
    assert all(k.startswith(".autotune/") for k in changed)
    # each branch is one bot commit on main with the workflow change and the history entry
    files = git(repo, "diff", "--name-only", f"main...{REVIEW}").split()
    assert files == [".autotune/history.jsonl", "workflows/code_review.yaml"]
    author = git(repo, "log", "-1", "--format=%an <%ae>", REVIEW).strip()
    assert author == "autotune-bot <autotune-bot@users.noreply.github.com>"
    diff = git(repo, "diff", f"main...{REVIEW}", "--", "workflows/code_review.yaml")
    assert "-        team_formation: sequential" in diff
    assert "+        team_formation: parallel" in diff
    draft = (repo / OUTBOX / "autotune__code_review__review_team.md").read_text()
    meta = parse_marker(draft)
    assert meta is not None
    assert meta["branch"] == REVIEW
    assert "not validated" in draft
    assert "```mermaid" in draft
    assert "/autotune rollback" in draft

    code, again = _run(repo)
    assert code == 0
    assert _actions(again) == {
        "code_review/review_team": ["skipped"],
        "deep_research/deep_research": ["skipped"],
    }
    assert _branches(repo) == branches  # nothing pushed twice
    assert sorted(p.name for p in (repo / OUTBOX).iterdir()) == [
        "autotune__code_review__review_team.md",
        "autotune__deep_research__deep_research.md",
    ]


def test_closed_proposal_stays_ignored(repo: Path) -> None:
    _run(repo)
    git(repo, "branch", "-D", REVIEW)  # closing a local proposal: delete its branch
    code, summary = _run(repo)
    assert code == 0
    done = [d for d in summary["done"] if d["key"] == "code_review/review_team"]  # type: ignore[attr-defined]
    assert [d["action"] for d in done] == ["skipped"]
    assert done[0]["detail"].startswith("closed")
    assert REVIEW not in _branches(repo)


def test_branch_with_a_human_commit_is_left_alone(repo: Path) -> None:
    _run(repo)
    git(repo, "checkout", "-q", REVIEW)
    (repo / "NOTE.md").write_text("a reviewer's note\n")
    git(repo, "add", "NOTE.md")
    git(repo, "commit", "-q", "-m", "human edit")  # author t@example.com, not the bot
    git(repo, "checkout", "-q", "main")
    human_head = _branches(repo)[REVIEW]
    # the evidence changes materially (a different margin), which would otherwise rebuild it
    with (repo / ".autotune.yml").open("a") as out:
        out.write("\nobjective: {success_margin: 0.05}\n")
    git(repo, "commit", "-qam", "tweak settings")
    code, summary = _run(repo)
    assert code == 0
    review = [d for d in summary["done"] if d["key"] == "code_review/review_team"]  # type: ignore[attr-defined]
    assert [d["action"] for d in review] == ["skipped"]
    assert review[0]["detail"].startswith("foreign_commits")
    assert _branches(repo)[REVIEW] == human_head


def test_dry_run_writes_nothing(repo: Path) -> None:
    before = snapshot(repo)
    code, summary = _run(repo, "--dry-run")
    assert code == 0
    assert summary["dry_run"] is True
    assert len(summary["proposals"]) == 2  # type: ignore[arg-type]
    assert summary["done"] == []
    assert snapshot(repo) == before
    assert set(_branches(repo)) == {"main"}


def test_max_prs_caps_new_proposals(repo: Path) -> None:
    code, summary = _run(repo, "--max-prs", "1")
    assert code == 0
    actions = _actions(summary)
    assert actions["code_review/review_team"] == ["pushed", "opened"]
    assert actions["deep_research/deep_research"] == ["skipped"]


def test_uncommitted_workflow_edits_are_not_proposed_over(repo: Path) -> None:
    path = repo / "workflows" / "code_review.yaml"
    path.write_text(path.read_text() + "# local edit\n")
    code, summary = _run(repo)
    assert code == 0
    keys = [p["key"] for p in summary["proposals"]]  # type: ignore[attr-defined]
    assert "code_review/review_team" not in keys
    assert any("differs from main" in why for why in summary["not_proposed"])  # type: ignore[attr-defined]


def test_dry_run_with_ab_testing_enabled_runs_nothing_and_says_so(repo: Path) -> None:
    with (repo / ".autotune.yml").open("a") as out:  # a command that would fail if it ran
        out.write("\nab_test: {enabled: true, command: 'no-such-runner-xyz {workflow}'}\n")
    git(repo, "commit", "-qam", "enable A/B")
    code, summary = _run(repo, "--dry-run")
    assert code == 0
    statuses = {p["validation_status"] for p in summary["proposals"]}  # type: ignore[attr-defined]
    assert statuses == {"dry_run"}
    assert set(_branches(repo)) == {"main"}


def test_a_proposal_branch_checked_out_is_refused_as_base(repo: Path) -> None:
    _run(repo)
    git(repo, "checkout", "-q", REVIEW)
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(["run", "--repo", str(repo), "--forge", "local"])
    assert code == 2
    assert "is a proposal branch; check out the default branch" in err.getvalue()


def test_ab_tests_gate_proposals_and_are_not_rerun_for_settled_branches(
    repo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import sys

    simulator = Path(__file__).resolve().parents[1] / "data" / "ab" / "simulate_run.py"
    command = json.dumps([sys.executable, "-S", str(simulator), "{workflow}"])
    with (repo / ".autotune.yml").open("a") as out:
        out.write(f"\nab_test:\n  enabled: true\n  runs_per_arm: 10\n  command: {command}\n")
    git(repo, "commit", "-qam", "enable A/B")
    log = tmp_path / "runs.log"
    monkeypatch.setenv("SIMULATOR_LOG", str(log))
    code, summary = _run(repo)
    assert code == 0
    # code_review: sequential → parallel is 40 % faster in the simulator: passed, proposed;
    # deep_research: the simulator sees no change (its team keeps its formation): no pass
    assert [p["key"] for p in summary["proposals"]] == ["code_review/review_team"]  # type: ignore[index]
    (proposal,) = summary["proposals"]  # type: ignore[misc]
    assert proposal["validation_status"] == "passed"
    assert proposal["validation"]["evidence"] == "measured"
    (why,) = [w for w in summary["not_proposed"] if w.startswith("deep_research")]  # type: ignore[attr-defined]
    assert why.startswith("deep_research/deep_research: A/B ")
    assert "passed" not in why  # an A/A comparison: inconclusive, or a 5 %-level false alarm
    assert len(log.read_text().splitlines()) == 40  # 2 targets × 2 arms × 10 runs
    draft = (repo / OUTBOX / "autotune__code_review__review_team.md").read_text()
    assert "A/B test (measured evidence): PASSED" in draft

    # a person pushes to the proposal branch: the next run spends no A/B runs on it
    git(repo, "checkout", "-q", REVIEW)
    (repo / "NOTE.md").write_text("note\n")
    git(repo, "add", "NOTE.md")
    git(repo, "commit", "-qm", "human note")
    git(repo, "checkout", "-q", "main")
    log.write_text("")
    code, summary = _run(repo)
    assert code == 0
    runs = log.read_text().splitlines()
    assert len(runs) == 20  # only deep_research was tested again
    assert all(line.startswith("research.yaml ") for line in runs)


def test_a_broken_workflow_file_is_named_and_the_others_still_proposed(repo: Path) -> None:
    (repo / "workflows" / "broken.yaml").write_text("workflows:\n  bad: [\n")
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "a broken file")
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(["run", "--repo", str(repo), "--forge", "local"])
    assert code == 1
    assert err.getvalue().splitlines() == [
        "autotune: error: workflows/broken.yaml:3: invalid YAML: expected the node content, "
        "but found '<stream end>'"
    ]
    assert set(_branches(repo)) == {"main", REVIEW, RESEARCH}
