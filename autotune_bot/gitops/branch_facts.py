"""What git says about a proposal branch before the bot touches it.

A commit on the branch (not on the base) is the bot's only when both its author e-mail and
its committer e-mail are the bot's (compared without regard to case). Any other commit is
*foreign*: someone else pushed to the branch, and the bot leaves it alone from then on.
Checking the committer too matters: ``git commit --amend``, a rebase or a cherry-pick by a
person keep the bot as the author but make the person the committer.

In a shallow clone, fetch with
:func:`~autotune_bot.gitops.git_remote.fetch_for_proposals` first: it deepens the history
until each branch meets the base, so that commits of the base's history are not mistaken
for commits on the branch.
"""

from __future__ import annotations

from pathlib import Path

from autotune_bot.gitops.commit_files import FileContents, files_match
from autotune_bot.gitops.git import GitError, GitIdentity, git_lines, run_git
from autotune_bot.gitops.git_refs import is_ancestor, rev_parse
from autotune_bot.gitops.types import BranchFacts

__all__ = ["base_changes_since_fork", "branch_facts", "branch_identities", "foreign_count"]


def branch_identities(repo: Path, head: str, base: str) -> list[tuple[str, str]]:
    """``(author e-mail, committer e-mail)`` of the commits reachable from ``head`` but not
    from ``base``."""
    lines = git_lines(
        repo, ["rev-list", "--no-commit-header", "--format=%ae%x00%ce", head, "--not", base, "--"]
    )
    found: list[tuple[str, str]] = []
    for line in lines:
        author, _, committer = line.partition("\0")
        found.append((author, committer))
    return found


def foreign_count(identities: list[tuple[str, str]], identity: GitIdentity) -> int:
    """How many of these commits the bot did not both author and commit."""
    bot = identity.email.casefold()
    return sum(
        1
        for author, committer in identities
        if author.casefold() != bot or committer.casefold() != bot
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
    *,
    checked_out_in: str | None = None,
) -> BranchFacts:
    """Facts about ``branch_ref`` (``refs/remotes/origin/<b>`` or ``refs/heads/<b>``).

    ``files`` are the proposal's files (path from the repository's top level -> full
    content); ``content_matches`` says whether the branch's tip already has exactly these
    contents; ``base_changed_files`` are the paths the base changed since the branch forked
    from it; ``checked_out_in`` is passed through (the worktree holding the branch).
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
    return BranchFacts(
        exists=True,
        head_sha=head,
        foreign_commits=foreign_count(branch_identities(repo, head, base_sha), identity),
        up_to_date_with_base=is_ancestor(repo, base_sha, head),
        content_matches=bool(files) and files_match(repo, head, files),
        base_changed_files=base_changes_since_fork(repo, head, base_sha),
        checked_out_in=checked_out_in,
    )


def bot_branch_head(
    repo: Path, ref: str, base: str, identity: GitIdentity, branch: str
) -> str | None:
    """The commit ``ref`` (a proposal branch's local or remote-tracking ref) points at, None
    when it does not exist; a :class:`GitError` when a commit on it (not on ``base``) is not
    the bot's: such a branch is never moved or reused."""
    head = rev_parse(repo, ref)
    if head is None:
        return None
    if foreign_count(branch_identities(repo, head, base), identity) > 0:
        raise GitError(
            f"branch {branch} holds commits autotune did not make; autotune leaves it alone "
            "(delete it to let autotune make it again)"
        )
    return head
