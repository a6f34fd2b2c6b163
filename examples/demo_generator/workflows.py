"""The repository's YAML files: the three workflows, the settings file and the CI example."""

from __future__ import annotations

from collections.abc import Sequence

from .members import RELEASE_MEMBERS, RESEARCH_MEMBERS, REVIEW_MEMBERS, Member
from .parameters import (
    MIN_SAMPLES,
    MIN_SUCCESS_RATE,
    RELEASE_BASELINE_DURATION,
    RELEASE_BASELINE_SUCCESS,
    RELEASE_TOTAL_TOOL_BUDGET,
    RESEARCH_MAX_ITERATIONS,
    RESEARCH_TIMEOUT,
    RESEARCH_TOTAL_TOOL_BUDGET,
    REVIEW_TIMEOUT,
    REVIEW_TOTAL_TOOL_BUDGET,
)
from .workflow_templates import CODE_REVIEW_YAML, RELEASE_YAML, RESEARCH_YAML

CODE_REVIEW_FILE = "workflows/code_review.yaml"
RESEARCH_FILE = "workflows/research.yaml"
RELEASE_FILE = "workflows/release_notes.yml"


def fill(template: str, **values: object) -> str:
    """Replace ``<<name>>`` placeholders (the YAML itself is full of ``{{...}}`` and ``$``)."""
    for key, value in values.items():
        template = template.replace(f"<<{key}>>", str(value))
    if "<<" in template:
        raise ValueError(
            f"unfilled placeholder in template: {template[template.index('<<') :][:40]}"
        )
    return template


def members_yaml(members: Sequence[Member], indent: int, manager: str | None = None) -> str:
    pad = " " * indent
    out: list[str] = []
    for m in members:
        out.append(f"{pad}- id: {m.id}")
        out.append(f"{pad}  role: {m.role}")
        if manager is not None:
            out.append(
                f"{pad}  is_manager: true" if m.id == manager else f"{pad}  reports_to: {manager}"
            )
        out.append(f"{pad}  goal: >-")
        words, line = m.goal.split(), ""
        for word in words:
            if line and len(pad) + 6 + len(line) + 1 + len(word) > 96:
                out.append(f"{pad}    {line}")
                line = word
            else:
                line = f"{line} {word}".strip()
        out.append(f"{pad}    {line}")
        out.append(f"{pad}  tool_budget: {m.budget}")
        out.append(f"{pad}  tools: [{', '.join(m.tools)}]")
    return "\n".join(out)


AUTOTUNE_YML = """\
# autotune-bot settings for this repository.
version: 1
baselines:
  release_team: {duration_seconds: <<duration>>, success_rate: <<success>>}
constraints: {min_success_rate: <<min_success>>}
analysis: {min_samples: <<min_samples>>}
"""

CI_YML = """\
# Weekly autotune run: profiles the workflows in workflows/ against the metrics in metrics/
# and opens a pull request with the suggested changes.
name: autotune

on:
  schedule:
    - cron: "23 5 * * 1"  # Mondays, 05:23 UTC
  workflow_dispatch: {}

permissions:
  contents: write
  pull-requests: write

jobs:
  autotune:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
        with:
          fetch-depth: 0
      - uses: autotune-bot/autotune-bot@v0
        with:
          github_token: ${{ secrets.GITHUB_TOKEN }}
"""


def workflow_files(release_timeout: int) -> dict[str, str]:
    return {
        CODE_REVIEW_FILE: fill(
            CODE_REVIEW_YAML,
            budget=REVIEW_TOTAL_TOOL_BUDGET,
            timeout=REVIEW_TIMEOUT,
            members=members_yaml(REVIEW_MEMBERS, 10),
        ),
        RESEARCH_FILE: fill(
            RESEARCH_YAML,
            budget=RESEARCH_TOTAL_TOOL_BUDGET,
            timeout=RESEARCH_TIMEOUT,
            iterations=RESEARCH_MAX_ITERATIONS,
            members=members_yaml(RESEARCH_MEMBERS, 10),
        ),
        RELEASE_FILE: fill(
            RELEASE_YAML,
            budget=RELEASE_TOTAL_TOOL_BUDGET,
            timeout=release_timeout,
            members=members_yaml(RELEASE_MEMBERS, 10, manager="editor"),
        ),
        ".autotune.yml": fill(
            AUTOTUNE_YML,
            duration=RELEASE_BASELINE_DURATION,
            success=RELEASE_BASELINE_SUCCESS,
            min_success=MIN_SUCCESS_RATE,
            min_samples=MIN_SAMPLES,
        ),
        ".github/workflows/autotune.yml": CI_YML,
    }
