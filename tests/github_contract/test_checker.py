"""The contract checker catches what it must and accepts GitHub's real shapes."""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest

from tests.github_contract.checker import Contract, ContractViolationError, load_contract
from tests.github_fake.objects import Canned

API = "https://api.github.com"
REPO = f"{API}/repos/octo-org/agents"


@pytest.fixture(scope="module")
def contract() -> Contract:
    return load_contract()


@pytest.fixture(scope="module")
def pull() -> Any:
    """A complete pull request (the contract's example, repaired)."""
    return Canned(API, "octo-org", "agents").example("pull-request")


def operation_of(contract: Contract, method: str, url: str) -> str:
    return contract.check_request(method, url).operation.operation_id


# -- matching ------------------------------------------------------------------------------


def test_unknown_path_is_a_violation(contract: Contract) -> None:
    with pytest.raises(
        ContractViolationError, match="unknown path: GET /repos/octo-org/agents/hooks"
    ):
        contract.check_request("GET", f"{REPO}/hooks")


def test_request_reviewers_is_not_in_the_contract(contract: Contract) -> None:
    with pytest.raises(ContractViolationError, match="unknown path"):
        contract.check_request("POST", f"{REPO}/pulls/3/requested_reviewers", b"{}")


def test_wrong_method_is_a_violation(contract: Contract) -> None:
    # PyGithub with lazy objects PATCHes the read-only /git/ref/ path.
    with pytest.raises(ContractViolationError, match=r"method PATCH not allowed .*allowed: GET"):
        contract.check_request("PATCH", f"{REPO}/git/ref/heads/autotune/x", b'{"sha": "a"}')
    with pytest.raises(ContractViolationError, match="method DELETE not allowed"):
        contract.check_request("DELETE", f"{REPO}/pulls/3")


def test_slashes_in_path_values_and_the_most_specific_template(contract: Contract) -> None:
    matched = contract.check_request("GET", f"{REPO}/git/ref/heads/autotune/review/team")
    assert matched.operation.operation_id == "git/get-ref"
    assert matched.path_params["ref"] == "heads/autotune/review/team"
    compare = contract.check_request("GET", f"{REPO}/compare/main...autotune/review/team")
    assert compare.path_params["basehead"] == "main...autotune/review/team"
    content = contract.check_request("GET", f"{REPO}/contents/workflows/review.yaml")
    assert content.path_params["path"] == "workflows/review.yaml"
    assert operation_of(contract, "GET", f"{REPO}/pulls/5/files") == "pulls/list-files"
    assert operation_of(contract, "GET", f"{REPO}/pulls/5") == "pulls/get"
    assert operation_of(contract, "GET", f"{REPO}/issues/comments/7") == "issues/get-comment"
    assert operation_of(contract, "GET", f"{REPO}/issues/7/comments") == "issues/list-comments"
    zip_url = f"{REPO}/actions/artifacts/9/zip"
    assert operation_of(contract, "GET", zip_url) == "actions/download-artifact"
    assert operation_of(contract, "GET", f"{REPO}/branches/autotune/a/b") == "repos/get-branch"
    assert operation_of(contract, "GET", f"{REPO}") == "repos/get"


def test_repository_names_never_swallow_slashes(contract: Contract) -> None:
    # Otherwise "/repos/{owner}/{repo}" would match any unknown path below a repository.
    with pytest.raises(ContractViolationError, match="unknown path"):
        contract.check_request("GET", f"{REPO}/not/an/endpoint")


def test_percent_encoded_path_values_are_decoded(contract: Contract) -> None:
    matched = contract.check_request("GET", f"{REPO}/branches/autotune%2Fx")
    assert matched.path_params["branch"] == "autotune/x"


