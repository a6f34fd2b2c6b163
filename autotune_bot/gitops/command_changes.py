"""The two commands that open a pull request of their own: ``rollback N`` and ``ignore X``.

``rollback N`` undoes history entry ``N``: the ``N``-th change of the whole history that is
still applied (apply entries no rollback entry reverted, newest first, so 0 is the newest),
planned by :func:`autotune_bot.rollback.plan_rollback` on the base's files. Its branch is
``<prefix>revert/history-<entry id>``, its files the reverted workflow files and the history
with the rollback entry appended, its marker of kind ``revert``.

``ignore X`` edits the settings file minimally
(:func:`~autotune_bot.commands.ignore_patch.ignore_settings_patch`) on branch
``<prefix>settings/ignore-<X>``, marker of kind ``settings``.

An open pull request of the same key (for ``rollback N``, also an open revert of the same
history entry, such as monitoring's revert of its merged pull request) is reported instead
of a second one. Both read the base branch's files; the history is read from the checkout,
which must hold the base's.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from autotune_bot.commands.quote import code_span
from autotune_bot.gitops.branch_names import ref_component
from autotune_bot.gitops.command_actions import ActionContext, Outcome
from autotune_bot.gitops.command_publish import (
    CommandFailedError,
    Place,
    base_text,
    locate,
    make_proposal,
    open_proposal_of,
    publish,
)
from autotune_bot.gitops.markdown import code_block, prose
from autotune_bot.gitops.proposals import HISTORY_PATH, appended_history
from autotune_bot.gitops.types import ForgeProposal
from autotune_bot.settings.proposals import PullRequestSettings

__all__ = ["ignore_outcome", "rollback_entry_outcome"]


def _place(ctx: ActionContext) -> Place:
    from autotune_bot.settings import load_settings

    settings, _ = load_settings(ctx.options.repo, ctx.options.settings_file)
    return _locate(ctx, settings.pull_requests)


def _locate(ctx: ActionContext, prs: PullRequestSettings) -> Place:
    opts = ctx.options
    return locate(opts.repo, prs, opts.remote, opts.token, opts.now)


def _link(p: ForgeProposal) -> str:
    from autotune_bot.monitor.status import ref_link

    return ref_link(p.ref, p.url)


def _open_revert_of(ctx: ActionContext, entry_id: str) -> ForgeProposal | None:
    """An open revert proposal of history entry ``entry_id`` made another way (monitoring's
    revert of the merged pull request that applied it): one open revert per change."""
    for p in ctx.forge.list_proposals():
        of = p.metadata.get("reverts")
        mine = isinstance(of, Mapping) and of.get("history_entry") == entry_id
        if mine and p.state == "open" and p.kind == "revert":
            return p
    return None


def rollback_entry_outcome(ctx: ActionContext, index: int) -> Outcome:
    from autotune_bot.history import read_history
    from autotune_bot.rollback import plan_rollback, reverted_by

    place = _place(ctx)
    repo = ctx.options.repo
    history = base_text(place, HISTORY_PATH) or ""
    here = repo / HISTORY_PATH
    if (here.read_text(encoding="utf-8") if here.is_file() else "") != history:
        raise CommandFailedError(
            f"{HISTORY_PATH} in the checkout differs from {place.base.branch}: run on a "
            f"checkout of {place.base.branch}"
        )
    entries = read_history(repo)
    undone = reverted_by(entries)
    applied = [e for e in entries if e["kind"] == "apply" and str(e["id"]) not in undone]
    if index >= len(applied):
        have = f"0 to {len(applied) - 1}" if applied else "none: no change is still applied"
        raise CommandFailedError(f"there is no history entry {index} (N can be {have})")
    chosen = applied[index]
    entry_id = str(chosen["id"])
    texts = {str(f["path"]): base_text(place, str(f["path"])) for f in chosen["files"]}
    plan = plan_rollback(
        entries,
        str(chosen["targets"][0]),
        texts,
        now=place.now,
        entry_id=entry_id,
        mode="command",
    )
    key = f"revert/history-{entry_id}"
    branch = f"{place.prs.branch_prefix}revert/history-{entry_id}"
    found = open_proposal_of(ctx.forge, key, branch) or _open_revert_of(ctx, entry_id)
    what = f"history entry {code_span(entry_id)} ({prose(str(chosen.get('description', '')), 200)})"
    if found is not None:
        return Outcome(f"The roll-back of {what} is open already: {_link(found)}.")
    files = {f.path: f.new_text for f in plan.files}
    files[HISTORY_PATH] = appended_history(history, plan.entry)
    text = "\n\n".join(
        [
            f"Rolls back {what}, as @{ctx.requested_by} asked with `/autotune rollback {index}`.",
            "It restores the configuration before that change and records a rollback entry "
            f"({code_span(str(plan.entry['id']))}) in the history. Close this pull request "
            "to keep the change.",
            code_block(plan.diff or "(no file change left to undo)\n", "diff"),
        ]
    )
    proposal = make_proposal(
        place,
        key=key,
        branch=branch,
        files=files,
        diff=plan.diff,
        title=f"Roll back {entry_id}: {str(chosen.get('description', ''))[:80]}".strip(),
        text=text,
        meta={
            "kind": "revert",
            "reverts": {"history_entry": entry_id},
            "history_entry": plan.entry["id"],
            "targets": list(chosen["targets"]),
        },
    )
    made = publish(place, ctx.forge, proposal)
    return Outcome(f"Opened {_link(made)}: it rolls back {what}.", opened=1)


def _settings_path(ctx: ActionContext) -> str:
    from autotune_bot.settings import SETTINGS_FILENAMES

    repo, explicit = ctx.options.repo, ctx.options.settings_file
    if explicit is not None:
        try:
            return Path(explicit).resolve().relative_to(repo.resolve()).as_posix()
        except ValueError:
            raise CommandFailedError("the settings file is outside the repository") from None
    present = [name for name in SETTINGS_FILENAMES if (repo / name).is_file()]
    return present[0] if present else SETTINGS_FILENAMES[0]


def ignore_outcome(ctx: ActionContext, name: str) -> Outcome:
    from autotune_bot.commands.ignore_patch import AlreadyIgnoredError, ignore_settings_patch
    from autotune_bot.strategies.registry import STRATEGIES

    place = _place(ctx)
    path = _settings_path(ctx)
    try:
        new_text, diff = ignore_settings_patch(base_text(place, path), path, name, STRATEGIES)
    except AlreadyIgnoredError as err:
        return Outcome(f"Nothing to change: {prose(err.message, 300)}")
    key = f"settings/ignore-{name}"
    branch = f"{place.prs.branch_prefix}settings/ignore-{ref_component(name)}"
    found = open_proposal_of(ctx.forge, key, branch)
    if found is not None:
        return Outcome(f"The settings change is open already: {_link(found)}.")
    kind = "strategy" if name in STRATEGIES else "team or node"
    text = "\n\n".join(
        [
            f"Makes autotune ignore the {kind} {code_span(name)}, as @{ctx.requested_by} "
            f"asked with `/autotune ignore`. Only {code_span(path)} changes:",
            code_block(diff, "diff"),
        ]
    )
    proposal = make_proposal(
        place,
        key=key,
        branch=branch,
        files={path: new_text},
        diff=diff,
        title=f"autotune: ignore {name}",
        text=text,
        meta={"kind": "settings", "file": path},
    )
    made = publish(place, ctx.forge, proposal)
    return Outcome(
        f"Opened {_link(made)}: it edits {code_span(path)} to ignore {code_span(name)}.", opened=1
    )
