"""The rollback planner on histories built from real diffs: what an index counts, refusals
(unknown target, index out of range, already rolled back, missing file, lines changed again by a
later entry or by hand) and the rollback entry it returns."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from autotune_bot.history import build_entry
from autotune_bot.patch.diff import unified_diff
from autotune_bot.rollback import (
    RollbackError,
    history_paths,
    plan_rollback,
    reverted_by,
    select_entry,
    target_history,
)

WF = "workflows/wf.yaml"
OTHER = "workflows/other.yaml"
START = datetime(2026, 3, 1, tzinfo=UTC)
BASE = "".join(f"k{i}: {i}\n" for i in range(40))


class Repo:
    """Texts of files and a history (newest first), changed like `apply`/`rollback` would."""

    def __init__(self) -> None:
        self.texts: dict[str, str | None] = {WF: BASE, OTHER: BASE.replace("k", "o")}
        self.entries: list[dict[str, Any]] = []
        self.clock = START

    def tick(self) -> datetime:
        self.clock += timedelta(minutes=1)
        return self.clock

    def apply(self, target: str, changes: Mapping[str, tuple[str, str]]) -> dict[str, Any]:
        """Replace text in files (path → (old, new)) and record an apply entry."""
        files = []
        for path, (old, new) in changes.items():
            text = self.texts[path]
            assert text is not None
            assert old in text
            changed = text.replace(old, new)
            files.append((path, unified_diff(text, changed, path)))
            self.texts[path] = changed
        entry = build_entry(
            kind="apply",
            now=self.tick(),
            mode="auto",
            targets=[target],
            description=f"change {target}",
            files=files,
            configs=[
                {
                    "scope": "team",
                    "target": target,
                    "file": files[0][0],
                    "before": {"formation": "sequential"},
                    "after": {"formation": "parallel"},
                }
            ],
            evidence={"label": "simulated", "basis": []},
            validation_status="not_validated",
        )
        self.entries.insert(0, entry)
        return entry

    def rollback(self, target: str, **kwargs: Any) -> dict[str, Any]:
        plan = plan_rollback(self.entries, target, self.texts, now=self.tick(), **kwargs)
        for f in plan.files:
            assert self.texts[f.path] == f.old_text
            self.texts[f.path] = f.new_text
        self.entries.insert(0, plan.entry)
        return plan.entry


def test_index_counts_the_targets_still_applied_changes_newest_first() -> None:
    repo = Repo()
    a = repo.apply("review_team", {WF: ("k5: 5\n", "k5: 50\n")})
    repo.apply("deep_research", {OTHER: ("o5: 5\n", "o5: 50\n")})
    c = repo.apply("review_team", {WF: ("k30: 30\n", "k30: 300\n")})
    lines = target_history(repo.entries, "review_team")
    assert [(line.entry["id"], line.index) for line in lines] == [(c["id"], 0), (a["id"], 1)]
    assert select_entry(repo.entries, "review_team") == c
    assert select_entry(repo.entries, "review_team", 1) == a
    r = repo.rollback("review_team")  # index 0: the latest, c
    assert r["reverts"] == c["id"]
    assert reverted_by(repo.entries) == {c["id"]: r["id"]}
    lines = target_history(repo.entries, "review_team")
    assert [(line.entry["id"], line.index, line.rolled_back_by) for line in lines] == [
        (r["id"], None, None),
        (c["id"], None, r["id"]),
        (a["id"], 0, None),  # rolled-back entries are skipped: a is index 0 now
    ]
    repo.rollback("review_team")
    assert repo.texts[WF] == BASE  # both undone, byte for byte
    assert repo.texts[OTHER] == BASE.replace("k", "o").replace("o5: 5\n", "o5: 50\n")


def test_rollback_entry_records_what_it_undid() -> None:
    repo = Repo()
    a = repo.apply("review_team", {WF: ("k5: 5\n", "k5: 50\n")})
    before = repo.texts[WF]
    assert before is not None
    plan = plan_rollback(repo.entries, "review_team", repo.texts, now=START)
    entry = plan.entry
    assert plan.reverted == a
    assert entry["kind"] == "rollback"
    assert entry["reverts"] == a["id"]
    assert entry["targets"] == ["review_team"]
    assert entry["timestamp"] == START.isoformat()
    assert entry["description"] == f"rollback of {a['id']}: change review_team"
    assert entry["files"] == [{"path": WF, "diff": unified_diff(before, BASE, WF)}]
    assert plan.diff == entry["diff"]
    assert entry["configs"][0]["before"] == {"formation": "parallel"}
    assert entry["configs"][0]["after"] == {"formation": "sequential"}
    assert entry["evidence"] is None
    assert entry["validation_status"] == "not_validated"
    assert [(f.path, f.old_text, f.new_text) for f in plan.files] == [(WF, before, BASE)]


def test_unknown_target_lists_the_recorded_ones() -> None:
    repo = Repo()
    repo.apply("review_team", {WF: ("k5: 5\n", "k5: 50\n")})
    with pytest.raises(RollbackError) as info:
        plan_rollback(repo.entries, "nope", repo.texts, now=START)
    assert info.value.field == "--target"
    assert "no change of 'nope'" in str(info.value)
    assert "recorded targets: review_team" in str(info.value)
    with pytest.raises(RollbackError, match="recorded targets: none"):
        plan_rollback([], "nope", {}, now=START)


@pytest.mark.parametrize("index", [1, 7, -1])
def test_index_out_of_range(index: int) -> None:
    repo = Repo()
    repo.apply("review_team", {WF: ("k5: 5\n", "k5: 50\n")})
    with pytest.raises(RollbackError) as info:
        plan_rollback(repo.entries, "review_team", repo.texts, now=START, index=index)
    assert info.value.field == "--index"
    assert "1 change(s) still applied (index 0 to 0)" in str(info.value)
    assert f"no index {index}" in str(info.value)


def test_everything_rolled_back_and_already_rolled_back() -> None:
    repo = Repo()
    a = repo.apply("review_team", {WF: ("k5: 5\n", "k5: 50\n")})
    r = repo.rollback("review_team")
    with pytest.raises(RollbackError, match="no change still applied"):
        repo.rollback("review_team")
    with pytest.raises(RollbackError) as info:
        repo.rollback("review_team", entry_id=a["id"])
    assert f"{a['id']} was already rolled back by {r['id']}" in str(info.value)
    with pytest.raises(RollbackError, match="is a rollback"):
        repo.rollback("review_team", entry_id=r["id"])
    assert repo.texts[WF] == BASE


def test_entry_by_id_or_unique_prefix() -> None:
    repo = Repo()
    a = repo.apply("review_team", {WF: ("k5: 5\n", "k5: 50\n")})
    repo.apply("review_team", {WF: ("k30: 30\n", "k30: 300\n")})
    assert repo.rollback("review_team", entry_id=a["id"][:6])["reverts"] == a["id"]
    with pytest.raises(RollbackError, match="no entry of 'review_team' with id 'ffff"):
        repo.rollback("review_team", entry_id="ffffffffffff")
    with pytest.raises(RollbackError, match="entries of 'review_team'"):
        repo.rollback("review_team", entry_id="")


def test_missing_file() -> None:
    repo = Repo()
    a = repo.apply("review_team", {WF: ("k5: 5\n", "k5: 50\n")})
    repo.texts[WF] = None
    with pytest.raises(RollbackError) as info:
        plan_rollback(repo.entries, "review_team", repo.texts, now=START)
    assert str(info.value) == f"cannot roll back {a['id']}: {WF}: the file is missing"
    with pytest.raises(RollbackError, match="the file is missing"):
        plan_rollback(repo.entries, "review_team", {}, now=START)


def test_older_entry_whose_lines_a_later_one_changed_is_refused_naming_it() -> None:
    repo = Repo()
    a = repo.apply("review_team", {WF: ("k5: 5\n", "k5: 50\n")})
    b = repo.apply("deep_research", {WF: ("k5: 50\n", "k5: 500\n")})
    repo.apply("review_team", {OTHER: ("o9: 9\n", "o9: 90\n")})  # another file: irrelevant
    with pytest.raises(RollbackError) as info:
        plan_rollback(repo.entries, "review_team", repo.texts, now=START, index=1)
    message = str(info.value)
    assert message.startswith(f"cannot roll back {a['id']}: {WF}: ")
    assert f"changed again by the later entry {b['id']} (apply of " in message
    assert "change deep_research" in message
    assert "\n" not in message
    # once the later one is rolled back, the older one goes back byte for byte
    repo.rollback("deep_research")
    repo.rollback("review_team", index=1)
    assert repo.texts[WF] == BASE


def test_older_entry_reverts_when_later_changes_are_elsewhere_in_the_file() -> None:
    repo = Repo()
    repo.apply("review_team", {WF: ("k5: 5\n", "k5: 50\n")})
    # a later change of another target far below, and one inserting lines above
    repo.apply("deep_research", {WF: ("k30: 30\n", "k30: 300\n")})
    repo.apply("deep_research", {WF: ("k0: 0\n", "k0: 0\nnew: 1\nnew: 2\n")})
    repo.rollback("review_team")
    expected = BASE.replace("k30: 30\n", "k30: 300\n").replace("k0: 0\n", "k0: 0\nnew: 1\nnew: 2\n")
    assert repo.texts[WF] == expected


def test_hand_edit_of_the_changed_lines_is_refused_naming_file_and_hunk() -> None:
    repo = Repo()
    a = repo.apply("review_team", {WF: ("k5: 5\n", "k5: 50\n")})
    repo.texts[WF] = (repo.texts[WF] or "").replace("k5: 50\n", "k5: 51\n")
    with pytest.raises(RollbackError) as info:
        plan_rollback(repo.entries, "review_team", repo.texts, now=START)
    message = str(info.value)
    assert message.startswith(f"cannot roll back {a['id']}: {WF}:3: hunk 1 (@@ -3,7 +3,7 @@): ")
    assert "edited since" in message
    assert "later entry" not in message


def test_a_file_of_a_multi_file_entry_conflicting_stops_the_whole_rollback() -> None:
    repo = Repo()
    repo.apply("review_team", {WF: ("k5: 5\n", "k5: 50\n"), OTHER: ("o7: 7\n", "o7: 70\n")})
    repo.texts[OTHER] = (repo.texts[OTHER] or "").replace("o7: 70\n", "o7: 71\n")
    with pytest.raises(RollbackError, match=OTHER):
        plan_rollback(repo.entries, "review_team", repo.texts, now=START)
    repo.texts[OTHER] = (repo.texts[OTHER] or "").replace("o7: 71\n", "o7: 70\n")
    plan = plan_rollback(repo.entries, "review_team", repo.texts, now=START)
    assert [f.path for f in plan.files] == [WF, OTHER]
    assert [f.new_text for f in plan.files] == [BASE, BASE.replace("k", "o")]
    assert history_paths(repo.entries) == [OTHER, WF]


def test_an_unreadable_stored_diff_is_blamed_on_the_history_not_the_file() -> None:
    repo = Repo()
    a = repo.apply("review_team", {WF: ("k5: 5\n", "k5: 50\n"), OTHER: ("o7: 7\n", "o7: 70\n")})
    broken = dict(a)
    good, bad = a["files"]
    broken["files"] = [good, {"path": bad["path"], "diff": bad["diff"].replace("+++ ", "+-+ ")}]
    with pytest.raises(RollbackError) as info:
        plan_rollback([broken], "review_team", repo.texts, now=START)
    err = info.value
    assert (err.path, err.field) == (".autotune/history.jsonl", "files[1].diff")
    assert str(err).startswith(".autotune/history.jsonl: files[1].diff: cannot roll back ")
    assert f"the stored diff of {OTHER} is unreadable: diff line 1: '---' header" in str(err)
