#!/usr/bin/env python3
"""Simulated runs of a team after its autotune change was merged, for ``scripts/demo after-merge``.

The records this script writes are SIMULATED for the demo: no workflow ran. They let the demo
show what happens after a merge (status comment, revert pull request) without waiting for real
runs. Each record copies the shape of the team's recorded executions (the demo's
``metrics/teams/review_team.json``): one baseline execution drawn at random is the template for
its outcome, tool calls and members; the record is then renamed to the merged configuration
(``git_sha`` = the merge commit; ``formation`` and members as merged, read from the newest
entry for the team in the repository's autotune history), dated after the merge, and its
duration set to a baseline duration drawn at random times ``--factor``.

    # the time to date the demo's merge: now, or just after the newest recorded run if later
    python examples/after_merge_runs.py merge-time metrics/teams/review_team.json
    # 60 runs twice as slow as the baseline (a planted regression)
    python examples/after_merge_runs.py runs metrics/teams/review_team.json \\
        --merged-at 2026-11-01T09:00:00Z --git-sha <merge commit> \\
        --history .autotune/history.jsonl --out <file>
    # --factor 1 --count 200: runs like the baseline, as many as the monitor watches

The baseline is the newest ``--baseline-runs`` (200, the monitor's default) clean executions of
``--team`` before the merge. Standard library only; the records depend on ``--seed`` and the
inputs alone (``merge-time`` also reads the clock). The output is a JSON array with one record
per line, like the team file it imitates.
"""

from __future__ import annotations

import argparse
import json
import math
import random
import sys
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, TypeGuard

__all__ = [
    "SEED",
    "baseline",
    "load_records",
    "main",
    "merge_time",
    "merged_team",
    "simulate",
    "write",
]

SEED = 20261101
TEAM = "review_team"
Record = dict[str, Any]


def _time(text: str) -> datetime:
    stamp = datetime.fromisoformat(text.replace("Z", "+00:00"))
    return stamp if stamp.tzinfo is not None else stamp.replace(tzinfo=UTC)


def _iso(stamp: datetime) -> str:
    return stamp.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _clean(record: object, team: str) -> TypeGuard[Record]:
    if not isinstance(record, dict) or record.get("team_id") != team:
        return False
    duration, members = record.get("duration_seconds"), record.get("member_metrics")
    return (
        isinstance(record.get("start_time"), str)
        and isinstance(record.get("success"), bool)
        and isinstance(duration, int | float)
        and math.isfinite(duration)
        and duration > 0
        and isinstance(members, dict)
        and all(isinstance(m, dict) for m in members.values())
    )


def load_records(path: Path, team: str = TEAM) -> list[Record]:
    """The clean executions of ``team`` in a team metrics file (JSON array or JSON Lines),
    oldest first; malformed lines and other teams are skipped."""
    text = path.read_text(encoding="utf-8")
    try:
        loaded = json.loads(text)
        rows: list[object] = loaded if isinstance(loaded, list) else [loaded]
    except json.JSONDecodeError:
        rows = []
        for line in text.splitlines():
            try:
                rows.append(json.loads(line))
            except json.JSONDecodeError:
                continue
    records = [r for r in rows if _clean(r, team)]
    return sorted(records, key=lambda r: _time(r["start_time"]))


def merged_team(history: Path, team: str = TEAM) -> tuple[str, list[str]]:
    """The formation and member ids of ``team`` as the newest history entry that changed it
    left them (``configs[].after`` of an autotune history file, JSON Lines)."""
    found: tuple[str, list[str]] | None = None
    for line in history.read_text(encoding="utf-8").splitlines():
        try:
            entry = json.loads(line)
        except json.JSONDecodeError:
            continue
        configs = entry.get("configs") if isinstance(entry, dict) else None
        for config in configs if isinstance(configs, list) else []:
            if not isinstance(config, dict) or config.get("target") != team:
                continue
            after = config.get("after")
            if not isinstance(after, dict):
                continue
            formation, members = after.get("formation"), after.get("members")
            if isinstance(formation, str) and isinstance(members, list) and members:
                found = formation, [str(m) for m in members]
    if found is None:
        raise ValueError(f"no entry in {history} gives the formation and members of {team}")
    return found


def _end(record: Mapping[str, Any]) -> datetime:
    start = _time(record["start_time"])
    return start + timedelta(seconds=float(record["duration_seconds"]))


def merge_time(records: Sequence[Mapping[str, Any]], now: datetime) -> datetime:
    """When the demo dates its merge: ``now``, unless the newest recorded run ends later (the
    demo's records may lie ahead of the clock); then the first full hour after that run."""
    if not records:
        return now
    newest = max(_end(r) for r in records)
    if now > newest:
        return now
    return newest.replace(minute=0, second=0, microsecond=0) + timedelta(hours=1)


def baseline(records: Sequence[Record], merged_at: datetime, cap: int) -> list[Record]:
    """The newest ``cap`` records that started before ``merged_at``, oldest first."""
    before = [r for r in records if _time(r["start_time"]) < merged_at]
    return before[-cap:]


