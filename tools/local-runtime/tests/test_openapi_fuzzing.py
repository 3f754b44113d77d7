"""Each service's OpenAPI document tells the truth, checked by schemathesis
through the local gateway: the whole API's document (`/openapi.json`, what a
client of the gateway reads), one service's operations at a time, every
check but those excluded below, with a real access token from signing in
through the running system, and one more: a schema-valid request is refused
only by a business rule no schema states (`BUSINESS_RULES`), never for its
shape. Bounded and deterministic (Hypothesis derandomised from a fixed seed),
so a failure reproduces."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import httpx2 as httpx
import hypothesis
import pytest
import schemathesis
from schemathesis import GenerationMode
from schemathesis.checks import CheckFunction
from schemathesis.config._auth import AuthConfig  # what schemathesis.toml's [auth] builds
from schemathesis.specs.openapi import checks

from local_runtime.runtime import Runtime

SEED = 20261127
MAX_EXAMPLES = 25
# HTTP API answers a method no route takes with 404 {"message":"Not Found"}
# (the gateway's own answer, tested in test_gateway/test_runtime), never 405
# with an Allow header, which these two checks expect.
EXCLUDED: list[CheckFunction] = [checks.unsupported_method, checks.allow_header_conformance]


@dataclass(frozen=True)
class Rule:
    """A refusal of a schema-valid request for what no schema can say: its
    status, its error code and, for a 422, the type of each detail."""

    status: int
    code: str
    detail_types: frozenset[str] = frozenset()

    def refuses(self, status: int, body: Any) -> bool:
        if status != self.status or not isinstance(body, dict) or body.get("error") != self.code:
            return False
        details = body.get("details") or []
        return not self.detail_types or {d.get("type") for d in details} <= self.detail_types


# The business rules a schema-valid request may still be refused by; each is
# documented on its route. Any other refusal of one is the document's error.
BUSINESS_RULES = {
    # A cursor is opaque and signed per caller: any string is schema-valid, only
    # the ones the server gave are good. An If-Match may name a version the item
    # is not at. A PUT body's item_id may differ from the path's.
    "items": [
        Rule(400, "invalid_cursor"),
        Rule(412, "precondition_failed"),
        Rule(422, "validation_error", frozenset({"value_error"})),
    ],
    # A made-up confirmation code is wrong. The stack's SMS countries and number
    # types, the numbering plans (libphonenumber's) and the pool's password
    # policy are data no pattern states. (429: the send budgets, expected of any
    # route.)
    "auth": [
        Rule(400, "invalid_code"),
        Rule(422, "unsupported_destination", frozenset({"unsupported_destination"})),
        Rule(422, "validation_error", frozenset({"unsupported_destination", "password_policy"})),
    ],
    "health": [],
}
# A test destination of dev: sent nothing, its code echoed.
PHONE = "+15555550101"


@pytest.fixture(scope="session")
def access_token(runtime: Runtime) -> str:
    """Signed in as a client would: a one-time code (echoed on dev) for a phone."""
    with httpx.Client(base_url=runtime.url, timeout=30) as client:
        started = client.post("/auth/start", json={"phone": PHONE})
        assert started.status_code == 200, started.text
        code = started.json()
        verified = client.post(
            "/auth/verify",
            json={"phone": PHONE, "otp": code["dev_otp"], "session": code["session"]},
        )
        assert verified.status_code == 200, verified.text
        token: str = verified.json()["access_token"]
        return token


def service_schema(runtime: Runtime, token: str, service: str) -> Any:
    document = httpx.get(f"{runtime.url}/openapi.json", timeout=30).json()
    schema = schemathesis.openapi.from_dict(document).include(tag=service)
    schema.config.update(base_url=runtime.url)
    # The token as the document's bearer scheme's credentials: schemathesis then
    # knows it for the caller's own and checks that a request without it, or
    # with a made-up one, is refused.
    schema.config.auth = AuthConfig(openapi={"cognitoJwt": {"bearer": token}})
    schema.config.seed = SEED
    schema.config.generation.update(max_examples=MAX_EXAMPLES, deterministic=True)
    acceptance = schema.config.checks.positive_data_acceptance
    statuses = sorted({str(rule.status) for rule in BUSINESS_RULES[service]})
    acceptance.expected_statuses = [*acceptance.expected_statuses, *statuses]
    return schema


def only_by_business_rules(service: str) -> CheckFunction:
    """A schema-valid request refused with 400, 412 or 422 was refused by one
    of the service's business rules, never for its shape."""
    rules = BUSINESS_RULES[service]
    statuses = {rule.status for rule in rules}

    def check(_: Any, response: Any, case: Any) -> bool:
        if response.status_code not in statuses:
            return True
        body = response.json()
        assert any(rule.refuses(response.status_code, body) for rule in rules), (
            f"{case.operation.label}: a schema-valid request refused by no business rule: "
            f"{response.status_code} {body}"
        )
        return True

    return check


def failures_of(schema: Any, service: str) -> list[str]:
    """Every operation, with schema-valid and schema-invalid requests: the
    failed checks, one line each (Hypothesis reports the first per operation
    and mode, unshrunk: a bounded run)."""
    found = []
    for result in schema.get_all_operations():
        operation = result.ok()
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            if mode is GenerationMode.NEGATIVE and not _has_inputs(operation.definition.raw):
                continue  # nothing to make invalid
            extra = [only_by_business_rules(service)] if mode is GenerationMode.POSITIVE else []
            exercise = exercised(operation, mode, extra)
            try:
                exercise()
            except hypothesis.errors.Unsatisfiable:
                # Nothing here can be made invalid (a string header that takes any value).
                assert mode is GenerationMode.NEGATIVE, operation.label
            except BaseExceptionGroup as failed:  # the failed checks, with the request
                found.append(f"{operation.label} ({mode.value}): {failed}")
    return found


def exercised(operation: Any, mode: GenerationMode, extra: list[CheckFunction]) -> Any:
    """A bounded, derandomised Hypothesis run of `operation`'s cases in `mode`."""

    @hypothesis.settings(
        max_examples=MAX_EXAMPLES,
        derandomize=True,
        database=None,
        deadline=None,
        phases=[hypothesis.Phase.explicit, hypothesis.Phase.generate],
        suppress_health_check=list(hypothesis.HealthCheck),
    )
    @hypothesis.given(case=operation.as_strategy(generation_mode=mode))
    def exercise(case: schemathesis.Case[Any]) -> None:
        case.call_and_validate(excluded_checks=EXCLUDED, additional_checks=extra)

    return exercise


def _has_inputs(operation: dict[str, Any]) -> bool:
    return bool(operation.get("parameters") or operation.get("requestBody"))


@pytest.mark.parametrize("service", ["health", "items", "auth"])
def test_every_answer_is_documented(runtime: Runtime, access_token: str, service: str) -> None:
    failures = failures_of(service_schema(runtime, access_token, service), service)
    assert failures == [], "\n\n".join(failures)
