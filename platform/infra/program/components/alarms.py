"""CloudWatch alarms from the stack config, all sent to one SNS topic."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import pulumi
import pulumi_aws as aws

from infra.program.config import AlarmsConfig, SmsConfig
from service_manifest import Metric


@dataclass(frozen=True)
class MetricAlarm:
    """A service's business metric to alarm on when its hourly sum exceeds `threshold`."""

    service: str
    metric: Metric
    threshold: int


@dataclass(frozen=True)
class AlarmsArgs:
    topic_name: str
    settings: AlarmsConfig
    api_id: pulumi.Input[str]
    table_name: pulumi.Input[str]
    # Logical name suffix (e.g. "health-api") → the Lambda function's name.
    function_names: Mapping[str, pulumi.Input[str]]
    # The same suffix → the function's timeout in seconds (its latency alarm's scale).
    function_timeouts: Mapping[str, int] = field(default_factory=dict)
    # The stack's SMS settings, where it sends SMS: its hourly sends and the
    # month's spend so far are alarmed on.
    sms: SmsConfig | None = None
    # The stack's CloudWatch namespace, where the services' business metrics are.
    namespace: str = ""
    metric_alarms: Sequence[MetricAlarm] = ()


# SMS published straight to phone numbers (not through a topic) are counted
# in AWS/SNS under the dimension PhoneNumber=PhoneNumberDirect (SNS developer
# guide, "Monitoring Amazon SNS topics using CloudWatch": NumberOfNotifications
# Delivered / Failed, "PhoneNumber ... when you publish SMS directly to phone
# numbers"). Delivered plus failed is every send attempted.
SMS_DIMENSIONS = {"PhoneNumber": "PhoneNumberDirect"}
SMS_METRICS = ("NumberOfNotificationsDelivered", "NumberOfNotificationsFailed")
# The charges for SMS since the month began, account-wide in the region, no
# dimension; its statistic is Maximum (SNS developer guide, same page).
SMS_SPEND_METRIC = "SMSMonthToDateSpentUSD"
HOUR = 3600
# A function's latency alarm: its p99 Duration at this share of its timeout.
LATENCY_SHARE = 0.8
# The account's SES reputation, as fractions, no dimension (SES developer guide,
# "Sending review process FAQs": review from a bounce rate of 5% and a complaint
# rate of 0.1%; "Creating reputation monitoring alarms using CloudWatch"). Bounces
# from random addresses (a sign-up for an address nobody owns) can get the account's
# sending paused, and with it every sign-in code: alarm at half those rates.
SES_REPUTATION = {
    "Reputation.BounceRate": ("bounce", 0.025),
    "Reputation.ComplaintRate": ("complaint", 0.0005),
}


