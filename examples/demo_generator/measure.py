"""The numbers the README quotes, measured on the clean records."""

from __future__ import annotations

from typing import Any

from .fields import Record
from .identifiers import SHA
from .metrics_files import Data
from .parameters import REVIEW_TEAM_OLD_RECORDS
from .stats import mean, median, quantile, rate


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
