"""CORS answered at the gateway from the API's declared `corsConfiguration`.

HTTP API answers every preflight itself (the function never sees it), and on
other requests from an allowed origin it sets the CORS response headers,
overriding any the function set.
"""

from __future__ import annotations

from local_runtime.events import GatewayResponse, IncomingRequest
from local_runtime.model import Cors


def is_preflight(request: IncomingRequest) -> bool:
    return (
        request.method == "OPTIONS"
        and request.header("origin") is not None
        and request.header("access-control-request-method") is not None
    )


def preflight(cors: Cors, request: IncomingRequest) -> GatewayResponse:
    """204 always; the CORS headers only when origin, method and headers are allowed."""
    origin = request.header("origin") or ""
    method = (request.header("access-control-request-method") or "").upper()
    asked = [
        h.strip().lower()
        for h in (request.header("access-control-request-headers") or "").split(",")
        if h.strip()
    ]
    allowed = (
        _origin_allowed(cors, origin)
        and ("*" in cors.allow_methods or method in cors.allow_methods)
        and ("*" in cors.allow_headers or all(h in cors.allow_headers for h in asked))
    )
    if not allowed:
        return GatewayResponse(204)
    headers = [
        ("access-control-allow-origin", _allowed_origin_value(cors, origin)),
        ("access-control-allow-methods", ",".join(cors.allow_methods)),
    ]
    if cors.allow_headers:
        headers.append(("access-control-allow-headers", ",".join(cors.allow_headers)))
    if cors.max_age is not None:
        headers.append(("access-control-max-age", str(cors.max_age)))
    if cors.allow_credentials:
        headers.append(("access-control-allow-credentials", "true"))
    return GatewayResponse(204, headers)


def add_response_headers(
    cors: Cors, request: IncomingRequest, response: GatewayResponse
) -> GatewayResponse:
    origin = request.header("origin")
    if origin is None or not _origin_allowed(cors, origin):
        return response
    headers = [(k, v) for k, v in response.headers if not k.lower().startswith("access-control-")]
    headers.append(("access-control-allow-origin", _allowed_origin_value(cors, origin)))
    if cors.expose_headers:
        headers.append(("access-control-expose-headers", ",".join(cors.expose_headers)))
    if cors.allow_credentials:
        headers.append(("access-control-allow-credentials", "true"))
    return GatewayResponse(response.status, headers, response.body)


def _origin_allowed(cors: Cors, origin: str) -> bool:
    return "*" in cors.allow_origins or origin in cors.allow_origins


def _allowed_origin_value(cors: Cors, origin: str) -> str:
    return origin if origin in cors.allow_origins or cors.allow_credentials else "*"
