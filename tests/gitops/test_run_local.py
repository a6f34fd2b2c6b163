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


def _move_base_under(repo: Path, path: str = "workflows/code_review.yaml") -> None:
    """A person commits to main a change of a proposal's file that the proposal's diff does
    not touch (a comment at the end): a proposal on the old base would rebuild."""
    with (repo / path).open("a") as out:
        out.write("# reviewed by the platform team\n")
    git(repo, "commit", "-qam", "comment the workflow")


def _draft_meta(repo: Path, branch: str = REVIEW) -> dict[str, object]:
    meta = parse_marker((repo / OUTBOX / (branch.replace("/", "__") + ".md")).read_text())
    assert meta is not None
    return meta


def _review(summary: dict[str, object]) -> list[dict[str, str]]:
    return [d for d in summary["done"] if d["key"] == "code_review/review_team"]  # type: ignore[attr-defined]


def test_base_moved_under_the_file_rebuilds_in_place_recording_the_head(repo: Path) -> None:
    _run(repo)
    first = _branches(repo)[REVIEW]
    assert _draft_meta(repo)["head"] == first
    _move_base_under(repo)
    code, summary = _run(repo)
    assert code == 0
    # the draft is edited first (recording the coming head), then the branch moves
    assert [d["action"] for d in _review(summary)] == ["updated", "pushed"]
    rebuilt = _branches(repo)[REVIEW]
    assert rebuilt != first
    assert git(repo, "rev-list", "--count", f"main..{REVIEW}").strip() == "1"
    assert git(repo, "merge-base", "main", REVIEW).strip() == _branches(repo)["main"]
    meta = _draft_meta(repo)
    assert (meta["head"], meta["previous_head"]) == (rebuilt, first)
    assert sorted(p.name for p in (repo / OUTBOX).iterdir())[0].startswith("autotune__code")
    assert len(list((repo / OUTBOX).glob("autotune__code_review__*.md"))) == 1
    code, again = _run(repo)  # and quiet again
    assert [d["action"] for d in _review(again)] == ["skipped"]
    assert _branches(repo)[REVIEW] == rebuilt


def test_branch_with_a_human_commit_is_left_alone(repo: Path) -> None:
    _run(repo)
    git(repo, "checkout", "-q", REVIEW)
    (repo / "NOTE.md").write_text("a reviewer's note\n")
    git(repo, "add", "NOTE.md")
    git(repo, "commit", "-q", "-m", "human edit")  # author t@example.com, not the bot
    git(repo, "checkout", "-q", "main")
    human_head = _branches(repo)[REVIEW]
    _move_base_under(repo)  # what rebuilds a bot-only branch (the test above)
    code, summary = _run(repo)
    assert code == 0
    review = _review(summary)
    assert [d["action"] for d in review] == ["skipped"]
    assert review[0]["detail"].startswith("foreign_commits")
    assert _branches(repo)[REVIEW] == human_head


def test_a_person_amending_the_bots_commit_is_not_overwritten(repo: Path) -> None:
    _run(repo)
    git(repo, "checkout", "-q", REVIEW)
    path = repo / "workflows" / "code_review.yaml"
    path.write_text(path.read_text().replace("team_formation: parallel", "team_formation: hybrid"))
    # amend keeps the bot as the author; the person becomes the committer
    git(repo, "-c", "user.email=h@x", "commit", "-q", "--amend", "-a", "--no-edit")
    git(repo, "checkout", "-q", "main")
    amended = _branches(repo)[REVIEW]
    author = git(repo, "log", "-1", "--format=%ae %ce", amended).split()
    assert author == ["autotune-bot@users.noreply.github.com", "h@x"]
    _move_base_under(repo)
    code, summary = _run(repo)
    assert code == 0
    review = _review(summary)
    assert [d["action"] for d in review] == ["skipped"]
    assert review[0]["detail"].startswith("foreign_commits: a person pushed")
    assert _branches(repo)[REVIEW] == amended
    assert "team_formation: hybrid" in git(repo, "show", f"{REVIEW}:workflows/code_review.yaml")


def test_a_rewrite_under_the_bots_own_identity_is_caught_by_the_recorded_head(
    repo: Path,
) -> None:
    _run(repo)
    git(repo, "checkout", "-q", REVIEW)
    bot = ["-c", "user.name=autotune-bot", "-c", "user.email=autotune-bot@users.noreply.github.com"]
    git(repo, *bot, "commit", "-q", "--amend", "-m", "rewritten with the bot's identity")
    git(repo, "checkout", "-q", "main")
    rewritten = _branches(repo)[REVIEW]
    _move_base_under(repo)
    code, summary = _run(repo)
    assert code == 0
    review = _review(summary)
    assert [d["action"] for d in review] == ["skipped"]
    assert "not at the commit autotune last pushed" in review[0]["detail"]
    assert _branches(repo)[REVIEW] == rewritten


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


def test_a_changed_branch_prefix_keeps_one_proposal_per_key(repo: Path) -> None:
    _run(repo)
    git(repo, "branch", "-D", RESEARCH)  # declined
    with (repo / ".autotune.yml").open("a") as out:
        out.write("\npull_requests: {branch_prefix: 'bots/'}\n")
    git(repo, "commit", "-qam", "another branch prefix")
    _move_base_under(repo)  # the open proposal must be rebuilt: on its own branch
    code, summary = _run(repo)
    assert code == 0
    actions = _actions(summary)
    assert actions["code_review/review_team"] == ["updated", "pushed"]
    assert actions["deep_research/deep_research"] == ["skipped"]  # still declined
    assert set(_branches(repo)) == {"main", REVIEW}  # no bots/… branch
    assert sorted(p.name for p in (repo / OUTBOX).glob("*.md")) == [  # no bots__… draft
        "autotune__code_review__review_team.md",
        "autotune__deep_research__deep_research.md",  # the declined one, kept as closed
    ]
    assert _draft_meta(repo)["branch"] == REVIEW  # the marker names the real branch
    code, again = _run(repo)
    assert _actions(again)["code_review/review_team"] == ["skipped"]
    assert set(_branches(repo)) == {"main", REVIEW}


