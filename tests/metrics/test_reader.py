"""Tests of the streaming metrics reader: formats, block cuts, record lines, dirty input."""

from __future__ import annotations

import gzip
import json
import math
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import msgspec
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from autotune_bot.errors import MetricsError
from autotune_bot.metrics import reader
from autotune_bot.metrics.problems import ProblemLog
from autotune_bot.metrics.reader import read_batches
from autotune_bot.metrics.schema import RawRecord

TRICKY = '}, {"team_id": "x"}, {'  # record separators and a first key, inside a string


@dataclass
class Read:
    records: list[RawRecord]
    lines: list[int | None]
    fast_batches: int
    batches: int
    log: ProblemLog


def read(path: Path, display: str = "m.json") -> Read:
    log = ProblemLog()
    out = Read([], [], 0, 0, log)
    for batch in read_batches(path, display, log):
        assert batch.first_index >= len(out.records)
        out.batches += 1
        out.fast_batches += batch.lines is None
        for i, record in enumerate(batch.records):
            out.records.append(record)
            out.lines.append(batch.line_of(i))  # only valid while the batch is current
    return out


def team(i: int, **extra: Any) -> dict[str, Any]:
    rec: dict[str, Any] = {
        "team_id": f"team{i % 3}",
        "formation": "parallel",
        "success": i % 4 != 0,
        "duration_seconds": 1.5 + i,
        "total_tool_calls": i,
        "start_time": f"2026-01-01T10:00:{i % 60:02d}+00:00",
        "member_metrics": {
            "security": {
                "role": TRICKY,
                "success": True,
                "duration_seconds": 0.25 * (i + 1),
                "tool_calls": [
                    {"name": "grep", "args_hash": f"h{i}", "duration_seconds": 0.5},
                    {"name": "read", "args_hash": TRICKY, "cached": True},
                ],
            }
        },
    }
    rec.update(extra)
    return rec


def expected(records: list[dict[str, Any]]) -> list[RawRecord]:
    return [msgspec.convert(r, RawRecord, strict=False) for r in records]


def record_start_lines(pretty_text: str) -> list[int]:
    """Lines where the records of an indent=2 array start ("  {")."""
    return [n for n, text in enumerate(pretty_text.splitlines(), 1) if text == "  {"]


def jsonl(records: list[dict[str, Any]], newline: str = "\n") -> str:
    return "".join(json.dumps(r) + newline for r in records)


def counts(log: ProblemLog) -> dict[str, int]:
    return dict(log.counts)


def where(log: ProblemLog, kind: str) -> list[tuple[int | None, int | None]]:
    return [(p.line, p.record) for p in log.examples.get(kind, [])]


RECORDS = [team(i) for i in range(12)]
FORMATS: dict[str, Callable[[list[dict[str, Any]]], str]] = {
    "compact-array": json.dumps,
    "compact-array-no-spaces": lambda recs: json.dumps(recs, separators=(",", ":")),
    "pretty-array": lambda recs: json.dumps(recs, indent=2) + "\n",
    "jsonl": jsonl,
    "ndjson-crlf": lambda recs: jsonl(recs, "\r\n"),
}


# --- formats -------------------------------------------------------------------------------


@pytest.mark.parametrize("compressed", [False, True], ids=["plain", "gzip"])
@pytest.mark.parametrize("fmt", sorted(FORMATS))
def test_every_format_reads_all_records(tmp_path: Path, fmt: str, compressed: bool) -> None:
    data = FORMATS[fmt](RECORDS).encode()
    if compressed:
        data = gzip.compress(data)
    path = tmp_path / "metrics.json"  # the name says nothing about the format
    path.write_bytes(data)
    result = read(path)
    assert result.records == expected(RECORDS)
    assert counts(result.log) == {}


def test_gzip_is_detected_by_magic_bytes_not_by_extension(tmp_path: Path) -> None:
    named_gz = tmp_path / "plain.jsonl.gz"
    named_gz.write_text(jsonl(RECORDS[:2]))
    named_plain = tmp_path / "compressed.jsonl"
    named_plain.write_bytes(gzip.compress(jsonl(RECORDS[2:4]).encode()))
    assert read(named_gz).records == expected(RECORDS[:2])
    assert read(named_plain).records == expected(RECORDS[2:4])


