"""Talking to the remote: fetching the base and the proposal branches, pushing a branch.

``actions/checkout`` leaves a depth-1 clone of one branch. :func:`fetch_for_proposals`
fetches the base branch and every ``refs/heads/<prefix>*`` branch of the remote into
``refs/remotes/<remote>/…`` (pruning those deleted remotely) and, in a shallow clone,
deepens the history step by step until each proposal branch meets the base, so that the
commits on a branch can be told apart from the base's history.

:func:`push_branch` never pushes to the default branch, pushes plainly (no overwrite) by
default and overwrites only with ``--force-with-lease`` naming the commit the remote
branch is expected to be at: the caller does that only to rebuild a branch that carries
nothing but the bot's own commits.

When the remote refuses the token (HTTP 401 or 403, or a repository it may not see), the
fetches and pushes raise :class:`RemoteAccessError`, which says in plain words what the token
lacks (for a push: ``contents: write``) instead of git's own text; the token is never shown.
:func:`check_push_access` finds that out before anything is pushed, with a ``--dry-run`` push
that writes nothing.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal
from urllib.parse import urlsplit

from autotune_bot.errors import UsageError
from autotune_bot.gitops.git import GitError, HttpAuth, git_lines, git_text, run_git
from autotune_bot.gitops.git_refs import (
    BaseRef,
    check_branch_name,
    default_branch,
    is_shallow,
    resolve_base,
    rev_parse,
    tracking_ref,
    update_branch,
)

__all__ = [
    "DEEPEN_STEPS",
    "PushRejected",
    "RemoteAccessError",
    "access_error",
    "check_push_access",
    "fetch_for_proposals",
    "http_auth",
    "proposal_base",
    "push_branch",
    "put_branch",
    "remote_branches",
]

# Commits added to every shallow boundary per round while a proposal branch has not met
# the base yet; after the last step the history is fetched in full.
DEEPEN_STEPS: tuple[int, ...] = (16, 256)
_NETWORK_TIMEOUT = 600.0


class PushRejected(GitError):  # noqa: N818 - reads as the outcome it reports
    """The remote refused the push (the branch moved, or it would not be a fast-forward)."""


class RemoteAccessError(GitError):
    """The remote refused the token: it is invalid, or lacks the permission to read or push."""


# What git prints when an HTTP remote refuses the credentials (git runs with LC_ALL=C).
_REFUSALS = (
    ("403", re.compile(r"returned error: 403|permission to \S+ denied", re.IGNORECASE)),
    (
        "401",
        re.compile(
            r"returned error: 401|authentication failed|could not read username"
            r"|terminal prompts disabled|invalid username or password",
            re.IGNORECASE,
        ),
    ),
    ("404", re.compile(r"repository '[^']*' not found|returned error: 404", re.IGNORECASE)),
)
_OR_TOKEN = "or give the action a GitHub App or personal token that can"


@dataclass(frozen=True)
class _Remote:
    name: str
    auth: HttpAuth | None


def _shown(repo: Path, remote: str, push: bool) -> str:
    """The remote as ``owner/name`` (the path of an http(s) URL), never with credentials."""
    url = remote
    if "://" not in remote:
        args = ["remote", "get-url", *(["--push"] if push else []), "--", remote]
        done = run_git(repo, args, ok_codes=(0, 2, 128))
        url = done.stdout.decode("utf-8", errors="replace").strip() or remote
    parts = urlsplit(url)
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        return remote
    path = parts.path.strip("/").removesuffix(".git")
    return path or parts.hostname


def access_error(
    err: GitError, repo: Path, remote: str, doing: Literal["push", "read"]
) -> GitError:
    """``err`` in plain words when it is the remote refusing the token; else ``err`` itself.

    Built from the HTTP status and the remote's name only: git's text (which names the URL)
    is not repeated, and the token never appears.
    """
    said = f"{err.detail} {err.message}"
    status = next((code for code, pattern in _REFUSALS if pattern.search(said)), None)
    if status is None:
        return err
    where = _shown(repo, remote, push=doing == "push")
    if status == "401":
        message = (
            f"the token was refused by {where} (missing, invalid or expired): check the "
            "action's github_token input"
        )
    elif status == "404":
        message = (
            f"the token cannot see {where} (not found): grant contents: read in the "
            f"workflow's permissions: block, {_OR_TOKEN} read the repository"
        )
    elif doing == "push":
        message = (
            f"the token cannot push to {where} (HTTP 403): grant contents: write in the "
            f"workflow's permissions: block, {_OR_TOKEN} push to the repository"
        )
    else:
        message = (
            f"the token cannot read {where} (HTTP 403): grant contents: read in the "
            f"workflow's permissions: block, {_OR_TOKEN} read the repository"
        )
    return RemoteAccessError(
        message, command=err.command, returncode=err.returncode, detail=f"HTTP {status}"
    )


def http_auth(repo: Path, remote: str, token: str | None) -> HttpAuth | None:
    """The token as an Authorization header for ``remote``'s URL (https/http remotes only)."""
    if not token:
        return None
    url = remote if "://" in remote else git_text(repo, ["remote", "get-url", "--", remote])
    if not url.lower().startswith(("https://", "http://")):
        return None
    return HttpAuth(url=url, token=token)