def test_a_branch_checked_out_in_another_worktree_is_not_moved(repo: Path, tmp_path: Path) -> None:
    _run(repo)
    git(repo, "worktree", "add", "-q", str(tmp_path / "review-wt"), REVIEW)
    before = _branches(repo)[REVIEW]
    _move_base_under(repo)
    code, summary = _run(repo)
    assert code == 0  # skipped, not failed: the run goes on
    review = _review(summary)
    assert [d["action"] for d in review] == ["skipped"]
    assert review[0]["detail"].startswith(f"checked_out: {REVIEW} is checked out in the worktree")
    assert _actions(summary)["deep_research/deep_research"] == ["skipped"]
    assert _branches(repo)[REVIEW] == before
    assert git(repo, "-C", str(tmp_path / "review-wt"), "status", "--porcelain") == ""


def test_a_repository_in_a_subdirectory_of_the_work_tree(tmp_path: Path) -> None:
    import shutil

    from tests.repo_helpers import DEMO

    root = tmp_path / "mono"
    shutil.copytree(DEMO, root / "services" / "agents")
    (root / "README.md").write_text("a monorepo\n")
    git(root, "init", "-q", "-b", "main")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "monorepo")
    project = root / "services" / "agents"
    code, summary = _run(project)
    assert code == 0
    assert summary["not_proposed"] == []
    assert _actions(summary) == {
        "code_review/review_team": ["pushed", "opened"],
        "deep_research/deep_research": ["pushed", "opened"],
    }
    files = git(root, "diff", "--name-only", f"main...{REVIEW}").split()
    assert files == [
        "services/agents/.autotune/history.jsonl",
        "services/agents/workflows/code_review.yaml",
    ]
    assert (project / OUTBOX / "autotune__code_review__review_team.md").is_file()
    code, again = _run(project)
    assert {a for acts in _actions(again).values() for a in acts} == {"skipped"}


def test_an_open_proposal_whose_ab_test_now_fails_is_marked_superseded(
    repo: Path, tmp_path: Path
) -> None:
    import sys

    _run(repo)  # proposed, not validated
    review_head = _branches(repo)[REVIEW]
    runner = tmp_path / "slow_parallel.py"  # a runner where parallel is 50 % slower
    simulator = Path(__file__).resolve().parents[1] / "data" / "ab" / "simulate_run.py"
    runner.write_text(
        simulator.read_text().replace('"parallel": 1.2', '"parallel": 3.0'), encoding="utf-8"
    )
    command = json.dumps([sys.executable, "-S", str(runner), "{workflow}"])
    with (repo / ".autotune.yml").open("a") as out:
        out.write(f"\nab_test:\n  enabled: true\n  runs_per_arm: 10\n  command: {command}\n")
    git(repo, "commit", "-qam", "enable A/B")
    code, summary = _run(repo)
    assert code == 0
    assert summary["proposals"] == []
    review = _review(summary)
    assert [d["action"] for d in review] == ["updated"]
    draft = (repo / OUTBOX / "autotune__code_review__review_team.md").read_text()
    _title, _, body = draft.partition("\n\n")
    assert body.startswith("<!-- autotune:superseded ")
    assert "⚠ **Superseded:** the latest run (" in body
    assert "no longer proposes this change: the A/B test failed" in body
    assert _draft_meta(repo)["head"] == review_head  # the marker is kept
    assert _branches(repo)[REVIEW] == review_head  # the branch is not touched
    (research,) = [w for w in summary["not_proposed"] if w.startswith("deep_research")]  # type: ignore[attr-defined]
    research_draft = (repo / OUTBOX / "autotune__deep_research__deep_research.md").read_text()
    # an A/A comparison: a notice only if it is a (5 %-level) false "failed"
    assert ("autotune:superseded" in research_draft) is ("A/B failed" in research)


def test_a_run_with_nothing_to_work_on_says_why(tmp_path: Path) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    (empty / "README.md").write_text("nothing here yet\n")
    bare = make_repo(tmp_path / "a", empty)
    code, summary = _run(bare)
    assert code == 0
    assert summary["notes"] == [
        "no workflow files found (looked for *.yaml and *.yml files under directories named "
        "workflows/)",
        "no metrics files found (looked for .json, .jsonl and .ndjson files (each optionally "
        ".gz) under directories named metrics/)",
    ]
    # workflows, and metrics of other workflows only
    from tests.repo_helpers import DEMO

    only = tmp_path / "only"
    (only / "workflows").mkdir(parents=True)
    (only / "metrics").mkdir()
    (only / "workflows" / "research.yaml").write_text(
        (DEMO / "workflows" / "research.yaml").read_text()
    )
    runs = (DEMO / "metrics" / "runs" / "code_review.jsonl").read_text().splitlines()[:30]
    other = "\n".join(r.replace('"code_review"', '"someone_else"') for r in runs) + "\n"
    (only / "metrics" / "other.jsonl").write_text(other)
    code, summary = _run(make_repo(tmp_path / "b", only))
    assert summary["notes"] == [
        "no workflow has recorded executions to tune: none of the 30 records read from 1 "
        "metrics file(s) belongs to a workflow or team of the workflow files"
    ]
