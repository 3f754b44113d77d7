"""Helpers the platform's tests share (fixtures live in conftest.py; tests import this)."""

from __future__ import annotations

from service_manifest import AUTH_PUBLIC, Manifest, docs_routes


def gateway_routes(manifests: tuple[Manifest, ...], *, docs: bool) -> dict[str, str]:
    """What the API should route, as route key → auth: every declared route, plus
    the public docs routes of the services that serve an OpenAPI where docs are on."""
    routes = {route.route_key: route.auth for manifest in manifests for route in manifest.routes}
    if docs:
        for manifest in manifests:
            if manifest.openapi_function is not None:
                routes.update({f"GET {path}": AUTH_PUBLIC for path in docs_routes(manifest.name)})
    return routes
