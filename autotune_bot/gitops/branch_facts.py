"""What git says about a proposal branch before the bot touches it.

A commit on the branch (not on the base) whose author e-mail is not the bot's is a
*foreign* commit: someone else pushed to the branch, and the bot leaves it alone from
then on. The e-mails are compared without regard to case.

In a shallow clone, fetch with
:func:`~autotune_bot.gitops.git_remote.fetch_for_proposals` first: it deepens the history
until each branch meets the base, so that commits of the base's history are not mistaken
for commits on the branch.
"""

from __future__ import annotations

from pathlib import Path

from autotune_bot.gitops.commit_files import FileContents, files_match
from autotune_bot.gitops.git import GitIdentity, git_lines, run_git
from autotune_bot.gitops.git_refs import is_ancestor, rev_parse
from autotune_bot.gitops.types import BranchFacts

__all__ = ["base_changes_since_fork", "branch_authors", "branch_facts"]


def branch_authors(repo: Path, head: str, base: str) -> list[str]:
    """Author e-mails of the commits reachable from ``head`` but not from ``base``."""
    return git_lines(
        repo, ["rev-list", "--no-commit-header", "--format=%ae", head, "--not", base, "--"]
    )


def base_changes_since_fork(repo: Path, head: str, base: str) -> frozenset[str] | None:
    """Paths the base changed since ``head`` forked from it; None when no fork point is known.

    The fork point is the merge base of the two; renames count as a deletion and an addition.
    """
    fork = run_git(repo, ["merge-base", base, head], ok_codes=(0, 1))
    point = fork.stdout.decode("ascii", errors="replace").split()
    if fork.returncode != 0 or not point:
        return None
    out = run_git(
        repo, ["diff-tree", "-r", "-z", "--name-only", "--no-renames", point[0], base]
    ).stdout
    return frozenset(
        name.decode("utf-8", errors="surrogateescape") for name in out.split(b"\0") if name
    )


def branch_facts(
    repo: Path,
    branch_ref: str,
    base_sha: str,
    identity: GitIdentity,
    files: FileContents,
) -> BranchFacts:
    """Facts about ``branch_ref`` (``refs/remotes/origin/<b>`` or ``refs/heads/<b>``).

    ``files`` are the proposal's files (path -> full content); ``content_matches`` says
    whether the branch's tip already has exactly these contents; ``base_changed_files``
    are the paths the base changed since the branch forked from it.
    """
    head = rev_parse(repo, branch_ref)
    if head is None:
        return BranchFacts(
            exists=False,
            head_sha=None,
            foreign_commits=0,
            up_to_date_with_base=False,
            content_matches=False,
        )
    bot = identity.email.casefold()
    foreign = sum(1 for email in branch_authors(repo, head, base_sha) if email.casefold() != bot)
    return BranchFacts(
        exists=True,
        head_sha=head,
        foreign_commits=foreign,
        up_to_date_with_base=is_ancestor(repo, base_sha, head),
        content_matches=bool(files) and files_match(repo, head, files),
        base_changed_files=base_changes_since_fork(repo, head, base_sha),
    )
