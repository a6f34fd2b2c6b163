"""The `autotune apply --interactive` dialogue, with its input and output passed in.

For every suggestion (per target: the strategies' suggestions, then the search's joint
configuration) it shows a summary and asks ``Apply suggestion #k? (y/n/v/q)``: ``y`` accepts,
``n`` skips, ``v`` shows the details and the diff the suggestion alone would make, then asks
again, ``q`` (or end of input) stops asking and keeps what was accepted so far.
"""

from __future__ import annotations

from collections.abc import Callable

from autotune_bot.report.suggestions_text import render_suggestion
from autotune_bot.tuning.plan_types import TuningPlan
from autotune_bot.tuning.suggestion import OptimizationSuggestion

__all__ = ["choose_interactively"]

PROMPT = "Apply suggestion #{k}? (y/n/v/q): "


def choose_interactively(
    plan: TuningPlan,
    ask: Callable[[str], str],
    say: Callable[[str], None],
    preview: Callable[[OptimizationSuggestion], str],
) -> list[OptimizationSuggestion]:
    """The suggestions the user accepted, in the order shown."""
    offered = [s for t in plan.targets for s in (*t.suggestions, *([t.best] if t.best else []))]
    if not offered:
        say("No suggestion to apply.")
        return []
    say(f"Generated {len(offered)} optimization suggestion(s):")
    accepted: list[OptimizationSuggestion] = []
    for k, suggestion in enumerate(offered, 1):
        say("")
        say("\n".join(render_suggestion(k, suggestion, details=False)))
        while True:
            try:
                answer = ask(PROMPT.format(k=k)).strip().lower()
            except EOFError:
                answer = "q"
            if answer in ("y", "yes"):
                accepted.append(suggestion)
                break
            if answer in ("n", "no"):
                break
            if answer in ("v", "view"):
                say("\n".join(render_suggestion(k, suggestion, details=True)))
                say(preview(suggestion) or "(no textual change)")
                continue
            if answer in ("q", "quit"):
                return accepted
            say("Please answer y (apply), n (skip), v (view details) or q (quit).")
    return accepted
