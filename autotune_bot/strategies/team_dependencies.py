"""Questions about a team's member dependency structure, on top of
:func:`autotune_bot.workflow.dataflow.member_dependencies` (``input_from`` plus members named
in goal text): who reads whom, whether the file order respects the dependencies, which
members can go, and how workers split into groups that do not read each other.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Collection

from autotune_bot.workflow.dataflow import member_dependencies
from autotune_bot.workflow.model import TeamSpec

__all__ = [
    "declared_dependencies",
    "follows_file_order",
    "removable_members",
    "worker_groups",
]


def declared_dependencies(team: TeamSpec) -> dict[str, frozenset[str]]:
    """Member id → members it names in ``input_from`` (goal text ignored): the dependencies
    the file states outright."""
    bare = dataclasses.replace(
        team, members=tuple(dataclasses.replace(m, goal_refs=()) for m in team.members)
    )
    return member_dependencies(bare)


def follows_file_order(team: TeamSpec) -> bool:
    """True when every member reads only members listed before it (so running the members
    one after another in file order gives each what it reads)."""
    position = {m.id: m.index for m in team.members}
    deps = member_dependencies(team)
    return all(position[d] < position[m.id] for m in team.members for d in deps.get(m.id, ()))


def removable_members(team: TeamSpec, wanted: Collection[str]) -> tuple[str, ...]:
    """The largest part of ``wanted`` that can be removed together: members that no member
    staying in the team reads (in file order)."""
    deps = member_dependencies(team)
    removing = {m for m in wanted if m in deps}
    changed = True
    while changed:
        changed = False
        for member, reads in deps.items():
            if member in removing:
                continue
            needed = reads & removing
            if needed:
                removing -= needed
                changed = True
    return tuple(m.id for m in team.members if m.id in removing)


def worker_groups(team: TeamSpec, manager: str) -> tuple[tuple[str, ...], ...]:
    """The members other than ``manager`` split into groups that read nothing from one
    another (connected components of the dependency graph among them); members keep file
    order within a group and groups are ordered by their first member."""
    deps = member_dependencies(team)
    workers = list(dict.fromkeys(m.id for m in team.members if m.id != manager))
    parent = {w: w for w in workers}

    def root(member: str) -> str:
        while parent[member] != member:
            parent[member] = parent[parent[member]]
            member = parent[member]
        return member

    for member in workers:
        for other in deps.get(member, ()):
            if other in parent:
                parent[root(member)] = root(other)
    groups: dict[str, list[str]] = {}
    for member in workers:
        groups.setdefault(root(member), []).append(member)
    return tuple(tuple(g) for g in groups.values())
