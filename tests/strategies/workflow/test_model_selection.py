"""ModelSelectionStrategy: task size from recorded tokens, a cheaper model of a lower tier."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from autotune_bot.settings import Settings
from autotune_bot.strategies.base import WorkflowTarget
from autotune_bot.strategies.model_selection import ModelSelectionStrategy

from .conftest import Demo, Record, build_target, candidate, timed_runs

STRATEGY = ModelSelectionStrategy()


def _yaml(model: str, max_tokens: int | None = None) -> str:
    cap = f"\n          max_tokens: {max_tokens}" if max_tokens else ""
    return f"""\
workflows:
  wf:
    nodes:
      - id: writer
        goal: Write the note
        llm_config:
          model_hint: {model}{cap}
"""


def _target(
    tmp_path: Path,
    model: str,
    tokens: tuple[int, int],
    *,
    max_tokens: int | None = None,
    settings: Settings | None = None,
    options: dict[str, bool | int | float | str] | None = None,
) -> WorkflowTarget:
    def usage(rng: random.Random, i: int, node: str) -> Record:
        return {
            "input_tokens": round(tokens[0] * rng.uniform(0.9, 1.0)),
            "output_tokens": round(tokens[1] * rng.uniform(0.9, 1.0)),
            "model": model,
        }

    records = timed_runs(8, 40, {"writer": 4.0}, extra=usage)
    return build_target(
        tmp_path, _yaml(model, max_tokens), records, settings=settings, options=options
    )


def test_demo_report_moves_to_gpt_4o_mini(demo: Demo) -> None:
    target = demo.target("deep_research")
    (proposal,) = STRATEGY.propose(target)
    assert candidate(proposal).model("report") == "gpt-4o-mini"
    # every other node keeps its model
    changed = set(candidate(proposal).models) - set(target.current.models)
    assert changed == {("report", "gpt-4o-mini")}
    text = " ".join(proposal.evidence)
    assert "workflows/research.yaml:158" in text
    assert "mean 811 input and 305 output tokens" in text
    assert "task is small" in text
    assert "a saving of $0.0048 per run" in text
    assert "Quality is not validated" in text
    assert 0.35 <= proposal.risk_level < 0.6 + 1e-9
    (dim,) = STRATEGY.dimensions(target)
    assert dim.name == "model:report"
    assert dim.choices == ("gpt-4o", "gpt-4o-mini", "gpt-4.1-nano")
    assert dim.current == 0


def test_demo_large_tasks_keep_their_models(demo: Demo) -> None:
    # summarize (claude-3-opus, ~9300/1100 tokens), plan (~5000/1500) and deep_dive stay
    for name in ("code_review", "release_notes"):
        assert STRATEGY.propose(demo.target(name)) == []
        assert STRATEGY.dimensions(demo.target(name)) == []
    nodes = {d.name for d in STRATEGY.dimensions(demo.target("deep_research"))}
    assert nodes == {"model:report"}


def test_demo_cross_provider_option_widens_the_second_choice(demo: Demo) -> None:
    target = demo.target("deep_research", {"allow_cross_provider": True})
    (dim,) = STRATEGY.dimensions(target)
    assert dim.choices == ("gpt-4o", "gpt-4o-mini", "gemini-1.5-flash")


def test_demo_stricter_small_limit_means_no_proposal(demo: Demo) -> None:
    target = demo.target("deep_research", {"small_max_input_tokens": 500})
    assert STRATEGY.propose(target) == []


def test_small_task_on_a_large_model_stays_with_the_provider(tmp_path: Path) -> None:
    (proposal,) = STRATEGY.propose(_target(tmp_path, "claude-3-opus", (600, 200)))
    assert candidate(proposal).model("writer") == "claude-3-haiku"


def test_medium_task_steps_down_one_tier_only(tmp_path: Path) -> None:
    (proposal,) = STRATEGY.propose(_target(tmp_path, "claude-3-opus", (5000, 900)))
    assert candidate(proposal).model("writer") == "claude-3-5-sonnet"
    assert "task is medium" in proposal.evidence[1]


def test_outputs_at_max_tokens_count_as_the_cap(tmp_path: Path) -> None:
    # outputs just under 500 tokens are small, unless they are cut at a 520-token cap
    free = STRATEGY.propose(_target(tmp_path, "gpt-4o", (800, 495)))
    assert [candidate(p).model("writer") for p in free] == ["gpt-4o-mini"]
    capped = _target(tmp_path, "gpt-4o", (800, 495), max_tokens=520)
    assert STRATEGY.propose(capped) == []


def test_price_overrides_are_honoured(tmp_path: Path) -> None:
    settings = Settings.model_validate(
        {"models": {"gpt-4o-mini": {"input_usd_per_mtok": 50.0, "output_usd_per_mtok": 50.0}}}
    )
    target = _target(tmp_path, "gpt-4o", (800, 300), settings=settings)
    (proposal,) = STRATEGY.propose(target)
    assert candidate(proposal).model("writer") == "gpt-4.1-nano"


@pytest.mark.parametrize("model", ["my-local-llm", "gpt-4o-mini"])
def test_unknown_or_smallest_models_get_nothing(tmp_path: Path, model: str) -> None:
    assert STRATEGY.propose(_target(tmp_path, model, (600, 200))) == []


def test_min_calls_option(tmp_path: Path) -> None:
    target = _target(tmp_path, "gpt-4o", (800, 300), options={"min_calls": 41})
    assert STRATEGY.propose(target) == []
