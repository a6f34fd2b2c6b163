"""build_patches: accepted suggestions become one patch per workflow file, changing exactly
the lines they name; a file whose patch fails is left alone and reported, the others are
still patched."""

from __future__ import annotations

import dataclasses
import difflib

import pytest

from autotune_bot.tuning.config import TeamConfig
from autotune_bot.tuning.file_patches import FilePatch, PatchFailure, build_patches, preview_patch
from autotune_bot.tuning.suggestion import OptimizationSuggestion

from .conftest import DemoTuning, make_suggestion

Edits = list[tuple[str, tuple[int, int], tuple[str, ...]]]


def _edits(patch: FilePatch) -> Edits:
    """(kind, 1-based old line range, new lines) of every change between old and new text."""
    old, new = patch.old_text.splitlines(), patch.new_text.splitlines()
    out: Edits = []
    for kind, i1, i2, j1, j2 in difflib.SequenceMatcher(a=old, b=new, autojunk=False).get_opcodes():
        if kind != "equal":
            out.append((kind, (i1 + 1, i2), tuple(new[j1:j2])))
    return out


def _bests(demo: DemoTuning) -> list[OptimizationSuggestion]:
    return [t.best for t in demo.plan.targets if t.best is not None]


@pytest.fixture(scope="module")
def auto(demo: DemoTuning) -> dict[str, FilePatch]:
    patches, failures = build_patches(_bests(demo), demo.plan, demo.files)
    assert failures == []
    return {p.path: p for p in patches}


def test_auto_patches_two_files(auto: dict[str, FilePatch], demo: DemoTuning) -> None:
    assert sorted(auto) == ["workflows/code_review.yaml", "workflows/research.yaml"]
    for path, patch in auto.items():
        assert patch.old_text == demo.files[path].text
        (suggestion,) = patch.suggestions
        assert suggestion.candidate is not None


def test_code_review_changes_exactly_the_formation_and_docs(auto: dict[str, FilePatch]) -> None:
    assert _edits(auto["workflows/code_review.yaml"]) == [
        ("replace", (40, 40), ("        team_formation: parallel",)),
        ("delete", (68, 74), ()),
    ]
    old = auto["workflows/code_review.yaml"].old_text.splitlines()
    assert old[39] == "        team_formation: sequential"
    assert old[67] == "          - id: docs"
    assert old[74] == "        next: [summarize]"  # the line after the removed member is kept


def test_research_changes_exactly_the_parallel_node_pruning_and_cache(
    auto: dict[str, FilePatch],
) -> None:
    patch = auto["workflows/research.yaml"]
    (insert, replace) = _edits(patch)
    assert insert == (
        "insert",
        (28, 27),
        (
            "      - id: fetch_papers_parallel",
            "        type: parallel",
            "        parallel_nodes: [fetch_papers, fetch_news]",
            "        join_strategy: all",
            "        next: [route]",
            "",
        ),
    )
    # legacy_enrich (line 55) goes with its comment and the blank line before it; fetch_news,
    # which ended at line 50, gets its cache block
    assert replace == (
        "replace",
        (51, 62),
        ("        cache: {enabled: true, tools: [web_search], ttl_seconds: 3600}",),
    )
    old = patch.old_text.splitlines()
    assert old[54] == "      - id: legacy_enrich"
    assert old[49] == "        output: news"


def test_diff_headers(auto: dict[str, FilePatch]) -> None:
    for path, patch in auto.items():
        lines = patch.diff.splitlines()
        assert lines[0] == f"--- a/{path}"
        assert lines[1] == f"+++ b/{path}"
        assert lines[2].startswith("@@ -")
    code = auto["workflows/code_review.yaml"].diff
    assert "-        team_formation: sequential\n+        team_formation: parallel\n" in code
    assert "-          - id: docs\n" in code


def test_failing_patch_leaves_its_file_alone_and_others_are_patched(
    demo: DemoTuning, auto: dict[str, FilePatch]
) -> None:
    review = demo.target("team", "review_team")
    assert review.best is not None
    assert isinstance(review.best.candidate, TeamConfig)
    ghost = dataclasses.replace(review.best.candidate, members=("security", "ghost"))
    broken = dataclasses.replace(review.best, candidate=ghost)
    research = demo.target("workflow", "deep_research").best
    assert research is not None
    patches, failures = build_patches([broken, research], demo.plan, demo.files)
    assert [p.path for p in patches] == ["workflows/research.yaml"]
    assert patches[0].new_text == auto["workflows/research.yaml"].new_text
    (failure,) = failures
    assert isinstance(failure, PatchFailure)
    assert failure.path == "workflows/code_review.yaml"
    assert "ghost" in failure.reason
    assert str(failure).startswith("workflows/code_review.yaml: not changed: ")
    assert "\n" not in str(failure)


def test_suggestions_of_one_target_merge_into_one_patch(
    demo: DemoTuning, auto: dict[str, FilePatch]
) -> None:
    review = demo.target("team", "review_team")
    chosen = [s for s in review.suggestions if s.strategy in ("formation_selection", "team_sizing")]
    patches, failures = build_patches(chosen, demo.plan, demo.files)
    assert failures == []
    (patch,) = patches
    assert patch.new_text == auto["workflows/code_review.yaml"].new_text
    assert patch.suggestions == tuple(chosen)


def test_two_targets_of_one_file_are_patched_together(demo: DemoTuning) -> None:
    team = demo.target("team", "research_team")
    assert isinstance(team.current, TeamConfig)
    budget = dataclasses.replace(team.current, total_tool_budget=140)
    team_change = dataclasses.replace(
        make_suggestion("research_team"), candidate=budget, target="research_team"
    )
    flow = demo.target("workflow", "deep_research")
    (caching,) = [s for s in flow.suggestions if s.strategy == "caching"]
    patches, failures = build_patches([team_change, caching], demo.plan, demo.files)
    assert failures == []
    (patch,) = patches
    assert patch.path == "workflows/research.yaml"
    changed = [new for _, _, new in _edits(patch)]
    assert ("        total_tool_budget: 140",) in changed
    assert ("        cache: {enabled: true, tools: [web_search], ttl_seconds: 3600}",) in changed
    assert len(changed) == 2


def test_preview_is_the_diff_of_one_suggestion(demo: DemoTuning) -> None:
    review = demo.target("team", "review_team")
    (formation,) = [s for s in review.suggestions if s.strategy == "formation_selection"]
    diff = preview_patch(formation, demo.plan, demo.files)
    assert diff.startswith("--- a/workflows/code_review.yaml\n")
    removed = [ln for ln in diff.splitlines() if ln.startswith("-") and not ln.startswith("---")]
    assert removed == ["-        team_formation: sequential"]


def test_suggestion_without_a_target_in_the_plan_patches_nothing(demo: DemoTuning) -> None:
    stray = make_suggestion("no_such_team")
    assert build_patches([stray], demo.plan, demo.files) == ([], [])
