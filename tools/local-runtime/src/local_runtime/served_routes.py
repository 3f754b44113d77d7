"""Routes a `service.toml` declares that the service's app does not serve.

Such a route is routed by the gateway and answered 404 by the app, and the
OpenAPI merge leaves it out: a person's mistake (a path edited in one place
and not the other), which each service's own route test catches, and which
`make dev` warns of at start and `make openapi` refuses, naming the route and
the file. The app's routes are read from its own OpenAPI document (an
operation per method and path, the paths compared as written, as the route
tests compare them); the docs routes and `$default` are not checked.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from local_runtime.docs import PREFIX, DocsHandler, DocumentedService
from local_runtime.events import IncomingRequest
from local_runtime.openapi_merge import OPERATIONS
from service_manifest import DEFAULT_ROUTE_KEY, Route, docs_routes
from service_manifest.user_errors import shown

ANY = "ANY"


def unserved(service: str, routes: Sequence[Route], document: Mapping[str, Any]) -> list[Route]:
    """The declared routes no operation of the service's document serves
    (an `ANY` route: no operation at all on its path)."""
    paths = document.get("paths") or {}
    skipped = set(docs_routes(service))
    missing = []
    for route in routes:
        if route.route_key == DEFAULT_ROUTE_KEY or route.path in skipped:
            continue
        operations = {key.upper() for key in paths.get(route.path) or {} if key in OPERATIONS}
        if not (operations if route.method == ANY else route.method in operations):
            missing.append(route)
    return missing


def unserved_routes(
    routes: Mapping[str, Sequence[Route]],
    documents: Mapping[str, Mapping[str, Any]],
    manifests: Mapping[str, Path],
) -> list[str]:
    """One line per route declared in a service's manifest and not served by
    its app: `GET /items/{item_id}/archive is declared in services/items/service.toml
    but the items app does not serve it`."""
    return [
        f"{route.method} {route.path} is declared in {shown(manifests[service])}"
        f" but the {service} app does not serve it (the app answers 404)"
        for service in sorted(documents)
        for route in unserved(service, routes[service], documents[service])
    ]


def docs_documents(
    docs: DocsHandler | None, services: Mapping[str, DocumentedService]
) -> dict[str, dict[str, Any]]:
    """Each documented service's own OpenAPI document, as its worker serves it
    now (a service whose worker cannot answer is left out: its failure is
    reported already)."""
    if docs is None:
        return {}

    def document(service: str) -> dict[str, Any] | None:
        response = docs(IncomingRequest("GET", f"{PREFIX}/{service}/openapi.json", "", []))
        if response is None or response.status != 200:
            return None
        found: dict[str, Any] = json.loads(response.body)
        return found

    with ThreadPoolExecutor(max_workers=4) as pool:
        fetched = dict(zip(services, pool.map(document, services), strict=True))
    return {service: found for service, found in fetched.items() if found is not None}
