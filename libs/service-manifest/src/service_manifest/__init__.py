"""The one declaration of each service: `services/<name>/service.toml`.

The Pulumi program reads it to build functions, roles, routes and triggers;
the local runtime reads it to run them; each service's tests read it to prove
the FastAPI app serves exactly the routes the gateway sends it.

The conventions (`docs_routes`, the auth names) load without the manifest
model, so a Lambda's cold start that needs only them never imports it.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

from service_manifest.conventions import AUTH_JWT, AUTH_PUBLIC, DEFAULT_ROUTE_KEY, docs_routes

if TYPE_CHECKING:
    from service_manifest.model import (
        COGNITO_TRIGGERS,
        Cors,
        Function,
        Manifest,
        ManifestError,
        Metric,
        Permission,
        Route,
        find_manifests,
        load_manifest,
    )

__all__ = [
    "AUTH_JWT",
    "AUTH_PUBLIC",
    "COGNITO_TRIGGERS",
    "DEFAULT_ROUTE_KEY",
    "Cors",
    "Function",
    "Manifest",
    "ManifestError",
    "Metric",
    "Permission",
    "Route",
    "docs_routes",
    "find_manifests",
    "load_manifest",
]


# Everything but the conventions comes from the manifest model, loaded on first use.
_FROM_MODEL = frozenset(__all__) - {"AUTH_JWT", "AUTH_PUBLIC", "DEFAULT_ROUTE_KEY", "docs_routes"}


def __getattr__(name: str) -> Any:
    if name not in _FROM_MODEL:
        raise AttributeError(f"module 'service_manifest' has no attribute {name!r}")
    return getattr(import_module("service_manifest.model"), name)
