"""Dirty-data benchmark: ingestion of a JSON array in which one record in ten is malformed.

    python benchmarks/bench_dirty.py [--records 50000] [--repeat 3]

The fast decoder rejects every block of such a file, so all of it goes through the tolerant
path (stdlib decoder, value by value, each bad record reported with its line). Prints wall
time, records/s and the problem counts, which must equal the planted ones.
"""

from __future__ import annotations

import argparse
import json
import statistics
import tempfile
import time
from pathlib import Path

from autotune_bot.metrics.ingest import ingest_files


def write(path: Path, records: int) -> int:
    bad = 0
    rows = []
    for i in range(records):
        if i % 10 == 5:
            rows.append('{"team_id": "t", "success": true, "duration_seconds": ,}')
            bad += 1
        else:
            rows.append(
                json.dumps(
                    {
                        "team_id": "t",
                        "success": i % 3 != 0,
                        "duration_seconds": 1.0 + i % 97,
                        "start_time": f"2026-01-{1 + i // 86400:02d}T{i // 3600 % 24:02d}:"
                        f"{i // 60 % 60:02d}:{i % 60:02d}+00:00",
                        "run": i,
                        "member_metrics": {"a": {"success": True, "duration_seconds": 1.0 + i % 5}},
                    }
                )
            )
    path.write_text("[\n" + ",\n".join(rows) + "\n]\n")
    return bad


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--records", type=int, default=50_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "dirty.json"
        bad = write(path, args.records)
        walls = []
        for _ in range(args.repeat):
            start = time.perf_counter()
            result = ingest_files([(path, "dirty.json")], parallel=False)
            walls.append(time.perf_counter() - start)
        counts = dict(result.problems.counts)
        assert counts.get("malformed_json") == bad, counts
        median = statistics.median(walls)
        size = path.stat().st_size / 1e6
        print(
            f"{args.records:,} records ({bad:,} malformed), {size:.1f} MB: "
            f"median {median:.2f} s, {args.records / median:,.0f} records/s; problems {counts}"
        )


if __name__ == "__main__":
    main()
