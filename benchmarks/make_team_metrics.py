"""Write a large team-metrics file (one JSON array of team execution records) for benchmarks.

    python benchmarks/make_team_metrics.py OUT.json [--records 100000] [--seed 7]

Seeded, so every run writes the same bytes. 100,000 records with five members each come
to 181 MB, close to the ~190 MB the ingestion target is stated for.
"""

from __future__ import annotations

import argparse
import json
import random
from datetime import UTC, datetime, timedelta
from pathlib import Path

MEMBERS = ("architect", "coder", "reviewer", "tester", "security")
TOOLS = ("read", "grep", "write", "run_tests", "web_search")


def _stamp(t: datetime) -> str:
    return t.isoformat()


def record(rng: random.Random, start: datetime, team: str) -> dict[str, object]:
    members: dict[str, object] = {}
    offset = 0.0
    for name in MEMBERS:
        duration = rng.lognormvariate(2.3, 0.5)
        begin = start + timedelta(seconds=offset)
        members[name] = {
            "member_id": name,
            "role": name,
            "success": rng.random() < 0.95,
            "duration_seconds": round(duration, 3),
            "tool_calls_used": rng.randint(0, 14),
            "tools_used": rng.sample(TOOLS, rng.randint(1, 3)),
            "error_message": None if rng.random() < 0.95 else "tool budget exhausted",
            "start_time": _stamp(begin),
            "end_time": _stamp(begin + timedelta(seconds=duration)),
        }
        offset += duration
    total = offset + rng.lognormvariate(0.5, 0.3)
    return {
        "team_id": team,
        "formation": "sequential",
        "member_count": len(MEMBERS),
        "success": rng.random() < 0.9,
        "duration_seconds": round(total, 3),
        "total_tool_calls": sum(int(m["tool_calls_used"]) for m in members.values()),  # type: ignore[call-overload,index]
        "unique_tools_used": sorted(TOOLS[: rng.randint(1, len(TOOLS))]),
        "recursion_depth": 1,
        "start_time": _stamp(start),
        "end_time": _stamp(start + timedelta(seconds=total)),
        "consensus_achieved": None,
        "consensus_rounds": None,
        "git_sha": "3f2c9e1",
        "member_metrics": members,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("out", type=Path)
    parser.add_argument("--records", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    start = datetime(2026, 9, 1, tzinfo=UTC)
    teams = ("review_team", "research_team", "release_team")
    with args.out.open("w", encoding="utf-8") as out:
        out.write("[")
        for i in range(args.records):
            if i:
                out.write(", ")
            when = start + timedelta(seconds=37 * i)
            json.dump(record(rng, when, teams[i % len(teams)] if i % 10 == 0 else teams[0]), out)
        out.write("]\n")


if __name__ == "__main__":
    main()
