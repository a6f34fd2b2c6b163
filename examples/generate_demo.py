#!/usr/bin/env python3
"""Generate the bundled example repository, ``examples/demo-repo/``.

Everything under ``demo-repo/`` comes from this script and one seed: three Victor workflow
files, the settings file, a CI example, a month of execution metrics with planted
bottlenecks and planted dirty records, and the README that documents them with the numbers
measured on the generated data.

    python examples/generate_demo.py           # (re)write examples/demo-repo/
    python examples/generate_demo.py --check   # regenerate into a temp dir; exit 1 on drift

Standard library only. No clock, no environment, no global randomness: the output depends on
``SEED`` alone. Gzipped files are compared by their decompressed content, so a different
zlib build cannot make ``--check`` fail.
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import json
import math
import random
import re
import statistics
import sys
import tempfile
import textwrap
import uuid
from collections import ChainMap
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

Record = dict[str, Any]

SEED = 20261101
DEMO_DIR = Path(__file__).resolve().parent / "demo-repo"
WINDOW_END = datetime(2026, 11, 1, tzinfo=UTC)
WINDOW_DAYS = 30
WINDOW_START = WINDOW_END - timedelta(days=WINDOW_DAYS)
MAX_TOTAL_BYTES = 4_000_000

# USD per million tokens (input, output), and per web_search call. arxiv and local tools are free.
PRICES = {
    "gpt-4o": (2.50, 10.00),
    "gpt-4o-mini": (0.15, 0.60),
    "claude-3-opus": (15.00, 75.00),
    "claude-3-5-sonnet": (3.00, 15.00),
}
WEB_SEARCH_PRICE = 0.005
TEAM_MEMBER_MODEL = {"review_team": "claude-3-5-sonnet", "release_team": "claude-3-5-sonnet"}

# --- .autotune.yml -------------------------------------------------------------------------
RELEASE_BASELINE_DURATION = 240
RELEASE_BASELINE_SUCCESS = 0.9
MIN_SUCCESS_RATE = 0.85
MIN_SAMPLES = 20


@dataclass(frozen=True)
class Member:
    id: str
    role: str
    goal: str
    median: float  # seconds of work (log-normal median)
    sigma: float
    calls: tuple[int, int]  # tool calls per execution, inclusive
    budget: int  # declared tool_budget
    tools: tuple[str, ...]
    error: str = ""  # error_message when this member fails


@dataclass(frozen=True)
class Step:
    """A non-team node: log-normal duration, success probability, optional LLM usage."""

    median: float
    sigma: float
    success: float
    error: str
    model: str | None = None
    tokens: tuple[float, float] = (0.0, 0.0)  # median input, output tokens


# --- code_review / review_team -------------------------------------------------------------
REVIEW_TEAM_RECORDS = 600
REVIEW_TEAM_OLD_RECORDS = 150
CODE_REVIEW_RUNS = 300
CODE_REVIEW_OLD_RUNS = 75
REVIEW_SWITCH_DAYS = 7.5  # the team went parallel -> sequential this long into the window
REVIEW_TOTAL_TOOL_BUDGET = 120
REVIEW_TIMEOUT = 900
REVIEW_MEMBER_FAILURE = 0.015  # security, performance, style
DOCS_FAILURE = 0.40
REVIEW_MEMBERS = (
    Member(
        "security",
        "application security engineer",
        "Find injection, authentication and secret-handling flaws introduced by {{diff}}. "
        "Skip anything already reported in {{lint_report}}.",
        58.0,
        0.14,
        (9, 15),
        30,
        ("read_file", "grep", "semgrep"),
        "TimeoutError: semgrep scan exceeded 120s",
    ),
    Member(
        "performance",
        "performance engineer",
        "Flag hot-path regressions in {{diff}}: N+1 queries, unbounded loops, blocking I/O "
        "on request paths, needless copies of large objects.",
        55.0,
        0.14,
        (8, 14),
        30,
        ("read_file", "grep", "run_benchmarks"),
        "ToolError: run_benchmarks exited with status 2",
    ),
    Member(
        "style",
        "code stylist",
        "Check naming, readability and consistency with the project conventions in {{diff}}. "
        "Do not repeat what {{lint_report}} already says.",
        52.0,
        0.14,
        (7, 13),
        30,
        ("read_file", "ruff"),
        "RateLimitError: provider returned 429",
    ),
    Member(
        "docs",
        "technical writer",
        "Check that every public API changed in {{diff}} is reflected in the changelog and "
        "the reference pages.",
        50.0,
        0.14,
        (0, 1),
        30,
        ("read_file",),
        "OutputValidationError: review contained no findings section",
    ),
)
CODE_REVIEW_STEPS = {
    "fetch_diff": Step(1.5, 0.3, 0.998, "GitCommandError"),
    "static_checks": Step(18.0, 0.25, 0.995, "CalledProcessError"),
    "summarize": Step(20.0, 0.25, 0.99, "RateLimitError", "claude-3-opus", (9000, 1100)),
    "post_comment": Step(0.8, 0.2, 0.995, "GithubException"),
}
CODE_REVIEW_TOOLS = {
    "fetch_diff": ("git",),
    "static_checks": ("ruff", "mypy"),
    "post_comment": ("github_api",),
}

# --- deep_research / research_team ---------------------------------------------------------
RESEARCH_TEAM_RECORDS = 800
DEEP_RESEARCH_RUNS = 1200
DEEP_RESEARCH_FILE_DAYS = 10  # one gzipped file per 10 days
RESEARCH_TOTAL_TOOL_BUDGET = 150
RESEARCH_TIMEOUT = 1200
RESEARCH_MAX_ITERATIONS = 30
ROUND_WEIGHTS = (15, 30, 25, 15, 8, 7)  # consensus rounds 1..6
ROUND_MEDIAN = 10.0
ROUND_SIGMA = 0.3
RESEARCH_MEMBER_FAILURE = 0.052
NO_CONSENSUS_AT_MAX_ROUNDS = 0.6
OUTLIER_RATE = 0.06
OUTLIER_FACTOR = (8.0, 15.0)
OUTLIER_BASE = 76.0  # about the median team duration; outliers are a multiple of it
OUTLIER_FAILURE = 0.5
RESEARCH_TOOL_WEIGHTS = {"web_search": 38, "arxiv": 25, "fetch_url": 27, "python": 10}
TOOL_LATENCY = {"web_search": 1.1, "arxiv": 0.7, "fetch_url": 1.8, "python": 2.5}
TOOL_CALL_DETAIL_RATE = 0.0125  # research_team.jsonl records that carry member tool_calls lists
RESEARCH_MEMBER_TOKENS = ((8000, 1500), (3000, 400))  # (work in, out), (per round in, out)
RESEARCH_TOOLS = ("web_search", "arxiv", "fetch_url", "python")
RESEARCH_ERRORS = (
    "RateLimitError: provider returned 429",
    "TimeoutError: fetch_url did not respond within 60s",
    "ToolError: python sandbox crashed",
)
_RESEARCH = (
    ("scout", "literature scout", "Collect the strongest sources behind {{analysis}}."),
    (
        "methodologist",
        "methods reviewer",
        "Judge how sound the study designs cited in {{analysis}} are.",
    ),
    (
        "statistician",
        "statistician",
        "Re-check every number and effect size quoted in {{analysis}}.",
    ),
    (
        "domain_expert",
        "domain expert",
        "Place {{analysis}} in the context of the field's consensus.",
    ),
    (
        "skeptic",
        "devil's advocate",
        "Argue the strongest case against the conclusions of {{analysis}}.",
    ),
)
RESEARCH_MEMBERS = tuple(
    Member(i, r, g, 30.0, 0.3, (18, 30), 30, RESEARCH_TOOLS) for i, r, g in _RESEARCH
)
DEEP_DIVE_RATE = 0.6
SHARED_QUERY_RATE = 0.70
DEEP_RESEARCH_STEPS = {
    "plan": Step(15.0, 0.25, 0.995, "RateLimitError", "gpt-4o", (5000, 1500)),
    "fetch_papers": Step(22.0, 0.3, 0.99, "TimeoutError", "gpt-4o-mini", (6000, 1200)),
    "fetch_news": Step(15.0, 0.3, 0.99, "TimeoutError", "gpt-4o-mini", (4000, 800)),
    "legacy_enrich": Step(4.0, 0.12, 0.55, "ConnectionError"),
    "route": Step(0.02, 0.3, 1.0, ""),
    "deep_dive": Step(25.0, 0.25, 0.99, "RateLimitError", "gpt-4o", (14000, 2500)),
    "quick_summary": Step(8.0, 0.25, 0.995, "RateLimitError", "gpt-4o-mini", (5000, 800)),
    "fact_check": Step(9.0, 0.2, 0.995, "ToolError"),
    "citation_check": Step(8.0, 0.2, 0.995, "ToolError"),
    "report": Step(5.0, 0.2, 0.998, "RateLimitError", "gpt-4o", (800, 300)),
}

# --- release_notes / release_team (healthy) ------------------------------------------------
RELEASE_RUNS = 300
RELEASE_SUCCESS = 0.95
RELEASE_TOTAL_TOOL_BUDGET = 60
RELEASE_PLAN, RELEASE_SYNTH, RELEASE_SIGMA = 28.0, 50.0, 0.12
RELEASE_MEMBERS = (
    Member(
        "editor",
        "release editor",
        "Split {{commits}} for {{package}} into sections, hand each section to the writer who "
        "owns it, then merge their drafts into one release note for {{release_tag}}.",
        0.0,
        RELEASE_SIGMA,
        (5, 8),
        10,
        ("read_file", "search_issues"),
        "RateLimitError: provider returned 429",
    ),
    Member(
        "changelog_writer",
        "changelog writer",
        "List every user-visible change with its pull-request number.",
        115.0,
        RELEASE_SIGMA,
        (10, 14),
        15,
        ("git_log", "search_issues"),
        "ToolError: search_issues returned 502",
    ),
    Member(
        "highlights_writer",
        "highlights writer",
        "Pick the three changes users will care about most and explain them in plain words.",
        105.0,
        RELEASE_SIGMA,
        (9, 13),
        15,
        ("git_log", "read_file"),
        "RateLimitError: provider returned 429",
    ),
    Member(
        "upgrade_guide_writer",
        "upgrade guide writer",
        "Write upgrade steps for every breaking change, with before/after snippets.",
        120.0,
        RELEASE_SIGMA,
        (13, 18),
        20,
        ("git_log", "read_file", "search_issues"),
        "TimeoutError: git_log exceeded 60s",
    ),
)
RELEASE_STEPS = {
    "collect_commits": Step(3.0, 0.2, 0.998, "GitCommandError"),
    "publish_notes": Step(2.0, 0.2, 0.995, "GithubException"),
}


# --- small helpers -------------------------------------------------------------------------
def lognormal(rng: random.Random, median: float, sigma: float) -> float:
    return rng.lognormvariate(math.log(median), sigma)


def r2(x: float) -> float:
    return round(x, 2)


def r6(x: float) -> float:
    return round(x, 6)


def iso(t: datetime) -> str:
    return t.isoformat(timespec="seconds").replace("+00:00", "Z")


def after(t: datetime, seconds: float) -> datetime:
    return t + timedelta(seconds=seconds)


def digest(*parts: object, n: int = 16) -> str:
    return hashlib.sha256("\x1f".join(map(str, parts)).encode()).hexdigest()[:n]


def fake_sha(label: str) -> str:
    return hashlib.sha1(label.encode()).hexdigest()


def fingerprint(*parts: object) -> str:
    return "cfg-" + digest(*parts, n=12)


def run_id(rng: random.Random) -> str:
    return str(uuid.UUID(int=rng.getrandbits(128), version=4))


def llm_cost(model: str, tokens_in: int, tokens_out: int) -> float:
    price_in, price_out = PRICES[model]
    return (tokens_in * price_in + tokens_out * price_out) / 1_000_000


def times(rng: random.Random, n: int, lo_days: float, hi_days: float) -> list[datetime]:
    """``n`` sorted start times between ``lo_days`` and ``hi_days`` into the window."""
    lo, hi = lo_days * 86400, min(hi_days * 86400, WINDOW_DAYS * 86400 - 3 * 3600)
    return sorted(after(WINDOW_START, r2(rng.uniform(lo, hi))) for _ in range(n))


SHA = {
    "code_review_old": fake_sha("workflows/code_review.yaml: review team runs in parallel"),
    "code_review": fake_sha("workflows/code_review.yaml: review team runs sequentially"),
    "deep_research": fake_sha("workflows/research.yaml: consensus research team"),
    "release_notes": fake_sha("workflows/release_notes.yml: hierarchical release team"),
    "support_triage": fake_sha("workflows/support_triage.yaml: removed"),
}
FINGERPRINT = {key: fingerprint(key, sha) for key, sha in SHA.items()}


# --- workflow files ------------------------------------------------------------------------
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


CODE_REVIEW_YAML = """\
# Pull-request review bot.
#
# Triggered by the pull_request webhook for every PR against main. The summary is posted
# back as one PR comment; nothing here blocks a merge.
workflows:
  code_review:
    description: Review a pull request with four specialist reviewers and post a summary.
    metadata:
      owner: platform-tools
      version: "2.4"
    execution:
      max_timeout_seconds: 1800
      default_node_timeout: 120
      max_retries: 1

    nodes:
      - id: fetch_diff
        type: compute
        handler: git.fetch_pull_request_diff
        inputs:
          pr_number: $ctx.pr_number
        output: diff
        timeout: 30

      # Linters first, so the reviewers do not waste tool calls on formatting nits.
      - id: static_checks
        type: compute
        handler: checks.run_linters
        tools: [ruff, mypy]
        inputs:
          diff: $ctx.diff
        output: lint_report
        timeout: 120

      # Four specialist reviewers. This team ran as `parallel` until v2.4; it was switched to
      # `sequential` so that each reviewer could build on the notes of the one before.
      # Budgets: 30 tool calls each, 120 in total.
      - id: review_team
        type: team
        team_formation: sequential
        total_tool_budget: <<budget>>
        timeout_seconds: <<timeout>>
        max_iterations: 20
        merge_strategy: dict
        output: review_notes
        members:
<<members>>
        next: [summarize]

      # Opus writes noticeably better summaries of long review threads; worth it here.
      - id: summarize
        type: agent
        role: lead reviewer
        goal: |
          Write a single pull-request comment. Group the findings by severity, drop
          duplicates and link every finding to a line of the diff.

          Linter findings:
          {{lint_report}}

          Reviewer notes:
          {{review_notes}}
        llm_config:
          model_hint: claude-3-opus
          temperature: 0.2
          max_tokens: 2000
        output: summary

      - id: post_comment
        type: compute
        handler: github.post_pr_comment
        tools: [github_api]
        inputs:
          pr_number: $ctx.pr_number
          body: $ctx.summary
        timeout: 30
"""

RESEARCH_YAML = """\
# Deep research assistant: takes a question, gathers papers and news, has a panel of
# reviewers agree on the findings and writes a report. Started from the research portal.
workflows:
  deep_research:
    description: Answer a research question with sources, a panel review and a short report.
    metadata:
      owner: research-platform
      version: "1.7"
    execution:
      max_timeout_seconds: 2400
      default_node_timeout: 180
      max_iterations: 50
      max_retries: 1

    nodes:
      - id: plan
        type: agent
        role: research planner
        goal: |
          Break the question into sub-questions and search queries.
          Question: {{question}}
          {% if audience %}Write the plan for this audience: {{audience}}.{% endif %}
        llm_config:
          model_hint: gpt-4o
          temperature: 0.3
        output: plan

      - id: fetch_papers
        type: agent
        role: literature searcher
        goal: Find peer-reviewed papers and preprints for every query in the plan.
        tools: [web_search, arxiv]
        tool_budget: 15
        llm_config:
          model_hint: gpt-4o-mini
        input_mapping:
          plan: $ctx.plan
        output: papers

      - id: fetch_news
        type: agent
        role: news searcher
        goal: |
          Find recent news coverage for the queries in {{plan}}. The news API key
          (${API_KEY}) is injected by the web_search tool; never put it in a URL.
        tools: [web_search]
        tool_budget: 10
        llm_config:
          model_hint: gpt-4o-mini
        output: news

      # Adds citation counts and outlet ratings from the old bibliography service. Kept
      # "for now" after the switch to the arxiv tool. The service times out a lot; failures
      # are logged and the run carries on.
      - id: legacy_enrich
        type: compute
        handler: bibliography.enrich_citations
        inputs:
          papers: $ctx.papers
          news: $ctx.news
        output: enrichment
        timeout: 10

      - id: route
        type: condition
        condition: "{{papers}} | length >= 8"
        branches:
          true: deep_dive
          false: quick_summary

      - id: deep_dive
        type: agent
        role: senior analyst
        goal: |
          Write a detailed analysis of {{papers}} and {{news}}.
          {% if plan.focus %}Pay particular attention to {{plan.focus}}.{% endif %}
        llm_config:
          model_hint: gpt-4o
          temperature: 0.4
          max_tokens: 4000
        output: analysis
        next: [research_team]

      - id: quick_summary
        type: agent
        role: analyst
        goal: Summarise the few sources in {{papers}} and {{news}} and say what is missing.
        llm_config:
          model_hint: gpt-4o-mini
        output: analysis
        next: [research_team]

      # A panel of five discusses the analysis until it agrees on the findings.
      - id: research_team
        type: team
        team_formation: consensus
        total_tool_budget: <<budget>>
        timeout_seconds: <<timeout>>
        max_iterations: <<iterations>>
        merge_strategy: custom
        output: findings
        members:
<<members>>
        next: [checks]

      # Both checks only read the findings, so they run side by side.
      - id: checks
        type: parallel
        parallel_nodes: [fact_check, citation_check]
        join_strategy: all
        next: [report]

      - id: fact_check
        type: compute
        handler: verify.fact_check_claims
        inputs:
          findings: $ctx.findings
        output: fact_report
        timeout: 60

      - id: citation_check
        type: compute
        handler: verify.check_citations
        inputs:
          findings: $ctx.findings
        output: citation_report
        timeout: 60

      - id: report
        type: agent
        role: report writer
        goal: |
          Turn the agreed findings into a one-page report.
          Findings: {{findings}}
          Fact check: {{fact_report}}
          Citations: {{citation_report}}
        llm_config:
          model_hint: gpt-4o
          temperature: 0.2
          max_tokens: 1000
        output: report
"""

RELEASE_YAML = """\
---
# Release notes for the widgets monorepo. Runs when a package tag such as
# widgets-core/v3.2.0 is pushed; the draft is published as a GitHub release.
workflow:
  name: release_notes
  description: Draft and publish the release notes of one tagged package.
  variables:
    package: ""
    since_tag: ""
    release_tag: ""

  nodes:
    - id: start
      type: start

    - id: collect_commits
      type: compute
      handler: git.commits_between
      inputs:
        since: $ctx.since_tag
        until: $ctx.release_tag
      output: commits
      timeout: 60

    # The editor plans and merges; the three writers draft their sections in parallel.
    # timeout_seconds is the p95 duration plus 20 %, rounded up to 10 s.
    - id: release_team
      type: team
      output: draft_notes
      team:
        formation: hierarchical
        total_tool_budget: <<budget>>
        timeout_seconds: <<timeout>>
        max_iterations: 20
        members:
<<members>>

    - id: publish_notes
      type: compute
      handler: github.create_release
      inputs:
        tag: $ctx.release_tag
        body: $ctx.draft_notes
      timeout: 30

    - id: end
      type: end

  edges:
    - {from: start, to: collect_commits}
    - {from: collect_commits, to: release_team}
    - {from: release_team, to: publish_notes}
    - {from: publish_notes, to: end}
