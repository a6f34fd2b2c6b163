"""Checks HTTP requests and responses against the vendored GitHub REST contract.

``operations.json`` (next to this file) is a subset of GitHub's OpenAPI 3.0.3 description.
:class:`Contract` matches a request to an operation by method and path template, checks its
query parameter names and values and its JSON body, and validates response bodies with
``jsonschema`` (Draft 4 semantics, as OpenAPI 3.0 uses them; ``nullable: true`` admits null),
resolving ``#/components/...`` references with ``referencing``. Every finding is raised as a
:class:`ContractViolationError` (an ``AssertionError``, so a test fails on it).
"""

from __future__ import annotations

import copy
import functools
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

import jsonschema
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT4

__all__ = [
    "CONTRACT_PATH",
    "Contract",
    "ContractViolationError",
    "MatchedRequest",
    "Operation",
    "load_contract",
]

CONTRACT_PATH = Path(__file__).with_name("operations.json")
_URI = "urn:github-rest-contract"
_METHODS = ("get", "put", "post", "patch", "delete", "head", "options")
# Names GitHub never lets contain a slash; other string parameters at the end of a template
# may (``git/ref/heads/autotune/x``, ``contents/dir/file.yaml``, ``compare/main...a/b``).
_ONE_SEGMENT = frozenset({"owner", "repo", "username", "org"})
# Statuses GitHub sends on any operation although the description does not list them
# (bad credentials, permissions and rate limits; 5xx are allowed too).
_ALWAYS_ALLOWED_ERRORS = frozenset({401, 403, 429})


class ContractViolationError(AssertionError):
    """A request or response that the GitHub REST contract does not allow."""


@dataclass(frozen=True)
class Operation:
    """One operation of the contract."""

    operation_id: str
    method: str  # upper case
    template: str  # "/repos/{owner}/{repo}/pulls"
    pointer: str  # JSON pointer of the operation object in the document
    regex: re.Pattern[str]
    specificity: tuple[int, int]  # (literal characters, -parameters): higher is more specific


@dataclass(frozen=True)
class MatchedRequest:
    """A request the contract allows, with its decoded path and query parameters."""

    operation: Operation
    path_params: Mapping[str, str]
    query: Mapping[str, list[str]]
    body: Any  # decoded JSON body, or None


def _escape(token: str) -> str:
    return token.replace("~", "~0").replace("/", "~1")


def _with_nullable(node: Any) -> Any:
    """OpenAPI 3.0 ``nullable: true`` as JSON Schema: the schema, or null."""
    if isinstance(node, list):
        return [_with_nullable(item) for item in node]
    if not isinstance(node, dict):
        return node
    converted = {key: _with_nullable(value) for key, value in node.items()}
    if converted.get("nullable") is True and "$ref" not in converted:
        del converted["nullable"]
        return {"anyOf": [converted, {"type": "null"}]}
    return converted


