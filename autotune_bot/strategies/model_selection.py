"""Model selection: a cheaper model for agent nodes whose recorded task is small.

The task's size is read from the recorded token counts of the node's calls (a high quantile,
so occasional large prompts count): small when input and output both stay under the small
limits, medium under the medium limits, large otherwise. When outputs reach the node's
``max_tokens`` the cap, not the task, bounds them, so the cap counts as the output size. A
node whose model (``llm_config.model_hint``) is of a higher tier than its task needs gets a
model of a lower tier (but not below the task's) from the same provider, the closest
substitute first. The cost saving is the recorded tokens priced at both models' prices
(effective price table: built-in, learned from the metrics, ``models:`` overrides); whether
the cheaper model does the task as well is not something the recorded runs can show.
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass
from typing import ClassVar

import numpy as np
import numpy.typing as npt

from autotune_bot.analysis import stats
from autotune_bot.model.prices import (
    ModelPrices,
    PriceTable,
    default_price_table,
    learn_prices,
    price_table,
)
from autotune_bot.search.space import Dimension
from autotune_bot.strategies.base import Proposal, WorkflowStrategy, WorkflowTarget
from autotune_bot.strategies.options import bool_option, float_option, int_option
from autotune_bot.strategies.workflow_model_choice import TIERS, Replacement, replacements
from autotune_bot.strategies.workflow_runs import run_data
from autotune_bot.strategies.workflow_structure import node_location
from autotune_bot.tuning.dimension_names import model_dim
from autotune_bot.tuning.suggestion import OptimizationType

__all__ = ["ModelSelectionStrategy"]

F64 = npt.NDArray[np.float64]
RISK = 0.55  # medium-high: output quality is not measured
SATURATED = 0.9  # p95 output at this share of max_tokens: the cap bounds the output


@dataclass(frozen=True)
class _Limits:
    quantile: float
    small_in: float
    small_out: float
    medium_in: float
    medium_out: float


@dataclass(frozen=True)
class _Choice:
    node: str
    model: str  # as written
    prices: ModelPrices  # of the current model
    task: int  # tier rank the task needs
    input_tokens: F64  # per recorded call
    output_tokens: F64
    run_index: npt.NDArray[np.intp]  # per call: which run (0..runs-1)
    runs: int
    capped: bool  # outputs reach max_tokens
    options: tuple[Replacement, ...]  # 1-2 cheaper models, the proposal's first


class ModelSelectionStrategy(WorkflowStrategy):
    """A cheaper model of a lower tier for agent nodes whose recorded tokens show a small task.

    Options:
        min_calls: recorded calls a node needs (default: analysis.min_samples).
        token_quantile: quantile of the token counts that classifies the task (default 0.9).
        small_max_input_tokens: input limit of a small task (default 2000).
        small_max_output_tokens: output limit of a small task (default 500).
        medium_max_input_tokens: input limit of a medium task (default 8000).
        medium_max_output_tokens: output limit of a medium task (default 2000).
        allow_cross_provider: also propose other providers' models (default false).
    """

    name: ClassVar[str] = "model_selection"
    optimization_type: ClassVar[OptimizationType] = OptimizationType.MODEL_SELECTION
    options: ClassVar[dict[str, str]] = {
        "min_calls": "recorded calls a node needs (default: analysis.min_samples)",
        "token_quantile": "quantile of the token counts that classifies the task (default 0.9)",
        "small_max_input_tokens": "input limit of a small task (default 2000)",
        "small_max_output_tokens": "output limit of a small task (default 500)",
        "medium_max_input_tokens": "input limit of a medium task (default 8000)",
        "medium_max_output_tokens": "output limit of a medium task (default 2000)",
        "allow_cross_provider": "also propose other providers' models (default false)",
    }

    def propose(self, target: WorkflowTarget) -> list[Proposal]:
        table = _prices(target)
        return [self._proposal(target, c, table) for c in self._choices(target, table)]

    def dimensions(self, target: WorkflowTarget) -> list[Dimension]:
        return [
            Dimension(
                model_dim(c.node),
                (c.model, *(r.model.model for r in c.options)),
                0,
                "ordinal",
            )
            for c in self._choices(target, _prices(target))
        ]

    def _limits(self, target: WorkflowTarget) -> _Limits:
        o, n = target.options, self.name
        return _Limits(
            float_option(o, n, "token_quantile", 0.9, low=0.5, high=1.0),
            int_option(o, n, "small_max_input_tokens", 2000),
            int_option(o, n, "small_max_output_tokens", 500),
            int_option(o, n, "medium_max_input_tokens", 8000),
            int_option(o, n, "medium_max_output_tokens", 2000),
        )

    def _choices(self, target: WorkflowTarget, table: PriceTable) -> list[_Choice]:
        limits = self._limits(target)
        min_calls = int_option(
            target.options, self.name, "min_calls", target.settings.analysis.min_samples
        )
        cross = bool_option(target.options, self.name, "allow_cross_provider", False)
        store = target.store
        data = run_data(target)
        found = []
        for node, model in target.current.models:
            spec = target.workflow.nodes.get(node)
            if spec is None or spec.type != "agent" or node in target.current.removed:
                continue
            rows = data.node_rows[store.nodes.node[data.node_rows] == store.node_names.lookup(node)]
            ins, outs = store.nodes.input_tokens[rows], store.nodes.output_tokens[rows]
            ok = np.isfinite(ins) & np.isfinite(outs) & (ins >= 0) & (outs >= 0)
            prices = table.get(model)
            if int(ok.sum()) < min_calls or prices is None:
                continue
            ins, outs = ins[ok], outs[ok]
            capped = _capped(spec.fields.get("max_tokens"), outs)
            task = _task(ins, outs, capped, limits)
            options = replacements(table, prices, task, ins, outs, cross_provider=cross)
            if not options:
                continue
            picked = [options[0]]
            cheapest = min(options[1:], key=lambda r: float(r.cost.mean()), default=None)
            if cheapest is not None and float(cheapest.cost.mean()) < float(options[0].cost.mean()):
                picked.append(cheapest)
            _, run_index = np.unique(store.nodes.run_row[rows[ok]], return_inverse=True)
            found.append(
                _Choice(
                    node,
                    model,
                    prices,
                    task,
                    ins,
                    outs,
                    run_index.reshape(-1).astype(np.intp),
                    int(run_index.max()) + 1,
                    capped is not None,
                    tuple(picked),
                )
            )
        return found

    def _proposal(self, target: WorkflowTarget, c: _Choice, table: PriceTable) -> Proposal:
        wf = target.workflow
        limits = self._limits(target)
        conf = target.settings.analysis.confidence
        new = c.options[0].model
        now_cost = c.prices.token_cost(c.input_tokens, c.output_tokens)
        assert now_cost is not None  # replacements() only returns models when it is known
        per_run_now = np.bincount(c.run_index, now_cost, c.runs)
        per_run_new = np.bincount(c.run_index, c.options[0].cost, c.runs)
        saving = stats.mean_interval(per_run_now - per_run_new, conf)
        q = limits.quantile
        qi, qo = (float(np.quantile(x, q)) for x in (c.input_tokens, c.output_tokens))
        mi, mo = float(c.input_tokens.mean()), float(c.output_tokens.mean())
        tier = c.prices.tier or "unknown"
        evidence = [
            f"{c.node} ({node_location(wf, c.node)}) runs {c.model} ({tier} tier) for a mean "
            f"{mi:.0f} input and {mo:.0f} output tokens per call (quantile {q:g}: {qi:.0f} / "
            f"{qo:.0f}; n={c.input_tokens.size} calls).",
            f"By those counts the task is {TIERS[c.task]} (small: input ≤ "
            f"{limits.small_in:.0f} and output ≤ {limits.small_out:.0f} tokens; medium: ≤ "
            f"{limits.medium_in:.0f} and ≤ {limits.medium_out:.0f})"
            + (
                "; its outputs reach max_tokens, so the cap counts as the output size."
                if c.capped
                else "."
            ),
            f"The recorded tokens cost a mean ${per_run_now.mean():.4f} per run at {c.model} "
            f"prices ({_price(c.prices)}) and ${per_run_new.mean():.4f} at {new.model} prices "
            f"({_price(new)}): a saving of ${saving.estimate:.4f} per run in which it ran "
            f"(interval ${saving.low:.4f}–${saving.high:.4f} at {conf:.0%} confidence, "
            f"n={c.runs} runs)" + _share_of_cost(target, saving.estimate * c.runs),
        ]
        ratio = table.latency_ratio(c.prices.model, new.model)
        if ratio is not None:
            evidence.append(
                f"{new.model} takes {ratio[0]:.2f}× the time per output token of "
                f"{c.prices.model} (rough: {ratio[1]})."
            )
        if len(c.options) > 1:
            other = c.options[1]
            evidence.append(
                f"{other.model.model} ({other.model.tier} tier) would cost "
                f"${float(np.bincount(c.run_index, other.cost, c.runs).mean()):.4f} per run; "
                f"{new.model} comes first as the closer substitute for {c.model}."
            )
        evidence.append(
            f"Quality is not validated: the recorded runs cannot show how well {new.model} does "
            "this task; A/B test the change before relying on it."
        )
        candidate = dataclasses.replace(
            target.current,
            models=tuple(sorted({**dict(target.current.models), c.node: new.model}.items())),
        )
        addressed = {"slow_node", "dominant_node"}
        insights = tuple(
            dict.fromkeys(
                i.bottleneck
                for i in target.report.insights
                if i.component == c.node and i.bottleneck in addressed
            )
        )
        return Proposal(
            type=self.optimization_type,
            description=f"Set {c.node} model {c.model} → {new.model} ({TIERS[c.task]} task, "
            f"≈{mi:.0f}/{mo:.0f} tokens; ≈${saving.estimate:.4f} less a run)",
            candidate=candidate,
            risk_level=RISK,
            evidence=tuple(evidence),
            insights=insights,
        )


def _prices(target: WorkflowTarget) -> PriceTable:
    """The effective price table: built-in, learned from the metrics, then overrides."""
    return price_table(default_price_table(), learn_prices(target.store), target.settings.models)


def _capped(max_tokens: object, outputs: F64) -> float | None:
    """``max_tokens`` when the recorded outputs reach it (p95 at 90 % of the cap or more)."""
    value = getattr(max_tokens, "value", None)
    if isinstance(value, bool) or not isinstance(value, int | float) or value <= 0:
        return None
    return float(value) if float(np.quantile(outputs, 0.95)) >= SATURATED * value else None


def _task(ins: F64, outs: F64, capped: float | None, limits: _Limits) -> int:
    """Tier rank the task needs: 0 small, 1 medium, 2 large."""
    qi = float(np.quantile(ins, limits.quantile))
    qo = float(np.quantile(outs, limits.quantile))
    if capped is not None:
        qo = max(qo, capped)
    if qi <= limits.small_in and qo <= limits.small_out:
        return 0
    if qi <= limits.medium_in and qo <= limits.medium_out:
        return 1
    return 2


def _price(m: ModelPrices) -> str:
    i, o = m.input_usd_per_mtok, m.output_usd_per_mtok
    if i is None or o is None:
        return "price unknown"
    source = i.source if i.source == o.source else f"{i.source}; {o.source}"
    return f"${i.value:.2f} / ${o.value:.2f} per million input / output tokens, {source}"


def _share_of_cost(target: WorkflowTarget, saved: float) -> str:
    """The total saving as a share of the workflow's recorded cost."""
    selection = target.report.selection
    if selection is None:
        return "."
    costs = target.store.runs.cost[selection.current.rows]
    total = float(costs[np.isfinite(costs)].sum())
    if not total > 0 or not math.isfinite(saved):
        return "."
    return f": {100 * saved / total:.1f}% of the workflow's recorded cost (${total:.2f})."