def remote_branches(repo: Path, remote: str, prefix: str) -> dict[str, str]:
    """``branch -> commit`` of the ``<prefix>…`` branches fetched from ``remote`` earlier."""
    root = f"refs/remotes/{remote}/"
    found: dict[str, str] = {}
    for line in git_lines(repo, ["for-each-ref", "--format=%(objectname) %(refname)", root]):
        sha, _, ref = line.partition(" ")
        name = ref.removeprefix(root)
        if name.startswith(prefix) and name != "HEAD":
            found[name] = sha
    return found


def fetch_for_proposals(
    repo: Path,
    remote: str,
    base_branch: str,
    prefix: str,
    *,
    token: str | None = None,
    deepen_steps: Sequence[int] = DEEPEN_STEPS,
) -> dict[str, str]:
    """Fetch the base branch and the proposal branches; return ``branch -> commit``.

    Only the proposal branches (``<prefix>…``) are returned; the base ends up in
    ``refs/remotes/<remote>/<base_branch>``. Tracking refs of proposal branches the remote
    no longer has are deleted.
    """
    check_branch_name(repo, base_branch)
    target = _Remote(remote, http_auth(repo, remote, token))
    shallow = is_shallow(repo)
    base_ref = tracking_ref(remote, base_branch)
    base_spec = f"+refs/heads/{base_branch}:{base_ref}"
    # New commits of a base already here stop at it; in a shallow clone without it, only
    # its tip is needed.
    first = shallow and rev_parse(repo, base_ref) is None
    _fetch(repo, target, [base_spec], ["--depth=1"] if first else [])
    base = rev_parse(repo, base_ref)
    if base is None:
        raise GitError(f"the remote {remote!r} has no branch {base_branch!r}")
    listed = _list_remote(repo, target, prefix)
    for stale in set(remote_branches(repo, remote, prefix)) - set(listed):
        run_git(repo, ["update-ref", "-d", tracking_ref(remote, stale)])
    if not listed:
        return {}
    branch_spec = f"+refs/heads/{prefix}*:{tracking_ref(remote, prefix)}*"
    # In a shallow clone, a branch fetched without a depth would bring its whole history.
    _fetch(repo, target, [branch_spec], ["--depth=2"] if shallow else [])
    for extra in [*(f"--deepen={n}" for n in deepen_steps), "--unshallow"]:
        if not (is_shallow(repo) and _unconnected(repo, base, listed.values())):
            break
        _fetch(repo, target, [base_spec, branch_spec], [extra])
    return remote_branches(repo, remote, prefix)


def push_branch(
    repo: Path,
    remote: str,
    branch: str,
    sha: str,
    *,
    default_branch: str,
    expected_remote_sha: str | None = None,
    token: str | None = None,
) -> None:
    """Push commit ``sha`` to ``refs/heads/<branch>`` of ``remote``.

    ``expected_remote_sha=None``: a plain push, which creates the branch or fast-forwards
    it and is refused otherwise. A commit id: ``--force-with-lease`` overwrite, refused if
    the remote branch is anywhere else (somebody pushed since it was fetched).
    The remote-tracking ref is updated on success. Raises :class:`PushRejected` when the
    remote refuses, :class:`GitError` for the default branch or any other failure.
    """
    check_branch_name(repo, branch)
    if branch == default_branch:
        raise GitError(f"refusing to push to the default branch {branch!r}")
    target = f"refs/heads/{branch}"
    args = ["push", "--porcelain", "--no-verify", "--no-follow-tags"]
    if expected_remote_sha is not None:
        args.append(f"--force-with-lease={target}:{expected_remote_sha}")
    args += [remote, f"{sha}:{target}"]
    auth = http_auth(repo, remote, token)
    try:
        done = run_git(repo, args, auth=auth, ok_codes=(0, 1), timeout=_NETWORK_TIMEOUT)
    except GitError as err:
        raise access_error(err, repo, remote, "push") from None
    report = done.stdout.decode("utf-8", errors="replace").splitlines()
    refused = [ln for ln in report if ln.startswith("!")]
    if refused or done.returncode != 0:
        reason = refused[0].split("\t")[-1] if refused else f"exit {done.returncode}"
        raise PushRejected(
            f"push of {branch!r} to {remote!r} refused: {reason}",
            command=args,
            returncode=done.returncode,
            detail=reason,
        )
    if "://" not in remote:
        run_git(repo, ["update-ref", tracking_ref(remote, branch), sha])


