"""Through the Lambda handler, with payload-2.0 events as the HTTP API sends them."""

from __future__ import annotations

import base64
import json
from typing import Any

from service_kernel.middleware import MAX_BODY_BYTES
from service_kernel.testing import LambdaContext, access_claims, http_event, id_token_claims


def body_of(response: dict[str, Any]) -> Any:
    raw = response["body"]
    if response.get("isBase64Encoded"):
        raw = base64.b64decode(raw).decode()
    return json.loads(raw)


def test_a_recorded_gateway_event_reaches_the_route_with_its_caller(
    handler: Any, recorded_event: dict[str, Any]
) -> None:
    response = handler(recorded_event, LambdaContext())
    assert response["statusCode"] == 200
    assert body_of(response) == {
        "name": "ada",
        "body": {"hello": "you"},
        "sub": "7f1c2d3e-4a5b-6c7d-8e9f-0a1b2c3d4e5f",
        "groups": ["admins", "editors"],
    }


def test_the_built_event_has_the_recorded_events_shape(recorded_event: dict[str, Any]) -> None:
    recorded = recorded_event
    built = http_event(
        "POST",
        "/echo/ada",
        body={"hello": "you"},
        query="verbose=1&tag=a&tag=b",
        claims=access_claims(),
        route_key="POST /echo/{name}",
        path_parameters={"name": "ada"},
    )
    assert set(built) == set(recorded) - {"cookies"}
    assert set(built["requestContext"]) == set(recorded["requestContext"])
    assert built["queryStringParameters"] == recorded["queryStringParameters"]


def test_the_lambda_request_id_is_used_when_the_client_sends_none(handler: Any) -> None:
    context = LambdaContext(aws_request_id="lambda-req-1")
    response = handler(http_event("GET", "/nowhere"), context)
    assert response["statusCode"] == 404
    assert response["headers"]["x-request-id"] == "lambda-req-1"
    assert body_of(response)["request_id"] == "lambda-req-1"


def test_the_clients_request_id_wins_over_the_lambda_one(handler: Any) -> None:
    event = http_event("GET", "/nowhere", headers={"x-request-id": "client-1"})
    response = handler(event, LambdaContext(aws_request_id="lambda-req-2"))
    assert response["headers"]["x-request-id"] == "client-1"


def test_invalid_json_through_the_handler_is_400(handler: Any) -> None:
    event = http_event("POST", "/greet", body="{oops", headers={"content-type": "application/json"})
    response = handler(event, LambdaContext())
    assert response["statusCode"] == 400
    assert body_of(response)["error"] == "invalid_json"


def test_oversized_body_through_the_handler_is_413(handler: Any) -> None:
    event = http_event("POST", "/greet", body="x" * (MAX_BODY_BYTES + 1))
    response = handler(event, LambdaContext())
    assert response["statusCode"] == 413
    assert body_of(response)["error"] == "payload_too_large"


def test_unhandled_error_through_the_handler_is_500_envelope(handler: Any) -> None:
    response = handler(http_event("GET", "/boom"), LambdaContext())
    assert response["statusCode"] == 500
    assert body_of(response)["error"] == "internal_error"
    assert "secret internals" not in response["body"]


def test_protected_route_without_authorizer_context_is_401(handler: Any) -> None:
    response = handler(http_event("GET", "/me"), LambdaContext())
    assert response["statusCode"] == 401


def test_id_token_through_the_handler_is_401(handler: Any) -> None:
    response = handler(http_event("GET", "/me", claims=id_token_claims()), LambdaContext())
    assert response["statusCode"] == 401


def test_security_headers_through_the_handler(handler: Any) -> None:
    response = handler(http_event("GET", "/me", claims=access_claims()), LambdaContext())
    assert response["statusCode"] == 200
    assert response["headers"]["x-content-type-options"] == "nosniff"
    assert "strict-transport-security" in response["headers"]


def test_a_204_has_no_content_type(handler: Any) -> None:
    """Mangum types every body, an empty one too; a 204 has none (RFC 9110, 15.3.5)."""
    response = handler(http_event("DELETE", "/gone", route_key="DELETE /gone"), LambdaContext())
    assert response["statusCode"] == 204
    assert "content-type" not in (response["headers"] or {})
    assert not response["body"]