class Contract:
    """The operations of the contract, served at ``base_url`` (GitHub or an Enterprise Server)."""

    def __init__(self, document: Mapping[str, Any], base_url: str = "https://api.github.com"):
        self.document = document
        base = urlsplit(base_url)
        self.scheme = base.scheme
        self.host = (base.hostname or "").lower()
        self.port = base.port or (443 if base.scheme == "https" else 80)
        self.base_path = base.path.rstrip("/")
        schema_document = _with_nullable(copy.deepcopy(dict(document)))
        resource = Resource.from_contents(schema_document, default_specification=DRAFT4)
        self._registry: Registry[Any] = Registry().with_resource(_URI, resource)
        self._validators: dict[str, jsonschema.protocols.Validator] = {}
        self.operations = self._operations()

    # -- document access -------------------------------------------------------------------

    def resolve(self, node: Any) -> Any:
        """Follow ``$ref`` (only ``#/...`` inside the document) until a non-reference."""
        while isinstance(node, dict) and "$ref" in node:
            node = self.at(node["$ref"].removeprefix("#"))
        return node

    def at(self, pointer: str) -> Any:
        node: Any = self.document
        for token in pointer.lstrip("/").split("/"):
            node = node[token.replace("~1", "/").replace("~0", "~")]
        return node

    def _operations(self) -> list[Operation]:
        operations: list[Operation] = []
        for template, item in self.document["paths"].items():
            for method in _METHODS:
                spec = item.get(method)
                if spec is None:
                    continue
                pointer = f"/paths/{_escape(template)}/{method}"
                regex, specificity = self._compile(template, self._parameters(spec, "path"))
                operations.append(
                    Operation(
                        spec["operationId"], method.upper(), template, pointer, regex, specificity
                    )
                )
        return operations

    def _parameters(self, spec: Mapping[str, Any], where: str) -> dict[str, Mapping[str, Any]]:
        found: dict[str, Mapping[str, Any]] = {}
        for raw in spec.get("parameters", ()):
            parameter = self.resolve(raw)
            if parameter["in"] == where:
                found[parameter["name"]] = parameter
        return found

    def _compile(
        self, template: str, path_params: Mapping[str, Mapping[str, Any]]
    ) -> tuple[re.Pattern[str], tuple[int, int]]:
        pattern, literal, count = "", 0, 0
        for part in re.split(r"(\{[^}]+\})", template):
            if part.startswith("{") and part.endswith("}"):
                name = part[1:-1]
                schema = self.resolve(path_params.get(name, {}).get("schema", {}))
                if schema.get("type") == "integer":
                    value = "[0-9]+"
                elif name in _ONE_SEGMENT:
                    value = "[^/]+"
                else:
                    value = ".+"
                pattern += f"(?P<{name}>{value})"
                count += 1
            else:
                pattern += re.escape(part)
                literal += len(part)
        return re.compile(pattern + r"\Z"), (literal, -count)

    # -- requests --------------------------------------------------------------------------

    def api_path(self, url: str) -> str:
        """The path of ``url`` below the API base, after checking scheme, host and port."""
        parts = urlsplit(url)
        port = parts.port or (443 if parts.scheme == "https" else 80)
        if (parts.scheme, (parts.hostname or "").lower(), port) != (
            self.scheme,
            self.host,
            self.port,
        ):
            raise ContractViolationError(f"request to a host outside the API: {url}")
        if not parts.path.startswith(self.base_path + "/"):
            raise ContractViolationError(
                f"request outside the API base path {self.base_path}: {url}"
            )
        return parts.path[len(self.base_path) :]

    def match(self, method: str, url: str) -> tuple[Operation, dict[str, str]]:
        """The operation a request addresses; raises :class:`ContractViolationError` if none."""
        path = self.api_path(url)
        candidates = [(op, op.regex.match(path)) for op in self.operations]
        matching = [(op, found) for op, found in candidates if found is not None]
        if not matching:
            raise ContractViolationError(f"unknown path: {method.upper()} {path}")
        best = max(op.specificity for op, _ in matching)
        templates = {op.template for op, _ in matching if op.specificity == best}
        for op, found in matching:
            if op.template in templates and op.method == method.upper():
                return op, {key: unquote(value) for key, value in found.groupdict().items()}
        allowed = sorted(op.method for op, _ in matching if op.template in templates)
        raise ContractViolationError(
            f"method {method.upper()} not allowed on {sorted(templates)[0]} "
            f"(allowed: {', '.join(allowed)}): {path}"
        )

    def check_request(
        self, method: str, url: str, body: bytes | str | None = None
    ) -> MatchedRequest:
        """Match the request and check its query parameters and body."""
        operation, path_params = self.match(method, url)
        spec = self.at(operation.pointer)
        query = parse_qs(urlsplit(url).query, keep_blank_values=True)
        self._check_query(operation, spec, query)
        decoded = self._check_body(operation, spec, body)
        return MatchedRequest(operation, path_params, query, decoded)

    def _check_query(
        self, operation: Operation, spec: Mapping[str, Any], query: Mapping[str, list[str]]
    ) -> None:
        declared = self._parameters(spec, "query")
        for name, values in query.items():
            if name not in declared:
                raise ContractViolationError(
                    f"{operation.operation_id}: undeclared query parameter {name!r} "
                    f"(declared: {', '.join(sorted(declared)) or 'none'})"
                )
            schema = self.resolve(declared[name].get("schema", {}))
            for value in values:
                self._check_query_value(operation, name, schema, value)

    def _check_query_value(
        self, operation: Operation, name: str, schema: Mapping[str, Any], value: str
    ) -> None:
        typed: Any = value
        kind = schema.get("type")
        if kind == "integer":
            if not re.fullmatch(r"-?[0-9]+", value):
                raise ContractViolationError(
                    f"{operation.operation_id}: query parameter {name}={value!r} is not an integer"
                )
            typed = int(value)
        elif kind == "boolean":
            if value not in ("true", "false"):
                raise ContractViolationError(
                    f"{operation.operation_id}: query parameter {name}={value!r} is not a boolean"
                )
            typed = value == "true"
        errors = self.errors(typed, _inline(schema))
        if errors:
            raise ContractViolationError(
                f"{operation.operation_id}: query parameter {name}={value!r}: {errors[0]}"
            )

    def _check_body(self, operation: Operation, spec: Mapping[str, Any], body: Any) -> Any:
        if isinstance(body, bytes):
            body = body.decode()
        request_body = self.resolve(spec.get("requestBody"))
        if not body:
            if request_body is not None and request_body.get("required"):
                raise ContractViolationError(f"{operation.operation_id}: request body missing")
            return None
        if request_body is None:
            raise ContractViolationError(f"{operation.operation_id}: takes no request body")
        try:
            decoded = json.loads(body)
        except ValueError as err:
            raise ContractViolationError(
                f"{operation.operation_id}: body is not JSON: {err}"
            ) from err
        pointer = f"{operation.pointer}/requestBody/content/application~1json/schema"
        schema = self.resolve(request_body["content"]["application/json"]["schema"])
        if isinstance(decoded, dict):
            known = self._object_properties(schema)
            if known is not None:
                unknown = sorted(set(decoded) - known)
                if unknown:
                    raise ContractViolationError(
                        f"{operation.operation_id}: undeclared request body key(s) "
                        f"{', '.join(unknown)} (declared: {', '.join(sorted(known))})"
                    )
        errors = self.errors(decoded, {"$ref": f"{_URI}#{pointer}"})
        if errors:
            raise ContractViolationError(f"{operation.operation_id}: request body: {errors[0]}")
        return decoded

    def _object_properties(self, schema: Mapping[str, Any]) -> set[str] | None:
        """Top-level keys an object body may have; None when any key is allowed."""
        alternatives = [schema]
        for keyword in ("oneOf", "anyOf", "allOf"):
            alternatives += [self.resolve(item) for item in schema.get(keyword, ())]
        known: set[str] = set()
        objects = 0
        for alternative in alternatives:
            if alternative.get("type") != "object" and "properties" not in alternative:
                continue
            if alternative.get("additionalProperties") not in (None, False):
                return None
            objects += 1
            known |= set(alternative.get("properties", {}))
        return known if objects else None

    # -- responses -------------------------------------------------------------------------

    def check_response(
        self,
        operation: Operation,
        status: int,
        body: bytes | str | None,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        """Check a response's status (and its body, when the contract describes one)."""
        responses = self.at(operation.pointer)["responses"]
        declared = responses.get(str(status))
        if declared is None:
            if status in _ALWAYS_ALLOWED_ERRORS or 500 <= status <= 599:
                return
            raise ContractViolationError(
                f"{operation.operation_id}: status {status} not declared "
                f"(declared: {', '.join(responses)})"
            )
        response = self.resolve(declared)
        lowered = {key.lower(): value for key, value in (headers or {}).items()}
        if 300 <= status < 400 and "location" not in lowered:
            raise ContractViolationError(f"{operation.operation_id}: {status} without Location")
        if isinstance(body, bytes):
            body = body.decode()
        content = response.get("content", {})
        if "application/json" not in content:
            if body and status == 204:
                raise ContractViolationError(f"{operation.operation_id}: 204 must have no body")
            return
        if not body:
            raise ContractViolationError(
                f"{operation.operation_id}: {status} response without body"
            )
        try:
            decoded = json.loads(body)
        except ValueError as err:
            raise ContractViolationError(
                f"{operation.operation_id}: body is not JSON: {err}"
            ) from err
        self.check_response_value(operation, status, decoded)

    def check_response_value(self, operation: Operation, status: int, value: Any) -> None:
        """Validate a decoded response body against the schema of ``status``."""
        pointer = self._response_schema_pointer(operation, status)
        errors = self.errors(value, {"$ref": f"{_URI}#{pointer}"})
        if errors:
            raise ContractViolationError(f"{operation.operation_id} {status}: {errors[0]}")

    def _response_schema_pointer(self, operation: Operation, status: int) -> str:
        declared = self.at(operation.pointer)["responses"][str(status)]
        pointer = f"{operation.pointer}/responses/{status}"
        if "$ref" in declared:
            pointer = declared["$ref"].removeprefix("#")
        return f"{pointer}/content/application~1json/schema"

    def operation(self, operation_id: str) -> Operation:
        for op in self.operations:
            if op.operation_id == operation_id:
                return op
        raise KeyError(operation_id)

    def errors(self, instance: Any, schema: Mapping[str, Any]) -> list[str]:
        """jsonschema's messages (with the failing location) for ``instance``; empty if valid."""
        key = json.dumps(schema, sort_keys=True)
        validator = self._validators.get(key)
        if validator is None:
            validator = jsonschema.Draft4Validator(
                _with_nullable(dict(schema)), registry=self._registry
            )
            self._validators[key] = validator
        found = sorted(validator.iter_errors(instance), key=lambda e: list(e.absolute_path))
        return [_describe(error) for error in found]


def _inline(schema: Mapping[str, Any]) -> dict[str, Any]:
    """A parameter schema (already resolved) as a standalone schema without references."""
    return {key: value for key, value in schema.items() if key not in ("example", "examples")}


def _describe(error: jsonschema.ValidationError) -> str:
    """The most specific reason (inside ``anyOf``/``oneOf``), with the failing location."""
    while error.context:
        # Skip the branch that only says "not null" (from ``nullable``); keep the deepest.
        useful = [e for e in error.context if e.schema != {"type": "null"}] or error.context
        error = max(useful, key=lambda e: len(e.absolute_path))
    where = "/" + "/".join(str(part) for part in error.absolute_path)
    return f"at {where}: {error.message[:300]}"


@functools.cache
def _document() -> Mapping[str, Any]:
    loaded: Mapping[str, Any] = json.loads(CONTRACT_PATH.read_text(encoding="utf-8"))
    return loaded


@functools.cache
def load_contract(base_url: str = "https://api.github.com") -> Contract:
    """The vendored contract served at ``base_url`` (one shared instance per base URL)."""
    return Contract(_document(), base_url)
