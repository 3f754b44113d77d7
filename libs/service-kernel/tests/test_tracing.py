"""X-Ray traces through Powertools Tracer: on only where the platform says so; then
every invocation is a `## handler` subsegment annotated with its cold start, its
service and its route (never its path), with each AWS SDK call a subsegment in it.

The traced function runs in its own process (tests/traced_function.py) with the X-Ray
SDK's emitter kept in memory: nothing is sent anywhere."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from service_kernel.tracing import enabled

TRACED_FUNCTION = Path(__file__).with_name("traced_function.py")


@pytest.mark.parametrize(
    ("value", "on"),
    [("false", True), ("False", True), ("true", False), ("1", False), ("", False), (None, False)],
)
def test_traces_are_on_only_where_the_platform_says_trace_disabled_false(
    value: str | None, on: bool
) -> None:
    environ = {} if value is None else {"POWERTOOLS_TRACE_DISABLED": value}

    assert enabled(environ) is on


def flattened(entities: list[dict[str, Any]]) -> Iterator[dict[str, Any]]:
    """Each entity and the subsegments nested in it (the SDK streams some inside others)."""
    for entity in entities:
        yield entity
        yield from flattened(entity.get("subsegments", []))


@pytest.fixture(scope="module")
def traced(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """Two API invocations (a cold one, a warm one) and a trigger's, traced."""
    folder = tmp_path_factory.mktemp("traced")
    environment = {
        **os.environ,
        "POWERTOOLS_TRACE_DISABLED": "false",
        "POWERTOOLS_SERVICE_NAME": "kernel-test",
        # What Lambda sets, and Tracer and the X-Ray SDK look for.
        "LAMBDA_TASK_ROOT": str(folder),
        "AWS_LAMBDA_FUNCTION_NAME": "serverless-backend-test-kernel-api",
    }
    environment.pop("POWERTOOLS_METRICS_NAMESPACE", None)
    out = folder / "trace.json"
    subprocess.run(
        [sys.executable, str(TRACED_FUNCTION), str(out)],
        env=environment,
        cwd=folder,
        check=True,
        timeout=120,
    )
    result: dict[str, Any] = json.loads(out.read_text())
    result["entities"] = list(flattened(result["entities"]))
    return result


def handler_subsegments(traced: dict[str, Any]) -> list[dict[str, Any]]:
    found = [e for e in traced["entities"] if e["name"] == "## handler"]
    return sorted(found, key=lambda e: e["start_time"])


def test_each_invocation_is_a_handler_subsegment_of_lambdas_trace(traced: dict[str, Any]) -> None:
    subsegments = handler_subsegments(traced)

    assert len(subsegments) == 3
    for subsegment, header in zip(subsegments, traced["headers"], strict=True):
        root, parent, _ = (part.split("=", 1)[1] for part in header.split(";"))
        assert (subsegment["trace_id"], subsegment["parent_id"]) == (root, parent)
        assert subsegment["type"] == "subsegment"


def test_the_handler_subsegment_marks_the_cold_start_and_names_the_service(
    traced: dict[str, Any],
) -> None:
    cold, warm, trigger = handler_subsegments(traced)

    assert cold["annotations"]["ColdStart"] is True
    assert warm["annotations"]["ColdStart"] is False
    assert trigger["annotations"]["ColdStart"] is False
    assert {s["annotations"]["Service"] for s in (cold, warm, trigger)} == {"kernel-test"}


def test_the_route_is_annotated_as_the_gateway_matched_it_never_the_path(
    traced: dict[str, Any],
) -> None:
    cold, warm, trigger = handler_subsegments(traced)

    assert cold["annotations"]["Route"] == warm["annotations"]["Route"] == "GET /items/{item_id}"
    assert "Route" not in trigger["annotations"]  # not an HTTP API event
    handlers = json.dumps([cold, warm, trigger])
    assert "secret-id" not in handlers  # no path, no response body


def test_an_aws_sdk_call_is_a_subsegment_of_the_handlers(traced: dict[str, Any]) -> None:
    cold, warm, _ = handler_subsegments(traced)
    calls = [e for e in traced["entities"] if e.get("namespace") == "aws"]

    assert [call["name"] for call in calls] == ["dynamodb", "dynamodb"]
    assert [call["aws"]["operation"] for call in calls] == ["GetItem", "GetItem"]
    assert [call["aws"]["table_name"] for call in calls] == ["app-table", "app-table"]
    assert sorted(call["parent_id"] for call in calls) == sorted([cold["id"], warm["id"]])