"""

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
        "workflows/code_review.yaml": fill(
            CODE_REVIEW_YAML,
            budget=REVIEW_TOTAL_TOOL_BUDGET,
            timeout=REVIEW_TIMEOUT,
            members=members_yaml(REVIEW_MEMBERS, 10),
        ),
        "workflows/research.yaml": fill(
            RESEARCH_YAML,
            budget=RESEARCH_TOTAL_TOOL_BUDGET,
            timeout=RESEARCH_TIMEOUT,
            iterations=RESEARCH_MAX_ITERATIONS,
            members=members_yaml(RESEARCH_MEMBERS, 10),
        ),
        "workflows/release_notes.yml": fill(
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


# --- team executions (record shape 2a) -----------------------------------------------------
def member_record(
    m: Member,
    start: datetime,
    offset: float,
    duration: float,
    calls: Sequence[str],
    error: str | None,
) -> Record:
    offset, duration = r2(offset), r2(duration)
    return {
        "member_id": m.id,
        "role": m.role,
        "success": error is None,
        "duration_seconds": duration,
        "tool_calls_used": len(calls),
        "tools_used": sorted(set(calls)),
        "error_message": error,
        "start_time": iso(after(start, offset)),
        "end_time": iso(after(start, offset + duration)),
    }


def team_record(
    team_id: str,
    workflow: str,
    formation: str,
    start: datetime,
    duration: float,
    members: list[Record],
    *,
    sha: str,
    error: str | None,
    consensus: tuple[bool | None, int | None] = (None, None),
) -> Record:
    duration = r2(duration)
    record: Record = {
        "team_id": team_id,
        "workflow_id": workflow,
        "formation": formation,
        "member_count": len(members),
        "success": error is None,
        "duration_seconds": duration,
        "total_tool_calls": sum(m["tool_calls_used"] for m in members),
        "unique_tools_used": sorted({t for m in members for t in m["tools_used"]}),
        "recursion_depth": 1,
        "start_time": iso(start),
        "end_time": iso(after(start, duration)),
        "consensus_achieved": consensus[0],
        "consensus_rounds": consensus[1],
        "git_sha": sha,
    }
    if error is not None:
        record["error_type"] = error.split(":")[0]
    record["member_metrics"] = {m["member_id"]: m for m in members}
    return record


def simple_calls(rng: random.Random, m: Member) -> list[str]:
    n = rng.randint(*m.calls)
    return [m.tools[0] if i == 0 else rng.choice(m.tools) for i in range(n)]


def review_team_run(rng: random.Random, start: datetime, *, parallel: bool) -> Record:
    """One review_team execution: parallel (old config) or sequential (current config)."""
    members: list[Record] = []
    ends: list[float] = []
    errors: list[str] = []
    cursor = rng.uniform(0.3, 1.0)
    for m in REVIEW_MEMBERS:
        duration = r2(lognormal(rng, m.median, m.sigma))
        failed = rng.random() < (DOCS_FAILURE if m.id == "docs" else REVIEW_MEMBER_FAILURE)
        calls = simple_calls(rng, m)
        offset = r2(rng.uniform(0.1, 0.8) if parallel else cursor)
        members.append(
            member_record(m, start, offset, duration, calls, m.error if failed else None)
        )
        ends.append(offset + duration)
        if failed and m.id != "docs":  # the merged review never depends on the docs notes
            errors.append(m.error)
        cursor = offset + duration + rng.uniform(0.3, 1.2)
    duration = max(ends) + rng.uniform(2.0, 5.0) if parallel else cursor + rng.uniform(0.3, 1.0)
    key = "code_review_old" if parallel else "code_review"
    formation = "parallel" if parallel else "sequential"
    return team_record(
        "review_team",
        "code_review",
        formation,
        start,
        duration,
        members,
        sha=SHA[key],
        error=errors[0] if errors else None,
    )


@dataclass
class ResearchRun:
    record: Record
    calls: dict[str, list[str]]
    tokens: tuple[int, int]


def research_team_run(
    rng: random.Random,
    start: datetime,
    *,
    outlier: bool,
    team_id: str = "research_team",
    detail: bool = False,
) -> ResearchRun:
    """One consensus execution: members work concurrently, then discuss for 1-6 rounds."""
    rounds = rng.choices(range(1, 7), weights=ROUND_WEIGHTS)[0]
    discussion = sum(lognormal(rng, ROUND_MEDIAN, ROUND_SIGMA) for _ in range(rounds))
    overhead = rng.uniform(1.0, 3.0)
    work = [lognormal(rng, m.median, m.sigma) for m in RESEARCH_MEMBERS]
    hung = rng.randrange(len(work)) if outlier else -1
    if outlier:  # one member hangs on a slow fetch
        work[hung] = OUTLIER_BASE * rng.uniform(*OUTLIER_FACTOR) - discussion - overhead
    errors: dict[int, str] = {}
    for i in range(len(work)):
        if rng.random() < RESEARCH_MEMBER_FAILURE:
            errors[i] = rng.choice(RESEARCH_ERRORS)
    if outlier and rng.random() < OUTLIER_FAILURE:
        errors[hung] = "TimeoutError: fetch_url did not respond within 600s"
    agreed = not errors and not (rounds == 6 and rng.random() < NO_CONSENSUS_AT_MAX_ROUNDS)
    members: list[Record] = []
    calls: dict[str, list[str]] = {}
    tokens_in = tokens_out = 0
    (work_in, work_out), (round_in, round_out) = RESEARCH_MEMBER_TOKENS
    names, weights = list(RESEARCH_TOOL_WEIGHTS), list(RESEARCH_TOOL_WEIGHTS.values())
    for i, m in enumerate(RESEARCH_MEMBERS):
        calls[m.id] = rng.choices(names, weights=weights, k=rng.randint(*m.calls))
        offset = rng.uniform(0.1, 0.6)
        member = member_record(m, start, offset, work[i] + discussion, calls[m.id], errors.get(i))
        if detail:
            member["tool_calls"] = [
                {
                    "name": name,
                    "args_hash": digest(team_id, iso(start), m.id, k),
                    "duration_seconds": round(lognormal(rng, TOOL_LATENCY[name], 0.35), 3),
                    "cached": False,
                }
                for k, name in enumerate(calls[m.id])
            ]
        members.append(member)
        tokens_in += round(lognormal(rng, work_in, 0.2) + rounds * lognormal(rng, round_in, 0.2))
        tokens_out += round(lognormal(rng, work_out, 0.2) + rounds * lognormal(rng, round_out, 0.2))
    error = None
    if errors:
        error = errors[min(errors)]
    elif not agreed:
        error = f"ConsensusError: no agreement after {rounds} rounds"
    workflow = "deep_research" if team_id == "research_team" else "support_triage"
    record = team_record(
        team_id,
        workflow,
        "consensus",
        start,
        max(work) + discussion + overhead,
        members,
        sha=SHA[workflow],
        error=error,
        consensus=(agreed, rounds),
    )
    return ResearchRun(record, calls, (tokens_in, tokens_out))


def release_team_run(rng: random.Random, start: datetime) -> tuple[Record, list[str]]:
    """Hierarchical: the editor plans, the writers draft concurrently, the editor merges."""
    editor, *writers = RELEASE_MEMBERS
    plan = lognormal(rng, RELEASE_PLAN, RELEASE_SIGMA)
    members: list[Record] = []
    ends: list[float] = []
    calls: list[str] = []
    failed = rng.random() >= RELEASE_SUCCESS
    culprit = rng.choice(RELEASE_MEMBERS).id if failed else ""
    for m in writers:
        offset = plan + rng.uniform(0.1, 0.5)
        duration = r2(lognormal(rng, m.median, m.sigma))
        error = m.error if m.id == culprit else None
        made = simple_calls(rng, m)
        calls += made
        members.append(member_record(m, start, offset, duration, made, error))
        ends.append(r2(offset) + duration)
    synth = lognormal(rng, RELEASE_SYNTH, RELEASE_SIGMA)
    duration = max(ends) + rng.uniform(0.2, 0.6) + synth + rng.uniform(0.5, 1.5)
    error = editor.error if culprit == editor.id else None
    made = simple_calls(rng, editor)
    lead = member_record(editor, start, 0.0, duration - 0.3, made, error)
    record = team_record(
        "release_team",
        "release_notes",
        "hierarchical",
        start,
        duration,
        [lead, *members],
        sha=SHA["release_notes"],
        error=next((m["error_message"] for m in [lead, *members] if m["error_message"]), None),
    )
    return record, made + calls


# --- workflow runs (record shapes 2b and 2c) -----------------------------------------------
@dataclass
class Run:
    """Accumulates the node_metrics of one sequential workflow run."""

    rng: random.Random
    nodes: dict[str, Record] = field(default_factory=dict)
    elapsed: float = 0.0
    error: str | None = None

    def step(self, node: str, step: Step, **extra: Any) -> bool:
        rng = self.rng
        metrics: Record = {"duration": r2(lognormal(rng, step.median, step.sigma))}
        ok = rng.random() < step.success
        metrics["success"] = ok
        if not ok:
            metrics["error_type"] = step.error
        cost = 0.0
        if step.model is not None:
            tokens_in = round(lognormal(rng, step.tokens[0], 0.15))
            tokens_out = round(lognormal(rng, step.tokens[1], 0.15))
            cost = llm_cost(step.model, tokens_in, tokens_out)
            metrics.update(model=step.model, input_tokens=tokens_in, output_tokens=tokens_out)
        tools: dict[str, Record] = extra.pop("tools", {})
        cost += sum(t["cost"] for t in tools.values())
        if step.model is not None or tools:
            metrics["cost"] = r6(cost)
        if tools:
            metrics["tools"] = tools
        metrics.update(extra)
        return self.add(node, metrics)

    def add(self, node: str, metrics: Record, *, blocking: bool = True) -> bool:
        self.nodes[node] = metrics
        self.elapsed += metrics["duration"] + self.rng.uniform(0.05, 0.25)
        if not metrics["success"] and blocking:
            self.error = metrics["error_type"]
            return False
        return True

    def record(self, workflow: str, start: datetime, rid: str, key: str) -> Record:
        record: Record = {
            "run_id": rid,
            "workflow_id": workflow,
            "git_sha": SHA[key],
            "config_fingerprint": FINGERPRINT[key],
            "timestamp": iso(start),
            "success": self.error is None,
            "duration": r2(self.elapsed),
            "cost": r6(sum(m.get("cost", 0.0) for m in self.nodes.values())),
        }
        if self.error is not None:
            record["error_type"] = self.error
        record["node_metrics"] = self.nodes
        return record


def free_tools(names: Iterable[str]) -> dict[str, Record]:
    return {name: {"count": 1, "cost": 0.0} for name in names}


def team_node(
    team: Record, model: str, tokens: tuple[int, int], tools: dict[str, Record]
) -> Record:
    metrics: Record = {"duration": team["duration_seconds"], "success": team["success"]}
    if not team["success"]:
        metrics["error_type"] = team["error_type"]
    metrics.update(input_tokens=tokens[0], output_tokens=tokens[1])
    metrics["cost"] = r6(llm_cost(model, *tokens) + sum(t["cost"] for t in tools.values()))
    if tools:
        metrics["tools"] = tools
    return metrics


def member_tokens(rng: random.Random, n: int, tokens: tuple[float, float]) -> tuple[int, int]:
    return (
        sum(round(lognormal(rng, tokens[0], 0.2)) for _ in range(n)),
        sum(round(lognormal(rng, tokens[1], 0.2)) for _ in range(n)),
    )


def code_review_run(rng: random.Random, start: datetime, *, old: bool) -> Record:
    """A combined (2c) record: the workflow run plus its review_team execution."""
    run, rid = Run(rng), run_id(rng)
    steps = CODE_REVIEW_STEPS
    teams: list[Record] = []
    if run.step(
        "fetch_diff", steps["fetch_diff"], tools=free_tools(CODE_REVIEW_TOOLS["fetch_diff"])
    ):
        tools = free_tools(CODE_REVIEW_TOOLS["static_checks"])
        if run.step("static_checks", steps["static_checks"], tools=tools):
            team = review_team_run(rng, after(start, run.elapsed), parallel=old)
            teams.append(team)
            tokens = member_tokens(rng, len(REVIEW_MEMBERS), (6000, 900))
            node = team_node(team, TEAM_MEMBER_MODEL["review_team"], tokens, {})
            if run.add("review_team", node) and run.step("summarize", steps["summarize"]):
                tools = free_tools(CODE_REVIEW_TOOLS["post_comment"])
                run.step("post_comment", steps["post_comment"], tools=tools)
    key = "code_review_old" if old else "code_review"
    return {"workflow_run": run.record("code_review", start, rid, key), "team_executions": teams}


def tool_call(rng: random.Random, name: str, args_hash: str) -> Record:
    duration = round(lognormal(rng, TOOL_LATENCY[name], 0.35), 3)
    return {"name": name, "args_hash": args_hash, "duration_seconds": duration, "cached": False}


def priced(counts: dict[str, int]) -> dict[str, Record]:
    return {
        name: {"count": n, "cost": r6(n * WEB_SEARCH_PRICE if name == "web_search" else 0.0)}
        for name, n in sorted(counts.items())
    }


def deep_research_run(
    rng: random.Random, start: datetime, *, outlier: bool
) -> tuple[Record, ResearchRun | None]:
    """A 2b record. Nodes run one after another (the checks pair concurrently)."""
    run, rid, steps = Run(rng), run_id(rng), DEEP_RESEARCH_STEPS
    team: ResearchRun | None = None
    if not run.step("plan", steps["plan"]):
        return run.record("deep_research", start, rid, "deep_research"), team
    paper_queries = [digest(rid, "papers", i) for i in range(rng.randint(4, 8))]
    papers_calls = [tool_call(rng, "web_search", h) for h in paper_queries]
    papers_calls += [
        tool_call(rng, "arxiv", digest(rid, "arxiv", i)) for i in range(rng.randint(2, 5))
    ]
    rng.shuffle(papers_calls)
    tools = priced(
        {"web_search": len(paper_queries), "arxiv": len(papers_calls) - len(paper_queries)}
    )
    if not run.step("fetch_papers", steps["fetch_papers"], tools=tools, tool_calls=papers_calls):
        return run.record("deep_research", start, rid, "deep_research"), team
    news_queries = [digest(rid, "news", i) for i in range(rng.randint(3, 6))]
    if rng.random() < SHARED_QUERY_RATE:  # the same query, issued again, uncached
        shared = rng.sample(paper_queries, rng.choice((1, 1, 2)))
        news_queries[: len(shared)] = shared
    news_calls = [tool_call(rng, "web_search", h) for h in news_queries]
    tools = priced({"web_search": len(news_queries)})
    if not run.step("fetch_news", steps["fetch_news"], tools=tools, tool_calls=news_calls):
        return run.record("deep_research", start, rid, "deep_research"), team
    enrich = steps["legacy_enrich"]
    ok = rng.random() < enrich.success
    metrics: Record = {"duration": r2(lognormal(rng, enrich.median, enrich.sigma)), "success": ok}
    if not ok:
        metrics["error_type"] = enrich.error
    run.add("legacy_enrich", metrics, blocking=False)  # failures are logged and ignored
    run.step("route", steps["route"])
    branch = "deep_dive" if rng.random() < DEEP_DIVE_RATE else "quick_summary"
    if not run.step(branch, steps[branch]):
        return run.record("deep_research", start, rid, "deep_research"), team
    team = research_team_run(rng, after(start, run.elapsed), outlier=outlier)
    counts = {name: sum(c.count(name) for c in team.calls.values()) for name in RESEARCH_TOOLS}
    node = team_node(team.record, "gpt-4o", team.tokens, priced(counts))
    if not run.add("research_team", node):
        return run.record("deep_research", start, rid, "deep_research"), team
    results: dict[str, Record] = {}
    for name in ("fact_check", "citation_check"):
        child = Run(rng)
        child.step(name, steps[name])
        results[name] = child.nodes[name]
    checks: Record = {"duration": r2(max(m["duration"] for m in results.values()) + 0.1)}
    failed = [m["error_type"] for m in results.values() if not m["success"]]
    checks["success"] = not failed
    if failed:
        checks["error_type"] = failed[0]
    joined = run.add("checks", checks)
    run.nodes.update(results)  # the parallel node's branches; its duration spans both
    if joined:
        run.step("report", steps["report"])
    return run.record("deep_research", start, rid, "deep_research"), team


def release_run(rng: random.Random, start: datetime) -> tuple[Record, Record | None]:
    """A 2b record; the team execution is returned alongside for measuring only."""
    run, rid = Run(rng), run_id(rng)
    team: Record | None = None
    if run.step("collect_commits", RELEASE_STEPS["collect_commits"], tools=free_tools(["git"])):
        team, calls = release_team_run(rng, after(start, run.elapsed))
        tokens = member_tokens(rng, len(RELEASE_MEMBERS), (5000, 1200))
        tools = {name: {"count": calls.count(name), "cost": 0.0} for name in sorted(set(calls))}
        if run.add(
            "release_team", team_node(team, TEAM_MEMBER_MODEL["release_team"], tokens, tools)
        ):
            tools = free_tools(["github_api"])
            run.step("publish_notes", RELEASE_STEPS["publish_notes"], tools=tools)
    return run.record("release_notes", start, rid, "release_notes"), team


# --- assembling the metrics files, with planted dirty lines --------------------------------
@dataclass(frozen=True)
class DirtyLine:
    """One deliberately broken line; ``line`` is 1-based in the (decompressed) file."""

    path: str
    line: int
    kind: str
    detail: str


@dataclass
class Data:
    """The clean records, which are what the README's numbers are measured on."""

    review_team: list[Record]
    code_review: list[Record]
    research_team: list[ResearchRun]
    deep_research: list[tuple[Record, ResearchRun | None]]
    release: list[tuple[Record, Record | None]]
    release_timeout: int = 0


