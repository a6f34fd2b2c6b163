"""The benchmark command of one A/B run: its argument list and its environment. Pure.

The command (``ab_test.command``) is an argument list with placeholders: ``{workflow}`` becomes
the path of the arm's workflow copy, ``{input}`` one task input. A placeholder is a name in
braces (``{name}``); other braces, such as those of a JSON argument, are left alone.
Placeholders inside a larger argument are replaced in the text, in one pass: a value that
itself contains ``{workflow}`` stays literal. The command is never given to a shell, so an
input like ``x; touch pwned`` reaches the program as one argument.

Without inputs, ``{input}`` is dropped: an argument that is exactly ``{input}`` goes, and so
does a flag (``-x``, ``--name``) right before it (``victor run {workflow} --input {input}``
becomes ``victor run <path>``); a flag with the placeholder glued on (``--input={input}``,
``-i{input}``) goes as one argument. ``{input}`` anywhere else cannot be dropped cleanly and is
an error, as are inputs given to a command without ``{input}`` (they would not reach it).

The runs get the bot's environment minus its credentials (:data:`WITHHELD`): the benchmark
command runs the user's agents, which have no business holding the token that can push to the
repository, nor the runner's own tokens.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

from autotune_bot.errors import InputError
from autotune_bot.validation.runs import Arm

__all__ = [
    "FIELD",
    "PLACEHOLDERS",
    "WITHHELD",
    "WITHHELD_PREFIXES",
    "fill_command",
    "run_environment",
]

#: The settings field every error of this module names.
FIELD = "ab_test.command"
PLACEHOLDERS = ("workflow", "input")

#: Variables never passed to a benchmark run: the GitHub tokens (the action's write token and
#: the names the gh CLI reads), and the runner's internal tokens and service URLs (artifact,
#: cache and OIDC services).
WITHHELD = frozenset(
    {
        "GITHUB_TOKEN",
        "GH_TOKEN",
        "GH_ENTERPRISE_TOKEN",
        "GITHUB_ENTERPRISE_TOKEN",
        "INPUT_GITHUB_TOKEN",
        "ACTIONS_RUNTIME_TOKEN",
        "ACTIONS_ID_TOKEN_REQUEST_TOKEN",
        "ACTIONS_ID_TOKEN_REQUEST_URL",
        "ACTIONS_CACHE_URL",
        "ACTIONS_RESULTS_URL",
        "ACTIONS_RUNTIME_URL",
    }
)
#: Every variable starting with one of these is withheld too: ``INPUT_*`` are the action's
#: inputs (``INPUT_GITHUB_TOKEN`` among them, or under another spelling).
WITHHELD_PREFIXES = ("INPUT_",)

_PLACEHOLDER = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*)\}")
_INPUT = "{input}"
_GLUED_FLAG = re.compile(r"--?[A-Za-z0-9][A-Za-z0-9_.-]*=|-[A-Za-z0-9]")  # "--name=" or "-x"


def _check_names(argv: Sequence[str]) -> None:
    for arg in argv:
        for match in _PLACEHOLDER.finditer(arg):
            if match.group(1) not in PLACEHOLDERS:
                raise InputError(
                    f"unknown placeholder {match.group()} in argument {arg!r} "
                    "(known: {workflow}, {input})",
                    field=FIELD,
                )


def _is_flag(arg: str) -> bool:
    return len(arg) > 1 and arg.startswith("-") and _PLACEHOLDER.search(arg) is None


def _glued_flag(arg: str) -> bool:
    """``--input={input}`` or ``-i{input}``: a flag whose value is the placeholder alone."""
    head = arg.removesuffix(_INPUT)
    return head != arg and _GLUED_FLAG.fullmatch(head) is not None


def _substitute(arg: str, values: Mapping[str, str]) -> str:
    return _PLACEHOLDER.sub(lambda m: values[m.group(1)], arg)


def fill_command(argv: Sequence[str], *, workflow: str, input: str | None) -> tuple[str, ...]:
    """The argument list of one run: ``argv`` with ``{workflow}`` and ``{input}`` filled in
    (``input`` None: no inputs are configured, so ``{input}`` is dropped as described above).

    Raises InputError (field ``ab_test.command``) for an unknown placeholder, for ``{input}``
    that cannot be dropped, and for an input given to a command without ``{input}``.
    """
    _check_names(argv)
    if input is not None:
        if not any(_INPUT in arg for arg in argv):
            raise InputError(
                "ab_test.inputs are given but the command has no {input} placeholder",
                field=FIELD,
            )
        values = {"workflow": workflow, "input": input}
        return tuple(_substitute(arg, values) for arg in argv)
    out: list[str] = []
    for i, arg in enumerate(argv):
        if arg == _INPUT:
            if i > 1 and _is_flag(argv[i - 1]):  # a flag is always kept as it is: out[-1]
                out.pop()
            continue
        if _glued_flag(arg):
            continue
        if _INPUT in arg:
            raise InputError(
                f"{{input}} inside argument {arg!r} cannot be dropped when no ab_test.inputs "
                "are given; give inputs or write the placeholder as an argument of its own",
                field=FIELD,
            )
        out.append(_substitute(arg, {"workflow": workflow}))
    if not out:
        raise InputError("nothing is left of the command without its {input}", field=FIELD)
    return tuple(out)


def run_environment(
    parent: Mapping[str, str], *, workflow: str, arm: Arm, trial: int, result: str
) -> dict[str, str]:
    """The environment of one run: ``parent`` without the :data:`WITHHELD` variables (and
    those starting with :data:`WITHHELD_PREFIXES`), with the ``AUTOTUNE_*`` variables set over it.

    ``AUTOTUNE_WORKFLOW`` is the workflow copy's path, ``AUTOTUNE_ARM`` ``control`` or
    ``variant``, ``AUTOTUNE_TRIAL`` the 0-based pair index (the same for both runs of a pair)
    and ``AUTOTUNE_RESULT`` the file the run may write its JSON record to.
    """
    env = {
        name: value
        for name, value in parent.items()
        if name.upper() not in WITHHELD and not name.upper().startswith(WITHHELD_PREFIXES)
    }
    env.update(
        AUTOTUNE_WORKFLOW=workflow,
        AUTOTUNE_ARM=arm,
        AUTOTUNE_TRIAL=str(trial),
        AUTOTUNE_RESULT=result,
    )
    return env
