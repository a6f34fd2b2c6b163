"""The fake GitHub's answers, one method per contract operation it implements.

Handlers read git facts from the bare remote, keep everything else in :class:`FakeState`
and answer like GitHub does, including its validation errors (a second pull request for the
same head is a 422 "A pull request already exists for owner:branch.").
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from typing import Any
from urllib.parse import urlencode

from tests.github_contract.checker import MatchedRequest
from tests.github_fake.objects import Canned
from tests.github_fake.remote import BareRemote
from tests.github_fake.state import CommentState, FakeState, LabelState, PullState, Reply

__all__ = ["STORAGE_URL", "Handlers"]

STORAGE_URL = "https://pipelines.actions.githubusercontent.com"
_ROLES = {
    "admin": "admin",
    "maintain": "write",
    "write": "write",
    "triage": "read",
    "read": "read",
    "none": "none",
}
_BODY_LIMIT = 65536


def _one(query: Mapping[str, list[str]], name: str, default: str | None = None) -> str | None:
    values = query.get(name)
    return values[-1] if values else default


class Handlers:
    """Operation handlers of one fake repository."""

    def __init__(
        self, state: FakeState, canned: Canned, remote: BareRemote, api_url: str, bot: str
    ) -> None:
        self.state = state
        self.canned = canned
        self.remote = remote
        self.api_url = api_url.rstrip("/")
        self.bot = canned.user(bot, user_id=41898282, kind="Bot")
        self._branches: dict[str, str] | None = None
        self._default: str | None = None
        self.table: dict[str, Callable[[MatchedRequest], Reply]] = {
            "repos/get": self.get_repo,
            "repos/get-branch": self.get_branch,
            "git/get-ref": self.get_ref,
            "git/list-matching-refs": self.list_matching_refs,
            "repos/compare-commits": self.compare,
            "pulls/list": self.list_pulls,
            "pulls/get": self.get_pull,
            "pulls/create": self.create_pull,
            "pulls/update": self.update_pull,
            "issues/list-comments": self.list_comments,
            "issues/create-comment": self.create_comment,
            "issues/get-comment": self.get_comment,
            "issues/update-comment": self.update_comment,
            "issues/list-labels-on-issue": self.list_issue_labels,
            "issues/add-labels": self.add_labels,
            "issues/create-label": self.create_label,
            "repos/get-collaborator-permission-level": self.get_permission,
            "reactions/list-for-issue-comment": self.list_reactions,
            "reactions/create-for-issue-comment": self.create_reaction,
            "actions/list-artifacts-for-repo": self.list_artifacts,
            "actions/list-workflow-run-artifacts": self.list_run_artifacts,
            "actions/get-artifact": self.get_artifact,
            "actions/download-artifact": self.download_artifact,
            "actions/get-workflow-run": self.get_run,
        }

    # -- helpers ---------------------------------------------------------------------------

    def reset(self) -> None:
        """Forget the git facts read for the previous request (the remote may have moved)."""
        self._branches = None
        self._default = None

    def branches(self) -> dict[str, str]:
        if self._branches is None:
            self._branches = self.remote.branches()
        return self._branches

    def _error(self, status: int, message: str, **extra: Any) -> Reply:
        return Reply(status, self.canned.error(message, **extra))

    def _invalid(self, resource: str, code: str, **fields: Any) -> Reply:
        return self._error(
            422, "Validation Failed", errors=[{"resource": resource, "code": code, **fields}]
        )

    def _page(self, items: Sequence[Any], m: MatchedRequest) -> Reply:
        """One page of ``items`` with GitHub's ``Link`` header (URLs without a port)."""
        per_page = int(_one(m.query, "per_page", "30") or 30)
        page = int(_one(m.query, "page", "1") or 1)
        last = max(1, math.ceil(len(items) / per_page))
        chunk = list(items[(page - 1) * per_page : page * per_page])
        path = self.canned.repo_api.removeprefix(self.api_url)
        path += m.operation.template.split("{repo}", 1)[1].format(**m.path_params)

        def link(number: int, rel: str) -> str:
            query = {key: values[-1] for key, values in m.query.items()}
            query["page"] = str(number)
            return f'<{self.api_url}{path}?{urlencode(query)}>; rel="{rel}"'

        links = []
        if page < last:
            links += [link(page + 1, "next"), link(last, "last")]
        if page > 1:
            links += [link(1, "first"), link(page - 1, "prev")]
        headers = {"Link": ", ".join(links)} if links else {}
        return Reply(200, chunk, headers)

    def _default_branch(self) -> str:
        if self._default is None:
            self._default = self.remote.default_branch()
        return self._default

    def pull_facts(self, pull: PullState, *, count_commits: bool = False) -> dict[str, Any]:
        """A pull request's fields, with head and base shas read from the remote."""
        live = self.branches().get(pull.head) if pull.state == "open" else None
        head_sha = live or pull.frozen_head_sha or "0" * 40
        base_sha = self.branches().get(pull.base) or "0" * 40
        commits = 0
        if count_commits and live and base_sha != "0" * 40:
            commits = self.remote.count_between(base_sha, live)
        labels = [self._label(name) for name in pull.labels]
        comments = sum(1 for c in self.state.comments.values() if c.issue == pull.number)
        return {
            **vars(pull),
            "head_sha": head_sha,
            "base_sha": base_sha,
            "labels": labels,
            "comments": comments,
            "commits": commits,
        }

    def _label(self, name: str) -> Any:
        label = self.state.labels[name]
        # The pull request schemas want a string where the label schema allows null.
        return self.canned.label(label.name, label.id, label.color, label.description or "")

    def _pull(self, m: MatchedRequest) -> PullState | None:
        return self.state.pulls.get(int(m.path_params["pull_number"]))

    def _issue(self, m: MatchedRequest) -> PullState | None:
        return self.state.pulls.get(int(m.path_params["issue_number"]))

    # -- repository and git ----------------------------------------------------------------

    def get_repo(self, m: MatchedRequest) -> Reply:
        return Reply(200, self.canned.repository(self._default_branch()))

    def get_branch(self, m: MatchedRequest) -> Reply:
        name = m.path_params["branch"]
        sha = self.remote.branch_sha(name)
        if sha is None:
            return self._error(404, "Branch not found")
        return Reply(200, self.canned.branch(name, self.remote.commit(sha)))

    def get_ref(self, m: MatchedRequest) -> Reply:
        ref = f"refs/{m.path_params['ref']}"
        sha = self.remote.resolve(ref) if ref.startswith(("refs/heads/", "refs/tags/")) else None
        if sha is None:
            return self._error(404, "Not Found")
        return Reply(200, self.canned.git_ref(ref, sha))

    def list_matching_refs(self, m: MatchedRequest) -> Reply:
        pairs = self.remote.matching_refs(m.path_params["ref"])
        return Reply(200, [self.canned.git_ref(name, sha) for name, sha in pairs])

    def compare(self, m: MatchedRequest) -> Reply:
        basehead = m.path_params["basehead"]
        base_name, sep, head_name = basehead.partition("...")
        base = self.remote.resolve(base_name) if sep else None
        head = self.remote.resolve(head_name) if sep else None
        merge_base = self.remote.merge_base(base, head) if base and head else None
        if base is None or head is None or merge_base is None:
            return self._error(404, "Not Found")
        commits = [self.remote.commit(sha) for sha in self.remote.commits_between(base, head)]
        behind = self.remote.count_between(head, base)
        value = self.canned.comparison(
            basehead, self.remote.commit(base), self.remote.commit(merge_base), commits, behind
        )
        return Reply(200, value)

    # -- pull requests ---------------------------------------------------------------------

    def list_pulls(self, m: MatchedRequest) -> Reply:
        state = _one(m.query, "state", "open")
        head = _one(m.query, "head")
        base = _one(m.query, "base")
        pulls = list(self.state.pulls.values())
        if state != "all":
            pulls = [p for p in pulls if p.state == state]
        if head is not None and ":" in head:
            # GitHub wants "owner:branch"; a bare branch name filters nothing.
            owner, _, branch = head.partition(":")
            pulls = [p for p in pulls if owner == self.canned.owner and p.head == branch]
        if base is not None:
            pulls = [p for p in pulls if p.base == base]
        sort = _one(m.query, "sort", "created")
        direction = _one(m.query, "direction", "desc" if sort == "created" else "asc")
        key = "updated_at" if sort == "updated" else "created_at"
        pulls.sort(key=lambda p: (getattr(p, key), p.number), reverse=direction == "desc")
        default = self._default_branch()
        items = [self.canned.pull_request_simple(self.pull_facts(p), default) for p in pulls]
        return self._page(items, m)

    def full_pull(self, pull: PullState) -> Any:
        facts = self.pull_facts(pull, count_commits=True)
        return self.canned.pull_request(facts, self._default_branch())

    def get_pull(self, m: MatchedRequest) -> Reply:
        pull = self._pull(m)
        if pull is None:
            return self._error(404, "Not Found")
        return Reply(200, self.full_pull(pull))

    def create_pull(self, m: MatchedRequest) -> Reply:
        body = m.body
        head = str(body.get("head", ""))
        if ":" in head:
            owner, _, head = head.partition(":")
            if owner != self.canned.owner:
                return self._invalid("PullRequest", "invalid", field="head")
        base = str(body.get("base", ""))
        if "title" not in body:
            return self._invalid("PullRequest", "missing_field", field="title")
        base_sha = self.branches().get(base)
        if base_sha is None:
            return self._invalid("PullRequest", "invalid", field="base")
        head_sha = self.branches().get(head)
        if head_sha is None:
            return self._invalid("PullRequest", "invalid", field="head")
        for pull in self.state.pulls.values():
            if pull.state == "open" and pull.head == head and pull.base == base:
                return self._invalid(
                    "PullRequest",
                    "custom",
                    message=(f"A pull request already exists for {self.canned.owner}:{head}."),
                )
        if self.remote.count_between(base_sha, head_sha) == 0:
            return self._invalid(
                "PullRequest", "custom", message=f"No commits between {base} and {head}"
            )
        text = body.get("body")
        if text is not None and len(text) > _BODY_LIMIT:
            return self._invalid(
                "Issue",
                "custom",
                field="body",
                message="body is too long (maximum is 65536 characters)",
            )
        now = self.state.now()
        number = max(self.state.pulls, default=0) + 1
        pull = PullState(
            number=number,
            title=body["title"],
            body=text,
            head=head,
            base=base,
            user=self.bot,
            created_at=now,
            updated_at=now,
            draft=bool(body.get("draft", False)),
            maintainer_can_modify=bool(body.get("maintainer_can_modify", False)),
        )
        self.state.pulls[number] = pull
        value = self.full_pull(pull)
        return Reply(201, value, {"Location": value["url"]})

    def update_pull(self, m: MatchedRequest) -> Reply:
        pull = self._pull(m)
        if pull is None:
            return self._invalid("PullRequest", "invalid", field="pull_number")
        body = m.body or {}
        text = body.get("body")
        if text is not None and len(text) > _BODY_LIMIT:
            return self._invalid(
                "Issue",
                "custom",
                field="body",
                message="body is too long (maximum is 65536 characters)",
            )
        for key in ("title", "body", "base", "maintainer_can_modify"):
            if key in body:
                setattr(pull, key, body[key])
        if body.get("state") in ("open", "closed") and not pull.merged:
            self.set_state(pull, body["state"])
        pull.updated_at = self.state.now()
        return Reply(200, self.full_pull(pull))

    def set_state(self, pull: PullState, state: str) -> None:
        if state == "closed" and pull.state == "open":
            pull.frozen_head_sha = self.remote.branch_sha(pull.head)
            self.reset()
            pull.closed_at = self.state.now()
        elif state == "open":
            pull.closed_at = None
        pull.state = state

    # -- comments, labels, permissions, reactions ------------------------------------------

    def list_comments(self, m: MatchedRequest) -> Reply:
        if self._issue(m) is None:
            return self._error(404, "Not Found")
        number = int(m.path_params["issue_number"])
        found = [c for c in self.state.comments.values() if c.issue == number]
        return self._page([self.canned.issue_comment(vars(c)) for c in found], m)

    def create_comment(self, m: MatchedRequest) -> Reply:
        if self._issue(m) is None:
            return self._error(404, "Not Found")
        now = self.state.now()
        comment = CommentState(
            self.state.new_id(),
            int(m.path_params["issue_number"]),
            m.body["body"],
            self.bot,
            now,
            now,
        )
        self.state.comments[comment.id] = comment
        value = self.canned.issue_comment(vars(comment))
        return Reply(201, value, {"Location": value["url"]})

    def get_comment(self, m: MatchedRequest) -> Reply:
        comment = self.state.comments.get(int(m.path_params["comment_id"]))
        if comment is None:
            return self._error(404, "Not Found")
        return Reply(200, self.canned.issue_comment(vars(comment)))

    def update_comment(self, m: MatchedRequest) -> Reply:
        comment = self.state.comments.get(int(m.path_params["comment_id"]))
        if comment is None:
            return self._invalid("IssueComment", "invalid", field="comment_id")
        comment.body = m.body["body"]
        comment.updated_at = self.state.now()
        return Reply(200, self.canned.issue_comment(vars(comment)))

    def list_issue_labels(self, m: MatchedRequest) -> Reply:
        pull = self._issue(m)
        if pull is None:
            return self._error(404, "Not Found")
        return self._page([self._label(name) for name in pull.labels], m)

    def ensure_label(
        self, name: str, color: str = "ededed", description: str | None = None
    ) -> None:
        if name not in self.state.labels:
            self.state.labels[name] = LabelState(self.state.new_id(), name, color, description)

    def add_labels(self, m: MatchedRequest) -> Reply:
        pull = self._issue(m)
        if pull is None:
            return self._error(404, "Not Found")
        raw = m.body.get("labels", []) if isinstance(m.body, dict) else (m.body or [])
        names = [item["name"] if isinstance(item, dict) else item for item in raw]
        for name in names:
            self.ensure_label(name)  # GitHub creates labels that do not exist yet
            if name not in pull.labels:
                pull.labels.append(name)
        return Reply(200, [self._label(name) for name in pull.labels])

    def create_label(self, m: MatchedRequest) -> Reply:
        name = m.body["name"]
        if name in self.state.labels:
            return self._invalid("Label", "already_exists", field="name")
        self.ensure_label(name, m.body.get("color", "ededed"), m.body.get("description"))
        value = self._label(name)
        return Reply(201, value, {"Location": value["url"]})

    def get_permission(self, m: MatchedRequest) -> Reply:
        login = m.path_params["username"]
        role = self.state.permissions.get(login)
        if role is None:
            return self._error(404, "Not Found")
        return Reply(200, self.canned.collaborator_permission(login, _ROLES[role], role))

    def list_reactions(self, m: MatchedRequest) -> Reply:
        comment_id = int(m.path_params["comment_id"])
        if comment_id not in self.state.comments:
            return self._error(404, "Not Found")
        content = _one(m.query, "content")
        found = [
            r for r in self.state.reactions.get(comment_id, []) if content in (None, r["content"])
        ]
        return self._page([self.canned.reaction(r) for r in found], m)

    def create_reaction(self, m: MatchedRequest) -> Reply:
        comment_id = int(m.path_params["comment_id"])
        if comment_id not in self.state.comments:
            return self._invalid("Reaction", "invalid", field="comment_id")
        reactions = self.state.reactions.setdefault(comment_id, [])
        for reaction in reactions:
            if reaction["content"] == m.body["content"] and reaction["user"] == self.bot:
                return Reply(200, self.canned.reaction(reaction))
        reaction = {
            "id": self.state.new_id(),
            "user": self.bot,
            "content": m.body["content"],
            "created_at": self.state.now(),
        }
        reactions.append(reaction)
        return Reply(201, self.canned.reaction(reaction))

    # -- actions ---------------------------------------------------------------------------

    def _artifacts(self, m: MatchedRequest, run_id: int | None) -> Reply:
        name = _one(m.query, "name")
        found = [
            a
            for a in self.state.artifacts.values()
            if (name is None or a.name == name) and (run_id is None or a.run_id == run_id)
        ]
        found.sort(key=lambda a: (a.created_at, a.id), reverse=_one(m.query, "direction") != "asc")
        default = self._default_branch()
        items = [self.canned.artifact(vars(a) | {"size": a.size}, default) for a in found]
        page = self._page(items, m)
        return Reply(200, {"total_count": len(found), "artifacts": page.body}, page.headers)

    def list_artifacts(self, m: MatchedRequest) -> Reply:
        return self._artifacts(m, None)

    def list_run_artifacts(self, m: MatchedRequest) -> Reply:
        return self._artifacts(m, int(m.path_params["run_id"]))

    def get_artifact(self, m: MatchedRequest) -> Reply:
        artifact = self.state.artifacts[int(m.path_params["artifact_id"])]
        value = self.canned.artifact(
            vars(artifact) | {"size": artifact.size}, self._default_branch()
        )
        return Reply(200, value)

    def download_artifact(self, m: MatchedRequest) -> Reply:
        artifact = self.state.artifacts.get(int(m.path_params["artifact_id"]))
        if artifact is None or m.path_params["archive_format"] != "zip":
            raise AssertionError(f"fake GitHub: no such artifact archive {dict(m.path_params)}")
        if artifact.expired:
            return self._error(410, "Artifact has expired")
        location = f"{STORAGE_URL}/artifacts/{artifact.id}.zip?sig=signed-{artifact.id}&se=1m"
        return Reply(302, None, {"Location": location})

    def get_run(self, m: MatchedRequest) -> Reply:
        run_id = int(m.path_params["run_id"])
        branch = self.state.runs.get(run_id)
        if branch is None:
            raise AssertionError(f"fake GitHub: no workflow run {run_id}")
        return Reply(200, self.canned.workflow_run(run_id, branch, self._default_branch()))