@dataclass
class Line:
    sort_key: str
    text: str
    dirty: tuple[str, str] | None = None  # (kind, detail)


def dumps(value: object) -> str:
    return json.dumps(value, separators=(",", ":"))


def number(lines: list[Line], path: str, first: int) -> list[DirtyLine]:
    """Dirty-line manifest for ``lines`` written from line ``first`` on."""
    return [
        DirtyLine(path, first + i, *line.dirty)
        for i, line in enumerate(lines)
        if line.dirty is not None
    ]


def outliers(rng: random.Random, n: int) -> set[int]:
    """Exactly ``OUTLIER_RATE`` of ``n`` executions hang (the indexes of those that do)."""
    return set(rng.sample(range(n), round(n * OUTLIER_RATE)))


def review_team_file(seed: int) -> tuple[list[Record], list[Line]]:
    rng = random.Random(f"{seed}:review_team")
    new = REVIEW_TEAM_RECORDS - REVIEW_TEAM_OLD_RECORDS
    starts = times(rng, REVIEW_TEAM_OLD_RECORDS, 0, REVIEW_SWITCH_DAYS)
    starts += times(rng, new, REVIEW_SWITCH_DAYS, WINDOW_DAYS)
    clean = [
        review_team_run(rng, t, parallel=i < REVIEW_TEAM_OLD_RECORDS) for i, t in enumerate(starts)
    ]
    lines = [Line(r["start_time"], dumps(r)) for r in clean]
    negative, null, legacy = (
        review_team_run(rng, t, parallel=False)
        for t in times(rng, 3, REVIEW_SWITCH_DAYS, WINDOW_DAYS)
    )
    negative["duration_seconds"] = -negative["duration_seconds"]
    negative["end_time"] = iso(
        after(datetime.fromisoformat(negative["start_time"]), negative["duration_seconds"])
    )
    lines.append(
        Line(
            negative["start_time"],
            dumps(negative),
            ("negative duration", "duration_seconds is negative (end_time before start_time)"),
        )
    )
    null["success"] = None
    lines.append(Line(null["start_time"], dumps(null), ("null success", '"success": null')))
    columns = "team_id formation member_count success duration_seconds start_time"
    row = [legacy[k] for k in columns.split()]
    lines.append(
        Line(
            legacy["start_time"],
            dumps(row),
            ("list record", "a JSON list (old row format) instead of an object"),
        )
    )
    lines.sort(key=lambda line: line.sort_key)
    return clean, lines


def research_team_file(seed: int) -> tuple[list[ResearchRun], list[Line]]:
    rng = random.Random(f"{seed}:research_team")
    clean = []
    slow = outliers(rng, RESEARCH_TEAM_RECORDS)
    for i, t in enumerate(times(rng, RESEARCH_TEAM_RECORDS, 0, WINDOW_DAYS)):
        detail = rng.random() < TOOL_CALL_DETAIL_RATE
        clean.append(research_team_run(rng, t, outlier=i in slow, detail=detail))
    lines = [Line(r.record["start_time"], dumps(r.record)) for r in clean]
    nan, ghost_a, ghost_b = (
        research_team_run(
            rng, t, outlier=False, team_id="ghost_team" if i else "research_team"
        ).record
        for i, t in enumerate(times(rng, 3, 0, WINDOW_DAYS))
    )
    nan["duration_seconds"] = math.nan
    lines.append(Line(nan["start_time"], dumps(nan), ("NaN duration", '"duration_seconds": NaN')))
    for ghost in (ghost_a, ghost_b):
        lines.append(
            Line(
                ghost["start_time"],
                dumps(ghost),
                ("unknown team", 'team_id "ghost_team" is in no workflow'),
            )
        )
    lines.sort(key=lambda line: line.sort_key)
    candidates = [i for i, line in enumerate(lines) if line.dirty is None]
    for index in sorted(rng.sample(candidates, 3), reverse=True):
        copy = Line(
            lines[index].sort_key, lines[index].text, ("duplicate", "exact copy of the line above")
        )
        lines.insert(index + 1, copy)
    return clean, lines


def code_review_file(seed: int) -> tuple[list[Record], list[Line]]:
    rng = random.Random(f"{seed}:code_review")
    starts = times(rng, CODE_REVIEW_OLD_RUNS, 0, REVIEW_SWITCH_DAYS)
    starts += times(rng, CODE_REVIEW_RUNS - CODE_REVIEW_OLD_RUNS, REVIEW_SWITCH_DAYS, WINDOW_DAYS)
    clean = [code_review_run(rng, t, old=i < CODE_REVIEW_OLD_RUNS) for i, t in enumerate(starts)]
    lines = [Line("", dumps(r)) for r in clean]
    garbage = "2026-10-19 03:12:44,118 WARNING exporter: upload retry 2/5 (connection reset)"
    lines.insert(rng.randrange(100, 200), Line("", garbage, ("garbage", "a log line, not JSON")))
    last = dumps(code_review_run(rng, WINDOW_END - timedelta(hours=1), old=False))
    cut = last[: int(len(last) * 0.6)]
    lines.append(
        Line(
            "",
            cut,
            ("truncated", f"last line cut after {len(cut)} characters, no trailing newline"),
        )
    )
    return clean, lines


def deep_research_files(
    seed: int,
) -> tuple[list[tuple[Record, ResearchRun | None]], dict[str, list[Line]]]:
    rng = random.Random(f"{seed}:deep_research")
    slow = outliers(rng, DEEP_RESEARCH_RUNS)
    starts = times(rng, DEEP_RESEARCH_RUNS, 0, WINDOW_DAYS)
    clean = [deep_research_run(rng, t, outlier=i in slow) for i, t in enumerate(starts)]
    zero, _ = deep_research_run(rng, times(rng, 1, 0, DEEP_RESEARCH_FILE_DAYS)[0], outlier=False)
    zero["duration"] = 0.0
    entries = [Line(r["timestamp"], dumps(r)) for r, _ in clean]
    entries.append(Line(zero["timestamp"], dumps(zero), ("zero duration", '"duration": 0.0')))
    entries.sort(key=lambda line: line.sort_key)
    files: dict[str, list[Line]] = {}
    for line in entries:
        day = (datetime.fromisoformat(line.sort_key) - WINDOW_START).days
        first = WINDOW_START + timedelta(days=day - day % DEEP_RESEARCH_FILE_DAYS)
        files.setdefault(f"metrics/runs/deep_research-{first:%Y-%m-%d}.jsonl.gz", []).append(line)
    return clean, files


