"""The local forge: proposals as branches of the repository itself and Markdown drafts.

Nothing leaves the machine. A proposal is a local branch (committed by the git edge
without touching the checked-out branch) plus a draft of its pull request,
``.autotune/outbox/<branch with "/" as "__">.md``::

    # <title>

    <body, ending with the hidden autotune:proposal marker>

    <!-- autotune:local {"base": "main", "head": "<commit>"} -->

The last line records the base branch and the branch's commit: the head the proposal's
marker records (the commit a rebuild moves the branch to, written just before it moves), or
else the branch's commit when the draft was written.
The outbox is kept out of version control by ``.autotune/.gitignore`` (written when the
outbox is not ignored yet); the rest of ``.autotune/`` (the history) stays tracked.

A draft's state: ``merged`` when its branch (or, once the branch is gone, the recorded
commit) is contained in the base branch, ``open`` while the branch exists, ``closed``
when the branch was deleted unmerged. Deleting the branch is how a proposal is declined.
A merged draft's ``merged_at`` is the committer date of the commit that brought it into
the base branch; for a fast-forward, when the base branch's reflog first shows it there (the
proposal commit's own date when there is no reflog), in UTC.

Comments on a draft are files next to it (:mod:`autotune_bot.forge.local_comments`).
Only ``.autotune/outbox/`` and ``.autotune/.gitignore`` are ever written.
"""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from autotune_bot.forge.local_comments import DraftComments, LocalForgeError
from autotune_bot.gitops.git import GitError, run_git
from autotune_bot.gitops.git_refs import is_ancestor, local_ref, rev_parse
from autotune_bot.gitops.marker import parse_marker
from autotune_bot.gitops.types import ForgeComment, ForgeProposal, Proposal, ProposalState

__all__ = ["OUTBOX", "LocalForge", "LocalForgeError", "draft_name"]

OUTBOX = ".autotune/outbox"
_IGNORE_FILE = ".autotune/.gitignore"
_STATE_OPEN = "<!-- autotune:local "
_STATE_CLOSE = " -->"
_REFLOG_ENTRIES = 1000  # of the base branch, read to date a fast-forward merge


def draft_name(branch: str) -> str:
    """The outbox file of a branch: ``autotune/a/b`` -> ``autotune__a__b.md``."""
    return branch.replace("/", "__") + ".md"


@dataclass(frozen=True)
class _Draft:
    title: str
    body: str
    base: str
    head: str | None


