"""The members of the three teams: roles and goals (written into the workflow files) and
how each member behaves when the records are generated."""

from __future__ import annotations

from dataclasses import dataclass

from .parameters import RELEASE_SIGMA, RESEARCH_TOOLS


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
