"""Request id, security headers, body limit and access logs on every response."""

from __future__ import annotations

import io
import json
from collections.abc import Iterator

import pytest
from fastapi import FastAPI
from fastapi.responses import JSONResponse
from fastapi.testclient import TestClient

from service_kernel import create_app
from service_kernel.middleware import MAX_BODY_BYTES


def log_lines(captured: str) -> list[dict[str, object]]:
    return [json.loads(line) for line in captured.splitlines() if line.startswith("{")]


@pytest.mark.parametrize("path", ["/me", "/nowhere", "/boom", "/conflict"])
def test_every_response_has_request_id_and_security_headers(client: TestClient, path: str) -> None:
    response = client.get(path)
    assert response.headers["x-request-id"]
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["strict-transport-security"].startswith("max-age=")
    assert response.headers["cache-control"] == "no-store"


def test_the_clients_request_id_is_echoed(client: TestClient) -> None:
    response = client.get("/nowhere", headers={"x-request-id": "abc-123"})
    assert response.headers["x-request-id"] == "abc-123"
    assert response.json()["request_id"] == "abc-123"


def test_an_unsafe_client_request_id_is_replaced(client: TestClient) -> None:
    response = client.get("/nowhere", headers={"x-request-id": "bad id\twith spaces"})
    assert response.headers["x-request-id"] != "bad id\twith spaces"
    assert len(response.headers["x-request-id"]) == 36


def test_declared_oversized_body_is_413_before_parsing(client: TestClient) -> None:
    body = b"{" + b" " * MAX_BODY_BYTES + b"}"
    response = client.post("/greet", content=body, headers={"content-type": "application/json"})
    assert response.status_code == 413
    assert response.json()["error"] == "payload_too_large"


def test_streamed_oversized_body_is_413(client: TestClient) -> None:
    def chunks() -> Iterator[bytes]:
        for _ in range(5):
            yield b" " * (MAX_BODY_BYTES // 4)

    response = client.post("/greet", content=chunks(), headers={"content-type": "application/json"})
    assert response.status_code == 413


def test_body_at_the_limit_is_accepted(client: TestClient) -> None:
    payload = json.dumps({"name": "ada"}).encode()
    body = payload + b" " * (MAX_BODY_BYTES - len(payload))
    response = client.post("/greet", content=body, headers={"content-type": "application/json"})
    assert response.status_code == 200


def test_access_log_has_request_fields_and_caller(
    user_client: TestClient, log_output: io.StringIO
) -> None:
    user_client.get("/me", headers={"x-request-id": "log-1", "authorization": "Bearer SECRET"})
    lines = [line for line in log_lines(log_output.getvalue()) if line["message"] == "request"]
    assert lines, "no access log line"
    line = lines[-1]
    assert line["request_id"] == "log-1"
    assert line["method"] == "GET"
    assert line["route"] == "/me"
    assert line["status"] == 200
    assert isinstance(line["latency_ms"], float)
    assert line["sub"] == "user-1"


def test_logs_never_carry_tokens_or_passwords(client: TestClient, log_output: io.StringIO) -> None:
    client.post(
        "/greet",
        json={"name": "toolongname!", "password": "hunter2-password"},
        headers={"authorization": "Bearer SECRET-TOKEN"},
    )
    client.get("/boom", headers={"authorization": "Bearer SECRET-TOKEN"})
    out = log_output.getvalue()
    assert "SECRET-TOKEN" not in out
    assert "hunter2-password" not in out


def test_unhandled_error_is_logged_with_its_trace(
    client: TestClient, log_output: io.StringIO
) -> None:
    client.get("/boom", headers={"x-request-id": "boom-1"})
    errors = [line for line in log_lines(log_output.getvalue()) if line["level"] == "ERROR"]
    assert errors[0]["request_id"] == "boom-1"
    assert "secret internals" in str(errors[0]["exception"])


@pytest.mark.parametrize(
    "content_type",
    [None, "application/x-www-form-urlencoded", "text/plain", "multipart/form-data; boundary=x"],
)
def test_a_body_not_labelled_json_is_415(client: TestClient, content_type: str | None) -> None:
    # A form post from any web page reaches the API with no CORS preflight:
    # it must never be read as JSON.
    headers = {"content-type": content_type} if content_type else {}
    response = client.post("/greet", content=b'{"name":"ada"}', headers=headers)
    assert response.status_code == 415
    assert response.json()["error"] == "unsupported_media_type"
    assert response.headers["x-request-id"] == response.json()["request_id"]


@pytest.mark.parametrize(
    "content_type",
    ["application/json", "application/json; charset=utf-8", "application/merge-patch+json"],
)
def test_json_media_types_are_read(client: TestClient, content_type: str) -> None:
    response = client.post(
        "/greet", content=b'{"name":"ada"}', headers={"content-type": content_type}
    )
    assert response.status_code == 200
    assert response.json() == {"hello": "ada"}


def test_a_request_without_a_body_needs_no_content_type(client: TestClient) -> None:
    assert client.get("/nowhere").status_code == 404
    assert client.post("/greet", content=b"").status_code == 422


def test_the_jobs_run_in_their_documented_order(
    client: TestClient, log_output: io.StringIO
) -> None:
    # The body limit before "JSON only": an oversized form post is 413, not 415.
    response = client.post(
        "/greet",
        content=b"x" * (MAX_BODY_BYTES + 1),
        headers={"content-type": "text/plain", "x-request-id": "order-1"},
    )
    assert response.status_code == 413
    # The request id and the security headers are on every answer, refusals included,
    # and the access line, written last, has the answer's status.
    assert response.headers["x-request-id"] == "order-1"
    assert response.headers["cache-control"] == "no-store"
    lines = [line for line in log_lines(log_output.getvalue()) if line["message"] == "request"]
    assert (lines[-1]["request_id"], lines[-1]["status"]) == ("order-1", 413)


def test_an_unhandled_error_is_answered_with_the_request_id_and_logged_as_a_500(
    client: TestClient, log_output: io.StringIO
) -> None:
    response = client.get("/boom", headers={"x-request-id": "boom-2"})
    assert response.status_code == 500
    assert response.headers["x-request-id"] == "boom-2"
    assert response.headers["x-content-type-options"] == "nosniff"
    lines = [line for line in log_lines(log_output.getvalue()) if line["message"] == "request"]
    assert (lines[-1]["request_id"], lines[-1]["status"]) == ("boom-2", 500)


def test_a_route_keeps_its_own_security_header_but_never_its_own_request_id() -> None:
    probe = create_app("kernel-test-headers", "0.0.0")

    @probe.get("/own")
    async def own() -> JSONResponse:
        return JSONResponse({}, headers={"cache-control": "max-age=60", "x-request-id": "forged"})

    response = TestClient(probe).get("/own", headers={"x-request-id": "real-1"})
    assert response.headers["cache-control"] == "max-age=60"
    assert response.headers.get_list("x-request-id") == ["real-1"]


def test_one_middleware_does_all_of_it(app: FastAPI) -> None:
    # One layer, not one a job: each ASGI layer costs every request a coroutine.
    assert [getattr(layer.cls, "__name__", "?") for layer in app.user_middleware] == [
        "RequestPipeline"
    ]
