"""Swagger UI for each service, locally only: `/_local/docs/<service>`.

The OpenAPI document comes from the service's own worker (an invocation of
`GET /docs/<service>/openapi.json`), with docs switched on in local workers
whatever the stack says; deployed stacks route `/docs/<service>` only when
their config enables docs.
"""

from __future__ import annotations

import html
import json
from collections.abc import Callable, Mapping

from local_runtime.events import (
    GatewayResponse,
    IncomingRequest,
    build_event,
    gateway_error,
    map_response,
    new_request_id,
)
from local_runtime.workers import Invocation
from service_manifest import docs_routes

PREFIX = "/_local/docs"
SWAGGER_UI = "https://cdn.jsdelivr.net/npm/swagger-ui-dist@5"

InvokeFunction = Callable[[str, Mapping[str, object], float], Invocation]


def docs_handler(
    services: Mapping[str, str], invoke: InvokeFunction
) -> Callable[[IncomingRequest], GatewayResponse | None]:
    """`services` maps a service name to the function that serves its routes."""

    def handle(request: IncomingRequest) -> GatewayResponse | None:
        if request.method != "GET" or not request.raw_path.startswith(PREFIX):
            return None
        rest = request.raw_path[len(PREFIX) :].strip("/")
        if not rest:
            return _html(_index(services))
        service, _, leaf = rest.partition("/")
        if service not in services:
            return gateway_error(404, "Not Found")
        if not leaf:
            return _html(_swagger_page(service))
        if leaf == "openapi.json":
            return _openapi(service, services[service], invoke)
        return gateway_error(404, "Not Found")

    return handle


def _openapi(service: str, function: str, invoke: InvokeFunction) -> GatewayResponse:
    _, openapi_path = docs_routes(service)
    request = IncomingRequest("GET", openapi_path, "", [("accept", "application/json")])
    event = build_event(
        request,
        route_key=f"GET {openapi_path}",
        path_parameters={},
        stage="$default",
        api_id="local",
        request_id=new_request_id(),
    )
    invocation = invoke(function, event, 30.0)
    if invocation.outcome != "ok":
        return gateway_error(500, "Internal Server Error")
    response = map_response(invocation.payload)
    if response.status != 200:
        return gateway_error(404, "Not Found")
    return GatewayResponse(200, [("content-type", "application/json")], response.body)


def _html(text: str) -> GatewayResponse:
    return GatewayResponse(200, [("content-type", "text/html; charset=utf-8")], text.encode())


def _index(services: Mapping[str, str]) -> str:
    links = "".join(
        f'<li><a href="{PREFIX}/{html.escape(name)}">{html.escape(name)}</a></li>'
        for name in sorted(services)
    )
    return f"<!doctype html><title>API docs</title><h1>Services</h1><ul>{links}</ul>"


def _swagger_page(service: str) -> str:
    spec_url = json.dumps(f"{PREFIX}/{service}/openapi.json")
    return f"""<!doctype html>
<html><head><meta charset="utf-8"><title>{html.escape(service)} API</title>
<link rel="stylesheet" href="{SWAGGER_UI}/swagger-ui.css"></head>
<body><div id="swagger-ui"></div>
<script src="{SWAGGER_UI}/swagger-ui-bundle.js"></script>
<script>SwaggerUIBundle({{url: {spec_url}, dom_id: "#swagger-ui"}});</script>
</body></html>"""
