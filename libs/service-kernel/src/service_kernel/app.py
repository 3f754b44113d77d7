"""Build a service's FastAPI app and its Lambda handler the same way everywhere."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi import FastAPI
from mangum import Mangum

from service_kernel.errors import install_error_handlers
from service_kernel.log import get_logger
from service_kernel.middleware import install_middleware
from service_kernel.openapi import install_openapi
from service_manifest.conventions import docs_routes

LambdaHandler = Callable[[dict[str, Any], Any], dict[str, Any]]


def create_app(service: str, version: str, *, docs: bool = False, **kwargs: Any) -> FastAPI:
    """A FastAPI app with the contract's envelope, headers, request id and logs.

    With `docs`, Swagger UI and the OpenAPI document are served under the
    service's own name (`/docs/<service>`, `/docs/<service>/openapi.json`), the
    routes the platform adds for stacks whose config enables docs."""
    ui_path, openapi_path = docs_routes(service)
    app = FastAPI(
        title=service,
        version=version,
        docs_url=ui_path if docs else None,
        redoc_url=None,
        openapi_url=openapi_path if docs else None,
        **kwargs,
    )
    install_error_handlers(app)
    install_middleware(app)
    install_openapi(app)
    return app


def lambda_handler(app: FastAPI) -> LambdaHandler:
    """The Lambda entry point for `app`.

    lifespan="off": Mangum would otherwise run the app's startup on every
    invocation; everything the app needs is built once at import instead."""
    asgi_handler = Mangum(app, lifespan="off")
    logger = get_logger()

    @logger.inject_lambda_context(clear_state=True)
    def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
        return asgi_handler(event, context)

    return handler
