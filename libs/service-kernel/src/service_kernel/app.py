"""Build a service's FastAPI app and its Lambda handler the same way everywhere."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi import FastAPI
from mangum import Mangum

from service_kernel.errors import install_error_handlers
from service_kernel.log import get_logger
from service_kernel.middleware import RequestContextMiddleware

LambdaHandler = Callable[[dict[str, Any], Any], dict[str, Any]]


def create_app(title: str, version: str, *, docs: bool = True, **kwargs: Any) -> FastAPI:
    """A FastAPI app with the contract's envelope, headers, request id and logs.

    `docs=False` leaves out /docs, /redoc and /openapi.json (deployed stacks
    do not expose them unless their config says so)."""
    app = FastAPI(
        title=title,
        version=version,
        docs_url="/docs" if docs else None,
        redoc_url=None,
        openapi_url="/openapi.json" if docs else None,
        **kwargs,
    )
    install_error_handlers(app)
    app.add_middleware(RequestContextMiddleware)
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
