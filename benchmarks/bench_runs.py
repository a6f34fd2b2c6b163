"""Workflow-run ingestion benchmark: JSON Lines of per-node run records (docs/input-formats.md).

    python benchmarks/bench_runs.py [--runs 100000] [--nodes 10] [--repeat 3]

Writes (seeded) one record per line, each with ``--nodes`` node entries carrying tokens, cost,
model and a ``tools`` aggregate, then times `ingest_files` on it with the two-core split and
without, in this process, and prints wall time, node entries per second and max RSS.
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import statistics
import time
from pathlib import Path

import autotune_bot.metrics.parallel as parallel
from autotune_bot.metrics.ingest import ingest_files

HERE = Path(__file__).resolve().parent


def write(path: Path, runs: int, nodes: int) -> None:
    rng = random.Random(5)
    names = [f"node_{k}" for k in range(nodes)]
    with path.open("w", encoding="utf-8") as out:
        for i in range(runs):
            node_metrics = {
                name: {
                    "duration": round(rng.random() * 10, 3),
                    "success": rng.random() < 0.95,
                    "input_tokens": rng.randint(100, 5000),
                    "output_tokens": rng.randint(50, 800),
                    "cost": round(rng.random() * 0.01, 6),
                    "model": "gpt-4o",
                    "tools": {"web_search": {"count": rng.randint(0, 4), "cost": 0.001}},
                }
                for name in names
            }
            record = {
                "run_id": f"r{i}",
                "workflow_id": "wf",
                "success": True,
                "duration": round(1 + rng.random() * 60, 3),
                "cost": 0.05,
                "timestamp": "2026-01-01T00:00:00Z",
                "node_metrics": node_metrics,
            }
            out.write(json.dumps(record) + "\n")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=100_000)
    parser.add_argument("--nodes", type=int, default=10)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    path = HERE / "data" / f"runs_{args.runs}x{args.nodes}.jsonl"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        write(path, args.runs, args.nodes)
    entries = args.runs * args.nodes
    # The two-core rows must really split: fail rather than time one process twice.
    assert parallel.find_cut(path) is not None, "file too small or not splittable"
    print(
        f"input: {path.name}, {args.runs:,} runs × {args.nodes} nodes, "
        f"{path.stat().st_size / 1e6:.0f} MB"
    )
    for label, enabled in (("two cores", True), ("one process", False)):
        parallel.ENABLED = enabled
        walls = []
        for _ in range(args.repeat):
            start = time.perf_counter()
            result = ingest_files([(path, path.name)], parallel=True)
            walls.append(time.perf_counter() - start)
        assert len(result.store.nodes) == entries, len(result.store.nodes)
        assert result.problems.total == 0, dict(result.problems.counts)
        median = statistics.median(walls)
        print(
            f"{label:>12}: median {median:.2f} s, best {min(walls):.2f} s, "
            f"{entries / median:,.0f} node entries/s"
        )
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"max RSS of this process: {rss:.0f} MiB")


if __name__ == "__main__":
    main()