class Alarms(pulumi.ComponentResource):
    topic: aws.sns.Topic
    # Every alarm's ARN (the dashboard shows their states).
    alarm_arns: list[pulumi.Output[str]]
    # Logical name suffix → the names of the function's error and latency alarms, which
    # watch a release of it (infra.operations.release rolls back when one fires).
    release_alarms: dict[str, list[pulumi.Output[str]]]

    def __init__(
        self, name: str, args: AlarmsArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("serverless-backend:platform:Alarms", name, None, opts)
        self._name = name
        self._args = args
        self.topic = aws.sns.Topic(
            f"{name}-topic", name=args.topic_name, opts=pulumi.ResourceOptions(parent=self)
        )
        self.alarm_arns = []
        self.release_alarms = {}
        if args.settings.email:
            aws.sns.TopicSubscription(
                f"{name}-email",
                topic=self.topic.arn,
                protocol="email",
                endpoint=args.settings.email,
                opts=pulumi.ResourceOptions(parent=self),
            )
        self._api_5xx_rate()
        self._function_errors_and_throttles()
        self._function_latency()
        self._table_throttles()
        if args.sms is not None:
            self._sms_sends(args.sms)
            self._sms_spend(args.sms)
        self._ses_reputation()
        for alarm in args.metric_alarms:
            self._business_metric(alarm)
        self.register_outputs({"topic_arn": self.topic.arn})

    def _api_5xx_rate(self) -> None:
        args, settings = self._args, self._args.settings
        self._alarm(
            f"{self._name}-api-5xx-rate",
            name=f"{args.topic_name}-api-5xx-rate",
            alarm_description="Share of API requests answered 5xx, in percent",
            comparison_operator="GreaterThanThreshold",
            threshold=settings.api_5xx_rate_percent,
            metric_queries=[
                _api_metric("errors", "5xx", args.api_id, settings.period_seconds),
                _api_metric("requests", "Count", args.api_id, settings.period_seconds),
                _expression("rate", "IF(requests > 0, 100 * errors / requests, 0)", "5xx rate (%)"),
            ],
            evaluation_periods=settings.evaluation_periods,
        )

    def _function_errors_and_throttles(self) -> None:
        settings = self._args.settings
        for suffix, function_name in sorted(self._args.function_names.items()):
            errors = self._alarm(
                f"{self._name}-{suffix}-errors",
                name=pulumi.Output.concat(function_name, "-errors"),
                alarm_description=(
                    "Lambda Errors of one function, less its refusals (errors on purpose)"
                ),
                comparison_operator="GreaterThanOrEqualToThreshold",
                threshold=settings.function_errors,
                metric_queries=_unmeant_errors(
                    function_name, self._args.namespace, settings.period_seconds
                ),
                evaluation_periods=settings.evaluation_periods,
            )
            self.release_alarms.setdefault(suffix, []).append(errors.name)
            self._alarm(
                f"{self._name}-{suffix}-throttles",
                name=pulumi.Output.concat(function_name, "-throttles"),
                alarm_description="Lambda Throttles of one function",
                namespace="AWS/Lambda",
                metric_name="Throttles",
                dimensions={"FunctionName": function_name},
                statistic="Sum",
                comparison_operator="GreaterThanOrEqualToThreshold",
                threshold=settings.function_throttles,
                period=settings.period_seconds,
                evaluation_periods=settings.evaluation_periods,
            )

    def _function_latency(self) -> None:
        """p99 Duration past LATENCY_SHARE of the function's timeout: slow enough that some
        invocations are about to time out (Lambda's Duration metric, in milliseconds)."""
        settings = self._args.settings
        for suffix, timeout in sorted(self._args.function_timeouts.items()):
            function_name = self._args.function_names[suffix]
            alarm = self._alarm(
                f"{self._name}-{suffix}-duration",
                name=pulumi.Output.concat(function_name, "-duration"),
                alarm_description=(
                    f"Lambda Duration p99 of one function above {LATENCY_SHARE:.0%} of its timeout"
                ),
                namespace="AWS/Lambda",
                metric_name="Duration",
                dimensions={"FunctionName": function_name},
                extended_statistic="p99",
                comparison_operator="GreaterThanOrEqualToThreshold",
                threshold=round(timeout * 1000 * LATENCY_SHARE),
                period=settings.period_seconds,
                evaluation_periods=settings.evaluation_periods,
            )
            self.release_alarms.setdefault(suffix, []).append(alarm.name)

    def _table_throttles(self) -> None:
        args, settings = self._args, self._args.settings
        period = settings.period_seconds
        self._alarm(
            f"{self._name}-table-throttles",
            name=f"{args.topic_name}-table-throttles",
            alarm_description="DynamoDB requests throttled on the shared table",
            comparison_operator="GreaterThanOrEqualToThreshold",
            threshold=settings.table_throttled_requests,
            metric_queries=[
                _table_metric("reads", "ReadThrottleEvents", args.table_name, period),
                _table_metric("writes", "WriteThrottleEvents", args.table_name, period),
                _expression("throttled", "reads + writes", "throttled requests"),
            ],
            evaluation_periods=settings.evaluation_periods,
        )

    def _sms_sends(self, sms: SmsConfig) -> None:
        self._alarm(
            f"{self._name}-sms-sends",
            name=f"{self._args.topic_name}-sms-sends",
            alarm_description="SMS sent to phone numbers in one hour, above normal",
            comparison_operator="GreaterThanThreshold",
            threshold=sms.alarm_sends_per_hour,
            metric_queries=[
                *(
                    _sum(f"m{index}", "AWS/SNS", metric, SMS_DIMENSIONS, HOUR)
                    for index, metric in enumerate(SMS_METRICS)
                ),
                _expression("sends", "m0 + m1", "SMS sends per hour"),
            ],
            evaluation_periods=1,
        )

    def _sms_spend(self, sms: SmsConfig) -> None:
        self._alarm(
            f"{self._name}-sms-spend",
            name=f"{self._args.topic_name}-sms-spend",
            alarm_description=(
                "SMS spend this month (USD, the account's in this region) above the "
                "alarm threshold, before SNS stops sending at the monthly limit"
            ),
            namespace="AWS/SNS",
            metric_name=SMS_SPEND_METRIC,
            statistic="Maximum",
            comparison_operator="GreaterThanThreshold",
            threshold=sms.alarm_month_to_date_spend,
            period=HOUR,
            evaluation_periods=1,
        )

    def _ses_reputation(self) -> None:
        """The codes and Cognito's own e-mails go through SES: its bounce and complaint
        rates, before SES pauses the account's sending."""
        for metric, (kind, threshold) in SES_REPUTATION.items():
            self._alarm(
                f"{self._name}-ses-{kind}-rate",
                name=f"{self._args.topic_name}-ses-{kind}-rate",
                alarm_description=(
                    f"SES {kind} rate (the account's) above {threshold:.2%}, half the rate "
                    "at which SES reviews the account and may pause its sending"
                ),
                namespace="AWS/SES",
                metric_name=metric,
                statistic="Maximum",
                comparison_operator="GreaterThanThreshold",
                threshold=threshold,
                period=HOUR,
                evaluation_periods=1,
            )

    def _business_metric(self, alarm: MetricAlarm) -> None:
        slug = f"{alarm.service}-{_kebab(alarm.metric.name)}"
        self._alarm(
            f"{self._name}-{slug}",
            name=f"{self._args.topic_name}-{slug}",
            alarm_description=f"{alarm.service}: {alarm.metric.description}, in one hour",
            comparison_operator="GreaterThanThreshold",
            threshold=alarm.threshold,
            metric_queries=_hourly_sum(self._args.namespace, alarm.service, alarm.metric),
            evaluation_periods=1,
        )

    def _alarm(self, resource_name: str, **arguments: Any) -> aws.cloudwatch.MetricAlarm:
        """An alarm of the stack's: to the topic when it fires and when it clears,
        no data counting as fine (a quiet hour is no alarm)."""
        actions = [self.topic.arn]
        alarm = aws.cloudwatch.MetricAlarm(
            resource_name,
            **arguments,
            alarm_actions=actions,
            ok_actions=actions,
            treat_missing_data="notBreaching",
            opts=pulumi.ResourceOptions(parent=self),
        )
        self.alarm_arns.append(alarm.arn)
        return alarm


def _kebab(name: str) -> str:
    """`CodesFailed` → `codes-failed`."""
    return re.sub(r"(?<!^)(?=[A-Z])", "-", name).lower()


def _hourly_sum(
    namespace: str, service: str, metric: Metric
) -> list[aws.cloudwatch.MetricAlarmMetricQueryArgs]:
    """The metric's sum over an hour; one with a dimension is a metric per value in
    CloudWatch, so they are added up."""
    dimension_sets: list[dict[str, str]] = [{"service": service}]
    if metric.dimension is not None:
        key, values = metric.dimension
        dimension_sets = [{"service": service, key: value} for value in values]
    queries = [
        _sum(f"m{index}", namespace, metric.name, dimensions, HOUR)
        for index, dimensions in enumerate(dimension_sets)
    ]
    total = " + ".join(f"m{index}" for index in range(len(dimension_sets)))
    queries.append(_expression("total", total, f"{metric.name} per hour"))
    return queries


def _unmeant_errors(
    function_name: pulumi.Input[str], namespace: str, period: int
) -> list[aws.cloudwatch.MetricAlarmMetricQueryArgs]:
    """Lambda's Errors of the function less the kernel's `Refusals` of it: a
    Cognito trigger says no by failing (service_kernel.invocation.Refusal), and
    whoever can make it say no at will (any signed-in user can ask for an
    attribute's code) must not fire this alarm, page anyone or roll a release
    back. A period with no data in either counts as none."""
    return [
        _sum("errors", "AWS/Lambda", "Errors", {"FunctionName": function_name}, period),
        _sum("refusals", namespace, "Refusals", {"function_name": function_name}, period),
        _expression("unmeant", "FILL(errors, 0) - FILL(refusals, 0)", "errors not meant"),
    ]


def _sum(
    query_id: str,
    namespace: str,
    metric: str,
    dimensions: Mapping[str, pulumi.Input[str]],
    period: int,
) -> aws.cloudwatch.MetricAlarmMetricQueryArgs:
    """A metric's sum over each period, as one query of an alarm's metric math."""
    return aws.cloudwatch.MetricAlarmMetricQueryArgs(
        id=query_id,
        metric=aws.cloudwatch.MetricAlarmMetricQueryMetricArgs(
            namespace=namespace,
            metric_name=metric,
            dimensions=dict(dimensions),
            period=period,
            stat="Sum",
        ),
    )


def _expression(
    query_id: str, expression: str, label: str
) -> aws.cloudwatch.MetricAlarmMetricQueryArgs:
    """The metric math an alarm judges (the one query that returns data)."""
    return aws.cloudwatch.MetricAlarmMetricQueryArgs(
        id=query_id, expression=expression, label=label, return_data=True
    )


def _api_metric(
    query_id: str, metric: str, api_id: pulumi.Input[str], period: int
) -> aws.cloudwatch.MetricAlarmMetricQueryArgs:
    return _sum(query_id, "AWS/ApiGateway", metric, {"ApiId": api_id, "Stage": "$default"}, period)


def _table_metric(
    query_id: str, metric: str, table_name: pulumi.Input[str], period: int
) -> aws.cloudwatch.MetricAlarmMetricQueryArgs:
    return _sum(query_id, "AWS/DynamoDB", metric, {"TableName": table_name}, period)