@pytest.mark.parametrize("fmt", sorted(FORMATS))
def test_a_byte_order_mark_is_skipped(tmp_path: Path, fmt: str) -> None:
    path = tmp_path / "m.json"
    path.write_bytes(b"\xef\xbb\xbf" + FORMATS[fmt](RECORDS[:3]).encode())
    result = read(path)
    assert result.records == expected(RECORDS[:3])
    assert counts(result.log) == {}
    if fmt in ("jsonl", "ndjson-crlf"):
        assert result.lines == [1, 2, 3]


def test_lines_of_pretty_array_records_are_where_each_record_starts(tmp_path: Path) -> None:
    text = json.dumps(RECORDS, indent=2)
    path = tmp_path / "m.json"
    path.write_text(text)
    result = read(path)
    assert result.lines == record_start_lines(text)
    assert len(set(result.lines)) == len(RECORDS)


def test_jsonl_lines_count_blank_lines(tmp_path: Path) -> None:
    path = tmp_path / "m.jsonl"
    path.write_text("\n" + json.dumps(RECORDS[0]) + "\n\n  \n" + json.dumps(RECORDS[1]) + "\n")
    result = read(path)
    assert result.lines == [2, 5]
    assert result.records == expected(RECORDS[:2])


def test_single_pretty_printed_object(tmp_path: Path) -> None:
    path = tmp_path / "one.json"
    path.write_text("\n" + json.dumps(RECORDS[0], indent=2) + "\n")
    result = read(path)
    assert result.records == expected(RECORDS[:1])
    assert result.lines == [2]
    assert counts(result.log) == {}


