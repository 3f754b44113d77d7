from __future__ import annotations

from local_runtime.cors import add_response_headers, is_preflight, preflight
from local_runtime.events import GatewayResponse, IncomingRequest
from local_runtime.model import Cors

CORS = Cors(
    allow_origins=("http://localhost:3000",),
    allow_methods=("GET", "POST"),
    allow_headers=("authorization", "content-type"),
    expose_headers=("etag", "x-request-id"),
    max_age=600,
)


def options(origin: str, method: str = "POST", headers: str = "") -> IncomingRequest:
    sent = [("Origin", origin), ("Access-Control-Request-Method", method)]
    if headers:
        sent.append(("Access-Control-Request-Headers", headers))
    return IncomingRequest("OPTIONS", "/items", "", sent)


def test_an_allowed_preflight_gets_the_declared_headers() -> None:
    request = options("http://localhost:3000", headers="Authorization, Content-Type")
    assert is_preflight(request)
    response = preflight(CORS, request)
    assert response.status == 204
    assert dict(response.headers) == {
        "access-control-allow-origin": "http://localhost:3000",
        "access-control-allow-methods": "GET,POST",
        "access-control-allow-headers": "authorization,content-type",
        "access-control-max-age": "600",
    }


def test_a_disallowed_origin_method_or_header_gets_no_cors_headers() -> None:
    for request in (
        options("https://evil.example"),
        options("http://localhost:3000", method="DELETE"),
        options("http://localhost:3000", headers="x-secret"),
    ):
        response = preflight(CORS, request)
        assert response.status == 204
        assert response.headers == []


def test_a_plain_options_request_is_not_a_preflight() -> None:
    assert not is_preflight(IncomingRequest("OPTIONS", "/items", "", [("Origin", "x")]))


def test_responses_to_an_allowed_origin_carry_the_gateways_cors_headers() -> None:
    request = IncomingRequest("GET", "/items", "", [("Origin", "http://localhost:3000")])
    function = GatewayResponse(200, [("access-control-allow-origin", "*"), ("etag", '"1"')])
    headers = add_response_headers(CORS, request, function).headers
    assert ("access-control-allow-origin", "http://localhost:3000") in headers
    assert ("access-control-allow-origin", "*") not in headers  # the gateway's win
    assert ("access-control-expose-headers", "etag,x-request-id") in headers
    other = IncomingRequest("GET", "/items", "", [("Origin", "https://evil.example")])
    assert add_response_headers(CORS, other, function) == function
