"""`autotune run` against GitHub: the cycle with the GitHub forge, pushing to ``origin``, and
the metrics of recent workflow runs' artifacts added to the repository's own metrics files.

Before the cycle does anything (A/B runs included), a preflight reads the repository and
checks that the token may push, so that a missing permission stops the run in plain words
rather than after the benchmark or halfway through the proposals:

- the repository's answer (``repos/get``): a token that cannot see the repository, and a
  personal token whose account may not push (``permissions.push`` false), stop the run. For a
  GitHub App installation token, which the job's ``GITHUB_TOKEN`` is, that answer says nothing
  (GitHub leaves ``permissions`` out or reports ``push: false`` whatever the token may do);
- a ``git push --dry-run`` (nothing is sent): the remote refusing it means the token lacks
  ``contents: write``. A dry run (``--dry-run``) pushes nothing and skips this check.

Whether the token may open pull requests cannot be read in advance (the repository setting
"Allow GitHub Actions to create and approve pull requests" is only visible to
administrators). Once GitHub refuses a pull request for that reason, the forge is not asked
to open any other in the same run (:class:`OpeningStops`); the report says which were not
attempted, and their branches are not pushed.
"""

from __future__ import annotations

import dataclasses
import tempfile
from collections.abc import Sequence
from pathlib import Path

from autotune_bot.actions_env import ActionConfig
from autotune_bot.errors import AutotuneError
from autotune_bot.forge.github import GitHubForge
from autotune_bot.forge.github_artifacts import GitHubArtifacts
from autotune_bot.forge.github_client import GitHubClient, is_installation_token
from autotune_bot.forge.github_errors import (
    GitHubPermissionError,
    GitHubPullRequestsNotPermittedError,
    GitHubRequestError,
)
from autotune_bot.gitops.cycle import CycleOptions, CycleReport, run_cycle
from autotune_bot.gitops.git import GitError
from autotune_bot.gitops.git_remote import RemoteAccessError, check_push_access
from autotune_bot.gitops.types import ForgeComment, ForgeProposal, Proposal
from autotune_bot.secret import Secret
from autotune_bot.settings import load_settings
from autotune_bot.settings.proposals import PullRequestSettings

__all__ = [
    "REMOTE",
    "OpeningStops",
    "artifact_metrics",
    "github_cycle",
    "preflight",
    "reviewers_note",
    "run_for_config",
    "run_on_github",
]

REMOTE = "origin"
_PERMISSIONS_BLOCK = (
    "the job's permissions: block (see examples/autotune.yml), or a GitHub App or personal "
    "token given as the github_token input"
)


def reviewers_note(reviewers: tuple[str, ...]) -> str | None:
    """The warning for ``pull_requests.reviewers``, which this version does not request."""
    if not reviewers:
        return None
    return (
        f"pull_requests.reviewers ({', '.join(reviewers)}) are not requested: this version "
        "of autotune has no review-request call (it is not in the GitHub REST operations it "
        "is tested against); use a CODEOWNERS file to have reviewers requested"
    )


def preflight(client: GitHubClient, options: CycleOptions, prs: PullRequestSettings) -> list[str]:
    """Check, before anything is pushed, that the token can see the repository and push to it
    (see the module docstring). Raises :class:`GitHubPermissionError` or
    :class:`~autotune_bot.gitops.git_remote.RemoteAccessError` in plain words; returns notes
    (a check that could not be made)."""
    name = client.repository
    try:
        permissions = client.repository_permissions()
    except GitHubRequestError as err:
        if err.status != 404:
            raise
        raise GitHubPermissionError(
            f"GitHub: the token cannot see the repository {name} (404): check "
            f"GITHUB_REPOSITORY and that the token has access to it (contents: read in "
            f"{_PERMISSIONS_BLOCK})",
            status=404,
        ) from None
    if permissions is not None and not is_installation_token(client.token.reveal()):
        if permissions.get("pull") is False:
            raise GitHubPermissionError(
                f"GitHub: the token's account cannot read {name} (permissions.pull is false)"
            )
        if permissions.get("push") is False and not options.dry_run:
            raise GitHubPermissionError(
                f"GitHub: the token's account cannot push to {name} (permissions.push is "
                "false): autotune pushes its proposal branches, which needs contents: write; "
                "use a token of an account with write access to the repository"
            )
    if options.dry_run:
        return []
    branch = f"{prs.branch_prefix}push-check"
    try:
        check_push_access(options.repo, REMOTE, branch, token=options.token)
    except RemoteAccessError:
        raise
    except GitError as err:
        return [f"push access not checked before the run: {err}"]
    return []


