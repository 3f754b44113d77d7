"""Build a service's FastAPI app and its Lambda handler the same way everywhere."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi import FastAPI
from fastapi.routing import APIRoute
from fastapi.telemetry import TelemetryConfig
from mangum import Mangum

from service_kernel import metrics, snapstart
from service_kernel.errors import install_error_handlers
from service_kernel.invocation import instrument
from service_kernel.log import bind_invocation, mark_next_invocation_cold
from service_kernel.middleware import install_middleware
from service_kernel.openapi import install_docs, install_openapi
from service_manifest.conventions import docs_routes

# FastAPI's own OpenTelemetry instrumentation, off: tracing and metrics are the
# kernel's (Powertools: service_kernel.invocation), and off, FastAPI skips looking
# up the global providers on every request.
NO_NATIVE_TELEMETRY: TelemetryConfig = {"tracing": False, "metrics": False, "logs": False}

# Answers that never have a body, so never a body's Content-Type (RFC 9110, 15.3.5, 15.4.5).
NO_CONTENT = frozenset({204, 304})

# The request id of the synthetic request that primes a SnapStart snapshot.
PRIMING_REQUEST_ID = "snapstart-priming"


def operation_id(route: APIRoute) -> str:
    """A route's OperationId: its function's name in camelCase (`update_item` →
    `updateItem`), what a generated client names its call by."""
    first, *rest = route.name.split("_")
    return first + "".join(word.capitalize() for word in rest)


def create_app(service: str, version: str, *, docs: bool = False, **kwargs: Any) -> FastAPI:
    """A FastAPI app with the contract's envelope, headers, request id and logs.

    With `docs`, Swagger UI and the OpenAPI document are served under the
    service's own name (`/docs/<service>`, `/docs/<service>/openapi.json`, and
    Swagger UI's files under `/docs/<service>/assets/`, from the function
    itself: `swagger_ui`), the routes the platform adds for stacks whose config
    enables docs."""
    _, openapi_path, _ = docs_routes(service)
    app = FastAPI(
        title=service,
        version=version,
        docs_url=None,
        redoc_url=None,
        openapi_url=openapi_path if docs else None,
        telemetry=NO_NATIVE_TELEMETRY,
        generate_unique_id_function=operation_id,
        **kwargs,
    )
    install_error_handlers(app)
    install_middleware(app)
    install_openapi(app)
    if docs:
        install_docs(app, service)
    return app


def lambda_handler(
    app: FastAPI,
    *,
    prime: Callable[[], object] | None = None,
    priming_path: str = "/",
) -> LambdaHandler:
    """The Lambda entry point for `app`, its SnapStart hooks registered with the runtime."""
    handler = LambdaHandler(app, prime=prime, priming_path=priming_path)
    snapstart.register_hooks(handler.before_snapshot, handler.after_restore)
    return handler


class LambdaHandler:
    """Lambda's handler for a FastAPI app: `handler(event, context)`.

    lifespan="off": Mangum would otherwise run the app's startup on every
    invocation; everything the app needs is built once at import instead.

    Every invocation goes through `invocation.instrument`: the Lambda context in
    the logs, the cold start and business metrics written, and Tracer's handler
    subsegment with the route annotated where the stack traces.

    With SnapStart, before the snapshot: `prime()` (build what the first request
    would: AWS clients, say), then one synthetic `GET priming_path` through the
    whole app, so the snapshot holds a warm app and a restored instance answers
    at warm speed. Neither should call AWS: a connection opened then would be
    stale after a restore. The priming request is neither traced nor counted as a
    cold start, and Powertools Metrics is imported then, so a restored instance
    never pays for it. After a restore: randomness is re-seeded (see
    `snapstart.restore_uniqueness`) and the next invocation counts as cold."""

    def __init__(
        self,
        app: FastAPI,
        *,
        prime: Callable[[], object] | None = None,
        priming_path: str = "/",
    ) -> None:
        self._asgi = Mangum(app, lifespan="off")
        self._prime = prime
        self._priming_path = priming_path
        self._invoke = instrument(self._asgi)

    def __call__(self, event: dict[str, Any], context: Any) -> dict[str, Any]:
        answer: dict[str, Any] = self._invoke(event, context)
        if answer.get("statusCode") in NO_CONTENT:
            # Mangum types every payload-2.0 body, an empty one too; a 204 has none.
            headers = answer.get("headers") or {}
            headers.pop("content-type", None)
        return answer

    def before_snapshot(self) -> None:
        if self._prime is not None:
            self._prime()
        metrics.preload()
        context: Any = _PrimingContext()
        bind_invocation(context)
        self._asgi(priming_event(self._priming_path), context)

    def after_restore(self) -> None:
        snapstart.restore_uniqueness()
        mark_next_invocation_cold()


def priming_event(path: str) -> dict[str, Any]:
    """A payload-2.0 `GET path` as the HTTP API would send it, with no caller."""
    return {
        "version": "2.0",
        "routeKey": "$default",
        "rawPath": path,
        "rawQueryString": "",
        "headers": {"host": "localhost", "x-request-id": PRIMING_REQUEST_ID},
        "requestContext": {
            "http": {
                "method": "GET",
                "path": path,
                "protocol": "HTTP/1.1",
                "sourceIp": "127.0.0.1",
                "userAgent": "snapstart-priming",
            },
            "requestId": PRIMING_REQUEST_ID,
            "routeKey": "$default",
            "stage": "$default",
        },
        "isBase64Encoded": False,
    }


class _PrimingContext:
    """The Lambda context attributes a handler reads, for the priming request."""

    function_name = "snapstart-priming"
    memory_limit_in_mb = 0
    invoked_function_arn = ""
    aws_request_id = PRIMING_REQUEST_ID

    @staticmethod
    def get_remaining_time_in_millis() -> int:
        return 10_000
