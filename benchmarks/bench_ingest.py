"""Ingestion benchmark: `autotune analyze --metrics FILE --team-id T --format json` against a
plain json.load-then-loop script, whole processes, wall time and peak memory (max RSS).

    python benchmarks/bench_ingest.py [--records 100000] [--repeat 3] [--keep]

Generates the input with make_team_metrics.py (seeded) under benchmarks/data/ unless it is
there already, runs each command --repeat times alternately, and prints the best and median
wall time, the max RSS of each, and the ratios. Targets (issue 2): ≥ 5× less wall time and
≤ 0.5× the peak memory of the reference.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
TEAM = "review_team"


def run(cmd: list[str]) -> tuple[float, float]:
    """Wall seconds and max RSS (MiB) of one child process."""
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    if status != 0:
        raise SystemExit(f"command failed ({status}): {' '.join(cmd)}")
    return wall, usage.ru_maxrss / 1024.0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--records", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    data = HERE / "data" / f"team_metrics_{args.records}.json"
    if not data.exists():
        data.parent.mkdir(parents=True, exist_ok=True)
        subprocess.run(
            [
                sys.executable,
                str(HERE / "make_team_metrics.py"),
                str(data),
                "--records",
                str(args.records),
            ],
            check=True,
        )
    size_mb = data.stat().st_size / 1e6
    autotune = str(Path(sys.executable).with_name("autotune"))
    ours = [autotune, "analyze", "--metrics", str(data), "--team-id", TEAM, "--format", "json"]
    reference = [sys.executable, str(HERE / "reference_json_load.py"), str(data), TEAM]
    results: dict[str, list[tuple[float, float]]] = {"autotune": [], "reference": []}
    for _ in range(args.repeat):
        results["reference"].append(run(reference))
        results["autotune"].append(run(ours))
    print(f"input: {data.name}, {args.records:,} records, {size_mb:.0f} MB")
    print(
        f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}"
    )
    summary = {}
    for name, rows in results.items():
        walls = [w for w, _ in rows]
        rss = max(r for _, r in rows)
        summary[name] = (min(walls), statistics.median(walls), rss)
        print(
            f"{name:>9}: wall best {min(walls):.2f} s, median {statistics.median(walls):.2f} s, "
            f"max RSS {rss:.0f} MiB, {args.records / min(walls):,.0f} records/s"
        )
    _, ours_median, ours_rss = summary["autotune"]
    _, ref_median, ref_rss = summary["reference"]
    print(f"speed-up (median wall): {ref_median / ours_median:.1f}×  (target ≥ 5×)")
    print(f"memory ratio (max RSS): {ours_rss / ref_rss:.2f}  (target ≤ 0.5)")


if __name__ == "__main__":
    main()