def _members(
    template: Mapping[str, Any],
    names: Sequence[str],
    formation: str,
    start: datetime,
    duration: float,
) -> dict[str, Record]:
    """The template's members ``names``, their durations scaled to fit the team's ``duration``
    (side by side for ``parallel``, one after another otherwise)."""
    source = template["member_metrics"]
    kept = [dict(source[n]) for n in names]
    lengths = [float(m.get("duration_seconds") or 1.0) for m in kept]
    span = max(lengths) if formation == "parallel" else sum(lengths)
    scale = max(duration - 2.0, 1.0) / span
    members: dict[str, Record] = {}
    cursor = start + timedelta(seconds=1)
    for member, length in zip(kept, lengths, strict=True):
        seconds = round(length * scale, 2)
        member["duration_seconds"] = seconds
        member["start_time"] = _iso(cursor)
        member["end_time"] = _iso(cursor + timedelta(seconds=seconds))
        if formation != "parallel":
            cursor += timedelta(seconds=seconds)
        members[str(member.get("member_id", len(members)))] = member
    return members


def simulate(
    base: Sequence[Record],
    *,
    merged_at: datetime,
    git_sha: str,
    formation: str,
    members: Sequence[str],
    factor: float,
    count: int,
    seed: int = SEED,
) -> list[Record]:
    """``count`` simulated executions after ``merged_at``: outcome and tool calls of a random
    baseline execution, duration a random baseline duration times ``factor``; started at the
    baseline's mean interval between executions (exponential gaps)."""
    if not base:
        raise ValueError("no recorded executions before the merge to imitate")
    usable = [r for r in base if all(n in r["member_metrics"] for n in members)]
    if not usable:
        raise ValueError(f"no recorded execution has all the members {', '.join(members)}")
    rng = random.Random(seed)
    starts = [_time(r["start_time"]) for r in base]
    gap = max((starts[-1] - starts[0]).total_seconds() / max(len(base) - 1, 1), 60.0)
    durations = [float(r["duration_seconds"]) for r in base]
    out: list[Record] = []
    start = merged_at
    for _ in range(count):
        start += timedelta(seconds=round(rng.expovariate(1.0 / gap)) + 60)
        template = rng.choice(usable)
        duration = round(rng.choice(durations) * factor, 2)
        crew = _members(template, members, formation, start, duration)
        tools = sorted({t for m in crew.values() for t in m.get("tools_used") or []})
        record = dict(template)
        record.update(
            formation=formation,
            member_count=len(crew),
            duration_seconds=duration,
            total_tool_calls=sum(int(m.get("tool_calls_used") or 0) for m in crew.values()),
            unique_tools_used=tools,
            start_time=_iso(start),
            end_time=_iso(start + timedelta(seconds=duration)),
            git_sha=git_sha,
            member_metrics=crew,
        )
        out.append(record)
    return out


def write(records: Sequence[Record], path: Path) -> None:
    """A JSON array, one record per line (the shape of ``metrics/teams/review_team.json``)."""
    lines = [json.dumps(r, separators=(",", ":"), ensure_ascii=False) for r in records]
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("[\n" + ",\n".join(lines) + "\n]\n", encoding="utf-8")


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    sub = parser.add_subparsers(dest="command", required=True)
    when = sub.add_parser("merge-time", help="print the time to date the demo's merge")
    when.add_argument("metrics", type=Path, help="the team's recorded executions")
    when.add_argument("--team", default=TEAM)
    runs = sub.add_parser("runs", help="write simulated executions after the merge")
    runs.add_argument("metrics", type=Path, help="the team's recorded executions")
    runs.add_argument("--team", default=TEAM)
    runs.add_argument("--merged-at", required=True, help="the merge commit's time (ISO 8601)")
    runs.add_argument("--git-sha", required=True, help="the merged configuration's commit")
    runs.add_argument(
        "--history", type=Path, required=True, help="autotune history file as merged (JSONL)"
    )
    runs.add_argument("--factor", type=float, default=2.0, help="duration multiplier (2.0)")
    runs.add_argument("--count", type=int, default=60, help="executions to write (60)")
    runs.add_argument("--baseline-runs", type=int, default=200, help="baseline size (200)")
    runs.add_argument("--seed", type=int, default=SEED)
    runs.add_argument("--out", type=Path, required=True, help="file to write (JSON array)")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        records = load_records(args.metrics, args.team)
        if args.command == "merge-time":
            print(_iso(merge_time(records, datetime.now(UTC))))
            return 0
        merged_at = _time(args.merged_at)
        if args.factor <= 0 or args.count < 1 or args.baseline_runs < 1:
            raise ValueError("--factor, --count and --baseline-runs must be positive")
        formation, members = merged_team(args.history, args.team)
        runs = simulate(
            baseline(records, merged_at, args.baseline_runs),
            merged_at=merged_at,
            git_sha=args.git_sha,
            formation=formation,
            members=members,
            factor=args.factor,
            count=args.count,
            seed=args.seed,
        )
    except (OSError, ValueError) as error:
        print(f"after_merge_runs: {args.metrics}: {error}", file=sys.stderr)
        return 1
    write(runs, args.out)
    print(f"wrote {len(runs)} simulated {args.team} executions to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
