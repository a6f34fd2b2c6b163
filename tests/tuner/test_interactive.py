"""choose_interactively with scripted answers: y accepts, n skips, v shows the details and the
diff then asks again, q stops; an invalid answer asks again; end of input is q."""

from __future__ import annotations

from autotune_bot.tuning.interactive import PROMPT, choose_interactively
from autotune_bot.tuning.plan_types import TuningPlan
from autotune_bot.tuning.suggestion import OptimizationSuggestion

from .conftest import Script, make_plan, make_suggestion

A1 = make_suggestion("alpha", description="First of alpha")
A2 = make_suggestion("alpha", description="Second of alpha")
BEST = make_suggestion("alpha", description="Best of alpha")
B1 = make_suggestion("beta", description="Only of beta")
PLAN = make_plan([("alpha", [A1, A2], BEST), ("beta", [B1], None)])


def run(
    answers: list[str], plan: TuningPlan = PLAN
) -> tuple[list[OptimizationSuggestion], Script, list[OptimizationSuggestion]]:
    script = Script(list(answers), [], [])
    previewed: list[OptimizationSuggestion] = []

    def preview(s: OptimizationSuggestion) -> str:
        previewed.append(s)
        return f"--- a/workflows/x.yaml\n+++ b/workflows/x.yaml\n@@ diff of {s.description}\n"

    accepted = choose_interactively(plan, script.ask, script.say, preview)
    return accepted, script, previewed


def prompt(k: int) -> str:
    return PROMPT.format(k=k)


def test_yes_no_view_quit() -> None:
    accepted, script, previewed = run(["y", "n", "v", "y", "q"])
    # offered: alpha's suggestions, alpha's best, then beta's suggestion
    assert accepted == [A1, BEST]
    assert script.prompts == [prompt(1), prompt(2), prompt(3), prompt(3), prompt(4)]
    assert previewed == [BEST]
    text = "\n".join(script.said)
    assert script.said[0] == "Generated 4 optimization suggestion(s):"
    assert "@@ diff of Best of alpha" in text
    assert "Evidence:" in text  # the details are shown with v
    assert "1. " in text
    assert "First of alpha" in text


def test_all_yes_accepts_in_the_order_shown() -> None:
    accepted, script, _ = run(["y", "yes", " Y ", "y"])
    assert accepted == [A1, A2, BEST, B1]
    assert len(script.prompts) == 4


def test_invalid_answer_asks_again() -> None:
    accepted, script, _ = run(["maybe", "", "n", "no", "n", "y"])
    assert accepted == [B1]
    assert script.prompts[:3] == [prompt(1), prompt(1), prompt(1)]
    complaint = "Please answer y (apply), n (skip), v (view details) or q (quit)."
    assert script.said.count(complaint) == 2


def test_end_of_input_is_quit() -> None:
    accepted, script, _ = run(["n", "y"])
    assert accepted == [A2]
    assert script.prompts == [prompt(1), prompt(2), prompt(3)]  # the third ask hit EOF


def test_quit_at_once_accepts_nothing() -> None:
    accepted, script, _ = run(["q"])
    assert accepted == []
    assert script.prompts == [prompt(1)]


def test_empty_plan_asks_nothing() -> None:
    empty = make_plan([("alpha", [], None)])
    accepted, script, _ = run(["y"], empty)
    assert accepted == []
    assert script.prompts == []
    assert script.said == ["No suggestion to apply."]


def test_view_without_a_textual_change() -> None:
    script = Script(["v", "n"], [], [])
    plan = make_plan([("alpha", [A1], None)])
    assert choose_interactively(plan, script.ask, script.say, lambda s: "") == []
    assert "(no textual change)" in script.said
