"""What every Lambda invocation goes through, whatever invoked it.

- The Lambda context on every log line of the invocation (`log.bind_invocation`).
- On an instance's first invocation, the `ColdStart` metric.
- At its end, also when the handler failed, the business metrics it counted
  (`metrics.flush`); a handler that failed on purpose (`Refusal`) also counts
  `Refusals`, which the platform's Errors alarm leaves out.
- Where the stack turns traces on, Tracer's handler subsegment around it all
  (`tracing`), decided once, when the handler is built at init.

The HTTP API's handler (`app.LambdaHandler`) gets it from the kernel; any other
entry point (a Cognito trigger, a schedule) is decorated:

    @lambda_function
    def handler(event: dict[str, Any], context: Any) -> dict[str, Any]: ...

Nothing here imports FastAPI: a trigger's cold start stays short.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Callable
from typing import Any, TypeVar, cast

from service_kernel import metrics, tracing
from service_kernel.log import bind_invocation
from service_kernel.tracing import Handler

EntryPoint = TypeVar("EntryPoint", bound=Callable[[Any, Any], Any])


class Refusal(Exception):
    """An error a function raises on purpose, where failing is its only way to
    say no: a Cognito trigger refusing to send fails the call that asked.
    Lambda counts it in Errors all the same; the kernel counts it in
    `Refusals` too, so the function's Errors alarm, which subtracts them,
    fires only on errors nobody meant."""


def instrument(serve: Handler) -> Handler:
    """`serve` with everything above around it."""

    def handler(event: Any, context: Any) -> Any:
        if bind_invocation(context):
            metrics.cold_start(_function_name(context))
        try:
            return serve(event, context)
        except Refusal:
            metrics.refused(_function_name(context))
            raise
        finally:
            metrics.flush()

    return tracing.traced(handler) if tracing.enabled() else handler


def lambda_function(handler: EntryPoint) -> EntryPoint:
    """Decorator: a Lambda entry point with the context in its logs, its cold start and
    business metrics written, traced where the stack traces."""
    return cast(EntryPoint, functools.wraps(handler)(instrument(handler)))


def _function_name(context: Any) -> str:
    name = getattr(context, "function_name", None)
    return name if isinstance(name, str) else os.environ.get("AWS_LAMBDA_FUNCTION_NAME", "")
