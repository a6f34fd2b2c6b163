"""reverse_diff: undoing a stored unified diff.

Exact when the file is unchanged (golden edit cases and generated line edits: the original comes
back byte for byte, CRLF, byte-order mark and missing final newline included); by context when
other lines changed since; refused, naming the file and the hunk, when the lines a hunk changed
were edited or its place is ambiguous."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from autotune_bot.patch.diff import unified_diff
from autotune_bot.patch.error import PatchError
from autotune_bot.patch.hunks import DiffFormatError, parse_diff
from autotune_bot.patch.reverse import HunkConflictError, reverse_diff

from .golden_cases import CASES, DATA, EXPECTED, Case, read, run

NUMBERED = "".join(f"k{i}: {i}\n" for i in range(40))


@pytest.mark.parametrize("case", CASES, ids=lambda case: case.name)
def test_golden_case_reverses_to_the_original_byte_for_byte(case: Case) -> None:
    old, new, diff = run(case)
    assert reverse_diff(new, diff, case.file) == old


@pytest.mark.parametrize("case", CASES, ids=lambda case: case.name)
def test_stored_golden_diff_reverses_the_patched_file(case: Case) -> None:
    """The diffs as stored on disk (not regenerated) undo the patcher's output."""
    old, new, _ = run(case)
    stored = (EXPECTED / f"{case.name}.diff").read_bytes().decode("utf-8")
    assert reverse_diff(new, stored, case.file) == old


@pytest.mark.parametrize("name", sorted(p.name for p in DATA.glob("*.yaml")))
def test_whole_file_removed_or_created(name: str) -> None:
    text = read(name)
    assert reverse_diff("", unified_diff(text, "", name), name) == text
    assert reverse_diff(text, unified_diff("", text, name), name) == ""


LINE = st.sampled_from(
    ["a: 1", "b: 2", "  - id: x", "", "# note", "c: 'q'", "tool_budget: 20", "\u2028", "x\r"]
)


@st.composite
def text_and_edit(draw: st.DrawFn) -> tuple[str, str]:
    """A text (LF or CRLF, with or without a final newline) and an edited copy: lines
    replaced, inserted and deleted at random places."""
    ending = draw(st.sampled_from(["\n", "\r\n"]))
    lines = draw(st.lists(LINE, max_size=30))
    edited = list(lines)
    for _ in range(draw(st.integers(0, 6))):
        kind = draw(st.sampled_from(["replace", "insert", "delete"]))
        at = draw(st.integers(0, len(edited)))
        if kind == "insert":
            edited.insert(at, draw(LINE))
        elif edited and at < len(edited):
            if kind == "replace":
                edited[at] = draw(LINE) + "!"
            else:
                del edited[at]
    before = ending.join(lines) + (ending if lines and draw(st.booleans()) else "")
    after = ending.join(edited) + (ending if edited and draw(st.booleans()) else "")
    return before, after


@settings(max_examples=300, deadline=None)
@given(text_and_edit())
def test_reverse_of_a_diff_gives_back_the_original(pair: tuple[str, str]) -> None:
    before, after = pair
    diff = unified_diff(before, after, "wf.yaml")
    assert reverse_diff(after, diff, "wf.yaml") == before


@settings(max_examples=200, deadline=None)
@given(st.lists(st.integers(0, 10**6), unique=True, max_size=40), st.data())
def test_lines_added_above_are_kept_when_lines_are_distinct(
    numbers: list[int], data: st.DataObject
) -> None:
    """With distinct lines every hunk has exactly one place: an unrelated header added since
    shifts it, and the reversal is still exact."""
    lines = [f"n{n}: {n}\n" for n in numbers]
    edited = [
        line.replace(":", ": changed") if data.draw(st.booleans()) else line for line in lines
    ]
    before, after = "".join(lines), "".join(edited)
    diff = unified_diff(before, after, "wf.yaml")
    header = "".join(f"# added {i}\n" for i in range(data.draw(st.integers(1, 5))))
    assert reverse_diff(header + after, diff, "wf.yaml") == header + before


@settings(max_examples=300, deadline=None)
@given(text_and_edit(), st.integers(1, 4))
def test_shifted_hunks_are_undone_exactly_or_refused(pair: tuple[str, str], shift: int) -> None:
    """With few distinct lines a hunk may fit several places: then it is refused, never
    applied to the wrong lines."""
    before, after = pair
    diff = unified_diff(before, after, "wf.yaml")
    header = "# added\n" * shift
    try:
        result = reverse_diff(header + after, diff, "wf.yaml")
    except HunkConflictError:
        return
    assert result == header + before


def test_lines_added_elsewhere_shift_the_hunks() -> None:
    after = NUMBERED.replace("k10: 10\n", "k10: 11\n").replace("k30: 30\n", "k30: 31\n")
    diff = unified_diff(NUMBERED, after, "wf.yaml")
    assert diff.count("@@ -") == 2
    # a header comment of three lines, a line removed between the hunks, a line edited far away
    current = "# one\n# two\n# three\n" + after.replace("k20: 20\n", "").replace("k39", "K39")
    expected = "# one\n# two\n# three\n" + NUMBERED.replace("k20: 20\n", "").replace("k39", "K39")
    assert reverse_diff(current, diff, "wf.yaml") == expected


def test_an_edited_outer_context_line_is_kept() -> None:
    after = NUMBERED.replace("k10: 10\n", "k10: 11\n")
    diff = unified_diff(NUMBERED, after, "wf.yaml")
    current = after.replace("k7: 7\n", "k7: seven\n").replace("k13: 13\n", "k13: thirteen\n")
    assert reverse_diff(current, diff, "wf.yaml") == NUMBERED.replace(
        "k7: 7\n", "k7: seven\n"
    ).replace("k13: 13\n", "k13: thirteen\n")


