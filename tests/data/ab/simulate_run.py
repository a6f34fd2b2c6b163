"""A stand-in for a real workflow runner (`victor run {workflow}`), used by the A/B tests.

It simulates one run of the workflow file it is given and reports the run as a JSON record in
``AUTOTUNE_RESULT``. The simulated duration follows the first team formation in the file, so a
change of formation has a known effect: three members taking 1.0, 0.5 and 0.5 time units run
one after another (sequential: 2.0), side by side plus a 0.2 merge (parallel: 1.2, i.e. 40 %
faster), or under a manager taking 1.0 (hierarchical: 3.0, i.e. 50 % slower). Each run is
multiplied by log-normal noise (sigma 0.15) drawn from a generator seeded by the arm and the
trial, and by a per-input difficulty factor when an input is given; with ``SIMULATOR_LOG`` set,
each run appends a line to that file. Standard library only.
"""

import json
import math
import os
import random
import re
import sys

BASE = {"sequential": 2.0, "parallel": 1.2, "hierarchical": 3.0}


def main() -> int:
    path = sys.argv[1]
    task = sys.argv[2] if len(sys.argv) > 2 else None
    with open(path, encoding="utf-8") as fh:
        text = fh.read()
    found = re.search(r"^\s*['\"]?(?:team_)?formation['\"]?\s*:\s*['\"]?(\w+)", text, re.MULTILINE)
    formation = found.group(1) if found else "sequential"
    arm = os.environ["AUTOTUNE_ARM"]
    trial = int(os.environ["AUTOTUNE_TRIAL"])
    rng = random.Random(f"{arm}/{trial}")
    difficulty = 1.0
    if task is not None:
        difficulty = math.exp(random.Random(task).gauss(0.0, 0.5))
    duration = BASE.get(formation, 2.0) * difficulty * math.exp(rng.gauss(0.0, 0.15))
    record = {"duration_seconds": round(duration, 6), "success": True, "cost_usd": 0.01}
    with open(os.environ["AUTOTUNE_RESULT"], "w", encoding="utf-8") as out:
        json.dump(record, out)
    log = os.environ.get("SIMULATOR_LOG")  # tests count the runs made
    if log:
        with open(log, "a", encoding="utf-8") as out:
            out.write(f"{os.path.basename(path)} {arm} {trial}\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