def test_port_and_enterprise_base_path_are_normalised() -> None:
    assert operation_of(load_contract(), "GET", f"{API}:443/repos/o/r/pulls") == "pulls/list"
    enterprise = load_contract("https://ghe.example.com/api/v3")
    url = "https://ghe.example.com:443/api/v3/repos/o/r/pulls/2"
    assert operation_of(enterprise, "GET", url) == "pulls/get"
    with pytest.raises(ContractViolationError, match="outside the API base path"):
        enterprise.check_request("GET", "https://ghe.example.com/repos/o/r/pulls/2")
    with pytest.raises(ContractViolationError, match="host outside the API"):
        enterprise.check_request("GET", f"{API}/repos/o/r/pulls/2")
    with pytest.raises(ContractViolationError, match="host outside the API"):
        load_contract().check_request("GET", "https://api.github.com:8443/repos/o/r")


# -- query parameters ------------------------------------------------------------------------


def test_query_parameters(contract: Contract) -> None:
    matched = contract.check_request("GET", f"{REPO}/pulls?state=all&head=octo-org:a/b&page=2")
    assert matched.query == {"state": ["all"], "head": ["octo-org:a/b"], "page": ["2"]}
    with pytest.raises(ContractViolationError, match="undeclared query parameter 'labels'"):
        contract.check_request("GET", f"{REPO}/pulls?labels=autotune")
    with pytest.raises(ContractViolationError, match=r"state='merged'.*is not one of"):
        contract.check_request("GET", f"{REPO}/pulls?state=merged")
    with pytest.raises(ContractViolationError, match="per_page='many' is not an integer"):
        contract.check_request("GET", f"{REPO}/pulls?per_page=many")


# -- request bodies --------------------------------------------------------------------------


def body(value: Any) -> bytes:
    return json.dumps(value).encode()


def test_undeclared_body_key_is_a_violation(contract: Contract) -> None:
    good = {"title": "t", "head": "autotune/x", "base": "main", "body": "b"}
    contract.check_request("POST", f"{REPO}/pulls", body(good))
    typo = {"title": "t", "heads": "autotune/x", "base": "main"}
    with pytest.raises(ContractViolationError, match=r"undeclared request body key\(s\) heads"):
        contract.check_request("POST", f"{REPO}/pulls", body(typo))
    with pytest.raises(ContractViolationError, match=r"undeclared request body key.*draft"):
        contract.check_request("PATCH", f"{REPO}/pulls/2", body({"draft": True}))


def test_body_types_and_presence(contract: Contract) -> None:
    with pytest.raises(ContractViolationError, match="request body: at /title: 5 is not of type"):
        contract.check_request(
            "POST", f"{REPO}/pulls", body({"title": 5, "head": "a", "base": "main"})
        )
    with pytest.raises(ContractViolationError, match="request body missing"):
        contract.check_request("POST", f"{REPO}/pulls")
    with pytest.raises(ContractViolationError, match="takes no request body"):
        contract.check_request("GET", f"{REPO}/pulls", body({"state": "all"}))
    with pytest.raises(ContractViolationError, match="not JSON"):
        contract.check_request("POST", f"{REPO}/pulls", b"title=x")


def test_add_labels_accepts_the_bare_array_pygithub_sends(contract: Contract) -> None:
    url = f"{REPO}/issues/4/labels"
    contract.check_request("POST", url, body(["autotune"]))
    contract.check_request("POST", url, body({"labels": ["autotune"]}))
    with pytest.raises(ContractViolationError, match="request body"):
        contract.check_request("POST", url, body({"labels": []}))  # minItems 1
    with pytest.raises(ContractViolationError, match=r"undeclared request body key.*names"):
        contract.check_request("POST", url, body({"names": ["autotune"]}))


# -- responses -------------------------------------------------------------------------------


def test_complete_response_passes(contract: Contract, pull: Any) -> None:
    op = contract.operation("pulls/get")
    contract.check_response(op, 200, body(pull))