def test_an_edited_changed_line_is_refused_naming_file_and_hunk() -> None:
    after = NUMBERED.replace("k10: 10\n", "k10: 11\n").replace("k30: 30\n", "k30: 31\n")
    diff = unified_diff(NUMBERED, after, "workflows/wf.yaml")
    current = after.replace("k30: 31\n", "k30: 99\n")
    with pytest.raises(HunkConflictError) as info:
        reverse_diff(current, diff, "workflows/wf.yaml")
    err = info.value
    assert isinstance(err, PatchError)
    assert (err.source, err.hunk, err.line) == ("workflows/wf.yaml", 2, 28)
    message = str(err)
    assert message.startswith("workflows/wf.yaml:28: hunk 2 (@@ -28,7 +28,7 @@): ")
    assert "line 31 is 'k30: 99\\n', 'k30: 31\\n' expected" in message
    assert "\n" not in message


def test_an_edited_adjacent_context_line_is_refused() -> None:
    after = NUMBERED.replace("k10: 10\n", "k10: 11\n")
    diff = unified_diff(NUMBERED, after, "wf.yaml")
    with pytest.raises(HunkConflictError):
        reverse_diff(after.replace("k9: 9\n", "k9: nine\n"), diff, "wf.yaml")


def test_a_deleted_file_end_is_refused() -> None:
    after = NUMBERED.replace("k39: 39\n", "k39: 40\n")
    diff = unified_diff(NUMBERED, after, "wf.yaml")
    with pytest.raises(HunkConflictError) as info:
        reverse_diff(after[: after.index("k38")], diff, "wf.yaml")
    assert "the file ends before line" in str(info.value)


def test_missing_final_newline_must_still_be_missing() -> None:
    before, after = "a: 1\nb: 2", "a: 1\nb: 3"
    diff = unified_diff(before, after, "wf.yaml")
    assert reverse_diff(after, diff, "wf.yaml") == before
    with pytest.raises(HunkConflictError):
        reverse_diff(after + "\nc: 4\n", diff, "wf.yaml")


def test_ambiguous_place_is_refused() -> None:
    block = "x\n" * 5 + "a\nb\nc\n" + "x\n" * 5
    after = block.replace("b\n", "B\n")
    diff = unified_diff(block, after, "wf.yaml")
    # the same seven lines twice, neither where the header says
    current = "y\n" + "x\n" * 3 + "a\nB\nc\n" + "x\n" * 3 + "y\n" + "x\n" * 3 + "a\nB\nc\nx\nx\n"
    with pytest.raises(HunkConflictError) as info:
        reverse_diff(current, diff, "wf.yaml")
    assert "fit 2 places" in str(info.value)
    # where the header says, the match is taken even when the lines occur again further down
    again = after + after
    assert reverse_diff(again, diff, "wf.yaml") == block + after


def test_crlf_lines_are_matched_with_their_carriage_returns() -> None:
    before = NUMBERED.replace("\n", "\r\n")
    after = before.replace("k10: 10\r\n", "k10: 11\r\n")
    diff = unified_diff(before, after, "wf.yaml")
    assert reverse_diff("# top\r\n" + after, diff, "wf.yaml") == "# top\r\n" + before
    # the same lines with LF endings are not the lines the change left
    with pytest.raises(HunkConflictError):
        reverse_diff(after.replace("\r\n", "\n"), diff, "wf.yaml")


def test_header_without_counts_and_a_line_that_looks_like_a_header() -> None:
    diff = "--- a/f\n+++ b/f\n@@ -1 +1,2 @@\n--- a/x\n+++ b/y\n+@@ -1 +1 @@\n"
    (parsed,) = parse_diff(diff)
    assert parsed.hunks[0].ops == (("-", "-- a/x\n"), ("+", "++ b/y\n"), ("+", "@@ -1 +1 @@\n"))
    assert reverse_diff("++ b/y\n@@ -1 +1 @@\n", diff, "f") == "-- a/x\n"


def test_empty_diff_changes_nothing() -> None:
    assert reverse_diff("a: 1\n", "", "wf.yaml") == "a: 1\n"


@pytest.mark.parametrize(
    ("diff", "reason"),
    [
        ("--- a/f\n@@ -1 +1 @@\n-a\n+b\n", "'---' header without '+++'"),
        ("--- a/f\n+++ b/f\n", "no hunk for f"),
        ("--- a/f\n+++ b/f\n@@ -1,2 +1,2 @@\n-a\n+b\n", "the diff ends inside a hunk"),
        ("--- a/f\n+++ b/f\n@@ -1 +1 @@\n-a\n-b\n", "does not match the counts"),
        ("--- a/f\n+++ b/f\n@@ bad @@\n", "expected a hunk header"),
    ],
)
def test_malformed_diffs_are_refused(diff: str, reason: str) -> None:
    with pytest.raises(DiffFormatError) as info:
        reverse_diff("a\n", diff, "wf.yaml")
    assert reason in str(info.value)
    assert str(info.value).startswith("wf.yaml: diff line ")


def test_a_diff_of_two_files_is_refused() -> None:
    two = unified_diff("a\n", "b\n", "f") + unified_diff("c\n", "d\n", "g")
    assert [f.new_path for f in parse_diff(two)] == ["f", "g"]
    with pytest.raises(DiffFormatError):
        reverse_diff("b\n", two, "f")