@pytest.mark.parametrize("content", [b"", b"  \n\n", b"[]", b" [ \n ]\n", gzip.compress(b"")])
def test_empty_inputs_give_no_records_and_no_problems(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "empty.json"
    path.write_bytes(content)
    result = read(path)
    assert result.records == []
    assert counts(result.log) == {}


# --- block cuts ----------------------------------------------------------------------------


def test_small_blocks_use_verified_fast_cuts(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(reader, "BLOCK_SIZE", 700)
    monkeypatch.setattr(reader, "_CANDIDATE_WINDOW", 400)
    records = [team(i, extra=[{"team_id": "nested"}, {"team_id": TRICKY}]) for i in range(40)]
    text = json.dumps(records, indent=2)
    path = tmp_path / "m.json"
    path.write_text(text)
    result = read(path)
    assert result.records == expected(records)
    assert result.lines == record_start_lines(text)
    assert result.fast_batches > 1  # cuts were made and verified, not only the slow path
    assert counts(result.log) == {}


_FRAGMENTS = st.sampled_from(["a", " ", "}", "{", ", ", "[", "]", '"', "\\", "\n", "é", TRICKY])
_TEXT = st.lists(_FRAGMENTS, max_size=6).map("".join)
_SECONDS = st.floats(min_value=0, max_value=1e6, allow_nan=False)
_TOOL_CALL = st.fixed_dictionaries(
    {"name": _TEXT, "args_hash": _TEXT, "duration_seconds": _SECONDS, "cached": st.booleans()}
)
_MEMBER = st.fixed_dictionaries(
    {"success": st.booleans(), "duration_seconds": _SECONDS},
    optional={"role": _TEXT, "tool_calls": st.lists(_TOOL_CALL, max_size=3)},
)
_TEAM = st.fixed_dictionaries(
    {"team_id": _TEXT, "duration_seconds": _SECONDS},
    optional={
        "success": st.none() | st.booleans(),
        "member_metrics": st.dictionaries(_TEXT, _MEMBER, max_size=3),
        "extra": st.lists(st.fixed_dictionaries({"team_id": _TEXT}), max_size=2),
    },
)
_NODE = st.fixed_dictionaries(
    {"duration": _SECONDS},
    optional={"tool_calls": st.lists(_TOOL_CALL, max_size=3), "error_type": _TEXT},
)
_RUN = st.fixed_dictionaries(
    {"run_id": _TEXT | st.integers(0, 10**6)},
    optional={"node_metrics": st.dictionaries(_TEXT, _NODE, max_size=3), "cost": _SECONDS},
)


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(
    records=st.lists(_TEAM | _RUN, max_size=20),
    block=st.integers(min_value=8, max_value=600),
    window=st.integers(min_value=8, max_value=600),
    style=st.sampled_from(["compact", "tight", "pretty"]),
    ascii_only=st.booleans(),
    compressed=st.booleans(),
)
def test_block_cuts_keep_every_record_once_in_order(
    tmp_path_factory: pytest.TempPathFactory,
    records: list[dict[str, Any]],
    block: int,
    window: int,
    style: str,
    ascii_only: bool,
    compressed: bool,
) -> None:
    indent = 2 if style == "pretty" else None
    separators = (",", ":") if style == "tight" else None
    text = json.dumps(records, indent=indent, separators=separators, ensure_ascii=ascii_only)
    data = text.encode()
    path = tmp_path_factory.mktemp("cuts") / "m.json"
    path.write_bytes(gzip.compress(data) if compressed else data)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(reader, "BLOCK_SIZE", block)
        patch.setattr(reader, "_CANDIDATE_WINDOW", window)
        result = read(path)
    assert result.records == expected(json.loads(text))
    assert counts(result.log) == {}
    if style == "pretty" and records:
        assert result.lines == record_start_lines(text)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    records=st.lists(_TEAM | _RUN, min_size=1, max_size=12),
    block=st.integers(min_value=8, max_value=400),
)
def test_block_cuts_in_json_lines(
    tmp_path_factory: pytest.TempPathFactory, records: list[dict[str, Any]], block: int
) -> None:
    path = tmp_path_factory.mktemp("lines") / "m.jsonl"
    path.write_text(jsonl(records), encoding="utf-8")
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(reader, "BLOCK_SIZE", block)
        result = read(path)
    assert result.records == expected(records)
    assert result.lines == list(range(1, len(records) + 1))
    assert counts(result.log) == {}


# --- dirty input ---------------------------------------------------------------------------


def test_nan_and_infinity_literals_are_read_as_floats(tmp_path: Path) -> None:
    path = tmp_path / "m.jsonl"
    recs = [team(0, duration_seconds=math.nan), team(1, cost=math.inf), team(2)]
    path.write_text(jsonl(recs))  # Python writes the non-standard NaN / Infinity literals
    result = read(path)
    assert len(result.records) == 3
    assert math.isnan(result.records[0].duration_seconds or 0.0)
    assert result.records[1].cost == math.inf
    assert counts(result.log) == {}


def test_jsonl_dirty_lines_are_reported_with_their_line(tmp_path: Path) -> None:
    lines = [
        json.dumps(team(0)),
        "this is not json",
        json.dumps(team(1)),
        "[1, 2]",
        json.dumps(team(2, duration_seconds="slow")),
        json.dumps(team(3)),
        json.dumps(team(4))[:40],  # truncated last line, no newline
    ]
    path = tmp_path / "m.jsonl"
    path.write_text("\n".join(lines))
    result = read(path, "dirty.jsonl")
    assert [r.team_id for r in result.records] == ["team0", "team1", "team0"]
    assert result.lines == [1, 3, 6]
    assert counts(result.log) == {
        "malformed_json": 1,
        "not_an_object": 1,
        "bad_field_type": 1,
        "truncated": 1,
    }
    assert where(result.log, "malformed_json") == [(2, 1)]
    assert where(result.log, "not_an_object") == [(4, 3)]
    assert where(result.log, "bad_field_type") == [(5, 4)]
    assert where(result.log, "truncated") == [(7, 6)]
    assert "duration_seconds" in result.log.examples["bad_field_type"][0].detail
    assert all(p.path == "dirty.jsonl" for ps in result.log.examples.values() for p in ps)


def test_jsonl_whose_first_line_is_a_list(tmp_path: Path) -> None:
    path = tmp_path / "m.jsonl"
    path.write_text('["not", "a", "record"]\n' + jsonl(RECORDS[:3]))
    result = read(path)
    assert result.records == expected(RECORDS[:3])
    assert result.lines == [2, 3, 4]
    assert where(result.log, "not_an_object") == [(1, 0)]


def test_numeric_strings_are_accepted_and_words_are_bad_field_types(tmp_path: Path) -> None:
    path = tmp_path / "m.jsonl"
    path.write_text(jsonl([team(0, duration_seconds="12.5"), team(1, duration_seconds="slow")]))
    result = read(path)
    assert [r.duration_seconds for r in result.records] == [12.5]
    assert counts(result.log) == {"bad_field_type": 1}


def test_array_that_is_never_closed(tmp_path: Path) -> None:
    path = tmp_path / "m.json"
    path.write_text(json.dumps(RECORDS[:3], indent=2)[:-2])  # drops "\n]"
    result = read(path)
    assert result.records == expected(RECORDS[:3])
    assert counts(result.log) == {"truncated": 1}
    assert result.log.examples["truncated"][0].detail == "array is not closed"


def test_array_cut_inside_its_last_record(tmp_path: Path) -> None:
    text = json.dumps(RECORDS[:3], indent=2)
    path = tmp_path / "m.json"
    path.write_text(text[: text.rindex('"team_id"') + 5])
    result = read(path)
    assert result.records == expected(RECORDS[:2])
    assert where(result.log, "truncated") == [(record_start_lines(text)[2], 2)]
    assert counts(result.log) == {"truncated": 1}


@pytest.mark.parametrize("block", [64, 333, 1 << 20])
def test_malformed_record_in_a_multi_block_array(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, block: int
) -> None:
    monkeypatch.setattr(reader, "BLOCK_SIZE", block)
    monkeypatch.setattr(reader, "_CANDIDATE_WINDOW", min(block, 256))
    records = [team(i) for i in range(30)]
    text = json.dumps(records, indent=2)
    starts = record_start_lines(text)
    lines = text.splitlines()
    # Break record #10 before its nested tool_calls list (whose "}, {" must not fool resync).
    bad = next(n for n in range(starts[10], starts[11]) if '"success"' in lines[n])
    lines[bad] = lines[bad].replace("true", "tru").replace("false", "fals")
    assert "tru," in lines[bad] or "fals," in lines[bad]
    path = tmp_path / "m.json"
    path.write_text("\n".join(lines))
    result = read(path)
    assert result.records == expected(records[:10] + records[11:])
    assert result.lines == starts[:10] + starts[11:]
    assert counts(result.log) == {"malformed_json": 1}
    assert where(result.log, "malformed_json") == [(starts[10], 10)]


def test_non_object_garbage_between_records(tmp_path: Path) -> None:
    path = tmp_path / "m.json"
    body = ", ".join([json.dumps(RECORDS[0]), "nonsense", json.dumps(RECORDS[1]), "42"])
    path.write_text("[" + body + ", " + json.dumps(RECORDS[2]) + "]")
    result = read(path)
    assert result.records == expected(RECORDS[:3])
    assert counts(result.log) == {"malformed_json": 1, "not_an_object": 1}
    assert where(result.log, "malformed_json") == [(1, 1)]
    assert where(result.log, "not_an_object") == [(1, 3)]


def test_garbage_after_the_end_of_the_array(tmp_path: Path) -> None:
    path = tmp_path / "m.json"
    path.write_text(json.dumps(RECORDS[:2], indent=2) + "\n%% trailer\n")
    result = read(path)
    assert result.records == expected(RECORDS[:2])
    assert counts(result.log) == {"malformed_json": 1}


def test_wrong_field_type_in_an_array_keeps_its_neighbours(tmp_path: Path) -> None:
    records = [team(0), team(1, success="maybe"), team(2)]
    text = json.dumps(records, indent=2)
    path = tmp_path / "m.json"
    path.write_text(text)
    result = read(path)
    assert result.records == expected([records[0], records[2]])
    assert where(result.log, "bad_field_type") == [(record_start_lines(text)[1], 1)]


def test_missing_file_raises_metrics_error(tmp_path: Path) -> None:
    with pytest.raises(MetricsError, match=r"^gone\.json: cannot read metrics file"):
        read(tmp_path / "nope.json", "gone.json")


def test_corrupt_gzip_raises_metrics_error(tmp_path: Path) -> None:
    path = tmp_path / "m.jsonl.gz"
    good = gzip.compress(jsonl(RECORDS).encode())
    path.write_bytes(good[:10] + bytes(b ^ 0x5A for b in good[10:]))
    with pytest.raises(MetricsError, match=r"^bad\.gz: cannot decompress"):
        read(path, "bad.gz")


def test_truncated_gzip_keeps_what_was_decompressed(tmp_path: Path) -> None:
    records = [team(i, args=str(i) * 50) for i in range(200)]
    path = tmp_path / "m.jsonl.gz"
    compressed = gzip.compress(jsonl(records).encode())
    path.write_bytes(compressed[: len(compressed) * 3 // 4])
    result = read(path)
    assert len(result.records) > 100
    assert result.records == expected(records[: len(result.records)])
    assert counts(result.log) == {"truncated": 1}
    assert where(result.log, "truncated") == [(len(result.records) + 1, len(result.records))]


def test_gzip_corrupt_after_a_complete_record_is_reported_once(tmp_path: Path) -> None:
    path = tmp_path / "m.jsonl.gz"
    path.write_bytes(gzip.compress(jsonl(RECORDS[:2]).encode()) + b"\x1f\x8bjunk")
    result = read(path)
    assert result.records == expected(RECORDS[:2])
    assert counts(result.log) == {"truncated": 1}
    assert where(result.log, "truncated") == [(None, None)]


_BAD_VALUES = [
    "nonsense",
    '{"team_id": tru}',
    '{"team_id": "x" "y"}',
    '{"team_id": "x", "success": maybe, "m": [{"name": "a"}, {"name": "b"}]}',
    '{"team_id": "x", "m": [{"name": "a"}, {"name": "b"}], "success": maybe}',
    "{'team_id': 'single quotes'}",
]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    good=st.lists(_TEAM, min_size=1, max_size=10),
    bad=st.lists(
        st.tuples(st.integers(min_value=0, max_value=10), st.sampled_from(_BAD_VALUES)),
        max_size=4,
    ),
    block=st.integers(min_value=8, max_value=500),
    as_array=st.booleans(),
)
def test_bad_values_are_counted_and_good_records_survive(
    tmp_path_factory: pytest.TempPathFactory,
    good: list[dict[str, Any]],
    bad: list[tuple[int, str]],
    block: int,
    as_array: bool,
) -> None:
    values: list[str | dict[str, Any]] = list(good)
    for position, value in sorted(bad, reverse=True):
        values.insert(min(position, len(values)), value)
    texts = [v if isinstance(v, str) else json.dumps(v) for v in values]
    first_line = 2 if as_array else 1
    text = "[\n" + ",\n".join(texts) + "\n]\n" if as_array else "\n".join(texts) + "\n"
    path = tmp_path_factory.mktemp("bad") / "m.json"
    path.write_text(text)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(reader, "BLOCK_SIZE", block)
        result = read(path)
    assert result.records == expected(good)
    good_at = [k for k, v in enumerate(values) if not isinstance(v, str)]
    assert result.lines == [k + first_line for k in good_at]
    assert result.log.total == len(bad)
    assert result.log.counts["malformed_json"] == len(bad)
    bad_at = [k for k, v in enumerate(values) if isinstance(v, str)][: result.log.keep]
    assert where(result.log, "malformed_json") == [(k + first_line, k) for k in bad_at]


def test_tolerant_window_widening_gives_the_same_result(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The tolerant path decodes through a window that widens; a tiny window must read the
    same records and report the same problems at the same lines as the default one."""
    from autotune_bot.metrics import tolerant
    from autotune_bot.metrics.ingest import ingest_files

    rows = []
    for i in range(40):
        if i % 7 == 3:
            rows.append('{"team_id": "t", "success": true, "duration_seconds": ,}')
        elif i % 7 == 5:
            rows.append('{"team_id": "t", "success": true, "duration_seconds": NaN}')
        else:
            rows.append(
                json.dumps(
                    {
                        "team_id": "t",
                        "success": True,
                        "duration_seconds": i + 1.5,
                        "member_metrics": {"m": {"duration_seconds": 12345.678}},
                    }
                )
            )
    path = tmp_path / "dirty.json"
    path.write_text("[\n" + ",\n".join(rows) + ",\n 12345678901234567890\n]\n")

    def read() -> tuple[list[float], list[tuple[str, int | None]]]:
        result = ingest_files([(path, "dirty.json")], parallel=False)
        found = [(p.kind, p.line) for ps in result.problems.examples.values() for p in ps]
        return result.store.teams.duration.tolist(), sorted(found, key=str)

    default = read()
    monkeypatch.setattr(tolerant, "_WINDOW", 8)
    narrow = read()
    assert narrow[1] == default[1]
    assert narrow[0] == pytest.approx(default[0], nan_ok=True)
    assert ("not_an_object", 42) in default[1]
