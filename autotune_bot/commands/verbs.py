"""The table of ``/autotune`` commands: the one place that says which verbs exist, which
arguments each takes, who may use it and what it does.

The parser (arity and argument kinds), the authorisation (permission per verb) and the help
text all read :data:`VERBS`, so they cannot disagree.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

__all__ = ["VERBS", "ArgSpec", "Permission", "Verb", "VerbSpec", "spec_of"]

Verb = Literal["rollback", "analyze", "retune", "ignore", "status", "help"]
Permission = Literal["none", "write"]
ArgKind = Literal["index", "name"]


@dataclass(frozen=True, slots=True)
class ArgSpec:
    """One argument of a verb: ``index`` is a history index (``N``), ``name`` an identifier."""

    name: str
    kind: ArgKind
    optional: bool
    meaning: str

    @property
    def usage(self) -> str:
        """``[N]`` for an optional argument, ``<strategy|team>`` for a required one."""
        return f"[{self.name}]" if self.optional else f"<{self.name}>"


@dataclass(frozen=True, slots=True)
class VerbSpec:
    """A verb, its arguments (optional ones last), who may use it and what it does."""

    verb: Verb
    args: tuple[ArgSpec, ...]
    permission: Permission
    summary: str

    @property
    def usage(self) -> str:
        """The command as written, e.g. ``/autotune rollback [N]``."""
        return " ".join(["/autotune", self.verb, *(arg.usage for arg in self.args)])

    @property
    def min_args(self) -> int:
        return sum(1 for arg in self.args if not arg.optional)

    @property
    def max_args(self) -> int:
        return len(self.args)


_TEAM = ArgSpec(
    "team",
    "name",
    optional=True,
    meaning="a team id from the metrics; without it, every team",
)

# Write access is needed for everything that runs work on the runner, spends the
# repository's Actions minutes, opens pull requests or posts results on a reader's behalf;
# `analyze` only reads, but it still runs the analysis on the runner and posts its results.
VERBS: dict[Verb, VerbSpec] = {
    "rollback": VerbSpec(
        "rollback",
        (
            ArgSpec(
                "N",
                "index",
                optional=True,
                meaning="a history index, 0 = the latest change (a whole number below 10000)",
            ),
        ),
        "write",
        "On a merged autotune pull request and without `N`: open a pull request that "
        "reverts it. With `N`: open a pull request back to the configuration before "
        "history entry `N`.",
    ),
    "analyze": VerbSpec(
        "analyze",
        (_TEAM,),
        "write",
        "Analyse the recorded metrics and post the bottlenecks found as a reply.",
    ),
    "retune": VerbSpec(
        "retune",
        (_TEAM,),
        "write",
        "Run a tuning pass now and open or update the proposals it finds.",
    ),
    "ignore": VerbSpec(
        "ignore",
        (
            ArgSpec(
                "strategy|team",
                "name",
                optional=False,
                meaning="a strategy name (it is disabled) or a team or node id "
                "(it is added to `constraints.protected_nodes`)",
            ),
        ),
        "write",
        "Open a pull request that edits the settings file so that autotune stops "
        "proposing this strategy or stops changing this team or node.",
    ),
    "status": VerbSpec(
        "status",
        (),
        "none",
        "Show autotune's open proposals and the monitoring state of merged ones.",
    ),
    "help": VerbSpec("help", (), "none", "Show this list of commands."),
}


def spec_of(word: str) -> VerbSpec | None:
    """The verb ``word`` names exactly (case-sensitive), if any."""
    for spec in VERBS.values():
        if spec.verb == word:
            return spec
    return None
