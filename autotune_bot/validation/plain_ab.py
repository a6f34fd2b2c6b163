"""A/B validation of a change to the design documents' plain team configuration.

``PerformanceAutotuner.apply_optimizations(..., enable_ab_testing=True)`` works on plain dicts,
not files: both configurations are written as one-team workflow files (the same form
:func:`~autotune_bot.tuning.synthetic.synthetic_team_file` reads) and the benchmark command
runs on them exactly as ``autotune benchmark`` would.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from autotune_bot.metrics.columns import MetricsStore
from autotune_bot.patch.diff import unified_diff
from autotune_bot.settings.proposals import ABTestSettings
from autotune_bot.tuning.file_patches import FilePatch
from autotune_bot.tuning.synthetic import synthetic_team_file
from autotune_bot.validation.gate import validate_patches
from autotune_bot.validation.progress import RunProgress
from autotune_bot.validation.result import ABTestResult, not_run_result

__all__ = ["ab_test_plain_change", "recorded_member_names"]


def ab_test_plain_change(
    team_id: str,
    before: Mapping[str, Any],
    after: Mapping[str, Any],
    recorded_members: Sequence[str],
    settings: ABTestSettings,
    *,
    cwd: Path,
    environ: Mapping[str, str],
    progress: Callable[[RunProgress], None] | None = None,
) -> ABTestResult:
    """Run the A/B test of ``before`` (control) against ``after`` (variant). When the
    budget allows no test (``ab_test.max_cost_usd`` 0), nothing runs and the result is
    ``skipped``, its reason saying so."""
    old = synthetic_team_file(team_id, before, recorded_members).text
    new = synthetic_team_file(team_id, after, recorded_members).text
    name = f"{team_id}_workflow.yaml"
    patch = FilePatch(name, old, new, unified_diff(old, new, name), ())
    (decision,) = validate_patches([patch], settings, cwd=cwd, environ=environ, progress=progress)
    if decision.result is None:  # one test always fits the run budget; the cost one may be 0
        return not_run_result("skipped", settings, (decision.reason,))
    return decision.result


def recorded_member_names(store: MetricsStore, team_id: str) -> list[str]:
    """The member ids recorded for ``team_id``, in order of first appearance."""
    code = store.team_names.lookup(team_id)
    if code < 0:
        return []
    mine = store.teams.team[store.members.team_row] == code
    codes = store.members.member[mine]
    _, first = np.unique(codes, return_index=True)
    ordered = codes[np.sort(first)].tolist()
    return [name for c in ordered if (name := store.member_names.name(int(c))) is not None]
