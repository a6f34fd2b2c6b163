"""`apply --ab-test`: validate each file's patch by real A/B runs; only what passes goes in.

For every patched file the current text is the control and the patched text the variant; both
are written to a temporary folder under the file's own name and handed to the runner. The run
and cost budgets of ``ab_test`` hold for the whole invocation: when what is left cannot pay for
a full test of the next file, that file is not tested and not applied (said so, never guessed).
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from autotune_bot.settings.proposals import ABTestSettings
from autotune_bot.tuning.file_patches import FilePatch
from autotune_bot.validation.decision import decide
from autotune_bot.validation.progress import RunProgress
from autotune_bot.validation.result import ABTestResult
from autotune_bot.validation.runner import RunBatch, run_ab

__all__ = ["GateDecision", "decide_batch", "validate_patches"]


@dataclass(frozen=True)
class GateDecision:
    patch: FilePatch
    result: ABTestResult | None  # None: not tested (budget exhausted)
    reason: str

    @property
    def apply(self) -> bool:
        return self.result is not None and self.result.status == "passed"


def _budget_text(ab: ABTestSettings) -> str:
    text = f"ab_test.max_total_runs {ab.max_total_runs}"
    if ab.max_cost_usd is not None:
        text += f", ab_test.max_cost_usd {ab.max_cost_usd:g}"
    return text


def _write(folder: Path, name: str, text: str) -> Path:
    folder.mkdir()
    path = folder / name
    path.write_bytes(text.encode("utf-8"))  # byte for byte: CRLF and final newline kept
    return path


def decide_batch(batch: RunBatch, ab: ABTestSettings) -> ABTestResult:
    """The verdict on a batch of runs, saying why the batch stopped early if it did."""
    result = decide(batch.control, batch.variant, ab, paired=batch.paired)
    if batch.stopped_reason:
        result = replace(result, reasons=(*result.reasons, batch.stopped_reason))
    return result


def validate_patches(
    patches: Sequence[FilePatch],
    ab: ABTestSettings,
    *,
    cwd: Path,
    environ: Mapping[str, str],
    progress: Callable[[RunProgress], None] | None = None,
) -> list[GateDecision]:
    runs_left = ab.max_total_runs
    cost_left = ab.max_cost_usd
    decisions: list[GateDecision] = []
    for patch in patches:
        if ab.max_cost_usd == 0:
            why = "not tested: ab_test.max_cost_usd is 0, so the budget allows no runs"
            decisions.append(GateDecision(patch, None, why))
            continue
        if runs_left < 2 * ab.runs_per_arm or (cost_left is not None and cost_left <= 0):
            decisions.append(
                GateDecision(
                    patch,
                    None,
                    f"not tested: the A/B budget of this invocation is spent ({_budget_text(ab)})",
                )
            )
            continue
        budget = ab.model_copy(update={"max_total_runs": runs_left, "max_cost_usd": cost_left})
        name = Path(patch.path).name
        with tempfile.TemporaryDirectory(prefix="autotune-ab-") as tmp:
            before = _write(Path(tmp) / "control", name, patch.old_text)
            after = _write(Path(tmp) / "variant", name, patch.new_text)
            batch = run_ab(before, after, budget, cwd=cwd, environ=environ, progress=progress)
        runs_left -= batch.runs_done
        if cost_left is not None:
            spent = sum(r.cost_usd or 0.0 for r in (*batch.control, *batch.variant))
            cost_left -= spent
        result = decide_batch(batch, ab)
        verdict = "applied" if result.status == "passed" else "not applied"
        decisions.append(GateDecision(patch, result, f"A/B {result.status}: {verdict}"))
    return decisions
