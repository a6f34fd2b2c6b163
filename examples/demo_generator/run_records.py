"""Workflow runs (record shapes 2b and 2c), each with the team execution it ran."""

from __future__ import annotations

import random
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from .fields import Record, after, iso, llm_cost, r2, r6
from .identifiers import FINGERPRINT, SHA, digest, run_id
from .members import RELEASE_MEMBERS, REVIEW_MEMBERS
from .parameters import (
    CODE_REVIEW_STEPS,
    CODE_REVIEW_TOOLS,
    DEEP_DIVE_RATE,
    DEEP_RESEARCH_STEPS,
    RELEASE_STEPS,
    RESEARCH_TOOLS,
    SHARED_QUERY_RATE,
    TEAM_MEMBER_MODEL,
    TOOL_LATENCY,
    WEB_SEARCH_PRICE,
    Step,
)
from .sampling import lognormal
from .team_records import ResearchRun, release_team_run, research_team_run, review_team_run


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
