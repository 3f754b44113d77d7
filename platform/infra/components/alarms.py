"""CloudWatch alarms from the stack config, all sent to one SNS topic."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from infra.config import AlarmsConfig


@dataclass(frozen=True)
class AlarmsArgs:
    topic_name: str
    settings: AlarmsConfig
    api_id: pulumi.Input[str]
    table_name: pulumi.Input[str]
    # Logical name suffix (e.g. "health-api") → the Lambda function's name.
    function_names: Mapping[str, pulumi.Input[str]]
    # Alarm when more SMS than this go out in an hour (None: the stack sends none).
    sms_sends_per_hour: int | None = None


# SMS published straight to phone numbers (not through a topic) are counted
# in AWS/SNS under the dimension PhoneNumber=PhoneNumberDirect (SNS developer
# guide, "Monitoring Amazon SNS topics using CloudWatch": NumberOfNotifications
# Delivered / Failed, "PhoneNumber ... when you publish SMS directly to phone
# numbers"). Delivered plus failed is every send attempted.
SMS_DIMENSIONS = {"PhoneNumber": "PhoneNumberDirect"}
SMS_METRICS = ("NumberOfNotificationsDelivered", "NumberOfNotificationsFailed")
HOUR = 3600


class Alarms(pulumi.ComponentResource):
    topic: aws.sns.Topic

    def __init__(
        self, name: str, args: AlarmsArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("serverless-backend:platform:Alarms", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        settings = args.settings
        self.topic = aws.sns.Topic(f"{name}-topic", name=args.topic_name, opts=child)
        actions = [self.topic.arn]
        if settings.email:
            aws.sns.TopicSubscription(
                f"{name}-email",
                topic=self.topic.arn,
                protocol="email",
                endpoint=settings.email,
                opts=child,
            )
        aws.cloudwatch.MetricAlarm(
            f"{name}-api-5xx-rate",
            name=f"{args.topic_name}-api-5xx-rate",
            alarm_description="Share of API requests answered 5xx, in percent",
            comparison_operator="GreaterThanThreshold",
            threshold=settings.api_5xx_rate_percent,
            metric_queries=[
                _api_metric("errors", "5xx", args.api_id, settings.period_seconds),
                _api_metric("requests", "Count", args.api_id, settings.period_seconds),
                aws.cloudwatch.MetricAlarmMetricQueryArgs(
                    id="rate",
                    expression="IF(requests > 0, 100 * errors / requests, 0)",
                    label="5xx rate (%)",
                    return_data=True,
                ),
            ],
            evaluation_periods=settings.evaluation_periods,
            alarm_actions=actions,
            ok_actions=actions,
            treat_missing_data="notBreaching",
            opts=child,
        )
        for suffix, function_name in sorted(args.function_names.items()):
            for metric, threshold in (
                ("Errors", settings.function_errors),
                ("Throttles", settings.function_throttles),
            ):
                aws.cloudwatch.MetricAlarm(
                    f"{name}-{suffix}-{metric.lower()}",
                    name=pulumi.Output.concat(function_name, f"-{metric.lower()}"),
                    alarm_description=f"Lambda {metric} of one function",
                    namespace="AWS/Lambda",
                    metric_name=metric,
                    dimensions={"FunctionName": function_name},
                    statistic="Sum",
                    comparison_operator="GreaterThanOrEqualToThreshold",
                    threshold=threshold,
                    period=settings.period_seconds,
                    evaluation_periods=settings.evaluation_periods,
                    alarm_actions=actions,
                    ok_actions=actions,
                    treat_missing_data="notBreaching",
                    opts=child,
                )
        aws.cloudwatch.MetricAlarm(
            f"{name}-table-throttles",
            name=f"{args.topic_name}-table-throttles",
            alarm_description="DynamoDB requests throttled on the shared table",
            comparison_operator="GreaterThanOrEqualToThreshold",
            threshold=settings.table_throttled_requests,
            metric_queries=[
                _table_metric(
                    "reads", "ReadThrottleEvents", args.table_name, settings.period_seconds
                ),
                _table_metric(
                    "writes", "WriteThrottleEvents", args.table_name, settings.period_seconds
                ),
                aws.cloudwatch.MetricAlarmMetricQueryArgs(
                    id="throttled",
                    expression="reads + writes",
                    label="throttled requests",
                    return_data=True,
                ),
            ],
            evaluation_periods=settings.evaluation_periods,
            alarm_actions=actions,
            ok_actions=actions,
            treat_missing_data="notBreaching",
            opts=child,
        )
        if args.sms_sends_per_hour is not None:
            aws.cloudwatch.MetricAlarm(
                f"{name}-sms-sends",
                name=f"{args.topic_name}-sms-sends",
                alarm_description="SMS sent to phone numbers in one hour, above normal",
                comparison_operator="GreaterThanThreshold",
                threshold=args.sms_sends_per_hour,
                metric_queries=[
                    *(
                        aws.cloudwatch.MetricAlarmMetricQueryArgs(
                            id=f"m{index}",
                            metric=aws.cloudwatch.MetricAlarmMetricQueryMetricArgs(
                                namespace="AWS/SNS",
                                metric_name=metric,
                                dimensions=SMS_DIMENSIONS,
                                period=HOUR,
                                stat="Sum",
                            ),
                        )
                        for index, metric in enumerate(SMS_METRICS)
                    ),
                    aws.cloudwatch.MetricAlarmMetricQueryArgs(
                        id="sends",
                        expression="m0 + m1",
                        label="SMS sends per hour",
                        return_data=True,
                    ),
                ],
                evaluation_periods=1,
                alarm_actions=actions,
                ok_actions=actions,
                treat_missing_data="notBreaching",
                opts=child,
            )
        self.register_outputs({"topic_arn": self.topic.arn})


def _api_metric(
    query_id: str, metric: str, api_id: pulumi.Input[str], period: int
) -> aws.cloudwatch.MetricAlarmMetricQueryArgs:
    return aws.cloudwatch.MetricAlarmMetricQueryArgs(
        id=query_id,
        metric=aws.cloudwatch.MetricAlarmMetricQueryMetricArgs(
            namespace="AWS/ApiGateway",
            metric_name=metric,
            dimensions={"ApiId": api_id, "Stage": "$default"},
            period=period,
            stat="Sum",
        ),
    )


def _table_metric(
    query_id: str, metric: str, table_name: pulumi.Input[str], period: int
) -> aws.cloudwatch.MetricAlarmMetricQueryArgs:
    return aws.cloudwatch.MetricAlarmMetricQueryArgs(
        id=query_id,
        metric=aws.cloudwatch.MetricAlarmMetricQueryMetricArgs(
            namespace="AWS/DynamoDB",
            metric_name=metric,
            dimensions={"TableName": table_name},
            period=period,
            stat="Sum",
        ),
    )