class LocalForge:
    """Proposals as local branches and Markdown drafts under ``.autotune/outbox/``."""

    name = "local"
    refuses_new_proposals = False

    def __init__(self, repo: Path) -> None:
        self.repo = repo
        self.comments = DraftComments(repo, OUTBOX)

    @property
    def outbox(self) -> Path:
        return self.repo / OUTBOX

    def list_proposals(self, branches: Sequence[str] = ()) -> list[ForgeProposal]:
        """Every draft carrying a valid marker, with its state read from git (``branches``
        is not needed: every draft is read)."""
        if not self.outbox.is_dir():
            return []
        found: list[ForgeProposal] = []
        for path in sorted(self.outbox.glob("*.md")):
            proposal = self._load(path.name)
            if proposal is not None:
                found.append(proposal)
        return found

    def open_proposal(self, proposal: Proposal, base: str) -> ForgeProposal:
        """Write the draft of ``proposal`` (its branch must exist) against branch ``base``.
        A merged draft of the same branch is kept (see :meth:`_keep_merged`)."""
        name = draft_name(proposal.branch)
        self._keep_merged(name)
        return self._write(name, proposal, base)

    def _keep_merged(self, name: str) -> None:
        """Move a merged proposal's draft (and its comments) aside, to
        ``<name>.merged-<commit>.md``, before a new proposal of its branch takes the name: it
        is the record the post-merge monitoring reads."""
        draft = self._read(name)
        if draft is None or draft.head is None:
            return
        base_tip = rev_parse(self.repo, local_ref(draft.base))
        head = rev_parse(self.repo, draft.head)
        if head is None or base_tip is None or not is_ancestor(self.repo, head, base_tip):
            return
        stem = f"{name.removesuffix('.md')}.merged-{head[:12]}"
        comments = self.outbox / (name.removesuffix(".md") + ".comments")
        if comments.is_dir():
            comments.replace(self.outbox / f"{stem}.comments")
        (self.outbox / name).replace(self.outbox / f"{stem}.md")

    def update_proposal(self, existing: ForgeProposal, proposal: Proposal) -> ForgeProposal:
        """Rewrite the draft ``existing`` with the new title, body and branch commit."""
        draft = self._read(existing.ref)
        if draft is None:
            raise LocalForgeError(f"{OUTBOX}/{existing.ref}: no such draft to update")
        return self._write(existing.ref, proposal, draft.base)

    def list_comments(self, ref: str) -> list[ForgeComment]:
        """The comments of draft ``ref`` (its file name), oldest first."""
        return self.comments.list_comments(ref)

    def create_comment(self, ref: str, body: str) -> ForgeComment:
        self._ensure_ignored()
        return self.comments.create_comment(ref, body)

    def edit_comment(self, ref: str, comment: ForgeComment, body: str) -> ForgeComment:
        """Rewrite ``comment`` of draft ``ref``; nothing is written when ``body`` is its
        body already."""
        return self.comments.edit_comment(ref, comment, body)

    # -- drafts -------------------------------------------------------------------------

    def _write(self, name: str, proposal: Proposal, base: str) -> ForgeProposal:
        head = rev_parse(self.repo, local_ref(proposal.branch))
        if head is None:
            raise LocalForgeError(f"branch {proposal.branch!r} does not exist: commit it first")
        recorded = proposal.metadata.get("head")
        if isinstance(recorded, str) and recorded:
            head = recorded  # the commit the branch gets (a rebuild records it before moving)
        if rev_parse(self.repo, local_ref(base)) is None:
            raise LocalForgeError(f"base branch {base!r} does not exist")
        self._ensure_ignored()
        title = " ".join(proposal.title.split())
        state = json.dumps({"base": base, "head": head}, sort_keys=True)
        text = f"# {title}\n\n{proposal.body}\n\n{_STATE_OPEN}{state}{_STATE_CLOSE}\n"
        self.outbox.mkdir(parents=True, exist_ok=True)
        fd, scratch = tempfile.mkstemp(dir=self.outbox, prefix=".draft-", suffix=".tmp")
        try:
            with os.fdopen(fd, "wb") as out:
                out.write(text.encode("utf-8"))
            os.replace(scratch, self.outbox / name)
        except BaseException:
            Path(scratch).unlink(missing_ok=True)
            raise
        loaded = self._load(name)
        if loaded is None:
            raise LocalForgeError(f"{OUTBOX}/{name}: the body carries no autotune marker")
        return loaded

    def _read(self, name: str) -> _Draft | None:
        try:
            text = (self.outbox / name).read_bytes().decode("utf-8")
        except (OSError, UnicodeDecodeError):
            return None
        title_line, sep, rest = text.partition("\n\n")
        cut = rest.rfind(f"\n\n{_STATE_OPEN}")
        if not sep or not title_line.startswith("# ") or "\n" in title_line or cut < 0:
            return None
        try:
            state = json.loads(rest[cut + 2 + len(_STATE_OPEN) :].strip().removesuffix("-->"))
        except ValueError:
            return None
        if not isinstance(state, dict) or not isinstance(state.get("base"), str):
            return None
        head = state.get("head")
        return _Draft(
            title=title_line[2:],
            body=rest[:cut],
            base=state["base"],
            head=head if isinstance(head, str) else None,
        )

    def _load(self, name: str) -> ForgeProposal | None:
        draft = self._read(name)
        meta = parse_marker(draft.body) if draft is not None else None
        if draft is None or meta is None:
            return None
        branch = str(meta["branch"])
        # a kept merged draft (see _keep_merged) no longer owns its branch: its recorded commit
        # alone says where it stands
        owns_branch = name == draft_name(branch)
        state, head, merged = self._state(branch if owns_branch else None, draft)
        return ForgeProposal(
            ref=name,
            key=str(meta["key"]),
            branch=branch,
            state=state,
            evidence_key=str(meta["evidence_key"]),
            body=draft.body,
            title=draft.title,
            url=f"{OUTBOX}/{name}",
            head_sha=head,
            merged_sha=merged,
            metadata=meta,
            merged_at=self._merged_at(merged, head, draft.base) if merged is not None else None,
        )

    # -- git ----------------------------------------------------------------------------

    def _state(
        self, branch: str | None, draft: _Draft
    ) -> tuple[ProposalState, str | None, str | None]:
        tip = rev_parse(self.repo, local_ref(branch)) if branch is not None else None
        base_tip = rev_parse(self.repo, local_ref(draft.base))
        head = tip or (rev_parse(self.repo, draft.head) if draft.head else None)
        if head is not None and base_tip is not None and is_ancestor(self.repo, head, base_tip):
            return "merged", head, self._merge_commit(head, base_tip)
        return ("open" if tip is not None else "closed"), head, None

    def _merge_commit(self, head: str, base_tip: str) -> str:
        """The commit of the base branch's first-parent line that brought ``head`` in."""
        args = ["rev-list", "--topo-order", "--first-parent", "--ancestry-path", "--parents"]
        out = run_git(self.repo, [*args, f"{head}..{base_tip}"]).stdout.decode("ascii")
        lines = out.strip().splitlines()
        if not lines:
            return head  # the base branch is at the proposal's commit
        oldest = lines[-1].split()
        # Fast-forward: the proposal's commit is itself on the line (the next one's parent).
        return head if oldest[1:2] == [head] else oldest[0]

    def _merged_at(self, merged: str, head: str | None, base: str) -> datetime:
        """When the proposal reached the base branch: the merge commit's committer date; for a
        fast-forward (no merge commit), the time the base branch's reflog first shows a
        commit containing the proposal, else the proposal commit's own date."""
        if merged != head:
            return self._commit_time(merged)
        return self._reached_at(merged, base) or self._commit_time(merged)

    def _reached_at(self, head: str, base: str) -> datetime | None:
        """The oldest of the base branch's newest reflog entries (at most
        :data:`_REFLOG_ENTRIES`, going back while each contains ``head``): when it moved to a
        commit containing ``head``. None without a reflog."""
        args = ["log", "-g", "--date=unix", "--format=%H %gd", f"-n{_REFLOG_ENTRIES}"]
        done = run_git(self.repo, [*args, local_ref(base), "--"], ok_codes=(0, 128))
        found: datetime | None = None
        for line in done.stdout.decode("ascii", errors="replace").splitlines():
            sha, _, selector = line.partition(" ")
            stamp = selector.rpartition("@{")[2].rstrip("}")
            if not stamp.isdigit() or not is_ancestor(self.repo, head, sha):
                break
            found = datetime.fromtimestamp(int(stamp), UTC)
        return found

    def _commit_time(self, sha: str) -> datetime:
        """The committer date of commit ``sha``, in UTC."""
        raw = run_git(self.repo, ["cat-file", "commit", sha]).stdout
        for line in raw.split(b"\n"):
            if not line:
                break  # the end of the header: the message follows
            if line.startswith(b"committer "):
                stamp = line.rsplit(b" ", 2)[-2]
                if stamp.isdigit():
                    return datetime.fromtimestamp(int(stamp), UTC)
        raise GitError(f"commit {sha} has no readable committer date")

    def _ensure_ignored(self) -> None:
        probe = f"{OUTBOX}/probe.md"
        done = run_git(
            self.repo, ["check-ignore", "-q", "--no-index", "--", probe], ok_codes=(0, 1)
        )
        if done.returncode == 0:
            return
        path = self.repo / _IGNORE_FILE
        path.parent.mkdir(parents=True, exist_ok=True)
        old = path.read_bytes() if path.exists() else b""
        sep = b"" if not old or old.endswith(b"\n") else b"\n"
        path.write_bytes(old + sep + b"outbox/\n")
