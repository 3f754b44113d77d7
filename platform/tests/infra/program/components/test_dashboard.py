"""The stack's CloudWatch dashboard, rendered to JSON from each committed snapshot and
held to CloudWatch's dashboard body format and to what the dashboard must show."""

from __future__ import annotations

import json
from typing import Any

import pytest
import yaml

from infra.offline.declared import DeclaredStack
from infra.offline.snapshot import snapshot_path
from infra.program.components.dashboard import (
    GRID_WIDTH,
    DashboardFunction,
    DashboardSpec,
    ServiceMetrics,
    dashboard_body,
)
from infra.program.stack_files import stack_config, stacks
from service_manifest import Manifest, Metric

Line = tuple[str, str, tuple[tuple[str, str], ...], str | None]


def _snapshot(stack: str) -> dict[str, Any]:
    document: dict[str, Any] = yaml.safe_load(snapshot_path(stack).read_text())
    return document


def _of_type(snapshot: dict[str, Any], token: str) -> list[dict[str, Any]]:
    return [r for r in snapshot["resources"] if r["type"] == token]


def rendered(stack: str) -> dict[str, Any]:
    """The dashboard body as CloudWatch receives it: the snapshot's (parsed) body, as JSON."""
    (dashboard,) = _of_type(_snapshot(stack), "aws:cloudwatch/dashboard:Dashboard")
    text = json.dumps(dashboard["inputs"]["dashboardBody"], sort_keys=True)
    body: dict[str, Any] = json.loads(text)
    return body


def lines(body: dict[str, Any]) -> list[Line]:
    """Every metric line of every graph: (namespace, name, dimensions, stat or None)."""
    found = []
    for widget in body["widgets"]:
        if widget["type"] != "metric":
            continue
        for metric in widget["properties"]["metrics"]:
            options = metric[-1] if isinstance(metric[-1], dict) else {}
            names = metric[:-1] if isinstance(metric[-1], dict) else metric
            namespace, name, *pairs = names
            dimensions = tuple(sorted(zip(pairs[::2], pairs[1::2], strict=True)))
            stat = options.get("stat", widget["properties"].get("stat"))
            found.append((namespace, name, dimensions, stat))
    return found


@pytest.mark.parametrize("stack", stacks())
def test_the_body_is_a_cloudwatch_dashboard_body(stack: str) -> None:
    body = rendered(stack)
    region = stack_config(stack).region

    assert 0 < len(body["widgets"]) <= 500
    taken: set[tuple[int, int]] = set()
    for widget in body["widgets"]:
        assert widget["type"] in {"metric", "text", "alarm"}
        assert widget["x"] >= 0
        assert widget["x"] + widget["width"] <= GRID_WIDTH
        cells = {
            (x, y)
            for x in range(widget["x"], widget["x"] + widget["width"])
            for y in range(widget["y"], widget["y"] + widget["height"])
        }
        assert not cells & taken, widget  # no two widgets overlap
        taken |= cells
        properties = widget["properties"]
        if widget["type"] == "metric":
            assert properties["region"] == region
            assert 1 <= len(properties["metrics"]) <= 100
            assert properties["title"]
            for metric in properties["metrics"]:
                names = metric[:-1] if isinstance(metric[-1], dict) else metric
                assert all(isinstance(part, str) for part in names)
                assert len(names) % 2 == 0, metric  # namespace, name, then dimension pairs
    # PutDashboard takes a body of at most 1 MB.
    assert len(json.dumps(body)) < 1_000_000


@pytest.mark.parametrize("stack", stacks())
def test_the_api_is_graphed_requests_errors_and_latency(stack: str) -> None:
    snapshot = _snapshot(stack)
    (api,) = _of_type(snapshot, "aws:apigatewayv2/authorizer:Authorizer")
    dimensions = (("ApiId", api["inputs"]["apiId"]), ("Stage", "$default"))
    graphed = {(n, s) for ns, n, d, s in lines(rendered(stack)) if ns == "AWS/ApiGateway"}
    assert all(
        d == tuple(sorted(dimensions))
        for ns, _, d, _ in lines(rendered(stack))
        if ns == "AWS/ApiGateway"
    )

    assert {("Count", "Sum"), ("4xx", "Sum"), ("5xx", "Sum")} <= graphed
    assert {("Latency", "p50"), ("Latency", "p99")} <= graphed


@pytest.mark.parametrize("stack", stacks())
def test_every_function_is_graphed(stack: str) -> None:
    snapshot = _snapshot(stack)
    body = lines(rendered(stack))
    namespace = f"serverless-backend/{stack}"
    functions = _of_type(snapshot, "aws:lambda/function:Function")

    assert functions
    for function in functions:
        name, service = function["inputs"]["name"], function["inputs"]["tags"]["service"]
        by_name = (("FunctionName", name),)
        for metric in ("Invocations", "Errors", "Throttles", "Duration"):
            graphed = [line for line in body if line[:3] == ("AWS/Lambda", metric, by_name)]
            assert graphed, (name, metric)
        # Powertools Metrics' ColdStart, in the stack's namespace.
        cold = (namespace, "ColdStart", (("function_name", name), ("service", service)), "Sum")
        assert cold in body, name


