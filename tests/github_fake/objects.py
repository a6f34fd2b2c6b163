"""Complete response objects for the fake GitHub, built from the contract's own examples.

Each builder starts from an example in ``components/examples`` (the few that fail their own
schemas are repaired here, see the contract README's caveats), points every URL at the fake's
API and repository, and overrides the fields the fake keeps state for. The fake validates
every response it sends, so a builder that forgets a required field fails the test using it.
"""

from __future__ import annotations

import copy
import re
import zlib
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from tests.github_contract.checker import load_contract

__all__ = ["Canned", "CommitFacts"]

_API_REPO = re.compile(r"https://api\.github\.com/repos/[^/]+/[^/{?]+")
_HTML_REPO = re.compile(r"https://github\.com/(?!orgs/|images/)[^/]+/[^/{?]+")


@dataclass(frozen=True)
class CommitFacts:
    """What ``git`` says about one commit."""

    sha: str
    tree: str
    parents: tuple[str, ...]
    author_name: str
    author_email: str
    author_date: str
    committer_name: str
    committer_email: str
    committer_date: str
    message: str


def _example(name: str) -> Any:
    contract = load_contract()
    return copy.deepcopy(contract.document["components"]["examples"][name]["value"])


class Canned:
    """Builders of response objects for one repository served at ``api_url``."""

    def __init__(self, api_url: str, owner: str, repo: str, repo_id: int = 4242) -> None:
        self.api_url = api_url.rstrip("/")
        self.owner = owner
        self.repo = repo
        self.repo_id = repo_id
        html = re.sub(r"/api/v3$", "", self.api_url).replace("://api.", "://")
        self.html_url = html
        self.repo_api = f"{self.api_url}/repos/{owner}/{repo}"
        self.repo_html = f"{html}/{owner}/{repo}"

    # -- helpers ---------------------------------------------------------------------------

    def _localise(self, node: Any) -> Any:
        """Every URL of an example, pointed at this repository and API."""
        if isinstance(node, dict):
            return {key: self._localise(value) for key, value in node.items()}
        if isinstance(node, list):
            return [self._localise(value) for value in node]
        if isinstance(node, str) and node.startswith("https://"):
            text = _API_REPO.sub(self.repo_api, node)
            text = _HTML_REPO.sub(self.repo_html, text)
            text = text.replace("https://api.github.com", self.api_url)
            return text.replace("https://github.com", self.html_url)
        return node

    def example(self, name: str) -> Any:
        """An example of the contract, repaired and localised."""
        value = _example(name)
        if name == "full-repository-default-response":
            for part in (value, value.get("parent"), value.get("source")):
                if isinstance(part, dict):
                    part.setdefault("language", None)
        elif name in ("pull-request", "pull-request-simple-items"):
            for pull in value if isinstance(value, list) else [value]:
                pull["requested_teams"] = []
        elif name == "repository-collaborator-permission-response-if-user-has-admin-permissions":
            value["user"]["role_name"] = value.get("role_name", "admin")
        return self._localise(value)

    def user(self, login: str, *, user_id: int = 1, kind: str = "User") -> dict[str, Any]:
        template = _example("issue-comment")["user"]
        user = self._localise(template)
        for key, value in list(user.items()):
            if isinstance(value, str) and "/users/octocat" in value:
                user[key] = value.replace("/users/octocat", f"/users/{login}")
        user.update(
            login=login,
            id=user_id,
            node_id=f"U_{user_id}",
            type=kind,
            html_url=f"{self.html_url}/{login}",
        )
        return user

    # -- repository ------------------------------------------------------------------------

    def repository(self, default_branch: str) -> dict[str, Any]:
        repo = self.example("full-repository-default-response")
        repo.update(
            id=self.repo_id,
            name=self.repo,
            full_name=f"{self.owner}/{self.repo}",
            default_branch=default_branch,
            fork=False,
            private=True,
            owner=self.user(self.owner, user_id=77, kind="Organization"),
        )
        for key in ("parent", "source", "template_repository", "organization"):
            repo.pop(key, None)
        return repo

    def _small_repository(self, default_branch: str) -> dict[str, Any]:
        """The ``repository`` shape inside pull requests and workflow runs."""
        repo = self.example("pull-request")["head"]["repo"]
        repo.update(
            id=self.repo_id,
            name=self.repo,
            full_name=f"{self.owner}/{self.repo}",
            default_branch=default_branch,
            fork=False,
            owner=self.user(self.owner, user_id=77, kind="Organization"),
        )
        return repo

    # -- git -------------------------------------------------------------------------------

    def git_ref(self, ref: str, sha: str) -> dict[str, Any]:
        value = self.example("git-ref")
        value.update(ref=ref, node_id=f"REF_{ref}", url=f"{self.repo_api}/git/{ref}")
        value["object"] = {
            "type": "commit",
            "sha": sha,
            "url": f"{self.repo_api}/git/commits/{sha}",
        }
        return value

    def commit(self, facts: CommitFacts) -> dict[str, Any]:
        """The ``commit`` schema (REST commit, with author and committer users unknown)."""
        value = self.example("branch-get")["commit"]
        value.update(
            sha=facts.sha,
            node_id=f"C_{facts.sha[:12]}",
            url=f"{self.repo_api}/commits/{facts.sha}",
            html_url=f"{self.repo_html}/commit/{facts.sha}",
            comments_url=f"{self.repo_api}/commits/{facts.sha}/comments",
            author=None,
            committer=None,
            parents=[
                {
                    "sha": parent,
                    "url": f"{self.repo_api}/commits/{parent}",
                    "html_url": f"{self.repo_html}/commit/{parent}",
                }
                for parent in facts.parents
            ],
        )
        value["commit"].update(
            author={
                "name": facts.author_name,
                "email": facts.author_email,
                "date": facts.author_date,
            },
            committer={
                "name": facts.committer_name,
                "email": facts.committer_email,
                "date": facts.committer_date,
            },
            message=facts.message,
            tree={"sha": facts.tree, "url": f"{self.repo_api}/git/trees/{facts.tree}"},
            url=f"{self.repo_api}/git/commits/{facts.sha}",
            comment_count=0,
        )
        return value

    def branch(self, name: str, facts: CommitFacts) -> dict[str, Any]:
        value = self.example("branch-get")
        value.update(
            name=name,
            commit=self.commit(facts),
            protected=False,
            protection_url=f"{self.repo_api}/branches/{name}/protection",
        )
        value["_links"] = {
            "html": f"{self.repo_html}/tree/{name}",
            "self": f"{self.repo_api}/branches/{name}",
        }
        return value

    def comparison(
        self,
        basehead: str,
        base: CommitFacts,
        merge_base: CommitFacts,
        commits: list[CommitFacts],
        behind_by: int,
    ) -> dict[str, Any]:
        value = self.example("commit-comparison")
        ahead_by = len(commits)
        if ahead_by and behind_by:
            status = "diverged"
        elif ahead_by:
            status = "ahead"
        elif behind_by:
            status = "behind"
        else:
            status = "identical"
        value.update(
            url=f"{self.repo_api}/compare/{basehead}",
            html_url=f"{self.repo_html}/compare/{basehead}",
            permalink_url=f"{self.repo_html}/compare/{basehead}",
            diff_url=f"{self.repo_html}/compare/{basehead}.diff",
            patch_url=f"{self.repo_html}/compare/{basehead}.patch",
            base_commit=self.commit(base),
            merge_base_commit=self.commit(merge_base),
            status=status,
            ahead_by=ahead_by,
            behind_by=behind_by,
            total_commits=ahead_by,
            commits=[self.commit(facts) for facts in commits],
            files=[],
        )
        return value

    # -- pull requests ---------------------------------------------------------------------

    def _pull_fields(self, pull: Mapping[str, Any], default_branch: str) -> dict[str, Any]:
        number = pull["number"]
        repo = self._small_repository(default_branch)
        owner = self.user(self.owner, user_id=77, kind="Organization")

        def end(ref: str, sha: str) -> dict[str, Any]:
            return {
                "label": f"{self.owner}:{ref}",
                "ref": ref,
                "sha": sha,
                "user": owner,
                "repo": repo,
            }

        html = f"{self.repo_html}/pull/{number}"
        return {
            "url": f"{self.repo_api}/pulls/{number}",
            "id": 900000 + number,
            "node_id": f"PR_{number}",
            "html_url": html,
            "diff_url": f"{html}.diff",
            "patch_url": f"{html}.patch",
            "issue_url": f"{self.repo_api}/issues/{number}",
            "commits_url": f"{self.repo_api}/pulls/{number}/commits",
            "review_comments_url": f"{self.repo_api}/pulls/{number}/comments",
            "comments_url": f"{self.repo_api}/issues/{number}/comments",
            "statuses_url": f"{self.repo_api}/statuses/{pull['head_sha']}",
            "number": number,
            "state": pull["state"],
            "locked": False,
            "title": pull["title"],
            "user": pull["user"],
            "body": pull["body"],
            "labels": pull["labels"],
            "milestone": None,
            "active_lock_reason": None,
            "created_at": pull["created_at"],
            "updated_at": pull["updated_at"],
            "closed_at": pull["closed_at"],
            "merged_at": pull["merged_at"],
            "merge_commit_sha": pull["merge_commit_sha"],
            "assignee": None,
            "assignees": [],
            "requested_reviewers": [],
            "requested_teams": [],
            "head": end(pull["head"], pull["head_sha"]),
            "base": end(pull["base"], pull["base_sha"]),
            "author_association": "CONTRIBUTOR",
            "auto_merge": None,
            "draft": pull["draft"],
        }

    def pull_request(self, pull: Mapping[str, Any], default_branch: str) -> dict[str, Any]:
        """The full ``pull-request`` object (get, create, update)."""
        value = self.example("pull-request")
        value.update(self._pull_fields(pull, default_branch))
        value["_links"] = self._links(pull["number"], pull["head_sha"])
        value.update(
            merged=pull["merged"],
            mergeable=None if pull["state"] == "closed" else True,
            rebaseable=None,
            mergeable_state="unknown" if pull["state"] == "closed" else "clean",
            merged_by=pull["user"] if pull["merged"] else None,
            comments=pull["comments"],
            review_comments=0,
            maintainer_can_modify=pull["maintainer_can_modify"],
            commits=pull["commits"],
            additions=0,
            deletions=0,
            changed_files=0,
        )
        return value

    def pull_request_simple(self, pull: Mapping[str, Any], default_branch: str) -> dict[str, Any]:
        """One item of ``pulls/list``."""
        value = self.example("pull-request-simple-items")[0]
        value.update(self._pull_fields(pull, default_branch))
        value["_links"] = self._links(pull["number"], pull["head_sha"])
        return value

    def _links(self, number: int, head_sha: str) -> dict[str, Any]:
        return {
            "self": {"href": f"{self.repo_api}/pulls/{number}"},
            "html": {"href": f"{self.repo_html}/pull/{number}"},
            "issue": {"href": f"{self.repo_api}/issues/{number}"},
            "comments": {"href": f"{self.repo_api}/issues/{number}/comments"},
            "review_comments": {"href": f"{self.repo_api}/pulls/{number}/comments"},
            "review_comment": {"href": f"{self.repo_api}/pulls/comments{{/number}}"},
            "commits": {"href": f"{self.repo_api}/pulls/{number}/commits"},
            "statuses": {"href": f"{self.repo_api}/statuses/{head_sha}"},
        }

    # -- issues ----------------------------------------------------------------------------

    def label(self, name: str, label_id: int, color: str, description: str | None) -> Any:
        value = self.example("label")
        value.update(
            id=label_id,
            node_id=f"LA_{label_id}",
            url=f"{self.repo_api}/labels/{name}",
            name=name,
            color=color,
            description=description,
            default=False,
        )
        return value

    def issue_comment(self, comment: Mapping[str, Any]) -> dict[str, Any]:
        value = self.example("issue-comment")
        comment_id = comment["id"]
        value.update(
            id=comment_id,
            node_id=f"IC_{comment_id}",
            url=f"{self.repo_api}/issues/comments/{comment_id}",
            html_url=f"{self.repo_html}/pull/{comment['issue']}#issuecomment-{comment_id}",
            issue_url=f"{self.repo_api}/issues/{comment['issue']}",
            body=comment["body"],
            user=comment["user"],
            created_at=comment["created_at"],
            updated_at=comment["updated_at"],
            author_association="CONTRIBUTOR",
        )
        for key in ("pin", "minimized"):
            value.pop(key, None)
        return value

    def reaction(self, reaction: Mapping[str, Any]) -> dict[str, Any]:
        value = self.example("reaction")
        value.update(
            id=reaction["id"],
            node_id=f"RE_{reaction['id']}",
            user=reaction["user"],
            content=reaction["content"],
            created_at=reaction["created_at"],
        )
        return value

    def collaborator_permission(self, login: str, permission: str, role: str) -> dict[str, Any]:
        value = self.example(
            "repository-collaborator-permission-response-if-user-has-admin-permissions"
        )
        user = self.user(login, user_id=zlib.crc32(login.encode()) % 100000 + 100)
        value["user"].update({k: user[k] for k in ("login", "id", "node_id", "html_url", "url")})
        value["user"]["role_name"] = role
        value.update(permission=permission, role_name=role)
        return value

    # -- actions ---------------------------------------------------------------------------

    def artifact(self, artifact: Mapping[str, Any], default_branch: str) -> dict[str, Any]:
        value = self.example("artifact")
        artifact_id = artifact["id"]
        value.update(
            id=artifact_id,
            node_id=f"A_{artifact_id}",
            name=artifact["name"],
            size_in_bytes=artifact["size"],
            url=f"{self.repo_api}/actions/artifacts/{artifact_id}",
            archive_download_url=f"{self.repo_api}/actions/artifacts/{artifact_id}/zip",
            expired=artifact["expired"],
            created_at=artifact["created_at"],
            updated_at=artifact["created_at"],
            expires_at="2099-01-01T00:00:00Z",
            digest=None,
        )
        value["workflow_run"] = {
            "id": artifact["run_id"],
            "repository_id": self.repo_id,
            "head_repository_id": artifact["head_repository_id"],
            "head_branch": artifact["head_branch"],
            "head_sha": artifact["head_sha"],
        }
        return value

    def workflow_run(self, run_id: int, head_branch: str, default_branch: str) -> dict[str, Any]:
        value = self.example("workflow-run")
        base = f"{self.repo_api}/actions/runs/{run_id}"
        value.update(
            id=run_id,
            node_id=f"WR_{run_id}",
            head_branch=head_branch,
            url=base,
            html_url=f"{self.repo_html}/actions/runs/{run_id}",
            jobs_url=f"{base}/jobs",
            logs_url=f"{base}/logs",
            artifacts_url=f"{base}/artifacts",
            cancel_url=f"{base}/cancel",
            rerun_url=f"{base}/rerun",
            pull_requests=[],
        )
        return value

    # -- errors ----------------------------------------------------------------------------

    def error(self, message: str, **extra: Any) -> dict[str, Any]:
        return {
            "message": message,
            "documentation_url": "https://docs.github.com/rest",
            **extra,
        }
