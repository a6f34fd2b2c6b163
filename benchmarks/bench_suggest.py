"""Wall time of `autotune suggest`, `autotune apply --auto` and `autotune run` (local forge) on
the example repository, on one core.

Each command runs as its own process, pinned to one CPU with `taskset` when it is available,
on a fresh copy of examples/demo-repo (apply edits the copy's working tree). Prints the median
and the spread over ``--repeat`` runs, and each search algorithm's time for `suggest`.

    .venv/bin/python benchmarks/bench_suggest.py --repeat 5
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEMO = ROOT / "examples" / "demo-repo"


def _pin() -> list[str]:
    return ["taskset", "-c", "0"] if shutil.which("taskset") else []


def _run(args: list[str], repo: Path) -> float:
    cmd = [*_pin(), sys.executable, "-m", "autotune_bot.cli", *args, "--repo", str(repo)]
    start = time.perf_counter()
    done = subprocess.run(cmd, capture_output=True, text=True, check=False)
    elapsed = time.perf_counter() - start
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(args)} failed ({done.returncode}): {done.stderr.strip()}")
    return elapsed


def _git_init(repo: Path) -> None:
    ident = ["-c", "user.name=bench", "-c", "user.email=bench@example.com"]
    for cmd in (["init", "-q", "-b", "main"], ["add", "-A"], [*ident, "commit", "-qm", "demo"]):
        subprocess.run(["git", *cmd], cwd=repo, check=True, capture_output=True)


def _measure(args: list[str], repeat: int) -> list[float]:
    times = []
    for _ in range(repeat):
        with tempfile.TemporaryDirectory() as tmp:
            repo = Path(tmp) / "demo"
            shutil.copytree(DEMO, repo)
            if args[0] == "run":  # the cycle works on a git repository
                _git_init(repo)
            times.append(_run(args, repo))
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument(
        "--algorithms", default="random,hill_climbing,simulated_annealing,genetic,bayesian"
    )
    opts = parser.parse_args()
    pinned = "one core (taskset -c 0)" if _pin() else "not pinned (no taskset)"
    print(f"example repository, {pinned}, {opts.repeat} runs each")
    cases = [
        ("suggest", ["suggest"]),
        ("apply --auto", ["apply", "--auto"]),
        ("run (local forge)", ["run", "--forge", "local"]),
    ]
    cases += [
        (f"suggest --algorithm {a}", ["suggest", "--algorithm", a])
        for a in opts.algorithms.split(",")
    ]
    for label, args in cases:
        times = _measure(args, opts.repeat)
        print(
            f"{label:36s} median {statistics.median(times):6.2f} s  "
            f"(min {min(times):.2f}, max {max(times):.2f})"
        )


if __name__ == "__main__":
    main()
