"""One CloudWatch dashboard per stack: the API, every function, the table, the
services' business metrics, SMS and the alarms, top to bottom.

`dashboard_body` is a plain function of plain values (tested without Pulumi);
the component only waits for the ids it needs. The body follows CloudWatch's
"Dashboard Body Structure and Syntax": a 24-column grid of widgets, each metric
a `[namespace, name, dimension, value, ..., {options}]` array, or an
`{"expression": ...}` of metric math.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import pulumi
import pulumi_aws as aws

from infra.program.config import SmsConfig
from service_manifest import Metric

GRID_WIDTH = 24
HEIGHT = 6
PERIOD = 300
HOUR = 3600
# SMS straight to phone numbers (SNS developer guide, "Monitoring Amazon SNS
# topics using CloudWatch"); the same dimension the SMS alarm reads.
SMS_DIMENSIONS = ("PhoneNumber", "PhoneNumberDirect")


@dataclass(frozen=True)
class DashboardFunction:
    """A Lambda function as the dashboard shows it."""

    label: str  # "<service>.<function>", as `make dev` names it
    name: str  # its physical name (the FunctionName dimension)
    service: str


@dataclass(frozen=True)
class ServiceMetrics:
    service: str
    metrics: tuple[Metric, ...]


@dataclass(frozen=True)
class DashboardSpec:
    """Everything the dashboard shows, as plain values."""

    stack: str
    region: str
    api_id: str
    table_name: str
    # The stack's own CloudWatch namespace: business metrics and cold starts.
    namespace: str
    functions: tuple[DashboardFunction, ...]
    services: tuple[ServiceMetrics, ...]
    # The stack sends SMS: graph sends and the month's spend against its limits.
    sms_spend_limit: float | None = None
    sms_spend_alarm: float | None = None
    alarm_arns: tuple[str, ...] = ()


def dashboard_body(spec: DashboardSpec) -> dict[str, Any]:
    """The dashboard as CloudWatch's JSON body (a dict; `json.dumps` it)."""
    rows: list[list[dict[str, Any]]] = [
        [_text(_introduction(spec))],
        _api_row(spec),
        _function_row(spec, "Invocations", "Sum"),
        _function_row(spec, "Errors", "Sum"),
        _function_row(spec, "Throttles", "Sum"),
        _function_row(spec, "Duration", "p99"),
        [_cold_starts(spec)],
        _table_row(spec),
    ]
    rows += [[_business(spec, service)] for service in spec.services if service.metrics]
    if spec.sms_spend_limit is not None:
        rows.append(_sms_row(spec))
    if spec.alarm_arns:
        rows.append([_alarms(spec)])
    return {"start": "-PT12H", "periodOverride": "inherit", "widgets": _layout(rows)}


def _layout(rows: list[list[dict[str, Any]]]) -> list[dict[str, Any]]:
    """Each row's widgets side by side, sharing the grid's width; rows top to bottom."""
    widgets = []
    y = 0
    for row in rows:
        width = GRID_WIDTH // len(row)
        height = max(widget.pop("height", HEIGHT) for widget in row)
        for index, widget in enumerate(row):
            widgets.append({**widget, "x": index * width, "y": y, "width": width, "height": height})
        y += height
    return widgets


def _text(markdown: str, height: int = 2) -> dict[str, Any]:
    return {"type": "text", "height": height, "properties": {"markdown": markdown}}


def _graph(
    spec: DashboardSpec,
    title: str,
    metrics: list[list[Any]],
    *,
    stat: str = "Sum",
    period: int = PERIOD,
    **extra: Any,
) -> dict[str, Any]:
    return {
        "type": "metric",
        "properties": {
            "title": title,
            "region": spec.region,
            "view": "timeSeries",
            "stacked": False,
            "stat": stat,
            "period": period,
            "metrics": metrics,
            **extra,
        },
    }


def _introduction(spec: DashboardSpec) -> str:
    return (
        f"# serverless-backend `{spec.stack}`\n"
        "API, then each function, the table, each service's business metrics"
        + (", SMS" if spec.sms_spend_limit is not None else "")
        + " and the alarms. Every graph sums 5 minutes unless its title says otherwise;"
        " how to read it: docs/deploy.md, *The dashboard*."
    )


def _api_row(spec: DashboardSpec) -> list[dict[str, Any]]:
    def metric(name: str, **options: Any) -> list[Any]:
        return ["AWS/ApiGateway", name, "ApiId", spec.api_id, "Stage", "$default", options]

    return [
        _graph(spec, "API requests", [metric("Count", label="requests")]),
        _graph(
            spec,
            "API 4xx and 5xx answers",
            [
                metric("4xx", label="4xx", color="#ff7f0e"),
                metric("5xx", label="5xx", color="#d62728"),
            ],
        ),
        _graph(
            spec,
            "API latency (ms)",
            [
                metric("Latency", stat="p50", label="p50"),
                metric("Latency", stat="p99", label="p99"),
                metric("IntegrationLatency", stat="p99", label="p99 in the function"),
            ],
            stat="p50",
        ),
    ]


