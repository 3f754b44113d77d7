"""What `make dev` prints of what a function writes: its lines prefixed with its name,
and a business metric (a CloudWatch EMF line) as one short line per metric."""

from __future__ import annotations

import io
import json
from typing import Any

from local_runtime.console import Console, metric_lines


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


def printed(function: str, text: str) -> str:
    out = io.StringIO()
    Console(out).function_log(function, text)
    return out.getvalue()


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
    log = '{"level":"INFO","message":"request","status":200}'

    assert printed("items.api", log) == f"[items.api] {log}\n"
    assert printed("items.api", '{"_aws": not json') == '[items.api] {"_aws": not json\n'
    assert printed("items.api", '{"_aws":{}}') == '[items.api] {"_aws":{}}\n'
