"""The items routes through the Lambda handler, with the payload-2.0 events
API Gateway sends (claims, pathParameters and the matched routeKey)."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from items.deps import repository
from items.handler import handler
from service_kernel.aws import clear_clients
from service_kernel.testing import LambdaContext, access_claims, http_event, id_token_claims
from tests.lambda_gateway import ITEM_ROUTE, Gateway


@pytest.fixture
def gateway(table: str, alice_sub: str) -> Gateway:
    return Gateway(alice_sub)


def test_create_then_get_keeps_the_price_digits(gateway: Gateway) -> None:
    status, headers, item = gateway("POST", "/items", body='{"name": "Lamp", "price": 19.99}')
    assert status == 201
    assert headers["location"] == f"/items/{item['item_id']}"
    assert headers["etag"] == '"1"'
    event = http_event(
        "GET",
        headers["location"],
        claims=gateway.claims,
        route_key=f"GET {ITEM_ROUTE}",
        path_parameters={"item_id": item["item_id"]},
    )
    raw = handler(event, LambdaContext())
    assert raw["statusCode"] == 200
    assert '"price":19.99,' in raw["body"]


def test_list_with_limit_and_cursor_from_the_query_string(gateway: Gateway) -> None:
    for item_id in ("a", "b", "c"):
        assert gateway("PUT", f"/items/{item_id}", body={"name": item_id, "price": 1})[0] == 201
    status, _, first = gateway("GET", "/items", query="limit=2")
    assert status == 200
    assert [item["item_id"] for item in first["items"]] == ["a", "b"]
    _, _, second = gateway("GET", "/items", query=f"limit=2&cursor={first['next_cursor']}")
    assert [item["item_id"] for item in second["items"]] == ["c"]
    assert second["next_cursor"] is None


def test_patch_with_if_match_and_a_stale_one(gateway: Gateway) -> None:
    gateway("PUT", "/items/lamp", body={"name": "Lamp", "price": 1})
    status, headers, item = gateway(
        "PATCH", "/items/lamp", body={"price": 2.5}, headers={"if-match": '"1"'}
    )
    assert (status, headers["etag"], item["price"], item["version"]) == (200, '"2"', 2.5, 2)
    status, _, body = gateway(
        "PATCH", "/items/lamp", body={"price": 3}, headers={"if-match": '"1"'}
    )
    assert (status, body["error"]) == (412, "precondition_failed")


def test_put_replaces_and_delete_removes(gateway: Gateway) -> None:
    assert gateway("PUT", "/items/lamp", body={"name": "Lamp", "price": 1})[0] == 201
    assert gateway("PUT", "/items/lamp", body={"name": "Lamp", "price": 2})[0] == 200
    status, _, body = gateway("DELETE", "/items/lamp", headers={"if-match": "2"})
    assert (status, body) == (204, None)
    status, _, body = gateway("GET", "/items/lamp")
    assert (status, body["error"]) == (404, "not_found")


def test_conflict_and_validation_errors_carry_the_lambda_request_id(gateway: Gateway) -> None:
    gateway("PUT", "/items/lamp", body={"name": "Lamp", "price": 1})
    status, headers, body = gateway(
        "POST", "/items", body={"item_id": "lamp", "name": "x", "price": 1}
    )
    assert (status, body["error"]) == (409, "conflict")
    assert body["request_id"] == headers["x-request-id"]
    status, _, body = gateway("POST", "/items", body='{"name": "x", "price": 0.001}')
    assert (status, body["error"]) == (422, "validation_error")
    assert body["details"][0]["loc"] == ["body", "price"]
    status, _, body = gateway("POST", "/items", body="{not json")
    assert (status, body["error"]) == (400, "invalid_json")


def test_a_foreign_cursor_is_invalid(gateway: Gateway, bob_sub: str) -> None:
    for item_id in ("a", "b"):
        gateway("PUT", f"/items/{item_id}", body={"name": item_id, "price": 1})
    cursor = gateway("GET", "/items", query="limit=1")[2]["next_cursor"]
    status, _, body = gateway(
        "GET", "/items", query=f"cursor={cursor}", claims=access_claims(bob_sub)
    )
    assert (status, body["error"]) == (400, "invalid_cursor")


@pytest.mark.parametrize(
    ("method", "path"),
    [("POST", "/items"), ("GET", "/items"), ("GET", "/items/x"), ("DELETE", "/items/x")],
)
def test_without_access_token_claims_it_is_401(gateway: Gateway, method: str, path: str) -> None:
    for claims in ({}, id_token_claims("someone")):
        status, _, body = gateway(method, path, body={"name": "a", "price": 1}, claims=claims)
        assert (status, body["error"]) == (401, "unauthorized")


def test_snapstart_priming_builds_the_client_and_calls_no_aws(
    caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Nothing listens there: a table call during priming would be answered 503.
    monkeypatch.setenv("AWS_ENDPOINT_URL", "http://127.0.0.1:9")
    repository.cache_clear()
    clear_clients()
    caplog.set_level("INFO")

    handler.before_snapshot()

    assert repository.cache_info().currsize == 1
    (line,) = [r.__dict__["fields"] for r in caplog.records if r.getMessage() == "request"]
    assert (line["path"], line["status"]) == ("/items/snapstart-priming", 401)
    repository.cache_clear()
    clear_clients()


# GET /items/{item_id} through the handler as a stack that does not trace runs it, the
# table in moto (which itself loads nothing of X-Ray's).
SERVED_UNTRACED = """
import sys
import boto3
from moto import mock_aws
from service_kernel.testing import LambdaContext, access_claims, create_shared_table, http_event

with mock_aws():
    create_shared_table(boto3.client("dynamodb"), "app-table")
    from items.handler import handler
    event = http_event(
        "GET",
        "/items/lamp",
        claims=access_claims("user-1"),
        route_key="GET /items/{item_id}",
        path_parameters={"item_id": "lamp"},
    )
    assert handler(event, LambdaContext())["statusCode"] == 404
loaded = [m for m in sys.modules if m.startswith(("aws_xray_sdk", "aws_lambda_powertools"))]
assert not loaded, loaded
"""


@pytest.mark.parametrize("disabled", ["true", None])
def test_with_tracing_off_a_request_loads_neither_tracer_nor_the_xray_sdk(
    disabled: str | None,
) -> None:
    environment = {**os.environ}
    environment.pop("POWERTOOLS_TRACE_DISABLED", None)
    if disabled is not None:
        environment["POWERTOOLS_TRACE_DISABLED"] = disabled

    subprocess.run(
        [sys.executable, "-c", SERVED_UNTRACED], env=environment, check=True, timeout=120
    )
