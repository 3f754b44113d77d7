"""The one declaration of each service: `services/<name>/service.toml`.

The Pulumi program reads it to build functions, roles, routes and triggers;
the local runtime reads it to run them; each service's tests read it to prove
the FastAPI app serves exactly the routes the gateway sends it. Standard
library only, so anything can read it.
"""

from service_manifest.model import (
    AUTH_JWT,
    AUTH_PUBLIC,
    COGNITO_TRIGGERS,
    Function,
    Manifest,
    ManifestError,
    Permission,
    Route,
    docs_routes,
    find_manifests,
    load_manifest,
)

__all__ = [
    "AUTH_JWT",
    "AUTH_PUBLIC",
    "COGNITO_TRIGGERS",
    "Function",
    "Manifest",
    "ManifestError",
    "Permission",
    "Route",
    "docs_routes",
    "find_manifests",
    "load_manifest",
]