def release_file(seed: int) -> tuple[list[tuple[Record, Record | None]], int, list[Line]]:
    rng = random.Random(f"{seed}:release_notes")
    clean = [release_run(rng, t) for t in times(rng, RELEASE_RUNS, 0, WINDOW_DAYS)]
    durations = [team["duration_seconds"] for _, team in clean if team is not None]
    timeout = math.ceil(quantile(durations, 0.95) * 1.2 / 10) * 10
    if max(durations) >= timeout:
        raise AssertionError("release_team must never come near its timeout")
    return clean, timeout, [Line("", dumps(run)) for run, _ in clean]


def json_array(lines: list[Line]) -> str:
    """A JSON array with one element per line: element ``i`` sits on line ``i + 2``."""
    return "[\n" + ",\n".join(line.text for line in lines) + "\n]\n"


def jsonl(lines: list[Line], *, trailing_newline: bool = True) -> str:
    return "\n".join(line.text for line in lines) + ("\n" if trailing_newline else "")


def build_metrics(seed: int) -> tuple[Data, dict[str, str], list[DirtyLine]]:
    review, review_lines = review_team_file(seed)
    research, research_lines = research_team_file(seed)
    code_review, code_review_lines = code_review_file(seed)
    deep, deep_lines = deep_research_files(seed)
    release, timeout, release_lines = release_file(seed)
    texts = {
        "metrics/teams/review_team.json": json_array(review_lines),
        "metrics/teams/research_team.jsonl": jsonl(research_lines),
        "metrics/runs/code_review.jsonl": jsonl(code_review_lines, trailing_newline=False),
        "metrics/runs/release_notes.json": json_array(release_lines),
    }
    dirty = number(review_lines, "metrics/teams/review_team.json", 2)
    dirty += number(research_lines, "metrics/teams/research_team.jsonl", 1)
    dirty += number(code_review_lines, "metrics/runs/code_review.jsonl", 1)
    for path, lines in deep_lines.items():
        texts[path] = jsonl(lines)
        dirty += number(lines, path, 1)
    return Data(review, code_review, research, deep, release, timeout), texts, dirty


# --- measuring the clean data --------------------------------------------------------------
def quantile(values: Sequence[float], q: float) -> float:
    """Nearest-rank quantile."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(q * len(ordered)) - 1)]


def mean(values: Iterable[float]) -> float:
    return statistics.fmean(values)


def median(values: Iterable[float]) -> float:
    return statistics.median(values)


def rate(flags: Iterable[bool]) -> float:
    items = list(flags)
    return sum(items) / len(items)


def members_of(team: Record) -> list[Record]:
    return list(team["member_metrics"].values())


def review_numbers(data: Data) -> dict[str, Any]:
    old, new = (
        data.review_team[:REVIEW_TEAM_OLD_RECORDS],
        data.review_team[REVIEW_TEAM_OLD_RECORDS:],
    )

    def shape(teams: list[Record]) -> dict[str, float]:
        maxes = [max(m["duration_seconds"] for m in members_of(t)) for t in teams]
        sums = [sum(m["duration_seconds"] for m in members_of(t)) for t in teams]
        durations = [t["duration_seconds"] for t in teams]
        return {
            "n": len(teams),
            "median": median(durations),
            "p95": quantile(durations, 0.95),
            "max_member": median(maxes),
            "sum_members": median(sums),
            "over_max": median(d / m for d, m in zip(durations, maxes, strict=True)),
            "over_sum": median(d / s for d, s in zip(durations, sums, strict=True)),
        }

    docs = [t["member_metrics"]["docs"] for t in data.review_team]
    ok_calls = [t["total_tool_calls"] for t in data.review_team if t["success"]]
    calls = [m["tool_calls_used"] for t in data.review_team for m in members_of(t)]
    return {
        "old": shape(old),
        "new": shape(new),
        "success": rate(t["success"] for t in data.review_team),
        "docs_failure": rate(not d["success"] for d in docs),
        "success_docs_failed": rate(
            t["success"] for t, d in zip(data.review_team, docs, strict=True) if not d["success"]
        ),
        "success_docs_ok": rate(
            t["success"] for t, d in zip(data.review_team, docs, strict=True) if d["success"]
        ),
        "docs_calls": "-".join(map(str, sorted({d["tool_calls_used"] for d in docs}))),
        "ok_calls": f"{min(ok_calls)}-{max(ok_calls)}",
        "ok_calls_mean": mean(ok_calls),
        "per_member_calls": mean(calls),
        "max_new": max(t["duration_seconds"] for t in new),
    }


def code_review_numbers(data: Data) -> dict[str, Any]:
    runs = [r["workflow_run"] for r in data.code_review]
    done = [r for r in runs if r["success"]]
    summarize = [r["node_metrics"]["summarize"] for r in runs if "summarize" in r["node_metrics"]]
    shares = [
        r["node_metrics"]["review_team"]["duration"] / r["duration"]
        for r in done
        if r["git_sha"] == SHA["code_review"]
    ]
    return {
        "success": rate(r["success"] for r in runs),
        "old_median": median(r["duration"] for r in done if r["git_sha"] == SHA["code_review_old"]),
        "new_median": median(r["duration"] for r in done if r["git_sha"] == SHA["code_review"]),
        "team_share": median(shares),
        "summarize_in": mean(s["input_tokens"] for s in summarize),
        "summarize_out": mean(s["output_tokens"] for s in summarize),
        "summarize_cost": mean(s["cost"] for s in summarize),
    }


def research_numbers(data: Data) -> dict[str, Any]:
    teams = [r.record for r in data.research_team]
    durations = [t["duration_seconds"] for t in teams]
    mid = median(durations)
    slow = [d / mid for d in durations if d >= 5 * mid]
    by_rounds = {
        n: median(
            t["duration_seconds"]
            for t in teams
            if t["consensus_rounds"] == n and t["duration_seconds"] < 5 * mid
        )
        for n in range(1, 7)
    }
    calls = [m["tool_calls_used"] for t in teams for m in members_of(t)]
    detailed = sum(1 for t in teams if any("tool_calls" in m for m in members_of(t)))
    return {
        "n": len(teams),
        "success": rate(t["success"] for t in teams),
        "consensus": rate(bool(t["consensus_achieved"]) for t in teams),
        "median": mid,
        "p95": quantile(durations, 0.95),
        "max": max(durations),
        "outliers": len(slow),
        "outlier_low": min(slow),
        "outlier_high": max(slow),
        "by_rounds": by_rounds,
        "per_member_calls": mean(calls),
        "total_calls": mean(t["total_tool_calls"] for t in teams),
        "detailed": detailed,
    }


def deep_research_numbers(data: Data) -> dict[str, Any]:
    runs = [r for r, _ in data.deep_research]
    done = [r for r in runs if r["success"]]
    nodes = [r["node_metrics"] for r in runs]
    team_ran = [n["research_team"] for n in nodes if "research_team" in n]
    web = sum(
        t["cost"]
        for n in nodes
        for m in n.values()
        for name, t in m.get("tools", {}).items()
        if name == "web_search"
    )
    total = sum(r["cost"] for r in runs)
    both = [n for n in nodes if "fetch_news" in n]
    shared = 0
    redundant = 0
    for n in both:
        papers = {
            c["args_hash"] for c in n["fetch_papers"]["tool_calls"] if c["name"] == "web_search"
        }
        repeats = [c for c in n["fetch_news"]["tool_calls"] if c["args_hash"] in papers]
        shared += bool(repeats)
        redundant += len(repeats)
    enrich = [n["legacy_enrich"] for n in nodes if "legacy_enrich" in n]
    fetches = [(n["fetch_papers"]["duration"], n["fetch_news"]["duration"]) for n in both]
    report = [n["report"] for n in nodes if "report" in n]
    return {
        "success": rate(r["success"] for r in runs),
        "team_success": rate(t["success"] for t in team_ran),
        "team_share": sum(t["duration"] for t in team_ran) / sum(r["duration"] for r in runs),
        "team_share_median": median(
            r["node_metrics"]["research_team"]["duration"] / r["duration"] for r in done
        ),
        "web_share": web / total,
        "cost": total / len(runs),
        "shared_runs": shared / len(both),
        "redundant": redundant,
        "enrich_success": rate(e["success"] for e in enrich),
        "enrich_duration": mean(e["duration"] for e in enrich),
        "papers": mean(p for p, _ in fetches),
        "news": mean(q for _, q in fetches),
        "saving": mean(min(p, q) for p, q in fetches),
        "report_in": mean(r["input_tokens"] for r in report),
        "report_out": mean(r["output_tokens"] for r in report),
        "report_cost": mean(r["cost"] for r in report),
        "deep_dive": sum(1 for n in nodes if "deep_dive" in n),
        "quick_summary": sum(1 for n in nodes if "quick_summary" in n),
    }


def release_numbers(data: Data) -> dict[str, Any]:
    teams = [team for _, team in data.release if team is not None]
    durations = [t["duration_seconds"] for t in teams]
    return {
        "n": len(teams),
        "success": rate(t["success"] for t in teams),
        "run_success": rate(run["success"] for run, _ in data.release),
        "mean": mean(durations),
        "median": median(durations),
        "p95": quantile(durations, 0.95),
        "max": max(durations),
        "calls": mean(t["total_tool_calls"] for t in teams),
    }


# --- README --------------------------------------------------------------------------------
def line_of(text: str, needle: str, start: str | None = None) -> int:
    """1-based line of the first ``needle`` (after the first ``start``, when given)."""
    offset = text.index(start) if start is not None else 0
    return text.count("\n", 0, text.index(needle, offset)) + 1


def pct(x: float) -> str:
    return f"{100 * x:.1f} %"


def secs(x: float) -> str:
    return f"{x:.1f} s"


README = """\
# Demo repository

