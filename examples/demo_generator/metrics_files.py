"""The metrics files: the clean records laid out line by line, the planted dirty lines among
them, and the manifest saying where each dirty line is."""

from __future__ import annotations

import json
import math
import random
from dataclasses import dataclass
from datetime import datetime, timedelta

from .fields import Record, after, iso
from .parameters import (
    CODE_REVIEW_OLD_RUNS,
    CODE_REVIEW_RUNS,
    DEEP_RESEARCH_FILE_DAYS,
    DEEP_RESEARCH_RUNS,
    RELEASE_RUNS,
    RESEARCH_TEAM_RECORDS,
    REVIEW_SWITCH_DAYS,
    REVIEW_TEAM_OLD_RECORDS,
    REVIEW_TEAM_RECORDS,
    TOOL_CALL_DETAIL_RATE,
    WINDOW_DAYS,
    WINDOW_END,
    WINDOW_START,
)
from .run_records import code_review_run, deep_research_run, release_run
from .sampling import outliers, times
from .stats import quantile
from .team_records import ResearchRun, research_team_run, review_team_run


@dataclass(frozen=True)
class DirtyLine:
    """One deliberately broken line; ``line`` is 1-based in the (decompressed) file."""

    path: str
    line: int
    kind: str
    detail: str


@dataclass
class Data:
    """The clean records, which are what the README's numbers are measured on."""

    review_team: list[Record]
    code_review: list[Record]
    research_team: list[ResearchRun]
    deep_research: list[tuple[Record, ResearchRun | None]]
    release: list[tuple[Record, Record | None]]
    release_timeout: int = 0


@dataclass
class Line:
    sort_key: str
    text: str
    dirty: tuple[str, str] | None = None  # (kind, detail)


def dumps(value: object) -> str:
    return json.dumps(value, separators=(",", ":"))


def number(lines: list[Line], path: str, first: int) -> list[DirtyLine]:
    """Dirty-line manifest for ``lines`` written from line ``first`` on."""
    return [
        DirtyLine(path, first + i, *line.dirty)
        for i, line in enumerate(lines)
        if line.dirty is not None
    ]


def review_team_file(seed: int) -> tuple[list[Record], list[Line]]:
    rng = random.Random(f"{seed}:review_team")
    new = REVIEW_TEAM_RECORDS - REVIEW_TEAM_OLD_RECORDS
    starts = times(rng, REVIEW_TEAM_OLD_RECORDS, 0, REVIEW_SWITCH_DAYS)
    starts += times(rng, new, REVIEW_SWITCH_DAYS, WINDOW_DAYS)
    clean = [
        review_team_run(rng, t, parallel=i < REVIEW_TEAM_OLD_RECORDS) for i, t in enumerate(starts)
    ]
    lines = [Line(r["start_time"], dumps(r)) for r in clean]
    negative, null, legacy = (
        review_team_run(rng, t, parallel=False)
        for t in times(rng, 3, REVIEW_SWITCH_DAYS, WINDOW_DAYS)
    )
    negative["duration_seconds"] = -negative["duration_seconds"]
    negative["end_time"] = iso(
        after(datetime.fromisoformat(negative["start_time"]), negative["duration_seconds"])
    )
    lines.append(
        Line(
            negative["start_time"],
            dumps(negative),
            ("negative duration", "duration_seconds is negative (end_time before start_time)"),
        )
    )
    null["success"] = None
    lines.append(Line(null["start_time"], dumps(null), ("null success", '"success": null')))
    columns = "team_id formation member_count success duration_seconds start_time"
    row = [legacy[k] for k in columns.split()]
    lines.append(
        Line(
            legacy["start_time"],
            dumps(row),
            ("list record", "a JSON list (old row format) instead of an object"),
        )
    )
    lines.sort(key=lambda line: line.sort_key)
    return clean, lines


def research_team_file(seed: int) -> tuple[list[ResearchRun], list[Line]]:
    rng = random.Random(f"{seed}:research_team")
    clean = []
    slow = outliers(rng, RESEARCH_TEAM_RECORDS)
    for i, t in enumerate(times(rng, RESEARCH_TEAM_RECORDS, 0, WINDOW_DAYS)):
        detail = rng.random() < TOOL_CALL_DETAIL_RATE
        clean.append(research_team_run(rng, t, outlier=i in slow, detail=detail))
    lines = [Line(r.record["start_time"], dumps(r.record)) for r in clean]
    nan, ghost_a, ghost_b = (
        research_team_run(
            rng, t, outlier=False, team_id="ghost_team" if i else "research_team"
        ).record
        for i, t in enumerate(times(rng, 3, 0, WINDOW_DAYS))
    )
    nan["duration_seconds"] = math.nan
    lines.append(Line(nan["start_time"], dumps(nan), ("NaN duration", '"duration_seconds": NaN')))
    for ghost in (ghost_a, ghost_b):
        lines.append(
            Line(
                ghost["start_time"],
                dumps(ghost),
                ("unknown team", 'team_id "ghost_team" is in no workflow'),
            )
        )
    lines.sort(key=lambda line: line.sort_key)
    candidates = [i for i, line in enumerate(lines) if line.dirty is None]
    for index in sorted(rng.sample(candidates, 3), reverse=True):
        copy = Line(
            lines[index].sort_key, lines[index].text, ("duplicate", "exact copy of the line above")
        )
        lines.insert(index + 1, copy)
    return clean, lines


