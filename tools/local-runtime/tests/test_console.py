"""What `make dev` prints: one short line per request, a function's log lines
compact (whole with VERBOSE=1), a business metric (a CloudWatch EMF line) as one
short line per metric, and what is not modeled as a count per kind."""

from __future__ import annotations

import io
import json
from typing import Any

from local_runtime.console import MOST_CHARACTERS, Console, metric_lines
from local_runtime.model import NotModeled


def emf(dimensions: list[str], values: dict[str, Any], **keys: str) -> str:
    """An EMF line as Powertools Metrics writes it."""
    document = {
        "_aws": {
            "Timestamp": 1_795_000_000_000,
            "CloudWatchMetrics": [
                {
                    "Namespace": "serverless-backend/dev",
                    "Dimensions": [dimensions],
                    "Metrics": [{"Name": name, "Unit": "Count"} for name in values],
                }
            ],
        },
        **keys,
        **values,
    }
    return json.dumps(document, separators=(",", ":"))


def printed(function: str, text: str, *, verbose: bool = False) -> str:
    out = io.StringIO()
    Console(out, verbose=verbose).function_log(function, text)
    return out.getvalue()


def log_line(message: str, **keys: object) -> str:
    """A JSON line as the kernel's logger writes it (Powertools' keys)."""
    line = {
        "level": "INFO",
        "location": "_deliver:120",
        "message": message,
        "timestamp": "2026-12-07 18:56:08,305+0000",
        "cold_start": True,
        "function_request_id": "01fbd251-da50-4491-a720-3a9a042f423f",
        **keys,
        "service": "auth",
        "function_name": "serverless-backend-dev-auth-create-auth-challenge",
        "function_memory_size": "512",
        "function_arn": "arn:aws:lambda:eu-west-1:123456789012:function:x",
    }
    return json.dumps(line, separators=(",", ":"))


def test_a_metric_is_one_readable_line_with_its_own_dimension() -> None:
    line = emf(["service", "channel"], {"CodesSent": [1.0]}, service="auth", channel="sms")

    assert printed("auth.create_auth_challenge", line) == (
        "metric  auth.create_auth_challenge  CodesSent +1  channel=sms\n"
    )


def test_each_metric_of_a_line_is_a_line_of_its_own() -> None:
    line = emf(["service"], {"ItemsCreated": [2.0], "WriteConflicts": [1.0]}, service="items")

    assert printed("items.api", line) == (
        "metric  items.api  ItemsCreated +2\nmetric  items.api  WriteConflicts +1\n"
    )


def test_the_cold_start_shows_without_the_dimensions_the_name_already_says() -> None:
    line = emf(
        ["function_name", "service"],
        {"ColdStart": [1.0]},
        function_name="serverless-backend-dev-items-api",
        service="items",
    )

    assert metric_lines("items.api", line) == ["metric  items.api  ColdStart +1"]


def test_any_other_line_is_printed_as_it_is_after_the_functions_name() -> None:
    log = "Traceback (most recent call last):"

    assert printed("items.api", log) == f"[items.api] {log}\n"
    assert printed("items.api", '{"no": "message"}') == '[items.api] {"no": "message"}\n'
    assert printed("items.api", '{"_aws": not json') == '[items.api] {"_aws": not json\n'
    assert printed("items.api", '{"_aws":{}}') == '[items.api] {"_aws":{}}\n'


def test_a_request_is_one_short_line_of_method_path_status_ms_function_and_request_id() -> None:
    out = io.StringIO()
    Console(out).request(
        status=201,
        latency_ms=41.4,
        method="POST",
        path="/items",
        function="items.api",
        request_id="5f0c2a4e-0d7e-4a43-9d2b-1c1f1b0e9a11",
    )

    assert out.getvalue() == (
        "POST /items  201  41ms  items.api  5f0c2a4e-0d7e-4a43-9d2b-1c1f1b0e9a11\n"
    )


def test_a_functions_log_line_is_compact_level_logger_message_and_its_own_keys() -> None:
    line = log_line("code not sent: a test destination", delivery="sms")

    assert printed("auth.create_auth_challenge", line) == (
        "[auth.create_auth_challenge] INFO auth: code not sent: a test destination  delivery=sms\n"
    )


def test_with_verbose_a_functions_log_line_is_shown_whole() -> None:
    line = log_line("code not sent: a test destination", delivery="sms")

    assert printed("auth.api", line, verbose=True) == f"[auth.api] {line}\n"


def test_the_kernels_access_line_is_left_to_the_request_line() -> None:
    access = log_line(
        "request", method="GET", path="/healthz", route="/healthz", status=200, latency_ms=2.4
    )

    assert printed("health.api", access) == ""
    assert printed("health.api", access, verbose=True) == f"[health.api] {access}\n"


def test_a_long_compact_line_is_cut_and_an_exception_keeps_its_trace_below() -> None:
    trace = 'Traceback (most recent call last):\n  File "x.py", line 1\nKeyError: 1'
    line = log_line("unhandled error", detail="x" * 500, exception=trace, level="ERROR")

    head, *below = printed("items.api", line).splitlines()

    assert head.startswith("[items.api] ERROR auth: unhandled error  detail=xxx")
    assert len(head) == len("[items.api] ") + MOST_CHARACTERS
    assert head.endswith("…")
    assert below == [
        "    Traceback (most recent call last):",
        '      File "x.py", line 1',
        "    KeyError: 1",
    ]


def not_modeled(*types: str) -> list[NotModeled]:
    return [NotModeled(kind, f"{kind}-{n}", "not run here") for n, kind in enumerate(types)]


def test_what_is_not_modeled_is_a_count_per_kind() -> None:
    alarm, dashboard = (
        "aws:cloudwatch/metricAlarm:MetricAlarm",
        "aws:cloudwatch/dashboard:Dashboard",
    )
    policy = "aws:iam/policy:Policy"
    out = io.StringIO()

    Console(out).not_modeled(not_modeled(alarm, dashboard, alarm, policy, policy, alarm), [])

    assert out.getvalue() == (
        "not modeled locally: 3 metric alarms, 2 policies, 1 dashboard"
        " (make dev VERBOSE=1 lists each, and why)\n"
    )


def test_with_verbose_every_resource_not_modeled_is_named_with_why() -> None:
    out = io.StringIO()

    Console(out, verbose=True).not_modeled(not_modeled("aws:sns/topic:Topic"), [])

    assert out.getvalue() == (
        "not modeled locally (declared, but not run here):\n"
        "  aws:sns/topic:Topic x1 (aws:sns/topic:Topic-0): not run here\n"
    )