def test_response_missing_a_required_field(contract: Contract, pull: Any) -> None:
    broken = copy.deepcopy(pull)
    del broken["number"]
    with pytest.raises(ContractViolationError, match="pulls/get 200: at /: 'number' is a required"):
        contract.check_response(contract.operation("pulls/get"), 200, body(broken))
    nested = copy.deepcopy(pull)
    del nested["head"]["sha"]
    with pytest.raises(ContractViolationError, match="at /head: 'sha' is a required property"):
        contract.check_response(contract.operation("pulls/get"), 200, body(nested))


def test_response_with_a_wrong_type(contract: Contract, pull: Any) -> None:
    broken = copy.deepcopy(pull)
    broken["number"] = "12"
    with pytest.raises(ContractViolationError, match="at /number: '12' is not of type 'integer'"):
        contract.check_response(contract.operation("pulls/get"), 200, body(broken))
    title = copy.deepcopy(pull)
    title["title"] = None  # not nullable
    with pytest.raises(ContractViolationError, match="at /title: None is not of type 'string'"):
        contract.check_response(contract.operation("pulls/get"), 200, body(title))


def test_nullable_admits_null(contract: Contract, pull: Any) -> None:
    value = copy.deepcopy(pull)
    value.update(body=None, closed_at=None, merged_at=None, merge_commit_sha=None)
    value["milestone"] = None
    contract.check_response(contract.operation("pulls/get"), 200, body(value))


def test_statuses(contract: Contract) -> None:
    create = contract.operation("pulls/create")
    for status in (401, 403, 429, 500, 502, 503):
        contract.check_response(create, status, body({"message": "x"}))
    with pytest.raises(ContractViolationError, match="status 418 not declared"):
        contract.check_response(create, 418, body({"message": "teapot"}))
    with pytest.raises(ContractViolationError, match="status 404 not declared"):
        contract.check_response(contract.operation("pulls/update"), 404, body({}))
    download = contract.operation("actions/download-artifact")
    contract.check_response(download, 302, b"", {"Location": "https://storage.example/a"})
    with pytest.raises(ContractViolationError, match="302 without Location"):
        contract.check_response(download, 302, b"", {})
    with pytest.raises(ContractViolationError, match="204 must have no body"):
        contract.check_response(contract.operation("git/delete-ref"), 204, b"{}")
    with pytest.raises(ContractViolationError, match="response without body"):
        contract.check_response(contract.operation("pulls/get"), 200, b"")
    missing = body({"errors": [{"code": "custom"}]})  # validation errors need a message
    with pytest.raises(ContractViolationError, match="'message' is a required property"):
        contract.check_response(create, 422, missing)


def test_only_the_known_examples_fail_their_schemas(contract: Contract) -> None:
    """The README lists the contract's own examples that fail; the checker agrees exactly."""
    failing = set()
    for op in contract.operations:
        for status, declared in contract.at(op.pointer)["responses"].items():
            content = contract.resolve(declared).get("content", {}).get("application/json", {})
            for name, example in content.get("examples", {}).items():
                value = contract.resolve(example).get("value")
                if value is None or not status.startswith("2"):
                    continue
                try:
                    contract.check_response_value(op, int(status), value)
                except ContractViolationError:
                    failing.add(example.get("$ref", f"{op.operation_id} inline {name}"))
    assert {name.removeprefix("#/components/examples/") for name in failing} == {
        "full-repository-default-response",
        "commit",
        "repository-collaborator-permission-response-if-user-has-admin-permissions",
        "pull-request",
        "pull-request-simple-items",
        "issues/get inline default",
        "issues/get inline pinned_comment",
        "issue-search-result-item-paginated-lexical-fallback",
    }


@pytest.mark.parametrize(
    ("name", "operation_id"),
    [
        ("full-repository-default-response", "repos/get"),
        ("pull-request", "pulls/get"),
        (
            "repository-collaborator-permission-response-if-user-has-admin-permissions",
            "repos/get-collaborator-permission-level",
        ),
    ],
)
def test_repaired_examples_pass(contract: Contract, name: str, operation_id: str) -> None:
    value = Canned(API, "octo-org", "agents").example(name)
    contract.check_response_value(contract.operation(operation_id), 200, value)
