"""The health routes through the Lambda handler, with payload-2.0 events."""

from __future__ import annotations

import json
from typing import Any

import pytest

from health.handler import handler
from service_kernel.aws import clear_clients
from service_kernel.testing import LambdaContext, access_claims, http_event, id_token_claims


def call(event: dict[str, Any]) -> tuple[int, dict[str, str], Any]:
    response = handler(event, LambdaContext(function_name="health-api"))
    return response["statusCode"], response["headers"], json.loads(response["body"])


def test_healthz_through_the_handler() -> None:
    status, headers, body = call(http_event("GET", "/healthz"))
    assert status == 200
    assert body["status"] == "ok"
    assert headers["x-content-type-options"] == "nosniff"


def test_readyz_through_the_handler(aws: dict[str, Any]) -> None:
    status, _, body = call(http_event("GET", "/readyz"))
    assert status == 200
    assert body["checks"] == {"table": "ok", "user_pool": "ok"}


def test_status_reads_the_gateway_claims() -> None:
    claims = access_claims("sub-1", username="grace", **{"cognito:groups": "[admins]"})
    status, _, body = call(http_event("GET", "/status", claims=claims))
    assert status == 200
    assert body["user"] == {"sub": "sub-1", "username": "grace"}


def test_status_with_an_id_token_is_401() -> None:
    status, _, body = call(http_event("GET", "/status", claims=id_token_claims()))
    assert status == 401
    assert body["error"] == "unauthorized"


def test_unknown_route_through_the_handler_is_404_envelope() -> None:
    status, headers, body = call(http_event("GET", "/nope"))
    assert status == 404
    assert body["error"] == "not_found"
    assert body["request_id"] == headers["x-request-id"]


def test_wrong_method_through_the_handler_is_405() -> None:
    status, _, body = call(http_event("POST", "/healthz", body={}))
    assert status == 405
    assert body["error"] == "method_not_allowed"


def test_snapstart_priming_answers_healthz_and_calls_no_aws(
    caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AWS_ENDPOINT_URL", "http://127.0.0.1:9")  # nothing listens there
    clear_clients()
    caplog.set_level("INFO")

    handler.before_snapshot()

    (line,) = [r.__dict__["fields"] for r in caplog.records if r.getMessage() == "request"]
    assert (line["path"], line["status"]) == ("/healthz", 200)
    clear_clients()
