"""Ingestion benchmark: `autotune analyze --metrics FILE --team-id T --format json` against a
plain json.load-then-loop script, whole processes, wall time and peak memory (max RSS).

    .venv/bin/python benchmarks/bench_ingest.py [--records 100000] [--repeat 3]

(with the project's own interpreter: `autotune` is looked up next to it)

Generates the input with make_team_metrics.py (seeded) under benchmarks/data/ unless it is
there already, runs each command --repeat times alternately, and prints the best and median
wall time, the max RSS of each, and the ratios. Targets: ≥ 5× less wall time and ≤ 0.5× the
peak memory of the reference.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

import autotune_bot
from autotune_bot.metrics.parallel import find_cut

HERE = Path(__file__).resolve().parent
# The same command with the two-core split switched off, for comparison.
ONE_PROCESS = (
    "import sys; import autotune_bot.metrics.parallel as p; p.ENABLED = False; "
    "from autotune_bot.cli import main; sys.exit(main(sys.argv[1:]))"
)
TEAM = "review_team"


def _tree_rss_kib(pid: int) -> int:
    """Sum of VmRSS over a process and its children (shared pages counted in each)."""
    total = 0
    pending = [pid]
    while pending:
        current = pending.pop()
        try:
            with open(f"/proc/{current}/status") as status:
                for line in status:
                    if line.startswith("VmRSS:"):
                        total += int(line.split()[1])
            with open(f"/proc/{current}/task/{current}/children") as children:
                pending.extend(int(c) for c in children.read().split())
        except (OSError, ValueError):
            continue
    return total


def run(cmd: list[str], sample: bool) -> tuple[float, float, float]:
    """Wall seconds, max RSS (MiB) of the process as the kernel reports it for a waited child
    (the largest single process of its tree), and the peak of the whole tree's summed RSS
    sampled every 5 ms when ``sample`` (an upper bound: copy-on-write pages shared after a
    fork are counted in every process). Sampling costs CPU, so timed runs do not sample."""
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL)
    peak = 0
    done = threading.Event()

    def sample_tree() -> None:
        nonlocal peak
        while not done.is_set():
            peak = max(peak, _tree_rss_kib(proc.pid))
            time.sleep(0.005)

    sampler = threading.Thread(target=sample_tree, daemon=True)
    if sample:
        sampler.start()
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    done.set()
    if sample:
        sampler.join()
    if status != 0:
        raise SystemExit(f"command failed ({status}): {' '.join(cmd)}")
    return wall, usage.ru_maxrss / 1024.0, peak / 1024.0


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
    # The default command must really split this file: fail rather than time one process.
    assert find_cut(data) is not None, "file too small or not splittable"
    # A regular pip install byte-compiles the package; an editable install in an environment
    # with PYTHONDONTWRITEBYTECODE set would recompile it on every start. Compile it once.
    package = Path(autotune_bot.__file__).parent
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(package)], check=True)
    autotune = str(Path(sys.executable).with_name("autotune"))
    ours = [autotune, "analyze", "--metrics", str(data), "--team-id", TEAM, "--format", "json"]
    one_process = [sys.executable, "-c", ONE_PROCESS, *ours[1:]]
    reference = [sys.executable, str(HERE / "reference_json_load.py"), str(data), TEAM]
    commands = {"autotune": ours, "1-process": one_process, "reference": reference}
    results: dict[str, list[tuple[float, float, float]]] = {name: [] for name in commands}
    memory = {name: run(cmd, sample=True)[2] for name, cmd in commands.items()}
    for _ in range(args.repeat):
        for name, cmd in commands.items():
            results[name].append(run(cmd, sample=False))
    print(f"input: {data.name}, {args.records:,} records, {size_mb:.0f} MB")
    print(
        f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}"
    )
    summary = {}
    for name, rows in results.items():
        walls = [w for w, _, _ in rows]
        rss = max(r for _, r, _ in rows)
        tree = memory[name]
        median = statistics.median(walls)
        summary[name] = (median, rss, tree)
        print(
            f"{name:>10}: wall best {min(walls):.2f} s, median {median:.2f} s, "
            f"max RSS {rss:.0f} MiB, process tree peak {tree:.0f} MiB, "
            f"{args.records / median:,.0f} records/s"
        )
    ref_median, ref_rss, _ = summary["reference"]
    for name in ("autotune", "1-process"):
        median, rss, tree = summary[name]
        print(
            f"{name}: speed-up (median wall) {ref_median / median:.1f}× (target ≥ 5×); "
            f"max RSS ratio {rss / ref_rss:.2f}, tree peak ratio {tree / ref_rss:.2f} "
            "(target ≤ 0.5)"
        )


if __name__ == "__main__":
    main()
