"""The API through the Lambda handler, with payload-2.0 events."""

from __future__ import annotations

import json
from typing import Any

import pytest

from auth.deps import identity_provider, stack_code_rules
from auth.handler import handler
from service_kernel.aws import clear_clients
from service_kernel.testing import LambdaContext, access_claims, http_event


def call(event: dict[str, Any]) -> tuple[int, dict[str, str], Any]:
    response = handler(event, LambdaContext(function_name="auth-api"))
    body = json.loads(response["body"]) if response.get("body") else None
    return response["statusCode"], response["headers"], body


def test_start_and_verify_through_the_handler(aws: Any) -> None:
    status, headers, started = call(
        http_event("POST", "/auth/start", body={"phone": "+12025550101"})
    )
    assert status == 200
    assert headers["cache-control"] == "no-store"
    status, _, tokens = call(
        http_event(
            "POST",
            "/auth/verify",
            body={
                "phone": "+12025550101",
                "otp": started["dev_otp"],
                "session": started["session"],
            },
        )
    )
    assert status == 200
    assert tokens["token_type"] == "Bearer"


def test_a_wrong_code_through_the_handler(aws: Any) -> None:
    _, _, started = call(http_event("POST", "/auth/start", body={"email": "ada@example.com"}))
    wrong = "000000" if started["dev_otp"] != "000000" else "111111"
    status, headers, body = call(
        http_event(
            "POST",
            "/auth/verify",
            body={"email": "ada@example.com", "otp": wrong, "session": started["session"]},
        )
    )
    assert status == 401
    assert body["error"] == "invalid_code"
    assert body["attempts_left"] == 2
    assert body["request_id"] == headers["x-request-id"]


def test_me_reads_the_gateway_claims() -> None:
    claims = access_claims("sub-1", username="sub-1", **{"cognito:groups": "[admins]"})
    status, _, body = call(http_event("GET", "/auth/me", claims=claims))
    assert status == 200
    assert body == {"sub": "sub-1", "username": "sub-1", "groups": ["admins"]}


def test_logout_without_claims_is_401() -> None:
    status, _, body = call(http_event("POST", "/auth/logout", body={}))
    assert status == 401
    assert body["error"] == "unauthorized"


def test_a_body_that_is_not_json_is_400() -> None:
    status, _, body = call(
        http_event("POST", "/auth/start", body="{", headers={"content-type": "application/json"})
    )
    assert status == 400
    assert body["error"] == "invalid_json"


def test_snapstart_priming_builds_cognitos_client_and_calls_no_aws(
    caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Nothing listens there: a Cognito or SSM call during priming would fail.
    monkeypatch.setenv("AWS_ENDPOINT_URL", "http://127.0.0.1:9")
    identity_provider.cache_clear()
    stack_code_rules.cache_clear()
    clear_clients()
    caplog.set_level("INFO")

    handler.before_snapshot()

    assert identity_provider.cache_info().currsize == 1
    assert stack_code_rules.cache_info().currsize == 0  # its secrets are a call
    (line,) = [r.__dict__["fields"] for r in caplog.records if r.getMessage() == "request"]
    assert (line["path"], line["status"]) == ("/auth/me", 401)
    identity_provider.cache_clear()
    clear_clients()
