"""Concatenating two metrics stores (e.g. the two halves of one file read in parallel).

Rows of the second store come after those of the first; its string codes are re-interned
into the first store's tables and its row references shifted.
"""

from __future__ import annotations

import dataclasses
from typing import Any

import numpy as np
import numpy.typing as npt

from autotune_bot.metrics.columns import Interner, MetricsStore

__all__ = ["concat_stores"]

I32 = npt.NDArray[np.int32]


def _remap(target: Interner, source: Interner) -> I32:
    """Array mapping source codes to target codes (index -1 maps -1 via the last slot)."""
    table = np.array([target.code(name) for name in source.names] + [-1], dtype=np.int32)
    return table


def _codes(table: I32, codes: I32) -> I32:
    return table[codes]  # codes of -1 pick the trailing -1


def _shift(rows: I32, offset: int) -> I32:
    return np.where(rows >= 0, rows + offset, rows).astype(np.int32)


def _cat(table_a: Any, table_b: Any, **replaced: npt.NDArray[Any]) -> Any:
    fields = {}
    for f in dataclasses.fields(table_a):
        b = replaced.get(f.name, getattr(table_b, f.name))
        fields[f.name] = np.concatenate([getattr(table_a, f.name), b])
    return type(table_a)(**fields)


def concat_stores(a: MetricsStore, b: MetricsStore) -> MetricsStore:
    names: dict[str, Interner] = {
        f.name: Interner(dict(getattr(a, f.name).codes), list(getattr(a, f.name).names))
        for f in dataclasses.fields(a)
        if f.name.endswith("_names")
    }
    maps = {key: _remap(names[key], getattr(b, key)) for key in names}
    t, m, r, n = b.teams, b.members, b.runs, b.nodes
    teams = _cat(
        a.teams,
        t,
        team=_codes(maps["team_names"], t.team),
        config=_codes(maps["config_names"], t.config),
        workflow=_codes(maps["workflow_names"], t.workflow),
        formation=_codes(maps["formation_names"], t.formation),
        file=_codes(maps["file_names"], t.file),
        run=_shift(t.run, len(a.runs)),
    )
    members = _cat(
        a.members,
        m,
        team_row=_shift(m.team_row, len(a.teams)),
        member=_codes(maps["member_names"], m.member),
    )
    runs = _cat(
        a.runs,
        r,
        workflow=_codes(maps["workflow_names"], r.workflow),
        config=_codes(maps["config_names"], r.config),
        file=_codes(maps["file_names"], r.file),
    )
    nodes = _cat(
        a.nodes,
        n,
        run_row=_shift(n.run_row, len(a.runs)),
        node=_codes(maps["node_names"], n.node),
        model=_codes(maps["model_names"], n.model),
        error_type=_codes(maps["misc_names"], n.error_type),
    )
    tool_use = _cat(
        a.tool_use,
        b.tool_use,
        node_row=_shift(b.tool_use.node_row, len(a.nodes)),
        tool=_codes(maps["tool_names"], b.tool_use.tool),
    )
    c = b.tool_calls
    owner_offset = np.where(c.owner_kind == 0, len(a.nodes), len(a.members)).astype(np.int32)
    tool_calls = _cat(
        a.tool_calls,
        c,
        owner_row=(c.owner_row + owner_offset).astype(np.int32),
        tool=_codes(maps["tool_names"], c.tool),
        args_hash=_codes(maps["misc_names"], c.args_hash),
    )
    files = a.files_read + tuple(f for f in b.files_read if f not in a.files_read)
    return MetricsStore(
        teams=teams,
        members=members,
        runs=runs,
        nodes=nodes,
        tool_use=tool_use,
        tool_calls=tool_calls,
        files_read=files,
        records_read=a.records_read + b.records_read,
        **names,
    )
