"""Alarms for abuse, not only for failure: the month's SMS spend and the services'
business metrics (auth's wrong codes per hour), each to the stack's alarm topic."""

from __future__ import annotations

from pathlib import Path

import pytest

from infra.offline.declared import DeclaredResource, DeclaredStack, declare
from infra.program.components.alarms import MetricAlarm
from infra.program.main import MetricAlarmError, metric_alarms
from infra.program.stack_files import stack_config
from service_manifest import Manifest, load_manifest


def _alarm(declared: DeclaredStack, name: str) -> DeclaredResource:
    return declared.named(f"alarms-{name}")


def test_the_months_sms_spend_alarms_below_the_spend_limit(declared: DeclaredStack) -> None:
    alarm = _alarm(declared, "sms-spend").inputs
    sms = declared.config.sms

    assert (alarm["namespace"], alarm["metricName"]) == ("AWS/SNS", "SMSMonthToDateSpentUSD")
    # Account-wide in the region: the metric has no dimension.
    assert "dimensions" not in alarm
    assert alarm["statistic"] == "Maximum"
    assert alarm["comparisonOperator"] == "GreaterThanThreshold"
    assert alarm["threshold"] == sms.alarm_month_to_date_spend < sms.monthly_spend_limit
    topic = declared.one("aws:sns/topic:Topic").outputs["arn"]
    assert alarm["alarmActions"] == alarm["okActions"] == [topic]


@pytest.mark.parametrize(
    ("kind", "metric", "review_rate"),
    [("bounce", "Reputation.BounceRate", 0.05), ("complaint", "Reputation.ComplaintRate", 0.001)],
)
def test_ses_bounces_and_complaints_alarm_before_ses_reviews_the_account(
    declared: DeclaredStack, kind: str, metric: str, review_rate: float
) -> None:
    """Issue 18, finding 5: bounces from random addresses can get SES sending paused,
    and with it every sign-in code by e-mail."""
    alarm = _alarm(declared, f"ses-{kind}-rate").inputs

    assert (alarm["namespace"], alarm["metricName"]) == ("AWS/SES", metric)
    assert "dimensions" not in alarm  # the account's rate
    assert 0 < alarm["threshold"] < review_rate
    topic = declared.one("aws:sns/topic:Topic").outputs["arn"]
    assert alarm["alarmActions"] == alarm["okActions"] == [topic]


def test_wrong_codes_per_hour_alarm_from_the_stacks_config(declared: DeclaredStack) -> None:
    alarm = _alarm(declared, "auth-codes-failed").inputs
    (metric,) = [q["metric"] for q in alarm["metricQueries"] if "metric" in q]
    (total,) = [q for q in alarm["metricQueries"] if q.get("returnData")]

    assert alarm["threshold"] == declared.config.auth.alarm_failed_codes_per_hour
    assert alarm["comparisonOperator"] == "GreaterThanThreshold"
    assert metric == {
        "namespace": f"serverless-backend/{declared.stack}",
        "metricName": "CodesFailed",
        "dimensions": {"service": "auth"},
        "period": 3600,
        "stat": "Sum",
    }
    assert total["expression"] == "m0"
    topic = declared.one("aws:sns/topic:Topic").outputs["arn"]
    assert alarm["alarmActions"] == [topic]


def _manifest(tmp_path: Path, metrics: str) -> Manifest:
    path = tmp_path / "service.toml"
    path.write_text(f'name = "things"\n[functions.api]\nhandler = "t.h"\n{metrics}')
    return load_manifest(path)


def test_a_metric_with_a_dimension_alarms_on_the_sum_of_its_values(tmp_path: Path) -> None:
    manifest = _manifest(
        tmp_path,
        '[metrics.Sent]\ndescription = "sent"\nalarm_per_hour = 7\n'
        'dimensions = { channel = ["sms", "email"] }\n',
    )
    (services := tmp_path / "services").mkdir()
    (services / "things").mkdir()
    (services / "things" / "service.toml").write_text((tmp_path / "service.toml").read_text())

    resources, _ = declare("dev", services_dir=services, version="v")
    (alarm,) = [r for r in resources if r.name == "alarms-things-sent"]
    queries = alarm.inputs["metricQueries"]

    assert metric_alarms((manifest,), stack_config("dev")) == [
        MetricAlarm("things", manifest.metric("Sent"), 7)
    ]
    assert [q["metric"]["dimensions"] for q in queries if "metric" in q] == [
        {"service": "things", "channel": "sms"},
        {"service": "things", "channel": "email"},
    ]
    assert [q["expression"] for q in queries if q.get("returnData")] == ["m0 + m1"]


@pytest.mark.parametrize("reference", ["${config.auth.nope}", "${config.auth.productName}"])
def test_a_threshold_that_is_no_whole_number_of_the_config_is_refused(
    tmp_path: Path, reference: str
) -> None:
    manifest = _manifest(
        tmp_path, f'[metrics.Sent]\ndescription = "sent"\nalarm_per_hour = "{reference}"\n'
    )

    with pytest.raises(MetricAlarmError, match="service things, metric Sent: alarm_per_hour"):
        metric_alarms((manifest,), stack_config("dev"))


def test_a_functions_errors_alarm_leaves_out_its_refusals(declared: DeclaredStack) -> None:
    """A Cognito trigger says no by failing, and anyone signed in can make the
    custom message trigger say no (GetUserAttributeVerificationCode): its
    Errors alarm, which the release step watches, counts only the errors the
    kernel did not count as refusals (service_kernel.invocation.Refusal)."""
    function = "serverless-backend-" + declared.stack + "-auth-custom-message"
    alarm = _alarm(declared, "auth-custom-message-errors").inputs
    queries = {q["id"]: q for q in alarm["metricQueries"]}

    assert queries["errors"]["metric"] == {
        "namespace": "AWS/Lambda",
        "metricName": "Errors",
        "dimensions": {"FunctionName": function},
        "period": declared.config.alarms.period_seconds,
        "stat": "Sum",
    }
    assert queries["refusals"]["metric"] == {
        "namespace": f"serverless-backend/{declared.stack}",
        "metricName": "Refusals",
        "dimensions": {"function_name": function},
        "period": declared.config.alarms.period_seconds,
        "stat": "Sum",
    }
    assert queries["unmeant"]["expression"] == "FILL(errors, 0) - FILL(refusals, 0)"
    assert queries["unmeant"]["returnData"] is True
    assert alarm["threshold"] == declared.config.alarms.function_errors