def code_review_file(seed: int) -> tuple[list[Record], list[Line]]:
    rng = random.Random(f"{seed}:code_review")
    starts = times(rng, CODE_REVIEW_OLD_RUNS, 0, REVIEW_SWITCH_DAYS)
    starts += times(rng, CODE_REVIEW_RUNS - CODE_REVIEW_OLD_RUNS, REVIEW_SWITCH_DAYS, WINDOW_DAYS)
    clean = [code_review_run(rng, t, old=i < CODE_REVIEW_OLD_RUNS) for i, t in enumerate(starts)]
    lines = [Line("", dumps(r)) for r in clean]
    garbage = "2026-10-19 03:12:44,118 WARNING exporter: upload retry 2/5 (connection reset)"
    lines.insert(rng.randrange(100, 200), Line("", garbage, ("garbage", "a log line, not JSON")))
    last = dumps(code_review_run(rng, WINDOW_END - timedelta(hours=1), old=False))
    cut = last[: int(len(last) * 0.6)]
    lines.append(
        Line(
            "",
            cut,
            ("truncated", f"last line cut after {len(cut)} characters, no trailing newline"),
        )
    )
    return clean, lines


def deep_research_files(
    seed: int,
) -> tuple[list[tuple[Record, ResearchRun | None]], dict[str, list[Line]]]:
    rng = random.Random(f"{seed}:deep_research")
    slow = outliers(rng, DEEP_RESEARCH_RUNS)
    starts = times(rng, DEEP_RESEARCH_RUNS, 0, WINDOW_DAYS)
    clean = [deep_research_run(rng, t, outlier=i in slow) for i, t in enumerate(starts)]
    zero, _ = deep_research_run(rng, times(rng, 1, 0, DEEP_RESEARCH_FILE_DAYS)[0], outlier=False)
    zero["duration"] = 0.0
    entries = [Line(r["timestamp"], dumps(r)) for r, _ in clean]
    entries.append(Line(zero["timestamp"], dumps(zero), ("zero duration", '"duration": 0.0')))
    entries.sort(key=lambda line: line.sort_key)
    files: dict[str, list[Line]] = {}
    for line in entries:
        day = (datetime.fromisoformat(line.sort_key) - WINDOW_START).days
        first = WINDOW_START + timedelta(days=day - day % DEEP_RESEARCH_FILE_DAYS)
        files.setdefault(f"metrics/runs/deep_research-{first:%Y-%m-%d}.jsonl.gz", []).append(line)
    return clean, files


def release_file(seed: int) -> tuple[list[tuple[Record, Record | None]], int, list[Line]]:
    rng = random.Random(f"{seed}:release_notes")
    clean = [release_run(rng, t) for t in times(rng, RELEASE_RUNS, 0, WINDOW_DAYS)]
    durations = [team["duration_seconds"] for _, team in clean if team is not None]
    timeout = math.ceil(quantile(durations, 0.95) * 1.2 / 10) * 10
    if max(durations) >= timeout:
        raise AssertionError("release_team must never come near its timeout")
    return clean, timeout, [Line("", dumps(run)) for run, _ in clean]


def json_array(lines: list[Line]) -> str:
    """A JSON array with one element per line: element ``i`` sits on line ``i + 2``."""
    return "[\n" + ",\n".join(line.text for line in lines) + "\n]\n"


def jsonl(lines: list[Line], *, trailing_newline: bool = True) -> str:
    return "\n".join(line.text for line in lines) + ("\n" if trailing_newline else "")


def build_metrics(seed: int) -> tuple[Data, dict[str, str], list[DirtyLine]]:
    review, review_lines = review_team_file(seed)
    research, research_lines = research_team_file(seed)
    code_review, code_review_lines = code_review_file(seed)
    deep, deep_lines = deep_research_files(seed)
    release, timeout, release_lines = release_file(seed)
    texts = {
        "metrics/teams/review_team.json": json_array(review_lines),
        "metrics/teams/research_team.jsonl": jsonl(research_lines),
        "metrics/runs/code_review.jsonl": jsonl(code_review_lines, trailing_newline=False),
        "metrics/runs/release_notes.json": json_array(release_lines),
    }
    dirty = number(review_lines, "metrics/teams/review_team.json", 2)
    dirty += number(research_lines, "metrics/teams/research_team.jsonl", 1)
    dirty += number(code_review_lines, "metrics/runs/code_review.jsonl", 1)
    for path, lines in deep_lines.items():
        texts[path] = jsonl(lines)
        dirty += number(lines, path, 1)
    return Data(review, code_review, research, deep, release, timeout), texts, dirty
