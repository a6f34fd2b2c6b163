"""What the lifecycle needs to know about proposal branches, read from git.

:func:`proposal_branch_facts` reads the facts of every branch the lifecycle may touch: this
run's proposal branches and the branches of open pull requests (which keep theirs, e.g. after
the branch prefix changed; :func:`fetch_other_branches` fetches those from the remote first).
:func:`planned_commits` makes each proposal's commit ahead of time (no ref moves): commits are
deterministic, so the id is the one the push makes later, and the lifecycle records it in the
marker as the branch's head.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from autotune_bot.gitops.branch_facts import branch_facts
from autotune_bot.gitops.commit_files import commit_files
from autotune_bot.gitops.git import GitError, GitIdentity
from autotune_bot.gitops.git_refs import check_branch_name, local_ref, tracking_ref
from autotune_bot.gitops.git_remote import fetch_for_proposals
from autotune_bot.gitops.types import BranchFacts, ForgeProposal, Proposal

__all__ = ["BranchSource", "fetch_other_branches", "planned_commits", "proposal_branch_facts"]


@dataclass(frozen=True)
class BranchSource:
    """Where the facts of branches come from."""

    repo: Path
    base_sha: str
    identity: GitIdentity
    remote: str | None
    worktrees: Mapping[str, str]  # branch -> worktree holding it (local branches only)


def proposal_branch_facts(
    where: BranchSource, proposals: list[Proposal], existing: list[ForgeProposal]
) -> dict[str, BranchFacts]:
    """Facts of every branch the lifecycle may touch: the proposals' branches and the
    branches of open pull requests (which keep theirs, e.g. after a prefix change), each
    compared with the files of the proposal of its key."""
    files_of = {p.key: p.files for p in proposals}
    wanted: dict[str, Mapping[str, str]] = {p.branch: p.files for p in proposals}
    for pr in existing:
        if pr.state == "open" and pr.branch not in wanted:
            wanted[pr.branch] = files_of.get(pr.key, {})
    out: dict[str, BranchFacts] = {}
    for branch, files in wanted.items():
        ref = local_ref(branch) if where.remote is None else tracking_ref(where.remote, branch)
        out[branch] = branch_facts(
            where.repo,
            ref,
            where.base_sha,
            where.identity,
            dict(files),
            checked_out_in=where.worktrees.get(branch),
        )
    return out


def fetch_other_branches(
    repo: Path,
    remote: str,
    base_branch: str,
    prefix: str,
    existing: list[ForgeProposal],
    *,
    token: str | None,
) -> None:
    """Fetch the branches of open pull requests outside ``prefix`` (made before the branch
    prefix changed) into ``refs/remotes/<remote>/``, so their facts can be read."""
    others = {pr.branch for pr in existing if pr.state == "open"}
    for branch in sorted(b for b in others if not b.startswith(prefix)):
        try:
            check_branch_name(repo, branch)
        except GitError:
            continue  # not a branch name git accepts: nothing to fetch
        fetch_for_proposals(repo, remote, base_branch, branch, token=token)


def planned_commits(
    where: BranchSource, proposals: list[Proposal], when: datetime
) -> dict[str, str]:
    """The commit a push of each proposal makes (commits are deterministic: the same base,
    files, message, identity and time give the same id), to record in its marker."""
    return {
        p.key: commit_files(
            where.repo,
            where.base_sha,
            dict(p.files),
            p.commit_message or p.title,
            where.identity,
            when=when,
        )
        for p in proposals
    }
