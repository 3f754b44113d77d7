"""The API's documents and Swagger UI, on the local API only.

- `/openapi.json`: the whole HTTP API's OpenAPI document, merged
  (`openapi_merge`) on each request from what the services' workers serve
  now, so it follows code reloads; for the same code it is the document
  `make openapi` writes to docs/openapi.json.
- `/_local/docs`: Swagger UI of that document, with links to each service's.
- `/_local/docs/<service>` and `/_local/docs/<service>/openapi.json`: one service's.
- `/_local/docs/assets/<file>`: Swagger UI's files, so the pages work offline.

The pages and files are the ones a service's function serves at
`/docs/<service>` (`service_kernel.swagger_ui`: one source of Swagger UI's
files, pinned by uv.lock), under the same Content-Security-Policy.

Each service's document comes from its own worker (an invocation of
`GET /docs/<service>/openapi.json`), with docs switched on in local workers
whatever the stack says; deployed stacks route `/docs/<service>` only when
their config enables docs, and never `/openapi.json`.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from local_runtime.events import (
    GatewayResponse,
    IncomingRequest,
    build_event,
    gateway_error,
    map_response,
    new_request_id,
)
from local_runtime.openapi_merge import ApiInfo, ServiceApi, merge, render
from local_runtime.workers import Invocation
from service_kernel import swagger_ui
from service_manifest import Route, docs_routes

PREFIX = "/_local/docs"
_CSP = ("content-security-policy", swagger_ui.CONTENT_SECURITY_POLICY)
ASSETS = f"{PREFIX}/assets"
MERGED = "/openapi.json"

InvokeFunction = Callable[[str, Mapping[str, object], float], Invocation]
DocsHandler = Callable[[IncomingRequest], GatewayResponse | None]


@dataclass(frozen=True)
class DocumentedService:
    function: str  # the function that serves the service's routes and its OpenAPI
    routes: tuple[Route, ...]  # the gateway's routes to that function


def docs_handler(
    services: Mapping[str, DocumentedService], invoke: InvokeFunction, info: ApiInfo
) -> DocsHandler:
    """Answers the paths above; None for any other, which the gateway then routes."""

    def handle(request: IncomingRequest) -> GatewayResponse | None:
        if request.method != "GET":
            return None
        if request.raw_path == MERGED:
            return _merged(services, invoke, info)
        if request.raw_path == ASSETS or request.raw_path.startswith(ASSETS + "/"):
            found = swagger_ui.asset(request.raw_path[len(ASSETS) :].strip("/"))
            if found is None:
                return gateway_error(404, "Not Found")
            return GatewayResponse(200, [("content-type", found.content_type), _CSP], found.body)
        if request.raw_path != PREFIX and not request.raw_path.startswith(PREFIX + "/"):
            return None
        rest = request.raw_path[len(PREFIX) :].strip("/")
        if not rest:
            return _html(_page(f"{info.title} API", MERGED, services))
        service, _, leaf = rest.partition("/")
        if service not in services:
            return gateway_error(404, "Not Found")
        if not leaf:
            return _html(_page(f"{service} API", f"{PREFIX}/{service}/openapi.json", services))
        if leaf == "openapi.json":
            return _service_document(service, services[service].function, invoke)
        return gateway_error(404, "Not Found")

    return handle


def _merged(
    services: Mapping[str, DocumentedService], invoke: InvokeFunction, info: ApiInfo
) -> GatewayResponse:
    apis = []
    for name, service in sorted(services.items()):
        response = _service_document(name, service.function, invoke)
        if response.status != 200:
            return gateway_error(503, f"the {name} service's OpenAPI document is unavailable")
        apis.append(ServiceApi(name, json.loads(response.body), service.routes))
    body = render(merge(apis, info)).encode()
    return GatewayResponse(200, [("content-type", "application/json")], body)


def _service_document(service: str, function: str, invoke: InvokeFunction) -> GatewayResponse:
    _, openapi_path, _ = docs_routes(service)
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
    return GatewayResponse(200, [("content-type", swagger_ui.HTML), _CSP], text.encode())


def _page(title: str, spec_url: str, services: Mapping[str, DocumentedService]) -> str:
    links = {
        "whole API": PREFIX,
        **{name: f"{PREFIX}/{name}" for name in sorted(services)},
        "openapi.json": MERGED,
    }
    return swagger_ui.page(title=title, spec_url=spec_url, assets_url=ASSETS, links=links)
