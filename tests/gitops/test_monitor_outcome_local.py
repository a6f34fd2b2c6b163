"""A confirmed merged change goes into the history with the next bot change, once: end to end
with the local forge on a real git repository. A proposal is merged, the runs after the merge are
as fast as before, monitoring confirms it; the next proposal of the same key (after a person
set the team back on the base) appends exactly one ``outcome`` line before its own ``apply``
line. Reruns, a rebuild on a base that already records the outcome, and the merge of that
proposal add no second one."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from autotune_bot.forge.local import LocalForge
from autotune_bot.gitops.monitor_cycle import MonitorOptions, run_monitor
from autotune_bot.history import read_history
from autotune_bot.history_outcomes import history_entries, realised_json
from tests.gitops.monitor_repo import (
    BRANCH,
    DRAFT,
    MERGED_AT,
    MONITORED_AT,
    branch_refs,
    merged_repo,
    run_cli,
)
from tests.repo_helpers import DEMO, git

HISTORY = ".autotune/history.jsonl"
WORKFLOW = "workflows/code_review.yaml"
TEAM_RUNS = "metrics/teams/review_team.json"
AFTER = "metrics/teams/review_team_after.json"


def _lines(repo: Path, rev: str) -> list[str]:
    return git(repo, "show", f"{rev}:{HISTORY}").splitlines()


def _outcomes(lines: list[str]) -> list[dict[str, Any]]:
    return [e for e in map(json.loads, lines) if e["kind"] == "outcome"]


def _parallel_runs_after_merge(repo: Path, runs: int = 40) -> None:
    """``runs`` team executions after the merge, copied (seeded) from the example's recorded
    runs of the parallel formation the merge chose, under the merge commit: as fast as the
    search expected, so monitoring confirms it and the search still prefers the parallel
    formation (it proposes the change again when the old text comes back)."""
    merge = git(repo, "rev-parse", "HEAD").strip()
    recorded = json.loads((DEMO / TEAM_RUNS).read_text(encoding="utf-8"))
    parallel = [r for r in recorded if isinstance(r, dict) and r.get("formation") == "parallel"]
    rng = np.random.default_rng(20261102)
    out = []
    for n, k in enumerate(rng.integers(0, len(parallel), runs).tolist()):
        r = dict(parallel[k])
        start = MERGED_AT + timedelta(minutes=30 * (n + 1))
        end = start + timedelta(seconds=float(r["duration_seconds"]))
        r.pop("git_sha", None)
        r["start_time"] = start.strftime("%Y-%m-%dT%H:%M:%SZ")
        r["end_time"] = end.strftime("%Y-%m-%dT%H:%M:%SZ")
        r["config_fingerprint"] = merge
        out.append(r)
    (repo / AFTER).write_text(json.dumps(out), encoding="utf-8")


def _commit_on_main(repo: Path, path: str, text: str, message: str) -> None:
    (repo / path).write_text(text, encoding="utf-8")
    git(repo, "commit", "-q", "-am", message)


def test_the_next_proposal_records_the_confirmed_outcome_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    repo = merged_repo(tmp_path, monkeypatch)
    applied = json.loads(_lines(repo, "main")[-1])["id"]
    _parallel_runs_after_merge(repo)
    forge = LocalForge(repo)
    (first,) = run_monitor(MonitorOptions(repo, MONITORED_AT), forge).watched
    assert first.outcome == "confirmed"
    assert first.history_entry == applied
    (comment,) = forge.list_comments(DRAFT)
    assert first.realised is not None
    assert first.realised.duration_percent is not None
    pct = first.realised.duration_percent
    assert f"{abs(pct):.1f} % {'faster' if pct >= 0 else 'slower'}" in comment.body
    # a later run does not judge the final outcome again: it has the figures of the
    # confirmation, as the status comment's marker kept them
    figures = realised_json(first.realised)
    (later,) = run_monitor(MonitorOptions(repo, MONITORED_AT), forge).watched
    assert later.outcome == "confirmed"
    assert later.realised == figures
    assert forge.list_comments(DRAFT) == [comment]

    # a person restores the team as it was (the docs member's goal reworded): a new proposal
    # of the same key may open now that the merged one is confirmed (the post-merge runs are
    # no longer in the metrics, as after a retention window: the search proposes again, and
    # the outcome keeps the figures of the confirmation, from the status comment's marker)
    (repo / AFTER).unlink()
    text = git(repo, "show", f"main^1:{WORKFLOW}")
    assert "team_formation: sequential" in text
    changed = text.replace("and the reference pages.", "and the reference docs.")
    assert changed != text
    _commit_on_main(repo, WORKFLOW, changed, "the team as it was")
    before = _lines(repo, "main")
    code, run = run_cli(repo, "run")
    assert code == 0, run
    assert [d["action"] for d in run["done"]] == ["pushed", "opened"]  # type: ignore[index]
    after = _lines(repo, BRANCH)
    assert after[: len(before)] == before  # append only
    assert len(after) == len(before) + 2
    outcome, apply = json.loads(after[-2]), json.loads(after[-1])
    assert (outcome["kind"], apply["kind"]) == ("outcome", "apply")
    assert outcome["applied"] == applied
    assert outcome["pull_request"]["ref"] == DRAFT
    assert outcome["targets"] == ["review_team"]
    assert (outcome["post_runs"], outcome["horizon"]) == (40, 40)
    assert outcome["realised"] == figures
    assert outcome["realised"]["post_runs"] == 40
    assert outcome["realised"]["duration_percent"] is not None

    # a rerun: nothing pushed, still one outcome line
    refs = branch_refs(repo)
    code, again = run_cli(repo, "run")
    assert code == 0
    assert [d["action"] for d in again["done"]] in ([], ["skipped"])  # type: ignore[index]
    assert branch_refs(repo) == refs

    # another change that carried the same outcome line merged first: the base records it,
    # the proposal is rebuilt on that base and carries its own apply line only
    _commit_on_main(repo, HISTORY, "\n".join(after[:-1]) + "\n", "another change merged")
    code, _rebuilt = run_cli(repo, "run")
    assert code == 0
    assert branch_refs(repo)[BRANCH] != refs[BRANCH]
    lines = _lines(repo, BRANCH)
    assert lines[:-1] == after[:-1]
    assert json.loads(lines[-1])["kind"] == "apply"
    assert len(_outcomes(lines)) == 1

    # merged: the history holds it once, and no later run writes it again
    git(repo, "merge", "--no-ff", "-q", "-m", "Merge the second proposal", BRANCH)
    code, _last = run_cli(repo, "run")
    assert code == 0
    entries = read_history(repo)
    assert [e["applied"] for e in entries if e["kind"] == "outcome"] == [applied]
    main_text = git(repo, "show", f"main:{HISTORY}")
    for ref in branch_refs(repo):
        assert len(_outcomes(_lines(repo, ref))) <= 1, ref
    assert history_entries(main_text) == entries[::-1]
