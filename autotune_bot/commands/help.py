"""The help reply: every ``/autotune`` command, its arguments and who may use it, written
from :data:`~autotune_bot.commands.verbs.VERBS`."""

from __future__ import annotations

from autotune_bot.commands.verbs import VERBS, Permission

__all__ = ["WHO", "help_text"]

WHO: dict[Permission, str] = {
    "none": "anyone",
    "write": "collaborators with write, maintain or admin access",
}


def help_text() -> str:
    """Markdown listing the commands (one bullet each, arguments as sub-bullets)."""
    lines = [
        "**autotune commands** — write one as the first line of a comment "
        "(one command per comment; later lines are ignored):",
        "",
    ]
    for spec in VERBS.values():
        lines.append(f"- `{spec.usage}` — {spec.summary} *Who: {WHO[spec.permission]}.*")
        lines.extend(f"  - `{arg.name}`: {arg.meaning}" for arg in spec.args)
    lines.append("")
    return "\n".join(lines)