def _function_row(spec: DashboardSpec, metric: str, stat: str) -> list[dict[str, Any]]:
    """One graph of this Lambda metric with a line per function."""
    lines = [
        ["AWS/Lambda", metric, "FunctionName", function.name, {"label": function.label}]
        for function in spec.functions
    ]
    unit = " (ms)" if metric == "Duration" else ""
    title = (
        f"Function {metric.lower()}{unit}, {stat}"
        if stat != "Sum"
        else f"Function {metric.lower()}"
    )
    return [_graph(spec, title, lines, stat=stat)]


def _cold_starts(spec: DashboardSpec) -> dict[str, Any]:
    """Powertools Metrics' ColdStart (dimensions function_name and service), one a
    cold start, in the stack's namespace."""
    lines = [
        [
            spec.namespace,
            "ColdStart",
            "function_name",
            function.name,
            "service",
            function.service,
            {"label": function.label},
        ]
        for function in spec.functions
    ]
    return _graph(spec, "Function cold starts", lines)


def _table_row(spec: DashboardSpec) -> list[dict[str, Any]]:
    def table(name: str, label: str) -> list[Any]:
        return ["AWS/DynamoDB", name, "TableName", spec.table_name, {"label": label}]

    return [
        _graph(
            spec,
            "Table consumed capacity (units)",
            [
                table("ConsumedReadCapacityUnits", "read"),
                table("ConsumedWriteCapacityUnits", "write"),
            ],
        ),
        _graph(
            spec,
            "Table throttled requests",
            [table("ReadThrottleEvents", "read"), table("WriteThrottleEvents", "write")],
        ),
    ]


def _business(spec: DashboardSpec, service: ServiceMetrics) -> dict[str, Any]:
    """A line per metric, or per value of its one dimension (each is its own metric
    in CloudWatch), labelled as service.toml names them."""
    lines: list[list[Any]] = []
    for metric in service.metrics:
        base = [spec.namespace, metric.name, "service", service.service]
        if metric.dimension is None:
            lines.append([*base, {"label": metric.name}])
            continue
        dimension, values = metric.dimension
        lines += [
            [*base, dimension, value, {"label": f"{metric.name} {value}"}] for value in values
        ]
    return _graph(spec, f"{service.service}: business metrics", lines)


def _sms_row(spec: DashboardSpec) -> list[dict[str, Any]]:
    sends = [
        ["AWS/SNS", name, *SMS_DIMENSIONS, {"label": label}]
        for name, label in (
            ("NumberOfNotificationsDelivered", "delivered"),
            ("NumberOfNotificationsFailed", "failed"),
        )
    ]
    limits = [{"label": "monthly spend limit (SNS stops)", "value": spec.sms_spend_limit}]
    if spec.sms_spend_alarm is not None:
        limits.append({"label": "spend alarm", "value": spec.sms_spend_alarm})
    return [
        _graph(spec, "SMS sends per hour", sends, period=HOUR),
        _graph(
            spec,
            "SMS spend this month (USD, account and region)",
            [["AWS/SNS", "SMSMonthToDateSpentUSD", {"label": "spent"}]],
            stat="Maximum",
            period=HOUR,
            annotations={"horizontal": limits},
        ),
    ]


def _alarms(spec: DashboardSpec) -> dict[str, Any]:
    return {
        "type": "alarm",
        "properties": {
            "title": "Alarms (red: in alarm now)",
            "alarms": sorted(spec.alarm_arns),
            "sortBy": "stateUpdatedTimestamp",
        },
    }


@dataclass(frozen=True)
class DashboardArgs:
    name: str
    stack: str
    region: str
    api_id: pulumi.Input[str]
    table_name: pulumi.Input[str]
    namespace: str
    functions: Sequence[DashboardFunction]
    services: Sequence[ServiceMetrics]
    # The stack's SMS settings, where it sends SMS.
    sms: SmsConfig | None = None
    # Empty where the stack has no alarms.
    alarm_arns: Sequence[pulumi.Input[str]] = ()


class Dashboard(pulumi.ComponentResource):
    dashboard: aws.cloudwatch.Dashboard

    def __init__(
        self, name: str, args: DashboardArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("serverless-backend:platform:Dashboard", name, None, opts)

        sms = args.sms

        def body(resolved: list[Any]) -> str:
            api_id, table_name, *alarm_arns = resolved
            spec = DashboardSpec(
                stack=args.stack,
                region=args.region,
                api_id=str(api_id),
                table_name=str(table_name),
                namespace=args.namespace,
                functions=tuple(args.functions),
                services=tuple(args.services),
                sms_spend_limit=sms.monthly_spend_limit if sms else None,
                # The SMS spend alarm exists where the stack's alarms do.
                sms_spend_alarm=sms.alarm_month_to_date_spend if sms and alarm_arns else None,
                alarm_arns=tuple(str(arn) for arn in alarm_arns),
            )
            return json.dumps(dashboard_body(spec), sort_keys=True)

        self.dashboard = aws.cloudwatch.Dashboard(
            f"{name}-dashboard",
            dashboard_name=args.name,
            dashboard_body=pulumi.Output.all(args.api_id, args.table_name, *args.alarm_arns).apply(
                body
            ),
            opts=pulumi.ResourceOptions(parent=self),
        )
        self.register_outputs({"dashboard_name": self.dashboard.dashboard_name})
