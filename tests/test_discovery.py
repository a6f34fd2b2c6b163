"""Tests of workflow and metrics file discovery on real directory trees."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from autotune_bot.discovery import Discovered, discover, glob_matches
from autotune_bot.errors import UsageError
from autotune_bot.settings import Settings


def make_tree(root: Path, *files: str) -> None:
    for rel in files:
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("x", encoding="utf-8")


def names(found: Discovered, paths: tuple[Path, ...]) -> list[str]:
    return [found.display(path) for path in paths]


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    root = tmp_path / "repo"
    make_tree(
        root,
        "workflows/review.yaml",
        "workflows/sub/research.yml",
        "workflows/README.md",
        "workflows/archive/old.yaml",
        "services/api/workflows/deploy.YAML",
        "notworkflows/other.yaml",
        "top.yaml",
        ".github/workflows/ci.yml",
        ".git/workflows/x.yaml",
        ".venv/lib/workflows/x.yaml",
        "node_modules/pkg/workflows/x.yaml",
        ".autotune/workflows/x.yaml",
        "metrics/runs.jsonl",
        "metrics/runs.jsonl.gz",
        "metrics/teams.json",
        "metrics/old/teams.json.gz",
        "metrics/stream.ndjson",
        "metrics/stream.ndjson.gz",
        "metrics/notes.txt",
        "metrics/table.csv",
        "data/metrics/extra.json",
        "workflows/metrics.json",
        ".github/metrics/m.json",
        "node_modules/metrics/m.json",
    )
    return root


def test_default_workflows(repo: Path) -> None:
    found = discover(repo, Settings())
    assert names(found, found.workflow_files) == [
        "services/api/workflows/deploy.YAML",
        "workflows/archive/old.yaml",
        "workflows/review.yaml",
        "workflows/sub/research.yml",
    ]


def test_default_metrics(repo: Path) -> None:
    found = discover(repo, Settings())
    assert names(found, found.metrics_files) == [
        "data/metrics/extra.json",
        "metrics/old/teams.json.gz",
        "metrics/runs.jsonl",
        "metrics/runs.jsonl.gz",
        "metrics/stream.ndjson",
        "metrics/stream.ndjson.gz",
        "metrics/teams.json",
    ]


def test_paths_are_absolute_sorted_and_exist(repo: Path) -> None:
    found = discover(repo, Settings())
    for paths in (found.workflow_files, found.metrics_files):
        assert list(paths) == sorted(paths)
        assert all(path.is_absolute() and path.is_file() for path in paths)
    assert found.repo_root == repo.resolve()


def test_exclude_applies_to_the_defaults(repo: Path) -> None:
    found = discover(repo, Settings(exclude=("**/archive/**", "metrics/old")))
    assert "workflows/archive/old.yaml" not in names(found, found.workflow_files)
    assert "metrics/old/teams.json.gz" not in names(found, found.metrics_files)
    assert "metrics/runs.jsonl" in names(found, found.metrics_files)


def test_settings_globs_replace_the_defaults(tmp_path: Path) -> None:
    make_tree(
        tmp_path,
        "flows/a.yaml",
        "flows/x/y/b.yaml",
        "flows/x/notes.txt",
        "flows/archive/c.yaml",
        "workflows/ignored.yaml",
        "telemetry/2026/01/run.jsonl.gz",
        "telemetry/2026/01/run.jsonl",
        "metrics/ignored.json",
    )
    settings = Settings(
        workflows=("flows/**/*.yaml",),
        metrics=("telemetry/**/*.jsonl.gz",),
        exclude=("**/archive/**",),
    )
    found = discover(tmp_path, settings)
    assert names(found, found.workflow_files) == ["flows/a.yaml", "flows/x/y/b.yaml"]
    assert names(found, found.metrics_files) == ["telemetry/2026/01/run.jsonl.gz"]


def test_one_list_of_globs_leaves_the_other_default(tmp_path: Path) -> None:
    make_tree(tmp_path, "flows/a.yaml", "workflows/b.yaml", "metrics/m.json")
    found = discover(tmp_path, Settings(workflows=("flows/*.yaml",)))
    assert names(found, found.workflow_files) == ["flows/a.yaml"]
    assert names(found, found.metrics_files) == ["metrics/m.json"]


def test_wildcards_skip_github_but_a_literal_path_reaches_it(tmp_path: Path) -> None:
    make_tree(tmp_path, ".github/workflows/ci.yml", ".github/victor/flow.yml", "a/flow.yml")
    everything = discover(tmp_path, Settings(workflows=("**/*.yml",)))
    assert names(everything, everything.workflow_files) == ["a/flow.yml"]
    literal = discover(tmp_path, Settings(workflows=(".github/victor/*.yml",)))
    assert names(literal, literal.workflow_files) == [".github/victor/flow.yml"]


def test_never_searched_directories_stay_unsearched_with_globs(tmp_path: Path) -> None:
    make_tree(tmp_path, "node_modules/w.yaml", ".venv/w.yaml", ".git/w.yaml", "w.yaml")
    found = discover(tmp_path, Settings(workflows=("**/w.yaml", "node_modules/*.yaml")))
    assert names(found, found.workflow_files) == ["w.yaml"]


@pytest.mark.skipif(not hasattr(os, "symlink"), reason="needs symlinks")
def test_symlinks_out_of_the_repo_are_not_followed(tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    make_tree(outside, "workflows/secret.yaml", "data.json")
    repo = tmp_path / "repo"
    make_tree(repo, "workflows/real.yaml", "metrics/m.json")
    (repo / "linked").symlink_to(outside, target_is_directory=True)
    (repo / "workflows" / "linked_dir").symlink_to(outside / "workflows")
    (repo / "metrics" / "leak.json").symlink_to(outside / "data.json")
    (repo / "metrics" / "alias.json").symlink_to(repo / "metrics" / "m.json")
    (repo / "metrics" / "dangling.json").symlink_to(repo / "metrics" / "gone.json")
    found = discover(repo, Settings())
    assert names(found, found.workflow_files) == ["workflows/real.yaml"]
    assert names(found, found.metrics_files) == ["metrics/alias.json", "metrics/m.json"]


def test_display_of_a_path_outside_the_repo(tmp_path: Path) -> None:
    make_tree(tmp_path, "r/workflows/a.yaml")
    found = discover(tmp_path / "r", Settings())
    assert found.display(tmp_path / "elsewhere.yaml") == (tmp_path / "elsewhere.yaml").as_posix()
    assert found.display(tmp_path / "r" / "workflows" / "a.yaml") == "workflows/a.yaml"


def test_repo_root_must_be_a_directory(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="not a directory"):
        discover(tmp_path / "missing", Settings())


def test_empty_repository(tmp_path: Path) -> None:
    found = discover(tmp_path, Settings())
    assert (found.workflow_files, found.metrics_files) == ((), ())


@pytest.mark.parametrize(
    ("pattern", "path", "matches"),
    [
        ("workflows/*.yaml", "workflows/a.yaml", True),
        ("workflows/*.yaml", "workflows/sub/a.yaml", False),
        ("workflows/**/*.yaml", "workflows/a.yaml", True),
        ("workflows/**/*.yaml", "workflows/x/y/a.yaml", True),
        ("**/*.yaml", "a.yaml", True),
        ("**/*.yaml", "a.yml", False),
        ("**/archive/**", "w/archive/old/a.yaml", True),
        ("**/archive/**", "w/archived/a.yaml", False),
        ("metrics/*.json?", "metrics/a.jsonl", True),
        ("metrics/[ab].json", "metrics/c.json", False),
        ("**", ".github/workflows/ci.yml", False),
        ("*/workflows/*.yml", ".github/workflows/ci.yml", False),
        (".github/workflows/*.yml", ".github/workflows/ci.yml", True),
        ("./flows/*.yaml", "flows/a.yaml", True),
        ("Flows/*.yaml", "flows/a.yaml", False),
    ],
)
def test_glob_matches(pattern: str, path: str, matches: bool) -> None:
    assert glob_matches(pattern, path.split("/")) is matches
