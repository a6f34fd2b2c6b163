"""The history file: self-contained entries with content-hash ids, strict JSON lines appended
to `.autotune/history.jsonl`, read back newest first, bad lines reported with file and line."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from autotune_bot.errors import InputError
from autotune_bot.history import (
    HISTORY_FILE,
    append_history,
    apply_entry,
    build_entry,
    entry_id,
    history_entry,
    read_history,
    read_texts,
)
from autotune_bot.patch.diff import unified_diff
from autotune_bot.tuning.config import TeamConfig
from autotune_bot.tuning.plan_types import TargetPlan, TuningPlan
from autotune_bot.tuning.suggestion import (
    Estimate,
    OptimizationPriority,
    OptimizationSuggestion,
    OptimizationType,
)

NOW = datetime(2026, 3, 1, 12, 30, tzinfo=UTC)
OLD = "team:\n  formation: sequential\n  timeout_seconds: 300\n"
NEW = "team:\n  formation: parallel\n  timeout_seconds: 300\n"
CURRENT = TeamConfig("sequential", ("a", "b", "c"), 60, 300.0)


def _entry(**changes: Any) -> dict[str, Any]:
    values: dict[str, Any] = {
        "kind": "apply",
        "now": NOW,
        "mode": "auto",
        "targets": ["review_team"],
        "description": "formation parallel",
        "files": [("workflows/wf.yaml", unified_diff(OLD, NEW, "workflows/wf.yaml"))],
        "configs": [
            {
                "scope": "team",
                "target": "review_team",
                "file": "workflows/wf.yaml",
                "before": {"formation": "sequential"},
                "after": {"formation": "parallel"},
            }
        ],
        "evidence": {"label": "simulated", "basis": ["simulated from recorded traces (50)"]},
        "validation_status": "not_validated",
    }
    values.update(changes)
    return build_entry(**values)


def test_entry_says_everything_and_its_id_hashes_its_content() -> None:
    entry = _entry()
    assert entry["kind"] == "apply"
    assert entry["timestamp"] == "2026-03-01T12:30:00+00:00"
    assert entry["targets"] == ["review_team"]
    assert entry["files"] == [
        {"path": "workflows/wf.yaml", "diff": unified_diff(OLD, NEW, "workflows/wf.yaml")}
    ]
    assert entry["diff"] == entry["files"][0]["diff"]
    assert entry["configs"][0]["before"] == {"formation": "sequential"}
    assert entry["validation"] is None
    assert entry["reverts"] is None
    # the id: SHA-256 of the canonical JSON of everything but the id, first 12 hex digits
    content = {k: v for k, v in entry.items() if k != "id"}
    canonical = json.dumps(content, sort_keys=True, separators=(",", ":"))
    assert entry["id"] == hashlib.sha256(canonical.encode()).hexdigest()[:12]
    assert entry_id(entry) == entry["id"]
    assert _entry() == entry  # pure: the same values give the same entry
    assert _entry(now=datetime(2026, 3, 1, 12, 31, tzinfo=UTC))["id"] != entry["id"]


def test_validation_result_is_kept_as_json() -> None:
    result = {"status": "passed", "ratio": 0.8, "interval": [0.7, 0.9], "n": [20, 20]}
    entry = _entry(validation=result, validation_status="passed")
    assert entry["validation"] == result
    assert entry["validation_status"] == "passed"


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"kind": "undo"}, "unknown history entry kind"),
        ({"validation_status": "great"}, "unknown validation status"),
        ({"evidence": {"label": "guessed"}}, "unknown evidence label"),
        ({"kind": "rollback"}, "names the entry it reverts"),
        ({"reverts": "abc"}, "names the entry it reverts"),
        ({"validation": {"ratio": float("nan")}}, "not JSON compliant"),
    ],
)
def test_bad_values_are_refused(changes: dict[str, Any], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        _entry(**changes)


@dataclass(frozen=True)
class _Patch:
    path: str
    diff: str
    suggestions: tuple[OptimizationSuggestion, ...]


def _suggestion(
    candidate: TeamConfig, description: str, improvement: float
) -> OptimizationSuggestion:
    return OptimizationSuggestion(
        type=OptimizationType.FORMATION_SELECTION,
        priority=OptimizationPriority.HIGH,
        description=description,
        current_config={},
        suggested_config={},
        expected_improvement=improvement,
        confidence=0.7,
        risk_level=0.3,
        scope="team",
        target="review_team",
        candidate=candidate,
        estimate=Estimate("simulated from recorded traces (50 executions)", 50),
    )


def test_apply_entry_has_before_and_after_configuration() -> None:
    parallel = _suggestion(replace(CURRENT, formation="parallel"), "formation parallel", 20.0)
    smaller = _suggestion(replace(CURRENT, members=("a", "b")), "drop c", 5.0)
    plan = TuningPlan(
        (TargetPlan("team", "review_team", "wf.yaml", None, (), None, None, current=CURRENT),)
    )
    patch = _Patch("wf.yaml", unified_diff(OLD, NEW, "wf.yaml"), (parallel, smaller))
    entry = apply_entry(patch, plan, now=NOW, mode="interactive")
    (config,) = entry["configs"]
    assert (config["scope"], config["target"], config["file"]) == ("team", "review_team", "wf.yaml")
    assert config["before"]["formation"] == "sequential"
    assert config["before"]["members"] == ["a", "b", "c"]
    assert config["after"]["formation"] == "parallel"  # both suggestions, merged
    assert config["after"]["members"] == ["a", "b"]
    assert config["after"]["member_count"] == 2
    assert entry["description"] == "formation parallel; drop c"
    assert entry["mode"] == "interactive"
    assert entry["evidence"] == {
        "label": "simulated",
        "basis": ["simulated from recorded traces (50 executions)"],
    }
    assert entry["validation_status"] == "not_validated"
    assert entry["improvement_percentage"] is None  # two estimates do not add up
    assert [s["description"] for s in entry["optimization"]["suggestions"]] == [
        "formation parallel",
        "drop c",
    ]
    single = apply_entry(_Patch("wf.yaml", patch.diff, (parallel,)), plan, now=NOW, mode="auto")
    assert single["improvement_percentage"] == 20.0
    assert single["configs"][0]["after"]["members"] == ["a", "b", "c"]


def test_history_entry_takes_the_path_from_the_diff_and_labels_the_evidence() -> None:
    parallel = _suggestion(replace(CURRENT, formation="parallel"), "formation parallel", 20.0)
    diff = unified_diff(OLD, NEW, "workflows/wf.yaml")
    entry = history_entry([parallel], diff, now=NOW, mode="auto")
    assert entry["files"] == [{"path": "workflows/wf.yaml", "diff": diff}]
    assert entry["configs"] == []  # no plan: the configurations are not known
    assert entry["improvement_basis"] == "estimated from recorded traces"
    measured = history_entry(
        [parallel],
        diff,
        now=NOW,
        mode="auto",
        evidence="measured",
        validation={"status": "passed"},
        validation_status="passed",
    )
    assert measured["evidence"]["label"] == "measured"
    assert measured["improvement_basis"] == "A/B test"
    assert measured["validation"] == {"status": "passed"}
    with pytest.raises(ValueError, match="unknown evidence label"):
        history_entry([parallel], diff, now=NOW, mode="auto", evidence="hoped")


def test_append_and_read_back_newest_first(tmp_path: Path) -> None:
    first = _entry()
    second = _entry(targets=["deep_research"], now=datetime(2026, 3, 2, tzinfo=UTC))
    where = append_history(tmp_path, [first])
    append_history(tmp_path, [second])
    assert where == tmp_path / ".autotune" / "history.jsonl"
    lines = where.read_text(encoding="utf-8").splitlines()
    assert [json.loads(line)["id"] for line in lines] == [first["id"], second["id"]]
    assert read_history(tmp_path) == [second, first]
    assert read_history(tmp_path, "review_team") == [first]
    assert read_history(tmp_path / "nowhere") == []


def test_append_after_a_hand_edited_line_without_newline(tmp_path: Path) -> None:
    first, second = _entry(), _entry(mode="interactive")
    path = tmp_path / HISTORY_FILE
    path.parent.mkdir()
    path.write_text(json.dumps(first), encoding="utf-8")  # no final newline
    append_history(tmp_path, [second])
    assert [e["id"] for e in read_history(tmp_path)] == [second["id"], first["id"]]


@pytest.mark.parametrize(
    ("line", "field", "message"),
    [
        ('{"id": "x", "kind": "apply"', None, "not a JSON object"),
        ("[1, 2]", None, "not a JSON object"),
        ('{"value": NaN}', None, "NaN is not strict JSON"),
        ('{"id": "x", "kind": "redo", "targets": [], "timestamp": "t", "files": []}', "kind", ""),
        (
            '{"id": "x", "kind": "apply", "targets": "t", "timestamp": "t", "files": []}',
            "targets",
            "",
        ),
        (
            '{"id": "x", "kind": "rollback", "targets": [], "timestamp": "t", "files": []}',
            "reverts",
            "",
        ),
        (
            '{"id": "x", "kind": "apply", "targets": [], "timestamp": "t", "files": [{"path": 1}]}',
            "files[0].path",
            "a string expected",
        ),
        (
            '{"id": "x", "kind": "apply", "targets": [], "timestamp": "t", "files": {}}',
            "files",
            "",
        ),
    ],
)
def test_bad_line_is_an_input_error_with_file_and_line(
    tmp_path: Path, line: str, field: str | None, message: str
) -> None:
    append_history(tmp_path, [_entry()])
    with (tmp_path / HISTORY_FILE).open("a", encoding="utf-8") as out:
        out.write("\n" + line + "\n")  # line 3 (line 2 is blank, and skipped)
    with pytest.raises(InputError) as info:
        read_history(tmp_path)
    err = info.value
    assert (err.path, err.line, err.field) == (".autotune/history.jsonl", 3, field)
    assert message in str(err)
    assert str(err).startswith(".autotune/history.jsonl:3: ")


def test_entries_written_before_ids_and_kinds_are_read(tmp_path: Path) -> None:
    diff = unified_diff(OLD, NEW, "workflows/wf.yaml")
    legacy = {
        "timestamp": NOW.isoformat(),
        "targets": ["review_team"],
        "mode": "auto",
        "optimization": {"description": "formation parallel", "suggestions": []},
        "validation_status": "not_validated",
        "diff": diff,
    }
    path = tmp_path / HISTORY_FILE
    path.parent.mkdir()
    path.write_text(json.dumps(legacy) + "\n", encoding="utf-8")
    (entry,) = read_history(tmp_path)
    assert entry["id"] == entry_id(legacy)
    assert entry["kind"] == "apply"
    assert entry["reverts"] is None
    assert entry["description"] == "formation parallel"
    assert entry["files"] == [{"path": "workflows/wf.yaml", "diff": diff}]
    assert read_history(tmp_path) == [entry]  # the same id on every read


def test_read_texts_keeps_exact_bytes(tmp_path: Path) -> None:
    (tmp_path / "w").mkdir()
    (tmp_path / "w" / "crlf.yaml").write_bytes("\ufeffa: 1\r\nb: 2".encode())
    (tmp_path / "w" / "latin.yaml").write_bytes(b"a: \xe9\n")
    texts = read_texts(tmp_path, ["w/crlf.yaml", "w/latin.yaml", "w/missing.yaml"])
    assert texts == {
        "w/crlf.yaml": "\ufeffa: 1\r\nb: 2",
        "w/latin.yaml": None,
        "w/missing.yaml": None,
    }


def _append_raw(root: Path, files: list[dict[str, Any]]) -> int:
    """Append, after one good entry, an entry for target ``evil`` with these ``files``; its
    line number."""
    append_history(root, [_entry()])
    evil = _entry(targets=["evil"])
    evil["files"] = files
    append_history(root, [evil])
    return 2


DIFF = unified_diff("a: 0\n", "a: 1\n", "x.yaml")


@pytest.mark.parametrize(
    ("path", "message"),
    [
        ("../outside.txt", "'..' component"),
        ("workflows/../../outside.txt", "'..' component"),
        ("/etc/passwd", "is absolute"),
        ("C:/Windows/win.ini", "is absolute"),
        ("workflows\\wf.yaml", "backslash"),
        (".git/config", "inside .git"),
        ("", "empty path"),
    ],
)
def test_unsafe_file_paths_are_refused_on_reading(tmp_path: Path, path: str, message: str) -> None:
    line = _append_raw(
        tmp_path, [{"path": "workflows/wf.yaml", "diff": DIFF}, {"path": path, "diff": DIFF}]
    )
    with pytest.raises(InputError) as info:
        read_history(tmp_path)
    err = info.value
    assert (err.path, err.line, err.field) == (".autotune/history.jsonl", line, "files[1].path")
    assert message in str(err)


def test_a_path_leading_outside_through_a_symbolic_link_is_refused(tmp_path: Path) -> None:
    repo, outside = tmp_path / "repo", tmp_path / "outside"
    repo.mkdir()
    outside.mkdir()
    (outside / "wf.yaml").write_text("a: 1\n", encoding="utf-8")
    (repo / "linked").symlink_to(outside, target_is_directory=True)
    line = _append_raw(repo, [{"path": "linked/wf.yaml", "diff": DIFF}])
    with pytest.raises(InputError) as info:
        read_history(repo)
    assert (info.value.line, info.value.field) == (line, "files[0].path")
    assert "resolves outside the repository" in str(info.value)
    with pytest.raises(InputError, match="resolves outside the repository"):
        read_texts(repo, ["linked/wf.yaml"])


@pytest.mark.parametrize(
    ("diff", "message"),
    [
        ("--- a/x.yaml\n@@ -1 +1 @@\n-a: 0\n+a: 1\n", "unreadable diff: diff line 1: '---' header"),
        ("just some text\n", "a diff of 0 files; one expected"),
        (DIFF + DIFF.replace("x.yaml", "y.yaml"), "a diff of 2 files"),
    ],
)
def test_an_unreadable_stored_diff_is_refused_naming_the_field(
    tmp_path: Path, diff: str, message: str
) -> None:
    line = _append_raw(tmp_path, [{"path": "workflows/wf.yaml", "diff": diff}])
    with pytest.raises(InputError) as info:
        read_history(tmp_path)
    err = info.value
    assert (err.path, err.line, err.field) == (".autotune/history.jsonl", line, "files[0].diff")
    assert message in str(err)


def test_read_texts_refuses_paths_outside_the_repository(tmp_path: Path) -> None:
    (tmp_path / "repo").mkdir()
    (tmp_path / "secret.txt").write_text("s\n", encoding="utf-8")
    for name in ("../secret.txt", str(tmp_path / "secret.txt")):
        with pytest.raises(InputError, match="not read"):
            read_texts(tmp_path / "repo", [name])
