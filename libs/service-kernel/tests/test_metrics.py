"""Business metrics: counted during an invocation, written at its end as CloudWatch
EMF lines on stdout (Powertools Metrics), in the stack's namespace with `service`
and at most one more dimension; and the cold start's line, written without Powertools.

As Powertools' docs test metrics: the output captured (capsys), the metric set
reset between tests (the `counts` fixture)."""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from typing import Any

import pytest

from service_kernel import metrics
from service_kernel.testing import Emitted, LambdaContext, emitted_metrics

NAMESPACE = "serverless-backend/test"


@pytest.fixture(autouse=True)
def counts(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Nothing counted before or after a test; the stack's namespace and the service set."""
    monkeypatch.setenv(metrics.NAMESPACE, NAMESPACE)
    monkeypatch.setenv(metrics.SERVICE, "auth")
    metrics.clear()
    yield
    metrics.clear()


def emf_lines(output: str) -> list[dict[str, Any]]:
    return [json.loads(line) for line in output.splitlines() if line.startswith('{"_aws"')]


def test_a_count_is_written_when_flushed_in_the_namespace_with_its_service_and_dimension(
    capsys: pytest.CaptureFixture[str],
) -> None:
    metrics.count("CodesSent", channel="sms")
    assert capsys.readouterr().out == ""  # noted, not yet written

    metrics.flush()

    (line,) = emf_lines(capsys.readouterr().out)
    (directive,) = line["_aws"]["CloudWatchMetrics"]
    assert directive["Namespace"] == NAMESPACE
    assert directive["Dimensions"] == [["service", "channel"]]
    assert directive["Metrics"] == [{"Name": "CodesSent", "Unit": "Count"}]
    assert (line["service"], line["channel"], line["CodesSent"]) == ("auth", "sms", [1.0])


def test_counts_of_one_metric_add_up_and_each_dimension_set_is_its_own_line(
    capsys: pytest.CaptureFixture[str],
) -> None:
    metrics.count("CodesSent", channel="sms")
    metrics.count("CodesSent", channel="sms")
    metrics.count("CodesSent", channel="email")
    metrics.count("CodesFailed")
    metrics.count("Lockouts")

    metrics.flush()

    output = capsys.readouterr().out
    assert len(emf_lines(output)) == 3  # {service}, {service, channel=email}, {…=sms}
    assert sorted(emitted_metrics(output), key=lambda m: (m.name, str(m.dimensions))) == [
        Emitted(NAMESPACE, "CodesFailed", {"service": "auth"}, 1),
        Emitted(NAMESPACE, "CodesSent", {"service": "auth", "channel": "email"}, 1),
        Emitted(NAMESPACE, "CodesSent", {"service": "auth", "channel": "sms"}, 2),
        Emitted(NAMESPACE, "Lockouts", {"service": "auth"}, 1),
    ]


def test_a_flush_writes_each_count_once(capsys: pytest.CaptureFixture[str]) -> None:
    metrics.count("ItemsCreated")
    metrics.flush()
    metrics.flush()

    assert len(emitted_metrics(capsys.readouterr().out)) == 1
    assert metrics.pending() == {}


def test_nothing_counted_writes_nothing(capsys: pytest.CaptureFixture[str]) -> None:
    metrics.flush()

    assert capsys.readouterr().out == ""


def test_a_metric_takes_at_most_one_dimension() -> None:
    with pytest.raises(ValueError, match="at most one dimension"):
        metrics.count("SignIns", method="code", channel="sms")
    assert metrics.pending() == {}


def test_a_line_that_cannot_be_written_is_logged_and_dropped_never_raised(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], log_output: io.StringIO
) -> None:
    monkeypatch.delenv(metrics.NAMESPACE)  # Powertools refuses a line without a namespace
    metrics.count("ItemsCreated")

    metrics.flush()

    assert emitted_metrics(capsys.readouterr().out) == []
    (logged,) = [json.loads(line) for line in log_output.getvalue().splitlines()]
    assert logged["message"] == "metrics not written"
    assert logged["metrics"] == ["ItemsCreated"]
    assert metrics.pending() == {}


def test_the_cold_start_line_is_the_one_powertools_writes(
    capsys: pytest.CaptureFixture[str],
) -> None:
    from aws_lambda_powertools.metrics.provider.cloudwatch_emf.cloudwatch import (
        AmazonCloudWatchEMFProvider,
    )

    context: Any = LambdaContext(function_name="serverless-backend-test-auth-api")
    # What Powertools' `log_metrics(capture_cold_start_metric=True)` writes.
    AmazonCloudWatchEMFProvider(namespace=NAMESPACE, service="auth").add_cold_start_metric(context)
    (theirs,) = emf_lines(capsys.readouterr().out)

    metrics.cold_start("serverless-backend-test-auth-api")

    (ours,) = emf_lines(capsys.readouterr().out)
    assert abs(ours["_aws"].pop("Timestamp") - theirs["_aws"].pop("Timestamp")) < 5_000
    assert ours == theirs


def test_no_cold_start_line_without_a_namespace_or_a_function(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    metrics.cold_start("")
    monkeypatch.delenv(metrics.NAMESPACE)
    metrics.cold_start("serverless-backend-test-auth-api")

    assert capsys.readouterr().out == ""
