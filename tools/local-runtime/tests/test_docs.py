"""The local documentation endpoints, with fake workers: the whole API's
document merged on request, each service's own, the pages and their assets."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from local_runtime.docs import DocumentedService, docs_handler
from local_runtime.events import GatewayResponse, IncomingRequest
from local_runtime.openapi_merge import ApiInfo
from local_runtime.workers import Invocation
from service_manifest import AUTH_JWT, AUTH_PUBLIC, Route

INFO = ApiInfo("serverless-backend", "0.1.0")
SERVICES = {
    "health": DocumentedService("health-api", (Route("GET", "/healthz", AUTH_PUBLIC),)),
    "items": DocumentedService("items-api", (Route("GET", "/items", AUTH_JWT),)),
}


def service_document(path: str, summary: str) -> dict[str, Any]:
    operation = {"operationId": path, "summary": summary, "responses": {}}
    return {
        "openapi": "3.1.0",
        "info": {"title": "svc", "version": "1"},
        "paths": {path: {"get": operation}},
    }


class Workers:
    """Each function answers its service's document, as a worker with docs on does."""

    def __init__(self, failing: str = "") -> None:
        self.documents = {"health-api": "/healthz", "items-api": "/items"}
        self.failing = failing
        self.summary = "as started"
        self.calls: list[str] = []

    def __call__(self, function: str, event: Mapping[str, Any], timeout: float) -> Invocation:
        self.calls.append(f"{function} {event['rawPath']}")
        if function == self.failing:
            return Invocation("error", {"errorMessage": "boom"}, "id", 1.0)
        body = json.dumps(service_document(self.documents[function], self.summary))
        return Invocation("ok", {"statusCode": 200, "body": body}, "id", 1.0)


def get(path: str, workers: Workers | None = None, method: str = "GET") -> GatewayResponse | None:
    handle = docs_handler(SERVICES, workers or Workers(), INFO)
    return handle(IncomingRequest(method, path, "", []))


def answered(path: str, workers: Workers | None = None) -> GatewayResponse:
    response = get(path, workers)
    assert response is not None
    return response


def test_openapi_json_is_the_whole_api_merged_from_each_services_worker() -> None:
    workers = Workers()
    response = answered("/openapi.json", workers)
    assert response.status == 200
    assert dict(response.headers)["content-type"] == "application/json"
    document = json.loads(response.body)
    assert document["info"] == {"title": "serverless-backend", "version": "0.1.0"}
    assert document["paths"]["/items"]["get"]["security"] == [{"cognitoJwt": []}]
    assert document["paths"]["/healthz"]["get"]["security"] == []
    assert workers.calls == [
        "health-api /docs/health/openapi.json",
        "items-api /docs/items/openapi.json",
    ]
    assert response.body.endswith(b"}\n")  # rendered as docs/openapi.json is


def test_openapi_json_is_made_anew_on_each_request_so_it_follows_reloads() -> None:
    workers = Workers()
    before = answered("/openapi.json", workers)
    workers.summary = "after an edit"  # the workers restarted with new code
    after = answered("/openapi.json", workers)
    assert json.loads(before.body)["paths"]["/items"]["get"]["summary"] == "as started"
    assert json.loads(after.body)["paths"]["/items"]["get"]["summary"] == "after an edit"


def test_a_service_whose_document_fails_makes_the_whole_document_unavailable() -> None:
    response = answered("/openapi.json", Workers(failing="items-api"))
    assert response.status == 503
    assert json.loads(response.body) == {
        "message": "the items service's OpenAPI document is unavailable"
    }


def test_each_services_own_document_and_page() -> None:
    spec = answered("/_local/docs/items/openapi.json")
    assert spec.status == 200
    assert "/items" in json.loads(spec.body)["paths"]
    page = answered("/_local/docs/items")
    assert dict(page.headers)["content-type"] == "text/html; charset=utf-8"
    assert b'"url": "/_local/docs/items/openapi.json"' in page.body
    assert answered("/_local/docs/nope").status == 404
    assert answered("/_local/docs/items/other").status == 404


def test_the_index_shows_the_whole_api_and_links_every_service() -> None:
    page = answered("/_local/docs").body.decode()
    assert '"url": "/openapi.json"' in page
    for name in ("health", "items"):
        assert f'<a href="/_local/docs/{name}">{name}</a>' in page
    assert answered("/_local/docs/").body.decode() == page


def test_the_assets_are_served_under_the_docs() -> None:
    script = answered("/_local/docs/assets/swagger-ui-bundle.js")
    assert script.status == 200
    assert dict(script.headers)["content-type"] == "text/javascript; charset=utf-8"
    assert answered("/_local/docs/assets/nothing.js").status == 404


def test_anything_else_is_left_to_the_gateway() -> None:
    assert get("/items") is None
    assert get("/_local/other") is None
    assert get("/openapi.json", method="POST") is None
