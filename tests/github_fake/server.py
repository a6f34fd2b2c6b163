"""A stateful fake GitHub on ``responses``, checked against the REST contract.

Use it as a context manager around code that talks to GitHub (PyGithub or ``requests``)::

    with FakeGitHub(bare_remote_path) as fake:
        ...  # requests to https://api.github.com are answered by the fake
    fake.assert_clean()

Every API request is matched against the vendored contract (unknown path, wrong method,
undeclared query parameter or body key: a :class:`ContractViolationError` is raised to the caller
and recorded in :attr:`FakeGitHub.violations`), and every answer is validated against the
operation's response schema before it is sent. Branches, refs and pull request head shas
come from the bare repository at ``remote`` (the code under test pushes there with real git).
Artifact archives are served from a separate storage host after a 302, like GitHub's.
"""

from __future__ import annotations

import io
import json
import re
import zipfile
from collections.abc import Mapping
from pathlib import Path
from types import TracebackType
from typing import Any

import requests
import responses

from tests.github_contract.checker import Contract, ContractViolationError, load_contract
from tests.github_fake.handlers import STORAGE_URL, Handlers
from tests.github_fake.objects import Canned
from tests.github_fake.remote import BareRemote
from tests.github_fake.state import ArtifactState, Call, FakeState, Fault, PullState, Reply

__all__ = ["FAKE_CLOCK", "FAKE_TOKEN", "STORAGE_URL", "FakeGitHub"]

FAKE_TOKEN = "ghs_fakeTOKENvalue0123456789SECRET"
FAKE_CLOCK = 1_767_607_200.0  # "now" for clients of the fake (2026-01-05T10:00:00Z)
_SECONDARY = (
    "You have exceeded a secondary rate limit. Please wait a few minutes before you try again."
)
_Headers = tuple[int, dict[str, str], bytes]