class OpeningStops:
    """The forge, except that once GitHub refused to let the token open pull requests at all,
    no later pull request of the run is attempted (each fails at once, without a request).

    Once it refused, :attr:`refuses_new_proposals` is true, and the effects applier pushes no
    branch of a proposal still to be opened.
    """

    def __init__(self, forge: GitHubForge) -> None:
        self.forge = forge
        self.name = forge.name
        self.refusal: GitHubPullRequestsNotPermittedError | None = None
        self.not_attempted: list[str] = []

    @property
    def refuses_new_proposals(self) -> bool:
        return self.refusal is not None

    def list_proposals(self, branches: Sequence[str] = ()) -> list[ForgeProposal]:
        return self.forge.list_proposals(branches)

    def open_proposal(self, proposal: Proposal, base: str) -> ForgeProposal:
        if self.refusal is not None:
            self.not_attempted.append(proposal.key)
            raise GitHubPullRequestsNotPermittedError(
                "pull request not attempted: GitHub refused to let this token open pull "
                "requests earlier in this run",
                status=self.refusal.status,
            )
        try:
            return self.forge.open_proposal(proposal, base)
        except GitHubPullRequestsNotPermittedError as err:
            self.refusal = err
            raise

    def update_proposal(self, existing: ForgeProposal, proposal: Proposal) -> ForgeProposal:
        return self.forge.update_proposal(existing, proposal)

    def list_comments(self, ref: str) -> list[ForgeComment]:
        return self.forge.list_comments(ref)

    def create_comment(self, ref: str, body: str) -> ForgeComment:
        return self.forge.create_comment(ref, body)

    def edit_comment(self, ref: str, comment: ForgeComment, body: str) -> ForgeComment:
        return self.forge.edit_comment(ref, comment, body)

    def note(self) -> str | None:
        """What the run report says about the pull requests not attempted, if any."""
        if self.refusal is None:
            return None
        text = f"GitHub refused to open a pull request: {self.refusal}."
        if self.not_attempted:
            text += f" Not attempted after it: {', '.join(self.not_attempted)}."
        return text


def artifact_metrics(
    client: GitHubClient, artifacts: Sequence[str], where: Path, notes: list[str]
) -> tuple[Path, ...]:
    """The metrics files of recent workflow runs' artifacts named ``artifacts``, extracted
    under ``where``; what was refused or read is added to ``notes``."""
    if not artifacts:
        return ()
    try:
        got = GitHubArtifacts(client).fetch_metrics(artifacts, where)
    except AutotuneError as err:
        notes.append(f"metrics artifacts not read: {err}")
        return ()
    notes += [f"artifact {name} not used: {why}" for name, why in got.rejected]
    if got.extracted:
        notes.append(
            f"metrics from {len(got.extracted)} artifact(s): "
            + ", ".join(a.name for a in got.extracted)
        )
    return got.files


def github_cycle(options: CycleOptions, client: GitHubClient) -> CycleReport:
    """Run the cycle on the checkout at ``options.repo`` with pull requests on GitHub."""
    settings, _ = load_settings(options.repo, options.settings_file)
    notes = preflight(client, options, settings.pull_requests)
    reviewers = reviewers_note(settings.pull_requests.reviewers)
    if reviewers is not None:
        notes.append(reviewers)
    forge = OpeningStops(GitHubForge.from_settings(client, settings.pull_requests))
    with tempfile.TemporaryDirectory(prefix="autotune-artifacts-") as tmp:
        downloaded = artifact_metrics(client, settings.metrics_artifacts, Path(tmp), notes)
        extra = (*options.extra_metrics_files, *downloaded)
        run = dataclasses.replace(options, extra_metrics_files=extra, remote=REMOTE)
        report = run_cycle(run, forge)
    refused = forge.note()
    report.notes = notes + report.notes + ([refused] if refused is not None else [])
    return report


def run_on_github(
    options: CycleOptions, *, token: Secret, repository: str, api_url: str
) -> CycleReport:
    """:func:`github_cycle` with a client for ``repository``; the token also authenticates
    git's fetches and pushes (as an HTTP header, never in a URL)."""
    client = GitHubClient(base_url=api_url, token=token.reveal(), repository=repository)
    return github_cycle(dataclasses.replace(options, token=token.reveal()), client)


def run_for_config(options: CycleOptions, cfg: ActionConfig) -> CycleReport:
    """The cycle with the forge ``cfg`` chose: GitHub (its repository, token and API URL) or
    local branches and drafts in ``options.repo``."""
    if cfg.forge == "github":
        assert cfg.token is not None  # action_config refuses the github forge without one
        assert cfg.repository is not None
        return run_on_github(
            options, token=cfg.token, repository=cfg.repository, api_url=cfg.api_url
        )
    from autotune_bot.forge.local import LocalForge

    return run_cycle(options, LocalForge(options.repo))
