"""Business metrics: counts written as CloudWatch embedded-metric-format (EMF)
lines on stdout, which CloudWatch Logs turns into metrics. No API call.

    from service_kernel.metrics import count

    count("CodesSent", channel="sms")   # one more, with its one dimension
    count("ItemsCreated")

A count is only noted; the invocation that noted it writes its lines once, at
its end (`flush`, which the kernel's handlers call, also when the handler
failed), through Powertools Metrics, imported then: an invocation that counts
nothing (a GET, a health check) imports and writes nothing.

Every line is in the stack's namespace (POWERTOOLS_METRICS_NAMESPACE, which
the platform sets: `serverless-backend/<stack>`) with the dimension `service`
(POWERTOOLS_SERVICE_NAME) and at most one more. Each dimension value is a
metric CloudWatch bills every month: a service declares its metrics, their
one dimension and its few values in its service.toml (`[metrics.<Name>]`),
and its tests hold its code to that.

Two metrics are written otherwise, at once, with the standard library:
`ColdStart` (`cold_start`), on an instance's first invocation, the same line
Powertools writes for it, so a cold start, already the slowest invocation,
never pays Powertools' import (~30 ms); and `Refusals` (`refused`), an
invocation that failed on purpose (`invocation.Refusal`).
"""

from __future__ import annotations

import json
import os
import sys
import threading
import time
from collections import Counter
from collections.abc import Mapping
from typing import Any

from service_kernel.log import get_logger

NAMESPACE = "POWERTOOLS_METRICS_NAMESPACE"
SERVICE = "POWERTOOLS_SERVICE_NAME"
COLD_START = "ColdStart"
REFUSALS = "Refusals"

# (name, ((dimension, value),) or ()) -> how many, since the last flush.
_Key = tuple[str, tuple[tuple[str, str], ...]]
_counts: Counter[_Key] = Counter()
# Routes written as plain `def` run in a worker thread: counts may come from one.
_lock = threading.Lock()


def count(name: str, **dimension: str) -> None:
    """One more of metric `name`, with at most one dimension (`channel="sms"`)."""
    if len(dimension) > 1:
        raise ValueError(f"metric {name}: at most one dimension, got {sorted(dimension)}")
    with _lock:
        _counts[(name, tuple(dimension.items()))] += 1


def pending() -> dict[_Key, int]:
    """What `flush` would write now (tests)."""
    with _lock:
        return dict(_counts)


def clear() -> None:
    """Forget what was counted and not written (tests, between two)."""
    with _lock:
        _counts.clear()


def flush() -> None:
    """Write what was counted since the last flush, one EMF line per dimension set.

    A metric never fails the invocation that counted it: a line that cannot be
    written (no namespace, say) is logged and dropped."""
    if not _counts:  # the common case, checked without the lock
        return
    with _lock:
        counted = dict(_counts)
        _counts.clear()
    try:
        _write(counted)
    except Exception:
        get_logger().exception("metrics not written", metrics=sorted({k[0] for k in counted}))


def _write(counted: Mapping[_Key, int]) -> None:
    # Imported on first use: see the module's docstring.
    from aws_lambda_powertools.metrics import EphemeralMetrics, MetricUnit

    by_dimension: dict[tuple[tuple[str, str], ...], dict[str, int]] = {}
    for (name, dimension), number in counted.items():
        by_dimension.setdefault(dimension, {})[name] = number
    service = os.environ.get(SERVICE, "service")
    for dimension, values in sorted(by_dimension.items()):
        # Ephemeral: a set of its own (Powertools' Metrics share one per process).
        metrics = EphemeralMetrics(namespace=os.environ.get(NAMESPACE), service=service)
        metrics.add_dimension(name="service", value=service)
        for key, value in dimension:
            metrics.add_dimension(name=key, value=value)
        for name, number in sorted(values.items()):
            metrics.add_metric(name=name, unit=MetricUnit.Count, value=number)
        metrics.flush_metrics()


def cold_start(function_name: str) -> None:
    """Powertools' `ColdStart` metric (dimensions `function_name` and `service`, as
    `Metrics.add_cold_start_metric` writes it), written at once. Nothing without a
    namespace or a function name (a test, a script): no stack to count it in."""
    service = os.environ.get(SERVICE, "service")
    _write_now(COLD_START, {"function_name": function_name, "service": service})


def refused(function_name: str) -> None:
    """`Refusals` (dimension `function_name` alone, so an alarm on one function
    finds it by the name it knows): an invocation that failed on purpose
    (`invocation.Refusal`), written at once. The platform's alarm on the
    function's Errors subtracts it, so a caller who makes a function refuse
    at will cannot fire that alarm, page anyone, or roll a release back."""
    _write_now(REFUSALS, {"function_name": function_name})


def _write_now(name: str, dimensions: dict[str, str]) -> None:
    namespace = os.environ.get(NAMESPACE)
    if not namespace or not dimensions.get("function_name"):
        return
    line: dict[str, Any] = {
        "_aws": {
            "Timestamp": int(time.time() * 1000),
            "CloudWatchMetrics": [
                {
                    "Namespace": namespace,
                    "Dimensions": [list(dimensions)],
                    "Metrics": [{"Name": name, "Unit": "Count"}],
                }
            ],
        },
        **dimensions,
        name: [1.0],
    }
    sys.stdout.write(json.dumps(line, separators=(",", ":")) + "\n")
    sys.stdout.flush()


def preload() -> None:
    """Import what `flush` imports (before a SnapStart snapshot: restored instances
    then never pay for it)."""
    from aws_lambda_powertools.metrics import EphemeralMetrics

    del EphemeralMetrics
