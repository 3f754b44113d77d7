"""A Lambda handler timed the way Lambda runs it, in the process this script starts.

Run as a script by a CPython 3.12 (Lambda's) with `-I -S`, so it uses the standard
library only and never imports `local_runtime`; the folder of an unpacked bundle
comes first on sys.path, as /var/task does on Lambda. Answers one JSON line.

    cold BUNDLE HANDLER EVENT
        import the handler and answer EVENT once: {"init_ms", "first_ms", "status"},
        from the process's first line of Python to the first answer.
    warm BUNDLE HANDLER EVENT INVOCATIONS [BASELINE_DIR BASELINE_HANDLER BASELINE_EVENT]
        answer EVENT INVOCATIONS times: {"handler": [µs, ...], "baseline": [µs, ...]}.
        With a baseline (a handler in BASELINE_DIR, which comes after the bundle on
        sys.path, so it runs on the bundle's FastAPI and Mangum), the two alternate,
        one invocation each, each first every other turn, so both see the same
        machine.

As on Lambda, what a handler prints goes to a file (here the null device), and the
runtime sets the invocation's trace header in the environment before each call.
"""

from __future__ import annotations

import time

STARTED = time.perf_counter()

import importlib  # noqa: E402 - the clock starts before anything is imported
import json  # noqa: E402
import os  # noqa: E402
import sys  # noqa: E402
import uuid  # noqa: E402
from collections.abc import Callable  # noqa: E402
from typing import Any  # noqa: E402

Handler = Callable[[dict[str, Any], Any], Any]


class LambdaContext:
    """The context object Lambda passes a handler."""

    function_name = os.environ.get("AWS_LAMBDA_FUNCTION_NAME", "bench")
    function_version = "$LATEST"
    memory_limit_in_mb = os.environ.get("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "512")
    invoked_function_arn = f"arn:aws:lambda:us-east-1:123456789012:function:{function_name}"
    log_group_name = f"/aws/lambda/{function_name}"
    log_stream_name = "bench"

    def __init__(self) -> None:
        self.aws_request_id = str(uuid.uuid4())

    @staticmethod
    def get_remaining_time_in_millis() -> int:
        return 10_000


def load(dotted: str) -> Handler:
    module, _, attribute = dotted.rpartition(".")
    handler: Handler = getattr(importlib.import_module(module), attribute)
    return handler


def invoke(handler: Handler, event: dict[str, Any]) -> tuple[float, Any]:
    """One invocation, as the runtime makes it; its duration in µs and its answer."""
    os.environ["_X_AMZN_TRACE_ID"] = (
        f"Root=1-{int(time.time()):08x}-{uuid.uuid4().hex[:24]};Sampled=0"
    )
    context = LambdaContext()
    started = time.perf_counter()
    answer = handler(event, context)
    return (time.perf_counter() - started) * 1e6, answer


def read_event(path: str) -> dict[str, Any]:
    with open(path) as file:
        event: dict[str, Any] = json.load(file)
    return event


def status_of(answer: Any) -> Any:
    return answer.get("statusCode") if isinstance(answer, dict) else None


def cold_invoke(handler: Handler, event: dict[str, Any]) -> Any:
    """The status of the first answer; an error is an answer too (a trigger refuses so)."""
    try:
        return status_of(invoke(handler, event)[1])
    except Exception as exc:
        return f"raised {type(exc).__name__}"


def cold(dotted: str, event_path: str) -> dict[str, Any]:
    event = read_event(event_path)
    handler = load(dotted)
    ready = time.perf_counter()
    status = cold_invoke(handler, event)
    answered = time.perf_counter()
    return {
        "init_ms": (ready - STARTED) * 1000,
        "first_ms": (answered - STARTED) * 1000,
        "status": status,
    }


def warm(dotted: str, event_path: str, count: int, *baseline: str) -> dict[str, Any]:
    handler, event = load(dotted), read_event(event_path)
    pairs: list[tuple[Handler, dict[str, Any]]] = [(handler, event)]
    if baseline:
        folder, baseline_dotted, baseline_event = baseline
        sys.path.append(folder)
        pairs.append((load(baseline_dotted), read_event(baseline_event)))
    statuses = [status_of(invoke(h, e)[1]) for h, e in pairs for _ in range(100)]  # warm-up
    timings: list[list[float]] = [[] for _ in pairs]
    for turn in range(count):
        # Each goes first every other turn: neither always finds the caches the other warmed.
        order = list(zip(timings, pairs, strict=True))
        for timing, (h, e) in order if turn % 2 == 0 else reversed(order):
            timing.append(invoke(h, e)[0])
    return {
        "handler": timings[0],
        "baseline": timings[1] if baseline else [],
        "statuses": sorted(set(statuses), key=str),
    }


def main() -> None:
    mode, bundle, *rest = sys.argv[1:]
    sys.path.insert(0, bundle)
    out = sys.stdout
    sys.stdout = open(os.devnull, "w")  # noqa: SIM115 - for the life of the process
    if mode == "cold":
        result = cold(*rest)
    else:
        dotted, event_path, count, *baseline = rest
        result = warm(dotted, event_path, int(count), *baseline)
    out.write(json.dumps(result) + "\n")


if __name__ == "__main__":
    main()
