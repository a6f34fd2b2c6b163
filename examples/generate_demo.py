#!/usr/bin/env python3
"""Generate the bundled example repository, ``examples/demo-repo/``.

Everything under ``demo-repo/`` comes from this script, the ``demo_generator`` package next
to it and one seed: three Victor workflow files, the settings file, a CI example, a month of
execution metrics with planted bottlenecks and planted dirty records, and the README that
documents them with the numbers measured on the generated data.

    python examples/generate_demo.py           # (re)write examples/demo-repo/
    python examples/generate_demo.py --check   # regenerate into a temp dir; exit 1 on drift

Standard library only. No clock, no environment, no global randomness: the output depends on
``SEED`` alone. Gzipped files are compared by their decompressed content, so a different
zlib build cannot make ``--check`` fail.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path

HERE = Path(__file__).resolve().parent
if str(HERE) not in sys.path:  # also when loaded by path rather than run as a script
    sys.path.insert(0, str(HERE))

from demo_generator import (  # noqa: E402
    SEED,
    Demo,
    DirtyLine,
    build_demo,
    differences,
    listing,
    write,
)

__all__ = ["SEED", "Demo", "DirtyLine", "build_demo", "differences", "main", "write"]

DEMO_DIR = HERE / "demo-repo"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument(
        "--check",
        action="store_true",
        help="regenerate into a temporary directory and fail if it differs from demo-repo/",
    )
    args = parser.parse_args(argv)
    demo = build_demo()
    if args.check:
        with tempfile.TemporaryDirectory() as tmp:
            write(Path(tmp), demo.files)
            problems = differences(Path(tmp), DEMO_DIR)
        for problem in problems:
            print(problem, file=sys.stderr)
        if problems:
            print("demo-repo is stale: run python examples/generate_demo.py", file=sys.stderr)
            return 1
        print(f"demo-repo is up to date ({len(demo.files)} files)")
        return 0
    write(DEMO_DIR, demo.files)
    for path in sorted(listing(DEMO_DIR) - set(demo.files)):
        print(f"warning: {path} is not generated; remove it if it is stale", file=sys.stderr)
    print(f"wrote {len(demo.files)} files to {DEMO_DIR.name}/")
    return 0


if __name__ == "__main__":
    sys.exit(main())
