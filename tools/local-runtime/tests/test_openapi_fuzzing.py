"""Each service's OpenAPI document tells the truth, checked by schemathesis
through the local gateway: the whole API's document (`/openapi.json`, what a
client of the gateway reads), one service's operations at a time, every
check but those excluded below, with a real access token from signing in
through the running system. Bounded and deterministic (Hypothesis derandomised
from a fixed seed), so a failure reproduces."""

from __future__ import annotations

from typing import Any

import httpx2 as httpx
import hypothesis
import pytest
import schemathesis
from schemathesis import GenerationMode
from schemathesis.checks import CheckFunction
from schemathesis.specs.openapi import checks

from local_runtime.runtime import Runtime

SEED = 20261127
MAX_EXAMPLES = 25
# HTTP API answers a method no route takes with 404 {"message":"Not Found"}
# (the gateway's own answer, tested in test_gateway/test_runtime), never 405
# with an Allow header, which these two checks expect.
EXCLUDED: list[CheckFunction] = [checks.unsupported_method, checks.allow_header_conformance]
# What a schema-valid request may still be refused for, by what no schema can
# say; each is documented on its route.
BEYOND_THE_SCHEMA = {
    # A cursor is opaque and signed per caller: any string is schema-valid,
    # only the ones the server gave are good (400 invalid_cursor). An If-Match
    # may name a version the item is not at (412), and a PUT body's item_id
    # may differ from the path's (422).
    "items": ["400", "412", "422"],
    # The pool's password policy, Cognito's own checks of an address and the
    # stack's SMS countries and number types are the stack's (422); a made-up
    # confirmation code is wrong (400 invalid_code); the send budgets of one
    # source are the stack's too (429 with Retry-After).
    "auth": ["400", "422", "429"],
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
    schema.config.update(base_url=runtime.url, headers={"Authorization": f"Bearer {token}"})
    schema.config.seed = SEED
    schema.config.generation.update(max_examples=MAX_EXAMPLES, deterministic=True)
    acceptance = schema.config.checks.positive_data_acceptance
    acceptance.expected_statuses = [*acceptance.expected_statuses, *BEYOND_THE_SCHEMA[service]]
    return schema


def failures_of(schema: Any) -> list[str]:
    """Every operation, with schema-valid and schema-invalid requests: the
    failed checks, one line each (Hypothesis reports the first per operation
    and mode, unshrunk: a bounded run)."""
    found = []
    for result in schema.get_all_operations():
        operation = result.ok()
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            if mode is GenerationMode.NEGATIVE and not _has_inputs(operation.definition.raw):
                continue  # nothing to make invalid

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
                case.call_and_validate(excluded_checks=EXCLUDED)

            try:
                exercise()
            except BaseExceptionGroup as failed:  # the failed checks, with the request
                found.append(f"{operation.label} ({mode.value}): {failed}")
    return found


def _has_inputs(operation: dict[str, Any]) -> bool:
    return bool(operation.get("parameters") or operation.get("requestBody"))


@pytest.mark.parametrize("service", ["health", "items", "auth"])
def test_every_answer_is_documented(runtime: Runtime, access_token: str, service: str) -> None:
    failures = failures_of(service_schema(runtime, access_token, service))
    assert failures == [], "\n\n".join(failures)
