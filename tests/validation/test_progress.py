"""How A/B progress is shown: rewritten in place on a terminal, sparse lines in a log."""

from __future__ import annotations

import io

from autotune_bot.validation.progress import ProgressPrinter, progress_at


def test_log_gets_a_line_at_start_each_tenth_and_end() -> None:
    out = io.StringIO()
    show = ProgressPrinter(out, terminal=False)
    for done in range(41):
        show(progress_at(done, 40, float(done)))
    lines = out.getvalue().splitlines()
    assert lines[0] == "A/B runs 0/40, 0:00 elapsed"
    assert lines[-1] == "A/B runs 40/40, 0:40 elapsed, ~0:00 left"
    assert len(lines) == 11  # 0, 4, 8, ..., 40


def test_terminal_rewrites_one_line() -> None:
    out = io.StringIO()
    show = ProgressPrinter(out, terminal=True)
    show(progress_at(0, 2, 0.0))
    show(progress_at(1, 2, 1.0))
    assert "\n" not in out.getvalue()
    show(progress_at(2, 2, 2.0))
    text = out.getvalue()
    assert text.count("\r") == 3
    assert text.endswith("A/B runs 2/2, 0:02 elapsed, ~0:00 left\x1b[K\n")