class FakeGitHub:
    """One repository on a fake GitHub (or GitHub Enterprise Server at ``base_url``)."""

    def __init__(
        self,
        remote: Path,
        *,
        owner: str = "octo-org",
        repo: str = "agents",
        base_url: str = "https://api.github.com",
        token: str = FAKE_TOKEN,
        bot_login: str = "autotune-bot[bot]",
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.owner = owner
        self.repo = repo
        self.full_name = f"{owner}/{repo}"
        self.token = token
        self.remote = BareRemote(remote)
        self.contract: Contract = load_contract(self.base_url)
        self.state = FakeState()
        self.canned = Canned(self.base_url, owner, repo)
        self.handlers = Handlers(self.state, self.canned, self.remote, self.base_url, bot_login)
        self.calls: list[Call] = []
        self.storage_calls: list[Call] = []
        self.violations: list[str] = []
        self.faults: list[Fault] = []
        self._mock = responses.RequestsMock(assert_all_requests_are_fired=False)
        for method in ("GET", "POST", "PATCH", "PUT", "DELETE"):
            host = re.escape(f"{self.contract.scheme}://{self.contract.host}")
            self._mock.add_callback(method, re.compile(rf"{host}(:\d+)?/"), self._api)
        storage = re.compile(re.escape(STORAGE_URL) + "/")
        self._mock.add_callback("GET", storage, self._storage)

    # -- lifecycle -------------------------------------------------------------------------

    def __enter__(self) -> FakeGitHub:
        self._mock.start()
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self._mock.stop()
        self._mock.reset()

    def assert_clean(self) -> None:
        """Fail if any request or answer broke the contract (or hit an unimplemented call)."""
        assert not self.violations, "requests outside the contract:\n" + "\n".join(self.violations)

    # -- inspection ------------------------------------------------------------------------

    def calls_to(self, operation_id: str) -> list[Call]:
        return [call for call in self.calls if call.operation_id == operation_id]

    def pulls(self, *, state: str | None = None, head: str | None = None) -> list[PullState]:
        return [
            pull
            for pull in self.state.pulls.values()
            if (state is None or pull.state == state) and (head is None or pull.head == head)
        ]

    def pull(self, number: int) -> PullState:
        return self.state.pulls[number]

    def pull_json(self, number: int) -> Any:
        """The pull request as ``pulls/get`` would answer (validated)."""
        self.handlers.reset()
        value = self.handlers.full_pull(self.state.pulls[number])
        self.contract.check_response_value(self.contract.operation("pulls/get"), 200, value)
        return value

    # -- what people do on GitHub ----------------------------------------------------------

    def close_pull(self, number: int) -> None:
        pull = self.state.pulls[number]
        self.handlers.set_state(pull, "closed")
        pull.updated_at = self.state.now()

    def merge_pull(self, number: int, merge_sha: str | None = None) -> None:
        """Mark a pull request merged (the remote's branches are left as they are)."""
        pull = self.state.pulls[number]
        self.handlers.set_state(pull, "closed")
        pull.merged = True
        pull.merged_at = pull.closed_at
        pull.merge_commit_sha = merge_sha or pull.frozen_head_sha
        pull.updated_at = self.state.now()

    def open_pull_as_person(self, head: str, base: str, title: str, body: str = "") -> int:
        """A pull request someone opened by hand (no marker)."""
        now = self.state.now()
        number = max(self.state.pulls, default=0) + 1
        person = self.canned.user("octocat", user_id=583231)
        self.state.pulls[number] = PullState(number, title, body, head, base, person, now, now)
        return number

    def set_permission(self, login: str, role: str) -> None:
        """A collaborator's role: admin, maintain, write, triage, read or none."""
        self.state.permissions[login] = role

    def add_artifact(
        self,
        name: str,
        files: Mapping[str, bytes] | None = None,
        *,
        data: bytes | None = None,
        run_id: int = 7001,
        head_branch: str = "main",
        from_fork: bool = False,
        expired: bool = False,
        listed_size: int | None = None,
        send_length: bool = True,
    ) -> int:
        """An artifact of workflow run ``run_id``: ``files`` zipped, or raw ``data``.
        ``listed_size`` makes the API claim another size; ``send_length=False`` makes the
        storage host leave out ``Content-Length``."""
        if data is None:
            buffer = io.BytesIO()
            with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
                for member, content in (files or {}).items():
                    archive.writestr(member, content)
            data = buffer.getvalue()
        artifact_id = self.state.new_id()
        self.state.runs.setdefault(run_id, head_branch)
        self.state.artifacts[artifact_id] = ArtifactState(
            id=artifact_id,
            name=name,
            data=data,
            run_id=run_id,
            head_branch=head_branch,
            head_sha="1" * 40,
            head_repository_id=self.canned.repo_id + (1 if from_fork else 0),
            created_at=self.state.now(),
            expired=expired,
            listed_size=listed_size,
            send_length=send_length,
        )
        return artifact_id

    # -- faults ----------------------------------------------------------------------------

    def inject(
        self,
        operation_id: str,
        *,
        status: int = 502,
        times: int = 1,
        message: str = "Server Error",
        headers: Mapping[str, str] | None = None,
        error: type[BaseException] | None = None,
        apply_first: bool = False,
    ) -> Fault:
        """Fail the next ``times`` calls of ``operation_id`` (see :class:`Fault`)."""
        self.contract.operation(operation_id)  # must exist in the contract
        fault = Fault(operation_id, times, status, message, dict(headers or {}), error, apply_first)
        self.faults.append(fault)
        return fault

    def rate_limit(
        self, operation_id: str, *, status: int = 403, retry_after: int | None = 3, times: int = 1
    ) -> Fault:
        """GitHub's secondary rate limit (403 or 429, with ``Retry-After`` when given)."""
        headers = {"x-ratelimit-remaining": "4000", "x-ratelimit-limit": "5000"}
        if retry_after is not None:
            headers["Retry-After"] = str(retry_after)
        return self.inject(
            operation_id, status=status, times=times, message=_SECONDARY, headers=headers
        )

    def timeout(self, operation_id: str, *, times: int = 1, apply_first: bool = False) -> Fault:
        """The client's read timeout (the request may still have been applied)."""
        return self.inject(
            operation_id,
            times=times,
            error=requests.exceptions.ReadTimeout,
            apply_first=apply_first,
        )

    def _take_fault(self, operation_id: str) -> Fault | None:
        for fault in self.faults:
            if fault.operation_id == operation_id and fault.times > 0:
                fault.times -= 1
                return fault
        return None

    # -- the request funnel ----------------------------------------------------------------

    def _api(self, request: requests.PreparedRequest) -> _Headers:
        method = str(request.method)
        url = str(request.url)
        body: Any = request.body
        call = Call(method, url, dict(request.headers), body)
        self.calls.append(call)
        self.handlers.reset()
        try:
            matched = self.contract.check_request(method, url, body)
        except ContractViolationError as err:
            self.violations.append(str(err))
            raise
        operation = matched.operation
        call.operation_id = operation.operation_id
        call.body = matched.body
        reply = self._answer(matched, request, call)
        raw = b"" if reply.body is None else json.dumps(reply.body).encode()
        try:
            self.contract.check_response(operation, reply.status, raw, reply.headers)
        except ContractViolationError as err:
            self.violations.append(f"fake answer: {err}")
            raise
        call.status = reply.status
        headers = {"Content-Type": "application/json; charset=utf-8", **reply.headers}
        return reply.status, headers, raw

    def _answer(self, matched: Any, request: requests.PreparedRequest, call: Call) -> Reply:
        auth = request.headers.get("Authorization", "")
        if auth not in (f"token {self.token}", f"Bearer {self.token}"):
            return Reply(401, self.canned.error("Bad credentials"))
        operation_id = matched.operation.operation_id
        handler = self.handlers.table.get(operation_id)
        if handler is None:
            message = f"fake GitHub does not implement {operation_id}"
            self.violations.append(message)
            raise AssertionError(message)
        fault = self._take_fault(operation_id)
        if fault is not None and fault.apply_first:
            handler(matched)
        if fault is not None and fault.error is not None:
            call.error = fault.error.__name__
            raise fault.error(f"fake GitHub: injected {fault.error.__name__}")
        if fault is not None:
            return Reply(fault.status, self.canned.error(fault.message), dict(fault.headers))
        return handler(matched)

    def _storage(self, request: requests.PreparedRequest) -> _Headers:
        """The artifact storage host: serves archives at signed URLs, refuses credentials."""
        url = str(request.url)
        call = Call("GET", url, dict(request.headers), None)
        self.storage_calls.append(call)
        found = re.search(r"/artifacts/(\d+)\.zip\?sig=signed-(\d+)&se=1m$", url)
        artifact = self.state.artifacts.get(int(found.group(1))) if found else None
        if "Authorization" in request.headers:
            call.status = 400
            return 400, {"Content-Type": "application/xml"}, b"<Error>InvalidAuthenticationInfo"
        if found is None or artifact is None or found.group(1) != found.group(2):
            call.status = 403
            return 403, {"Content-Type": "application/xml"}, b"<Error>AuthenticationFailed"
        call.status = 200
        headers = {"Content-Type": "application/zip"}
        if artifact.send_length:
            headers["Content-Length"] = str(len(artifact.data))
        return 200, headers, artifact.data
