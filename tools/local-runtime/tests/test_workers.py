"""Lambda's limits on one invocation, as the pool applies them before and
after a worker runs."""

from __future__ import annotations

from local_runtime.workers import (
    MAX_EVENT_BYTES,
    MAX_RESULT_BYTES,
    FunctionPool,
    Worker,
    event_size,
    result_size,
    worker_environment,
)
from tests.support import local_function


def no_worker() -> Worker:
    raise AssertionError("no worker may start for an invocation Lambda refuses")


def test_an_event_over_6_mb_is_refused_before_any_worker_runs() -> None:
    """Lambda quotas: 6 MB for a synchronous request; the Invoke API answers
    RequestEntityTooLargeException past 6291456 bytes (pelmers/streetwarp-web#14)."""
    pool = FunctionPool(local_function("probe_handler.handler"), no_worker)
    event = {"body": "x" * MAX_EVENT_BYTES}
    invocation = pool.invoke(event)
    assert invocation.outcome == "error"
    assert invocation.payload == {
        "errorMessage": (
            "Request must be smaller than 6291456 bytes for the InvokeFunction operation"
        ),
        "errorType": "RequestEntityTooLargeException",
    }


def test_sizes_are_the_bytes_lambda_counts() -> None:
    assert MAX_EVENT_BYTES == 6 * 1024 * 1024
    assert MAX_RESULT_BYTES == 6_291_556  # the figure Lambda's own error names
    assert event_size({"a": "é"}) == len('{"a":"\\u00e9"}')  # the event as compact JSON
    assert result_size({"a": "é"}) == len('{"a": "é"}'.encode())  # as the runtime posts it


def test_a_worker_never_traces_whatever_the_stack_declares() -> None:
    """No X-Ray daemon locally: prod's functions (tracing Active) run untraced too."""
    function = local_function("probe_handler.handler", POWERTOOLS_TRACE_DISABLED="false")

    environment = worker_environment(
        function, endpoint_url="http://127.0.0.1:1", region="eu-west-1", base={}, credentials={}
    )

    assert environment["POWERTOOLS_TRACE_DISABLED"] == "true"