A small, made-up repository as autotune-bot sees it: three Victor workflows, a settings
file, a CI job that runs the bot every week, and one month of execution metrics.
Bottlenecks are planted on purpose, a few places are deliberately healthy, and the metrics
contain the kind of broken lines real exports have. Try it:

```sh
cd examples/demo-repo
autotune analyze
```

Everything here is generated by `examples/generate_demo.py` (seed {SEED}, standard library
only); `python examples/generate_demo.py --check` verifies that the committed files are
what the generator produces. The numbers below are measured on the generated records; the
generator's parameters are given in [brackets].

## Layout

| path | what |
|---|---|
| `{C}` | `code_review`: fetch a PR diff, lint it, a 4-member review team, a summary |
| `{R}` | `deep_research`: plan, fetch papers and news, a 5-member panel, a report |
| `{L}` | `release_notes` (`workflow:` dialect): a hierarchical writing team |
| `.autotune.yml` | settings: `release_team` baseline, `min_success_rate`, `min_samples` |
| `.github/workflows/autotune.yml` | weekly CI job running the bot (not a Victor workflow) |
| `metrics/` | execution records, see below |

## Metrics

All records fall between {start} and {end}; durations are log-normal. Every record carries
`git_sha` and a UTC timestamp (`start_time` on team records, `timestamp` on run records);
run records also carry `config_fingerprint`.

| file | shape | clean records | dirty lines |
|---|---|---|---|
{file_rows}

The team files and the run files record different executions; nothing is reported twice.

| git_sha | what ran |
|---|---|
| `{SHA[code_review_old]}` | `code_review`, `review_team` in `parallel` formation (first \
{REVIEW_SWITCH_DAYS} days) |
| `{SHA[code_review]}` | `code_review` as committed (`sequential`) |
| `{SHA[deep_research]}` | `deep_research` as committed |
| `{SHA[release_notes]}` | `release_notes` as committed |
| `{SHA[support_triage]}` | a workflow deleted before the window; only the `ghost_team` lines |

Conventions of these records: a node's `cost` includes the cost of its tools and a run's
`cost` is the sum of its nodes' costs (USD; `web_search` costs ${WEB_SEARCH_PRICE} a call,
`arxiv` and the local tools nothing). The `checks` node's duration spans its two branches,
`fact_check` and `citation_check`, which are listed too. `node_metrics` lists only the
nodes that ran: one of `deep_dive`/`quick_summary` per run, and nothing after a node that
failed the run (`legacy_enrich` failures do not fail the run). The last node of a workflow
writes the workflow's result (`report`), which no node reads by design.

## Planted bottlenecks

### `code_review` / `review_team`

1. **Sequential team with independent members.** `team_formation: sequential`
   (`{C}:{at[formation]}`), yet no member has `input_from` and no goal mentions another
   member. In the current configuration ({rv[new][n]} executions in `review_team.json`) the
   team takes a median {rv[new][median]:.1f} s: {rv[new][over_sum]:.2f}x the sum of its
   members' durations and {rv[new][over_max]:.2f}x its longest member (median
   {rv[new][max_member]:.1f} s). Before the switch ({rv[old][n]} executions, `parallel`) it
   took {rv[old][median]:.1f} s, {rv[old][over_max]:.2f}x the longest member. Whole runs in
   `code_review.jsonl`: median {cr[old_median]:.1f} s before, {cr[new_median]:.1f} s after;
   the team is {cr[team_share]:.1%} of a current run (median). Expected: `parallel`.
2. **A member that contributes nothing: `docs`** (`{C}:{at[docs]}`). It fails
   {rv[docs_failure]:.1%} of executions [{DOCS_FAILURE}] with `OutputValidationError`; the
   team succeeds {rv[success_docs_failed]:.1%} of the time when it fails and
   {rv[success_docs_ok]:.1%} when it succeeds; it makes {rv[docs_calls]} tool calls.
   Expected: remove it.
3. **Tool budget far above use.** Successful executions make {rv[ok_calls]} tool calls
   (mean {rv[ok_calls_mean]:.1f}) against `total_tool_budget: {REVIEW_TOTAL_TOOL_BUDGET}`
   (`{C}:{at[budget]}`); every member has `tool_budget: 30`.

### `deep_research`

4. **Independent nodes run one after another.** `fetch_papers` and `fetch_news` both read
   only `plan` (`$ctx.plan` and `{{{{plan}}}}`) and neither reads the other's output, but
   they run in sequence: mean {dr[papers]:.1f} s and {dr[news]:.1f} s; side by side they
   would save {dr[saving]:.1f} s a run on average.
5. **Unused output, unreliable node: `legacy_enrich`** (`{R}:{at[enrich]}`). Its output
   `enrichment` is read by no node; it succeeds {dr[enrich_success]:.1%} of the time
   [{enrich_param}] and adds {dr[enrich_duration]:.1f} s to every run. Expected: remove it.
   (Being unused, it is trivially independent of every later node; the fix is removal,
   not parallelisation.)
6. **Dominant node: `research_team`**, {dr[team_share]:.1%} of the summed duration of all
   runs (median per successful run {dr[team_share_median]:.1%}).
7. **Latency outliers: `research_team`.** {rs[outliers]} of {rs[n]} executions in
   `research_team.jsonl` [{OUTLIER_RATE:.0%}] take {rs[outlier_low]:.1f}-\
{rs[outlier_high]:.1f}x the median {rs[median]:.1f} s (one member hangs on a slow fetch);
   p95 {rs[p95]:.1f} s, max {rs[max]:.1f} s, against `timeout_seconds: {RESEARCH_TIMEOUT}`
   (`{R}:{at[timeout]}`). Without the outliers the duration grows with the consensus
   rounds; median by rounds: {rounds}.
8. **Low success rate: `research_team`**, {rs[success]:.1%} in `research_team.jsonl` and
   {dr[team_success]:.1%} as a node of `deep_research` runs, below `min_success_rate:
   {MIN_SUCCESS_RATE}`. Causes: member errors [{RESEARCH_MEMBER_FAILURE} per member], no
   consensus after 6 rounds [{NO_CONSENSUS_AT_MAX_ROUNDS} of those], half of the hanging
   members time out. `deep_research` runs succeed {dr[success]:.1%} of the time.
9. **Excessive tool usage: `research_team`**, {rs[per_member_calls]:.1f} tool calls per
   member and execution, {calls_ratio:.1f}x the {rv[per_member_calls]:.1f} of a
   `review_team` member; {rs[total_calls]:.1f} per execution of `total_tool_budget:
   {RESEARCH_TOTAL_TOOL_BUDGET}`.
10. **Expensive tool: `web_search`**, {dr[web_share]:.1%} of all `deep_research` cost
    (mean run cost ${dr[cost]:.3f}).
11. **Redundant, uncached calls.** In {dr[shared_runs]:.1%} of the runs where both fetch
    nodes ran [{SHARED_QUERY_RATE}], `fetch_news` repeats a `web_search` call (same
    `args_hash`) that `fetch_papers` made in the same run; `cached` is always false
    ({dr[redundant]} repeated calls).
12. **Oversized model: `report`** runs `gpt-4o` (`{R}:{at[report]}`) for a mean
    {dr[report_in]:.0f} input and {dr[report_out]:.0f} output tokens (${dr[report_cost]:.4f}
    a run).

## Deliberately healthy