def proposal_base(
    repo: Path, remote: str | None, branch_prefix: str, *, token: str | None = None
) -> BaseRef:
    """The base the bot's branches are made on: the remote's default branch, fetched with
    the proposal branches under ``branch_prefix`` (with no remote, the checked-out branch).
    A usage error when that branch is itself a proposal branch."""
    auth = http_auth(repo, remote, token) if remote else None
    branch = default_branch(repo, remote, auth=auth)
    if branch.startswith(branch_prefix):
        raise UsageError(
            f"the base branch {branch!r} is a proposal branch; check out the default branch "
            "and run again",
            field="--repo",
        )
    if remote is not None:
        fetch_for_proposals(repo, remote, branch, branch_prefix, token=token)
    return resolve_base(repo, branch, remote)


def put_branch(
    repo: Path,
    remote: str | None,
    branch: str,
    sha: str,
    *,
    expected: str | None,
    default_branch: str,
    token: str | None = None,
) -> None:
    """Point proposal branch ``branch`` at ``sha``: pushed to ``remote`` (see
    :func:`push_branch`; ``expected`` is the lease), or, with no remote, the local branch
    moved only if it is still at ``expected`` (None: it must not exist yet). Never the
    default branch."""
    if branch == default_branch:
        raise GitError(f"refusing to move the default branch {branch!r}")
    if remote is None:
        update_branch(repo, branch, sha, expected)
        return
    push_branch(
        repo,
        remote,
        branch,
        sha,
        default_branch=default_branch,
        expected_remote_sha=expected,
        token=token,
    )


def check_push_access(repo: Path, remote: str, branch: str, *, token: str | None = None) -> None:
    """Raise :class:`RemoteAccessError` when ``remote`` would refuse a push of the token.

    A ``git push --dry-run`` of ``HEAD`` to ``refs/heads/<branch>``: git asks the remote
    for its push service (where GitHub checks the token's write permission) but sends and
    changes nothing. Other failures (the ref would be refused, a network error) are not this
    check's business: they are left to the real fetches and pushes, and ignored here.
    """
    check_branch_name(repo, branch)
    args = ["push", "--dry-run", "--porcelain", "--no-verify", "--no-follow-tags"]
    args += [remote, f"HEAD:refs/heads/{branch}"]
    auth = http_auth(repo, remote, token)
    try:
        run_git(repo, args, auth=auth, ok_codes=(0, 1), timeout=_NETWORK_TIMEOUT)
    except GitError as err:
        refused = access_error(err, repo, remote, "push")
        if isinstance(refused, RemoteAccessError):
            raise refused from None


def _fetch(repo: Path, remote: _Remote, refspecs: list[str], extra: Sequence[str] = ()) -> None:
    args = ["fetch", "--quiet", "--no-tags", "--no-recurse-submodules", "--no-write-fetch-head"]
    try:
        run_git(
            repo,
            [*args, *extra, remote.name, *refspecs],
            auth=remote.auth,
            timeout=_NETWORK_TIMEOUT,
        )
    except GitError as err:
        raise access_error(err, repo, remote.name, "read") from None


def _list_remote(repo: Path, remote: _Remote, prefix: str) -> dict[str, str]:
    """``branch -> commit`` of the remote's ``<prefix>…`` branches, as it reports them now."""
    try:
        lines = git_lines(
            repo,
            ["ls-remote", "--heads", remote.name, f"refs/heads/{prefix}*"],
            auth=remote.auth,
            timeout=_NETWORK_TIMEOUT,
        )
    except GitError as err:
        raise access_error(err, repo, remote.name, "read") from None
    found: dict[str, str] = {}
    for line in lines:
        sha, _, ref = line.partition("\t")
        name = ref.removeprefix("refs/heads/")
        if name.startswith(prefix):
            found[name] = sha
    return found


def _unconnected(repo: Path, base: str, heads: Iterable[str]) -> bool:
    """Whether some branch tip has no common ancestor with ``base`` in the local history."""
    for head in heads:
        done = run_git(repo, ["merge-base", base, head], ok_codes=(0, 1))
        if done.returncode != 0:
            return True
    return False
