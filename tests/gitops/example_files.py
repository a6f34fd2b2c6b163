"""The example repository cut down to one workflow (one tuning target) with its metrics: text
files only, so a fake GitHub's bare remote can be seeded with them, and quick to tune."""

from __future__ import annotations

from tests.repo_helpers import DEMO

FILES = {
    name: (DEMO / name).read_text(encoding="utf-8")
    for name in (
        ".autotune.yml",
        "workflows/code_review.yaml",
        "metrics/teams/review_team.json",
        "metrics/runs/code_review.jsonl",
    )
}
