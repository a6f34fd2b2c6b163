"""Post-merge metrics for the monitoring tests: team executions of the example's review team
drawn (seeded) from its own recorded runs, slowed down by a planted factor."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from pathlib import Path

import numpy as np

from autotune_bot.metrics.ingest import ingest_files
from tests.repo_helpers import DEMO

TEAM = "review_team"
WORKFLOW = "code_review"
DEMO_TEAMS = DEMO / "metrics/teams/review_team.json"  # the example's review team runs


def recorded_team_runs(path: Path) -> tuple[np.ndarray, np.ndarray]:
    """The durations and outcomes the example records for the review team."""
    store = ingest_files([(path, path.name)]).store
    code = store.team_names.lookup(TEAM)
    rows = np.flatnonzero(store.teams.team == code)
    rows = rows[np.isfinite(store.teams.duration[rows]) & (store.teams.success[rows] >= 0)]
    return store.teams.duration[rows], store.teams.success[rows] == 1


def post_merge_records(
    source: Path, *, after: datetime, runs: int, slowdown: float, seed: int, config: str
) -> list[dict[str, object]]:
    """``runs`` team executions after ``after``: durations and outcomes resampled from the
    recorded ones, durations multiplied by ``slowdown``, under configuration ``config``."""
    durations, successes = recorded_team_runs(source)
    rng = np.random.default_rng(seed)
    picks = rng.integers(0, durations.size, runs)
    out: list[dict[str, object]] = []
    for n, k in enumerate(picks.tolist()):
        start = after + timedelta(minutes=30 * (n + 1))
        out.append(
            {
                "team_id": TEAM,
                "workflow_id": WORKFLOW,
                "formation": "parallel",
                "member_count": 4,
                "success": bool(successes[k]),
                "duration_seconds": round(float(durations[k]) * slowdown, 3),
                "start_time": start.strftime("%Y-%m-%dT%H:%M:%SZ"),
                "config_fingerprint": config,
            }
        )
    return out


def write_records(path: Path, records: list[dict[str, object]]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(records), encoding="utf-8")
