"""Team executions (record shape 2a) of the three teams."""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from .fields import Record, after, iso, r2
from .identifiers import SHA, digest
from .members import RELEASE_MEMBERS, RESEARCH_MEMBERS, REVIEW_MEMBERS, Member
from .parameters import (
    DOCS_FAILURE,
    NO_CONSENSUS_AT_MAX_ROUNDS,
    OUTLIER_BASE,
    OUTLIER_FACTOR,
    OUTLIER_FAILURE,
    RELEASE_PLAN,
    RELEASE_SIGMA,
    RELEASE_SUCCESS,
    RELEASE_SYNTH,
    RESEARCH_ERRORS,
    RESEARCH_MEMBER_FAILURE,
    RESEARCH_MEMBER_TOKENS,
    RESEARCH_TOOL_WEIGHTS,
    REVIEW_MEMBER_FAILURE,
    ROUND_MEDIAN,
    ROUND_SIGMA,
    ROUND_WEIGHTS,
    TOOL_LATENCY,
)
from .sampling import lognormal


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