- **`release_notes`, all of it.** `release_team` (hierarchical, {workers} workers
  reporting to the editor): {rl[n]} executions, success {rl[success]:.1%} (baseline
  {RELEASE_BASELINE_SUCCESS}), mean {rl[mean]:.1f} s (baseline {RELEASE_BASELINE_DURATION}
  s), p95 {rl[p95]:.1f} s, max {rl[max]:.1f} s, no outliers; `timeout_seconds: {timeout}`
  (`{L}:{at[release_timeout]}`) is the p95 plus 20 %, rounded up to 10 s; {rl[calls]:.1f}
  tool calls of {RELEASE_TOTAL_TOOL_BUDGET}. The team takes most of the run because it is
  the work, within its baseline. Runs succeed {rl[run_success]:.1%} of the time.
- **`code_review`'s chain.** Every node reads its predecessor's output (`review_team`
  reads `diff` and `lint_report`), so no pair can run in parallel, and every output is
  read.
- **`summarize` on `claude-3-opus`**: a mean {cr[summarize_in]:.0f} input and
  {cr[summarize_out]:.0f} output tokens (${cr[summarize_cost]:.3f} a run); the model was
  chosen on purpose and the task is large.
- **`plan` on `gpt-4o`**: about {plan[0]:.0f} input and {plan[1]:.0f} output tokens, a
  real planning prompt.
- **`review_team`'s other members** fail {REVIEW_MEMBER_FAILURE:.1%} each; the team
  succeeds {rv[success]:.1%} (`code_review` runs: {cr[success]:.1%}).
- **`deep_dive` / `quick_summary`** are exclusive branches of `route` ({dr[deep_dive]}
  and {dr[quick_summary]} runs), not a parallelisable pair; **`checks`** already runs
  `fact_check` and `citation_check` in parallel.
- **Timeouts are never reached**: `review_team` max {rv[max_new]:.1f} s of
  {REVIEW_TIMEOUT} s, `research_team` max {rs[max]:.1f} s of {RESEARCH_TIMEOUT} s,
  `release_team` max {rl[max]:.1f} s of {timeout} s.
- **Other tools**: `arxiv`, `fetch_url`, `python` and the local tools cost nothing, and
  the {rs[detailed]} `research_team.jsonl` records with `tool_calls` lists never repeat an
  `args_hash`.

## Dirty data

Each of these lines is extra: the clean counts and every number above exclude them. Line
numbers are 1-based, in the decompressed file for `.gz`.

| where | problem | detail |
|---|---|---|
{dirty_rows}
"""
CODE_REVIEW_FILE = "workflows/code_review.yaml"
RESEARCH_FILE = "workflows/research.yaml"
RELEASE_FILE = "workflows/release_notes.yml"


def file_rows(data: Data, texts: dict[str, str], dirty: list[DirtyLine]) -> str:
    clean = {
        "metrics/teams/review_team.json": len(data.review_team),
        "metrics/teams/research_team.jsonl": len(data.research_team),
        "metrics/runs/code_review.jsonl": len(data.code_review),
        "metrics/runs/release_notes.json": len(data.release),
    }
    shapes = {".json": "JSON array, one element per line", ".jsonl": "JSON Lines"}
    rows = []
    for path in sorted(p for p in texts if p.startswith("metrics/")):
        bad = sum(1 for d in dirty if d.path == path)
        n = clean.get(path, texts[path].count("\n") - bad)
        kind = "2a" if "/teams/" in path else "2c" if "code_review" in path else "2b"
        shape = "gzipped JSON Lines" if path.endswith(".gz") else shapes[Path(path).suffix]
        rows.append(f"| `{path}` | {kind}, {shape} | {n} | {bad} |")
    return "\n".join(rows)


def readme(data: Data, texts: dict[str, str], dirty: list[DirtyLine]) -> str:
    rv, rs = review_numbers(data), research_numbers(data)
    code, research, release = texts[CODE_REVIEW_FILE], texts[RESEARCH_FILE], texts[RELEASE_FILE]
    at = {
        "formation": line_of(code, "team_formation: sequential"),
        "docs": line_of(code, "- id: docs"),
        "budget": line_of(code, "total_tool_budget:"),
        "enrich": line_of(research, "- id: legacy_enrich"),
        "timeout": line_of(research, f"timeout_seconds: {RESEARCH_TIMEOUT}"),
        "report": line_of(research, "model_hint: gpt-4o", "- id: report"),
        "release_timeout": line_of(release, "timeout_seconds:"),
    }
    values = {
        "C": CODE_REVIEW_FILE,
        "R": RESEARCH_FILE,
        "L": RELEASE_FILE,
        "start": iso(WINDOW_START),
        "end": iso(WINDOW_END),
        "file_rows": file_rows(data, texts, dirty),
        "at": at,
        "rv": rv,
        "rs": rs,
        "cr": code_review_numbers(data),
        "dr": deep_research_numbers(data),
        "rl": release_numbers(data),
        "enrich_param": DEEP_RESEARCH_STEPS["legacy_enrich"].success,
        "plan": DEEP_RESEARCH_STEPS["plan"].tokens,
        "rounds": ", ".join(f"{n}: {d:.1f} s" for n, d in rs["by_rounds"].items()),
        "calls_ratio": rs["per_member_calls"] / rv["per_member_calls"],
        "workers": release.count("reports_to:"),
        "timeout": data.release_timeout,
        "dirty_rows": "\n".join(f"| `{d.path}:{d.line}` | {d.kind} | {d.detail} |" for d in dirty),
    }
    return reflow(README.format_map(ChainMap(values, globals())))


def reflow(markdown: str, width: int = 92) -> str:
    """Re-wrap paragraphs and list items; tables, headings and code blocks stay as they are."""
    blocks = []
    for block in markdown.split("\n\n"):
        if block.startswith(("|", "#", "```")):
            blocks.append(block)
            continue
        items: list[list[str]] = []
        for line in block.splitlines():
            if not items or re.match(r"- |\d+\. ", line):
                items.append([line])
            else:
                items[-1].append(line.strip())
        wrapped = []
        for item in items:
            marker = re.match(r"(- |\d+\. )?", item[0])
            indent = " " * len(marker.group(0)) if marker else ""
            text = " ".join(item)
            wrapped.append(
                textwrap.fill(
                    text,
                    width,
                    subsequent_indent=indent,
                    break_long_words=False,
                    break_on_hyphens=False,
                )
            )
        blocks.append("\n".join(wrapped))
    return "\n\n".join(blocks)


# --- output --------------------------------------------------------------------------------
@dataclass(frozen=True)
class Demo:
    files: dict[str, bytes]  # path relative to the demo root -> content
    dirty: list[DirtyLine]


def build_demo(seed: int = SEED) -> Demo:
    """Generate every file of the demo repository in memory."""
    data, metrics, dirty = build_metrics(seed)
    texts = {**workflow_files(data.release_timeout), **metrics}
    texts["README.md"] = readme(data, texts, dirty)
    files = {
        path: gzip.compress(text.encode(), compresslevel=9, mtime=0)
        if path.endswith(".gz")
        else text.encode()
        for path, text in sorted(texts.items())
    }
    size = sum(len(content) for content in files.values())
    if size >= MAX_TOTAL_BYTES:
        raise AssertionError(f"the demo is {size} bytes; keep it under {MAX_TOTAL_BYTES}")
    return Demo(files, dirty)


def content(path: Path) -> bytes:
    """A file's bytes; gzipped files compare by their decompressed content."""
    raw = path.read_bytes()
    return gzip.decompress(raw) if path.name.endswith(".gz") else raw


def listing(root: Path) -> set[str]:
    return {p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file()}


def differences(expected: Path, actual: Path) -> list[str]:
    """How the tree at ``actual`` differs from the tree at ``expected``."""
    want, have = listing(expected), listing(actual)
    problems = [f"missing: {p}" for p in sorted(want - have)]
    problems += [f"not generated: {p}" for p in sorted(have - want)]
    problems += [
        f"differs: {p}" for p in sorted(want & have) if content(expected / p) != content(actual / p)
    ]
    return problems


def write(root: Path, files: dict[str, bytes]) -> None:
    for relative, data in files.items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument(
        "--check",
        action="store_true",
        help="regenerate into a temporary directory and fail if it differs from demo-repo/",
    )
    args = parser.parse_args(argv)
    demo = build_demo()
    if args.check:
        with tempfile.TemporaryDirectory() as tmp:
            write(Path(tmp), demo.files)
            problems = differences(Path(tmp), DEMO_DIR)
        for problem in problems:
            print(problem, file=sys.stderr)
        if problems:
            print("demo-repo is stale: run python examples/generate_demo.py", file=sys.stderr)
            return 1
        print(f"demo-repo is up to date ({len(demo.files)} files)")
        return 0
    write(DEMO_DIR, demo.files)
    for path in sorted(listing(DEMO_DIR) - set(demo.files)):
        print(f"warning: {path} is not generated; remove it if it is stale", file=sys.stderr)
    print(f"wrote {len(demo.files)} files to {DEMO_DIR.name}/")
    return 0


if __name__ == "__main__":
    sys.exit(main())
