"""The generator's knobs: the time window, prices, settings values and, per workflow, how
many records to write and how its nodes behave. Members of the teams are in ``members``."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

SEED = 20261101
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
RELEASE_STEPS = {
    "collect_commits": Step(3.0, 0.2, 0.998, "GitCommandError"),
    "publish_notes": Step(2.0, 0.2, 0.995, "GithubException"),
}
