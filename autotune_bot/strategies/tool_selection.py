"""Tool selection: smaller tool lists, and declared cheaper alternatives.

There is no registry of what tools can do, so this strategy only acts on what the data and
the user say:

* **unused tools** — a node's ``tools:`` list grants tools that the node never called in
  at least ``analysis.min_samples`` runs with its tool use recorded (aggregated ``tools`` or
  individual ``tool_calls``): dropping them shortens the menu the agent chooses from. The
  effect cannot be measured from the recorded runs; the risk is low.
* **declared alternatives** — the ``alternatives`` option maps a tool to one the user says
  can do its job (``"web_search=arxiv"``). A node that uses a tool the analysis reports as
  ``expensive_tool`` gets the alternative instead, when the alternative is not recorded as
  costing as much per call. Its recorded cost per call (from any node of the metrics) gives
  the saving. The metrics record no per-tool failures, so a tool's failures cannot be a
  reason.

A tool a node used is never dropped except in favour of a declared alternative.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import ClassVar

import numpy as np

from autotune_bot.analysis import stats
from autotune_bot.search.space import Dimension
from autotune_bot.strategies.base import Proposal, WorkflowStrategy, WorkflowTarget
from autotune_bot.strategies.options import pairs_option
from autotune_bot.strategies.workflow_runs import run_data, tool_use_rows
from autotune_bot.strategies.workflow_structure import node_location
from autotune_bot.strategies.workflow_tool_use import ToolUsage, cost_per_call, tool_usage
from autotune_bot.tuning.config import WorkflowConfig
from autotune_bot.tuning.dimension_names import tools_dim
from autotune_bot.tuning.suggestion import OptimizationType

__all__ = ["ToolSelectionStrategy"]

RISK_UNUSED = 0.2  # low: the node never called them
RISK_SWAP = 0.45  # medium: the alternative may not do the job as well
_TOOL_NODE_TYPES = frozenset({"agent", "compute"})


@dataclass(frozen=True)
class _Swap:
    tool: str
    alternative: str
    cost_per_call: float  # of the tool, in this node
    alternative_cost: float | None  # per call, anywhere in the metrics; None if unrecorded
    saving: stats.Interval | None  # USD per run


@dataclass(frozen=True)
class _Change:
    usage: ToolUsage
    granted: tuple[str, ...]  # the node's tools: list
    unused: tuple[str, ...]
    swaps: tuple[_Swap, ...]


class ToolSelectionStrategy(WorkflowStrategy):
    """Drop tools a node never uses; swap an expensive tool for a declared alternative.

    Options:
        alternatives: tool pairs ``"tool=alternative;..."`` the user says are
            interchangeable (default: none).
    """

    name: ClassVar[str] = "tool_selection"
    optimization_type: ClassVar[OptimizationType] = OptimizationType.TOOL_SELECTION
    options: ClassVar[dict[str, str]] = {
        "alternatives": "interchangeable tools as 'tool=alternative;...' (default: none)",
    }

    def propose(self, target: WorkflowTarget) -> list[Proposal]:
        out = []
        for change in self._changes(target):
            if change.unused:
                out.append(self._unused_proposal(target, change))
            if change.swaps:
                out.append(self._swap_proposal(target, change))
        return out

    def dimensions(self, target: WorkflowTarget) -> list[Dimension]:
        out = []
        for change in self._changes(target):
            granted = change.granted
            choices = [granted]
            for option in (
                _without(granted, change.unused),
                _swapped(granted, change.swaps),
                _swapped(_without(granted, change.unused), change.swaps),
            ):
                if option not in choices:
                    choices.append(option)
            out.append(Dimension(tools_dim(change.usage.node), tuple(choices), 0, "categorical"))
        return out

    def _changes(self, target: WorkflowTarget) -> list[_Change]:
        alternatives = pairs_option(target.options, self.name, "alternatives")
        min_n = target.settings.analysis.min_samples
        expensive = {
            a
            for i in target.report.insights
            if i.bottleneck == "expensive_tool"
            for a in i.affected
        }
        changed = dict(target.current.tools)
        usages = tool_usage(target.store, run_data(target).node_rows)
        per_call = cost_per_call(target.store)
        found = []
        for node, spec in target.workflow.nodes.items():
            granted = changed.get(node, spec.tools)
            usage = usages.get(node)
            if spec.type not in _TOOL_NODE_TYPES or not granted or node in target.current.removed:
                continue
            if usage is None or usage.recorded_runs < min_n:
                continue
            unused = tuple(t for t in granted if usage.used.get(t, 0) == 0)
            swaps = tuple(
                swap
                for tool in granted
                if tool in alternatives and tool in expensive and usage.used.get(tool, 0)
                for swap in [_swap(target, usage, tool, alternatives[tool], per_call)]
                if swap is not None
            )
            if unused or swaps:
                found.append(_Change(usage, tuple(granted), unused, swaps))
        return found

    def _unused_proposal(self, target: WorkflowTarget, change: _Change) -> Proposal:
        u = change.usage
        conf = target.settings.analysis.confidence
        bound = stats.wilson_interval(0, u.recorded_runs, conf).high
        kept = _without(change.granted, change.unused)
        used = ", ".join(f"{t} in {u.used[t]} runs" for t in change.granted if u.used.get(t))
        granted = ", ".join(change.granted)
        evidence = (
            f"{u.node} ({node_location(target.workflow, u.node)}) may use {granted}; in the "
            f"{u.recorded_runs} runs with its tool use recorded "
            f"it never called {', '.join(change.unused)} (a call rate below {100 * bound:.1f}% "
            f"per run at {conf:.0%} confidence)" + (f"; it called {used}." if used else "."),
            "A shorter tool list gives the agent fewer choices and a shorter prompt; the effect "
            "on duration and cost cannot be measured from the recorded runs.",
        )
        return Proposal(
            type=self.optimization_type,
            description=f"Drop unused tools {', '.join(change.unused)} from {u.node} of "
            f"{target.workflow.name}",
            candidate=_with_tools(target, u.node, kept),
            risk_level=RISK_UNUSED,
            evidence=evidence,
        )

    def _swap_proposal(self, target: WorkflowTarget, change: _Change) -> Proposal:
        u = change.usage
        conf = target.settings.analysis.confidence
        evidence = []
        for s in change.swaps:
            known = (
                f"${s.alternative_cost:.4f} a call (recorded cost / calls in the metrics)"
                if s.alternative_cost is not None
                else "a cost per call the metrics do not record"
            )
            evidence.append(
                f"{u.node} ({node_location(target.workflow, u.node)}) called {s.tool} in "
                f"{u.used[s.tool]} of {u.recorded_runs} runs, {u.calls[s.tool]:.0f} calls at "
                f"${s.cost_per_call:.4f} each; {s.tool} is an expensive_tool of "
                f"{target.workflow.name}, and the `alternatives` option names {s.alternative}, "
                f"at {known}."
            )
            if s.saving is not None:
                evidence.append(
                    f"If each {s.tool} call becomes one {s.alternative} call, {u.node} saves a "
                    f"mean ${s.saving.estimate:.4f} per run (interval ${s.saving.low:.4f}–"
                    f"${s.saving.high:.4f} at {conf:.0%} confidence); duration and quality of "
                    f"{s.alternative}'s results are not validated."
                )
        new = _swapped(change.granted, change.swaps)
        pairs = ", ".join(f"{s.tool} → {s.alternative}" for s in change.swaps)
        return Proposal(
            type=self.optimization_type,
            description=f"Use {pairs} on {u.node} of {target.workflow.name}",
            candidate=_with_tools(target, u.node, new),
            risk_level=RISK_SWAP,
            evidence=tuple(evidence),
            insights=("expensive_tool",),
        )


def _swap(
    target: WorkflowTarget,
    usage: ToolUsage,
    tool: str,
    alternative: str,
    per_call: dict[str, float],
) -> _Swap | None:
    """The swap of ``tool`` for ``alternative`` on the node, unless nothing says it saves."""
    calls = usage.calls.get(tool, 0.0)
    if calls <= 0:
        return None
    cost = usage.cost.get(tool, 0.0) / calls
    alt_cost = per_call.get(alternative)
    if alt_cost is not None and alt_cost >= cost:
        return None
    saving = None
    if alt_cost is not None:
        saving = _saving_per_run(target, usage.node, tool, cost, alt_cost)
    return _Swap(tool, alternative, cost, alt_cost, saving)


def _saving_per_run(
    target: WorkflowTarget, node: str, tool: str, cost: float, alt_cost: float
) -> stats.Interval | None:
    """USD per run saved when each recorded call of ``tool`` costs ``alt_cost`` instead,
    over the node's runs with tool use recorded."""
    store = target.store
    u = store.tool_use
    node_rows = run_data(target).node_rows
    mine = node_rows[store.nodes.node[node_rows] == store.node_names.lookup(node)]
    rows = tool_use_rows(store, mine)
    if rows.size == 0:
        return None
    _, slot = np.unique(u.node_row[rows], return_inverse=True)
    slot = slot.reshape(-1)
    is_tool = u.tool[rows] == store.tool_names.lookup(tool)
    saved = np.where(is_tool, np.nan_to_num(u.count[rows]) * (cost - alt_cost), 0.0)
    per_run = np.bincount(slot, saved, int(slot.max()) + 1)
    return stats.mean_interval(per_run, target.settings.analysis.confidence)


def _without(tools: tuple[str, ...], dropped: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(t for t in tools if t not in dropped)


def _swapped(tools: tuple[str, ...], swaps: tuple[_Swap, ...]) -> tuple[str, ...]:
    replace = {s.tool: s.alternative for s in swaps}
    return tuple(dict.fromkeys(replace.get(t, t) for t in tools))


def _with_tools(target: WorkflowTarget, node: str, tools: tuple[str, ...]) -> WorkflowConfig:
    changed = dict(target.current.tools)
    changed[node] = tools
    return dataclasses.replace(target.current, tools=tuple(sorted(changed.items())))
