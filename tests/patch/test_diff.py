"""unified_diff: git-style headers, 3 lines of context, missing final newline marked."""

from __future__ import annotations

from autotune_bot.patch.diff import unified_diff


def test_equal_texts_give_an_empty_diff() -> None:
    assert unified_diff("a: 1\n", "a: 1\n", "wf.yaml") == ""


def test_diff_has_git_headers_and_three_lines_of_context() -> None:
    old = "".join(f"k{i}: {i}\n" for i in range(10))
    new = old.replace("k5: 5\n", "k5: 50\n")
    assert unified_diff(old, new, ".github/wf.yaml") == (
        "--- a/.github/wf.yaml\n"
        "+++ b/.github/wf.yaml\n"
        "@@ -3,7 +3,7 @@\n"
        " k2: 2\n k3: 3\n k4: 4\n-k5: 5\n+k5: 50\n k6: 6\n k7: 7\n k8: 8\n"
    )


def test_missing_final_newline_is_marked_like_git() -> None:
    diff = unified_diff("a: 1\nb: 2", "a: 1\nb: 3", "wf.yaml")
    assert diff.endswith(
        "-b: 2\n\\ No newline at end of file\n+b: 3\n\\ No newline at end of file\n"
    )


def test_crlf_lines_are_kept_and_only_newlines_split_lines() -> None:
    diff = unified_diff("a: 1\r\nb: '\u2028'\r\n", "a: 2\r\nb: '\u2028'\r\n", "wf.yaml")
    assert "-a: 1\r\n+a: 2\r\n b: '\u2028'\r\n" in diff
