"""What the platform and the services agree on without reading a manifest.

Standard library only: the service kernel imports this at a Lambda's cold
start, so it must cost nothing to load.
"""

from __future__ import annotations

AUTH_PUBLIC = "public"
AUTH_JWT = "jwt"

# HTTP API's catch-all route key: every request no other route matches.
DEFAULT_ROUTE_KEY = "$default"


def docs_routes(service: str) -> tuple[str, str, str]:
    """Where a service serves its Swagger UI, its OpenAPI document and Swagger
    UI's files (`{asset}`: the function serves them itself) when its stack
    enables docs: under its own name, so services never collide on the one API."""
    return f"/docs/{service}", f"/docs/{service}/openapi.json", f"/docs/{service}/assets/{{asset}}"
