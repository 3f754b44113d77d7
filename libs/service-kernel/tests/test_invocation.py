"""Every invocation, of the HTTP API's handler or of a decorated entry point: the Lambda
context in its logs, the cold start counted on an instance's first, the business
metrics it counted written at its end, also when it failed."""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi import FastAPI

from service_kernel import lambda_function, lambda_handler, metrics
from service_kernel.invocation import Refusal
from service_kernel.log import get_logger, mark_next_invocation_cold
from service_kernel.metrics import count
from service_kernel.testing import Emitted, LambdaContext, emitted_metrics, http_event

NAMESPACE = "serverless-backend/test"


class Refused(Refusal):
    """What a trigger raises to say no."""


FUNCTION = "serverless-backend-test-kernel-trigger"


@pytest.fixture(autouse=True)
def stack(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """The stack's namespace and the service, as the platform sets them; the next
    invocation is a warm one unless a test says otherwise."""
    monkeypatch.setenv(metrics.NAMESPACE, NAMESPACE)
    monkeypatch.setenv(metrics.SERVICE, "kernel-test")
    metrics.clear()
    lambda_function(lambda event, context: None)({}, LambdaContext())  # spends the cold start
    yield
    metrics.clear()


@lambda_function
def trigger(event: dict[str, Any], _context: Any) -> dict[str, Any]:
    """A Cognito trigger, say: counts what it did, logs, and may fail."""
    count("Things", kind=event["kind"])
    get_logger().info("trigger ran")
    if event.get("fail"):
        raise RuntimeError("refused")
    return event


def test_a_decorated_handler_writes_what_it_counted_at_its_end(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert trigger({"kind": "a"}, LambdaContext(function_name=FUNCTION)) == {"kind": "a"}

    assert emitted_metrics(capsys.readouterr().out) == [
        Emitted(NAMESPACE, "Things", {"service": "kernel-test", "kind": "a"}, 1)
    ]


def test_what_a_failed_invocation_counted_is_written_too(
    capsys: pytest.CaptureFixture[str],
) -> None:
    with pytest.raises(RuntimeError, match="refused"):
        trigger({"kind": "b", "fail": True}, LambdaContext(function_name=FUNCTION))

    assert [m.name for m in emitted_metrics(capsys.readouterr().out)] == ["Things"]
    assert metrics.pending() == {}


def test_an_instances_first_invocation_counts_a_cold_start_and_the_next_does_not(
    capsys: pytest.CaptureFixture[str],
) -> None:
    mark_next_invocation_cold()

    trigger({"kind": "a"}, LambdaContext(function_name=FUNCTION))
    trigger({"kind": "a"}, LambdaContext(function_name=FUNCTION))

    cold_starts = [m for m in emitted_metrics(capsys.readouterr().out) if m.name == "ColdStart"]
    assert cold_starts == [
        Emitted(NAMESPACE, "ColdStart", {"function_name": FUNCTION, "service": "kernel-test"}, 1)
    ]


def test_a_refusal_is_counted_as_one_so_the_errors_alarm_can_leave_it_out(
    capsys: pytest.CaptureFixture[str],
) -> None:
    @lambda_function
    def refusing(event: dict[str, Any], context: Any) -> dict[str, Any]:
        raise Refused("not sent")

    with pytest.raises(Refused):
        refusing({}, LambdaContext(function_name=FUNCTION))
    with pytest.raises(RuntimeError):
        trigger({"kind": "b", "fail": True}, LambdaContext(function_name=FUNCTION))

    refusals = [m for m in emitted_metrics(capsys.readouterr().out) if m.name == "Refusals"]
    # Only the refusal: an error nobody meant stays an error.
    assert refusals == [Emitted(NAMESPACE, "Refusals", {"function_name": FUNCTION}, 1)]


def test_a_decorated_handler_logs_with_its_lambda_context(log_output: io.StringIO) -> None:
    context = LambdaContext(function_name=FUNCTION, aws_request_id="req-7")

    trigger({"kind": "a"}, context)

    (line,) = [json.loads(text) for text in log_output.getvalue().splitlines()]
    assert line["message"] == "trigger ran"
    assert (line["function_name"], line["function_request_id"]) == (FUNCTION, "req-7")
    assert line["cold_start"] is False


def test_a_decorated_handler_keeps_its_name() -> None:
    assert trigger.__name__ == "trigger"


def counting_app() -> FastAPI:
    from service_kernel import create_app

    app = create_app("kernel-test", "0.0.0")

    @app.post("/things/{kind}")
    async def make(kind: str) -> dict[str, str]:
        count("ThingsMade", kind=kind)
        return {"kind": kind}

    @app.post("/broken")
    async def broken() -> None:
        count("ThingsMade", kind="broken")
        raise RuntimeError("boom")

    @app.get("/things")
    async def read() -> list[str]:
        return []

    return app


@pytest.fixture(scope="module")
def api() -> Any:
    return lambda_handler(counting_app())


def test_the_api_handler_writes_a_routes_metrics_once_answered(
    api: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    response = api(http_event("POST", "/things/gadget"), LambdaContext())

    assert response["statusCode"] == 200
    assert emitted_metrics(capsys.readouterr().out) == [
        Emitted(NAMESPACE, "ThingsMade", {"service": "kernel-test", "kind": "gadget"}, 1)
    ]


def test_the_api_handler_writes_them_on_a_500_too(
    api: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    response = api(http_event("POST", "/broken"), LambdaContext())

    assert response["statusCode"] == 500
    assert [m.dimensions["kind"] for m in emitted_metrics(capsys.readouterr().out)] == ["broken"]


def test_a_request_that_counts_nothing_writes_no_metric(
    api: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    api(http_event("GET", "/things"), LambdaContext())

    assert emitted_metrics(capsys.readouterr().out) == []