@pytest.mark.parametrize("stack", stacks())
def test_the_table_is_graphed_consumed_capacity_and_throttles(stack: str) -> None:
    table = (("TableName", f"serverless-backend-{stack}"),)
    graphed = {(n, d) for ns, n, d, _ in lines(rendered(stack)) if ns == "AWS/DynamoDB"}

    assert graphed == {
        (metric, table)
        for metric in (
            "ConsumedReadCapacityUnits",
            "ConsumedWriteCapacityUnits",
            "ReadThrottleEvents",
            "WriteThrottleEvents",
        )
    }


@pytest.mark.parametrize("stack", stacks())
def test_every_business_metric_the_services_declare_is_graphed(
    stack: str, manifests: tuple[Manifest, ...]
) -> None:
    body = lines(rendered(stack))
    namespace = f"serverless-backend/{stack}"

    declared = [(m.name, metric) for m in manifests for metric in m.metrics]
    assert {metric.name for _, metric in declared} >= {"CodesSent", "CodesFailed", "ItemsCreated"}
    for service, metric in declared:
        expected: list[tuple[tuple[str, str], ...]]
        if metric.dimension is None:
            expected = [(("service", service),)]
        else:
            key, values = metric.dimension
            expected = [tuple(sorted((("service", service), (key, v)))) for v in values]
        for dimensions in expected:
            assert (namespace, metric.name, dimensions, "Sum") in body, (metric.name, dimensions)


@pytest.mark.parametrize("stack", stacks())
def test_sms_sends_and_spend_are_graphed_against_the_limits(stack: str) -> None:
    body = rendered(stack)
    config = stack_config(stack)
    sms = {(n, d, s) for ns, n, d, s in lines(body) if ns == "AWS/SNS"}
    direct = (("PhoneNumber", "PhoneNumberDirect"),)

    assert sms == {
        ("NumberOfNotificationsDelivered", direct, "Sum"),
        ("NumberOfNotificationsFailed", direct, "Sum"),
        ("SMSMonthToDateSpentUSD", (), "Maximum"),
    }
    (spend,) = [w for w in body["widgets"] if "spend" in w["properties"].get("title", "")]
    marks = {a["value"] for a in spend["properties"]["annotations"]["horizontal"]}
    assert marks == {config.sms.monthly_spend_limit, config.sms.alarm_month_to_date_spend}


@pytest.mark.parametrize("stack", stacks())
def test_the_alarms_widget_shows_every_alarm_of_the_stack(stack: str) -> None:
    snapshot = _snapshot(stack)
    (widget,) = [w for w in rendered(stack)["widgets"] if w["type"] == "alarm"]
    names = {
        a["inputs"]["name"] for a in _of_type(snapshot, "aws:cloudwatch/metricAlarm:MetricAlarm")
    }

    assert {arn.rsplit(":", 1)[1] for arn in widget["properties"]["alarms"]} == names
    assert len(widget["properties"]["alarms"]) <= 100  # an alarm widget's limit


def test_the_dashboards_name_is_a_stack_output(declared: DeclaredStack) -> None:
    dashboard = declared.one("aws:cloudwatch/dashboard:Dashboard")

    assert declared.outputs["dashboard_name"] == dashboard.inputs["dashboardName"]
    assert declared.outputs["dashboard_name"] == f"serverless-backend-{declared.stack}"


def _spec(**changes: Any) -> DashboardSpec:
    values: dict[str, Any] = {
        "stack": "test",
        "region": "eu-west-1",
        "api_id": "api",
        "table_name": "table",
        "namespace": "ns",
        "functions": (DashboardFunction("svc.api", "fn", "svc"),),
        "services": (ServiceMetrics("svc", (Metric("Things", "things"),)),),
        **changes,
    }
    return DashboardSpec(**values)


def test_a_stack_without_sms_or_alarms_gets_neither_row() -> None:
    body = dashboard_body(_spec())

    assert not [ns for ns, *_ in lines(body) if ns == "AWS/SNS"]
    assert not [w for w in body["widgets"] if w["type"] == "alarm"]
    assert ("ns", "Things", (("service", "svc"),), "Sum") in lines(body)


def test_a_service_without_business_metrics_gets_no_graph() -> None:
    body = dashboard_body(_spec(services=(ServiceMetrics("quiet", ()),)))

    assert not [w for w in body["widgets"] if "quiet" in w["properties"].get("title", "")]
