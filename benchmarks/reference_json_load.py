"""The baseline the ingestion benchmark compares against: plain `json.load`, then a loop.

    python benchmarks/reference_json_load.py METRICS.json TEAM_ID

Computes what a straightforward analyzer would for one team — run count, success rate,
mean / p50 / p95 / p99 duration, mean tool calls, and each member's mean duration and
success rate — and prints it as JSON.
"""

from __future__ import annotations

import json
import statistics
import sys


def main() -> None:
    path, team = sys.argv[1], sys.argv[2]
    with open(path, encoding="utf-8") as handle:
        records = json.load(handle)
    durations: list[float] = []
    successes = 0
    calls: list[float] = []
    members: dict[str, list[tuple[float, bool]]] = {}
    for rec in records:
        if rec.get("team_id") != team:
            continue
        durations.append(rec["duration_seconds"])
        successes += bool(rec["success"])
        calls.append(rec.get("total_tool_calls") or 0)
        for name, m in (rec.get("member_metrics") or {}).items():
            members.setdefault(name, []).append((m["duration_seconds"], bool(m["success"])))
    cuts = statistics.quantiles(durations, n=100)
    print(
        json.dumps(
            {
                "runs": len(durations),
                "success_rate": successes / len(durations),
                "mean": statistics.fmean(durations),
                "p50": statistics.median(durations),
                "p95": cuts[94],
                "p99": cuts[98],
                "mean_tool_calls": statistics.fmean(calls),
                "members": {
                    k: {
                        "mean": statistics.fmean(d for d, _ in v),
                        "success": sum(ok for _, ok in v) / len(v),
                    }
                    for k, v in members.items()
                },
            }
        )
    )


if __name__ == "__main__":
    main()
