"""X-Ray traces through Powertools Tracer, where the stack turns them on.

The platform sets POWERTOOLS_TRACE_DISABLED=false only on the functions of a
stack whose `functions.tracing` is `Active` (Lambda samples their traces). The
kernel reads it once, when a handler is built at init (`enabled`):

- off (every other stack, `make dev`, the tests, the default): nothing here
  runs and neither Tracer nor the X-Ray SDK is ever imported, so tracing costs
  no import and no work per invocation;
- on: one Tracer for the process patches botocore (each AWS SDK call is a
  subsegment), and every invocation runs in a `## handler` subsegment
  annotated with `ColdStart` and `Service` (Tracer's own) and, for the HTTP
  API, `Route`: the route the gateway matched (`GET /items/{item_id}`), never
  the path, so no id reaches an annotation.

The handler's response is not recorded (it holds tokens); an exception is,
as the logs record it.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from aws_lambda_powertools import Tracer

TRACE_DISABLED = "POWERTOOLS_TRACE_DISABLED"
# What Tracer patches: the kernel's AWS clients are botocore's.
PATCHED_MODULES = ("botocore",)

Handler = Callable[[Any, Any], Any]


def enabled(environ: Mapping[str, str] | None = None) -> bool:
    """Traces are on only where the platform said so, in so many words."""
    env = os.environ if environ is None else environ
    return env.get(TRACE_DISABLED, "").strip().lower() == "false"


@functools.cache
def tracer() -> Tracer:
    """The process's Tracer (Tracer instances share their configuration anyway)."""
    from aws_lambda_powertools import Tracer

    return Tracer(service=os.environ.get("POWERTOOLS_SERVICE_NAME"), patch_modules=PATCHED_MODULES)


def traced(handler: Handler) -> Handler:
    """`handler` in Tracer's handler subsegment, with the HTTP API's route annotated."""
    current = tracer()

    @functools.wraps(handler)
    def with_route(event: Any, context: Any) -> Any:
        route = event.get("routeKey") if isinstance(event, dict) else None
        if isinstance(route, str) and route:
            current.put_annotation(key="Route", value=route)
        return handler(event, context)

    wrapped: Handler = current.capture_lambda_handler(with_route, capture_response=False)
    return wrapped
