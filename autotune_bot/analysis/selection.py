"""Which records describe the configuration in force, and which describe older ones.

Records carry ``config_fingerprint`` and/or ``git_sha``. Mixing configurations would blur a
change's effect into its history, so by default only the records of the latest configuration
(the one of the most recent record) are analysed; each older configuration is summarised
separately and can serve as the team's own historical baseline. Alternatively a window of N
days before the most recent record is used. Time is the data's own: no clock is read.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

__all__ = ["ConfigGroup", "Selection", "select_rows"]

IntArray = npt.NDArray[np.intp]
DAY = 86400.0


@dataclass(frozen=True)
class ConfigGroup:
    config: str | None  # None: records without config_fingerprint/git_sha
    rows: IntArray
    first_timestamp: float  # NaN when the records have none
    last_timestamp: float


@dataclass(frozen=True)
class Selection:
    current: ConfigGroup
    older: tuple[ConfigGroup, ...]  # most recent first
    how: str  # human-readable description of the rule applied


def _groups(
    rows: IntArray,
    config: npt.NDArray[np.int32],
    stamps: npt.NDArray[np.float64],
    names: list[str],
) -> list[ConfigGroup]:
    groups = []
    for code in np.unique(config[rows]).tolist():
        members = rows[config[rows] == code]
        ts = stamps[members]
        finite = ts[np.isfinite(ts)]
        groups.append(
            ConfigGroup(
                config=names[code] if code >= 0 else None,
                rows=members,
                first_timestamp=float(finite.min()) if finite.size else math.nan,
                last_timestamp=float(finite.max()) if finite.size else math.nan,
            )
        )
    return groups


def _recency(group: ConfigGroup) -> tuple[float, int]:
    # Latest timestamp first; without timestamps, file order (the last row) decides.
    stamp = group.last_timestamp if not math.isnan(group.last_timestamp) else -math.inf
    return (stamp, int(group.rows.max()))


def select_rows(
    rows: IntArray,
    config: npt.NDArray[np.int32],
    stamps: npt.NDArray[np.float64],
    config_names: list[str],
    *,
    current_only: bool,
    window_days: float | None,
) -> Selection:
    """Split ``rows`` (indexes into a table) into the current configuration and older ones."""
    if rows.size == 0:
        empty = ConfigGroup(None, rows, math.nan, math.nan)
        return Selection(empty, (), "no records")
    if window_days is not None:
        finite = stamps[rows][np.isfinite(stamps[rows])]
        if finite.size:
            cutoff = float(finite.max()) - window_days * DAY
            inside = rows[np.isfinite(stamps[rows]) & (stamps[rows] >= cutoff)]
            outside = rows[~np.isin(rows, inside)]
            group = ConfigGroup(None, inside, cutoff, float(finite.max()))
            older = sorted(
                _groups(outside, config, stamps, config_names), key=_recency, reverse=True
            )
            return Selection(
                group, tuple(older), f"records from the last {window_days:g} days of data"
            )
    groups = sorted(_groups(rows, config, stamps, config_names), key=_recency, reverse=True)
    if not current_only or len(groups) == 1:
        if len(groups) == 1:
            how = (
                f"configuration {groups[0].config}"
                if groups[0].config
                else "all records (no config_fingerprint or git_sha recorded)"
            )
            return Selection(groups[0], (), how)
        merged = ConfigGroup(
            None,
            rows,
            min(g.first_timestamp for g in groups),
            max(g.last_timestamp for g in groups),
        )
        return Selection(merged, tuple(groups), "all configurations together")
    current = groups[0]
    how = f"latest configuration {current.config}" if current.config else "latest records"
    return Selection(current, tuple(groups[1:]), how)
