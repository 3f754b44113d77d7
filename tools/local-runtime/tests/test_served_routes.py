"""A route a service.toml declares and its app does not serve is named, with its file."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from local_runtime.docs import DocumentedService
from local_runtime.events import GatewayResponse, IncomingRequest, gateway_error
from local_runtime.served_routes import docs_documents, unserved, unserved_routes
from service_manifest import AUTH_PUBLIC, Route

DOCUMENT: dict[str, Any] = {
    "paths": {
        "/items": {"get": {}, "post": {}},
        "/items/{item_id}": {"get": {}, "parameters": []},
    }
}


def test_every_route_the_app_serves_passes() -> None:
    routes = [Route("GET", "/items"), Route("POST", "/items"), Route("GET", "/items/{item_id}")]

    assert unserved("items", routes, DOCUMENT) == []


def test_a_method_or_a_path_the_app_does_not_serve_is_named() -> None:
    routes = [Route("DELETE", "/items/{item_id}"), Route("GET", "/items/{id}/archive")]

    assert unserved("items", routes, DOCUMENT) == routes


def test_an_any_route_needs_an_operation_on_its_path_and_default_and_docs_are_not_checked() -> None:
    routes = [
        Route("ANY", "/items/{item_id}"),
        Route("ANY", "$default"),
        Route("GET", "/docs/items", AUTH_PUBLIC),
        Route("GET", "/docs/items/openapi.json", AUTH_PUBLIC),
    ]

    assert unserved("items", routes, DOCUMENT) == []
    assert unserved("items", [Route("ANY", "/nothing")], DOCUMENT) == [Route("ANY", "/nothing")]


def test_the_warning_names_the_route_and_the_file(tmp_path: Path) -> None:
    manifest = tmp_path / "services" / "items" / "service.toml"

    problems = unserved_routes(
        {"items": [Route("GET", "/items/{id}/archive")]}, {"items": DOCUMENT}, {"items": manifest}
    )

    assert problems == [
        f"GET /items/{{id}}/archive is declared in {manifest} but the items app"
        " does not serve it (the app answers 404)"
    ]


def test_make_dev_reads_each_services_document_from_its_docs_and_skips_one_that_fails() -> None:
    asked: list[str] = []

    def docs(request: IncomingRequest) -> GatewayResponse | None:
        asked.append(request.raw_path)
        if "/broken/" in request.raw_path:
            return gateway_error(500, "Internal Server Error")
        return GatewayResponse(200, [("content-type", "application/json")], b'{"paths": {}}')

    services = {name: DocumentedService(f"{name}-api", ()) for name in ("items", "broken")}

    assert docs_documents(docs, services) == {"items": {"paths": {}}}
    assert sorted(asked) == [
        "/_local/docs/broken/openapi.json",
        "/_local/docs/items/openapi.json",
    ]
