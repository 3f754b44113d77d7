"""The whole program for every stack: which resources, how many, and what differs by stack."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from infra.bundles.bundle import Workspace, service_version
from infra.offline.declared import DeclaredStack, declare, declare_stack
from infra.program.main import ServicesConflictError
from infra.repo import repo_root
from service_manifest import Manifest
from tests.infra.support import gateway_routes

# For consumers (and published as SSM parameters), and for the deploy pipeline.
PUBLISHED = {"api_url", "user_pool_id", "user_pool_client_id", "table_name", "region"}
OUTPUTS = PUBLISHED | {"dashboard_name", "live_aliases", "releases", "deployment"}


def _functions(manifests: tuple[Manifest, ...]) -> int:
    return sum(len(manifest.functions) for manifest in manifests)


def _routed(manifests: tuple[Manifest, ...]) -> int:
    return sum(1 for manifest in manifests for function in manifest.functions if function.routes)


def _triggers(manifests: tuple[Manifest, ...]) -> int:
    return sum(1 for manifest in manifests for function in manifest.functions if function.trigger)


def test_declares_the_shared_resources_once(declared: DeclaredStack) -> None:
    counts = Counter(resource.type for resource in declared.resources)

    for token in (
        "aws:dynamodb/table:Table",
        "aws:cognito/userPool:UserPool",
        "aws:cognito/userPoolClient:UserPoolClient",
        "aws:apigatewayv2/api:Api",
        "aws:apigatewayv2/stage:Stage",
        "aws:apigatewayv2/authorizer:Authorizer",
        "aws:sns/topic:Topic",
    ):
        assert counts[token] == 1, token


def test_declares_the_e_mail_sender_so_ses_may_send_from_it(declared: DeclaredStack) -> None:
    identities = [
        resource
        for resource in declared.resources
        if resource.type == "aws:sesv2/emailIdentity:EmailIdentity"
    ]
    assert [identity.inputs["emailIdentity"] for identity in identities] == [
        declared.config.auth.sending_identity
    ]


def test_a_domain_identity_publishes_its_dkim_records_in_the_stacks_zone(
    declared: DeclaredStack,
) -> None:
    identity = declared.config.auth.sending_identity
    records = [
        r for r in declared.of_type("aws:route53/record:Record") if r.name.startswith("email-dkim-")
    ]
    if "@" in identity or declared.config.api.hosted_zone_id is None:
        assert records == []
        return
    tokens = declared.one("aws:sesv2/emailIdentity:EmailIdentity").outputs["dkimSigningAttributes"][
        "tokens"
    ]
    assert len(records) == len(tokens) == 3
    for record, token in zip(sorted(records, key=lambda r: r.name), tokens, strict=True):
        assert record.inputs["zoneId"] == declared.config.api.hosted_zone_id
        assert record.inputs["type"] == "CNAME"
        assert record.inputs["name"] == f"{token}._domainkey.{identity}"
        assert record.inputs["records"] == [f"{token}.dkim.amazonses.com"]


def test_declares_each_services_resources(
    declared: DeclaredStack, manifests: tuple[Manifest, ...]
) -> None:
    counts = Counter(resource.type for resource in declared.resources)
    functions = _functions(manifests)
    snap_start = declared.config.functions.snap_start

    assert counts["serverless-backend:platform:Service"] == len(manifests)
    assert counts["aws:lambda/function:Function"] == functions
    scheduled = sum(1 for m in manifests for f in m.functions if f.schedule)
    # A role per function, and one per schedule (it may invoke that function only).
    assert counts["aws:iam/role:Role"] == functions + scheduled
    assert counts["aws:iam/rolePolicy:RolePolicy"] == functions + scheduled
    assert counts["aws:scheduler/schedule:Schedule"] == scheduled
    assert counts["aws:cloudwatch/logGroup:LogGroup"] == functions + 1  # + API access logs
    assert counts["aws:lambda/alias:Alias"] == (functions if snap_start else 0)
    assert counts["aws:apigatewayv2/integration:Integration"] == _routed(manifests)
    docs = declared.config.enable_docs
    assert counts["aws:apigatewayv2/route:Route"] == len(gateway_routes(manifests, docs=docs))
    assert counts["aws:lambda/permission:Permission"] == _routed(manifests) + _triggers(manifests)


def test_declares_alarms_for_the_api_every_function_and_the_table(
    declared: DeclaredStack, manifests: tuple[Manifest, ...]
) -> None:
    alarms = declared.of_type("aws:cloudwatch/metricAlarm:MetricAlarm")
    metric_alarms = sum(
        1 for m in manifests for metric in m.metrics if metric.alarm_per_hour is not None
    )

    # API 5xx, table throttles, SMS sends and spend, SES bounce and complaint rates,
    # errors, throttles and latency per function, and the business metrics the services
    # alarm on (auth's failed codes).
    assert metric_alarms >= 1
    assert len(alarms) == 6 + 3 * _functions(manifests) + metric_alarms
    topic_arn = declared.one("aws:sns/topic:Topic").outputs["arn"]
    assert all(alarm.inputs["alarmActions"] == [topic_arn] for alarm in alarms)


def test_sms_sends_per_hour_alarm_counts_direct_to_phone_sms(declared: DeclaredStack) -> None:
    """SNS counts SMS published to a phone number (no topic) under the
    dimension PhoneNumber=PhoneNumberDirect (SNS developer guide, "Monitoring
    Amazon SNS topics using CloudWatch")."""
    alarm = next(
        a
        for a in declared.of_type("aws:cloudwatch/metricAlarm:MetricAlarm")
        if a.name == "alarms-sms-sends"
    )
    assert alarm.inputs["threshold"] == declared.config.sms.alarm_sends_per_hour
    metrics = [q["metric"] for q in alarm.inputs["metricQueries"] if "metric" in q]
    assert {m["metricName"] for m in metrics} == {
        "NumberOfNotificationsDelivered",
        "NumberOfNotificationsFailed",
    }
    for metric in metrics:
        assert metric["namespace"] == "AWS/SNS"
        assert metric["dimensions"] == {"PhoneNumber": "PhoneNumberDirect"}
        assert metric["period"] == 3600


def test_no_stack_declares_the_accounts_sms_preferences(declared: DeclaredStack) -> None:
    """One per account and region (pulumi-aws's id is the constant `aws_sns_sms_id`, and
    deleting it resets them): the bootstrap sets them (platform/bootstrap)."""
    assert declared.of_type("aws:sns/smsPreferences:SmsPreferences") == []


def test_production_keeps_its_pool_and_table_whatever_a_change_says(
    declared: DeclaredStack,
) -> None:
    for kind in ("aws:cognito/userPool:UserPool", "aws:dynamodb/table:Table"):
        kept = declared.one(kind)
        production = declared.config.production
        assert kept.retain_on_delete is production, kind
        assert kept.protect is (production or declared.config.table.deletion_protection), kind


def test_no_declared_function_echoes_every_code(declared: DeclaredStack) -> None:
    """Echoing every code is `make dev`'s alone: only the local runtime's
    workers get LOCAL_RUNTIME_ECHO_CODES, never a deployed function."""
    for function in declared.of_type("aws:lambda/function:Function"):
        variables = function.inputs["environment"]["variables"]
        assert not any("ECHO" in name for name in variables), function.name


def test_exports_the_outputs_consumers_need(declared: DeclaredStack) -> None:
    assert set(declared.outputs) == OUTPUTS
    assert declared.outputs["table_name"] == f"serverless-backend-{declared.stack}"
    assert declared.outputs["region"] == declared.config.region
    assert declared.outputs["api_url"].startswith("https://")
    assert declared.outputs["user_pool_id"] == declared.one("aws:cognito/userPool:UserPool").id


def test_publishes_the_outputs_as_ssm_parameters(declared: DeclaredStack) -> None:
    parameters = {
        parameter.inputs["name"]: parameter.inputs["insecureValue"]
        for parameter in declared.of_type("aws:ssm/parameter:Parameter")
        if parameter.inputs["type"] == "String"
    }

    assert parameters == {
        f"/serverless-backend/{declared.stack}/{key}": declared.outputs[key] for key in PUBLISHED
    }


def test_log_groups_keep_logs_for_the_stacks_retention(declared: DeclaredStack) -> None:
    for group in declared.of_type("aws:cloudwatch/logGroup:LogGroup"):
        assert group.inputs["retentionInDays"] == declared.config.log_retention_days


def test_prod_keeps_data_and_logs(declared: DeclaredStack) -> None:
    table = declared.one("aws:dynamodb/table:Table").inputs
    pool = declared.one("aws:cognito/userPool:UserPool").inputs
    production = declared.config.production

    assert table["pointInTimeRecovery"] == {"enabled": declared.config.table.point_in_time_recovery}
    assert table["deletionProtectionEnabled"] is declared.config.table.deletion_protection
    assert pool["deletionProtection"] == ("ACTIVE" if production else "INACTIVE")
    if declared.stack == "prod":
        assert table["pointInTimeRecovery"] == {"enabled": True}
        assert table["deletionProtectionEnabled"] is True
        assert declared.config.log_retention_days >= 365
    if declared.stack == "dev":
        assert table["pointInTimeRecovery"] == {"enabled": False}
        assert table["deletionProtectionEnabled"] is False
        assert pool["deletionProtection"] == "INACTIVE"


def test_a_missing_alarm_email_means_no_subscription(declared: DeclaredStack) -> None:
    subscriptions = declared.of_type("aws:sns/topicSubscription:TopicSubscription")

    if declared.config.alarms.email:
        assert [s.inputs["endpoint"] for s in subscriptions] == [declared.config.alarms.email]
        assert subscriptions[0].inputs["protocol"] == "email"
    else:
        assert subscriptions == []


def test_each_service_gets_its_own_content_version(manifests: tuple[Manifest, ...]) -> None:
    declared = declare_stack("dev")
    workspace = Workspace(repo_root())
    expected = {manifest.name: service_version(workspace, manifest) for manifest in manifests}

    for manifest in manifests:
        for function in manifest.functions:
            resource = declared.function(manifest.name, function.name)
            variables = resource.inputs["environment"]["variables"]
            assert variables["SERVICE_VERSION"] == expected[manifest.name]
    assert len(set(expected.values())) == len(expected)


ROUTE_X = '[[functions.api.routes]]\nmethod = "GET"\npath = "/x"\n'


def _manifest(tmp_path: Path, name: str, body: str) -> None:
    folder = tmp_path / name
    folder.mkdir()
    (folder / "service.toml").write_text(f'name = "{name}"\n{body}')


@pytest.mark.parametrize(
    ("first", "second", "claim"),
    [
        (
            '[functions.api]\nhandler = "a.h"\n' + ROUTE_X,
            '[functions.api]\nhandler = "b.h"\n' + ROUTE_X,
            "route GET /x",
        ),
        (
            '[functions.t]\nhandler = "a.h"\ntrigger = "PreSignUp"\n',
            '[functions.t]\nhandler = "b.h"\ntrigger = "PreSignUp"\n',
            "trigger PreSignUp",
        ),
        (
            'key_prefixes = ["X#"]\n[functions.api]\nhandler = "a.h"\n',
            'key_prefixes = ["X#"]\n[functions.api]\nhandler = "b.h"\n',
            "key prefix X#",
        ),
    ],
)
def test_two_services_cannot_claim_the_same_route_trigger_or_prefix(
    tmp_path: Path, first: str, second: str, claim: str
) -> None:
    _manifest(tmp_path, "alpha", first)
    _manifest(tmp_path, "beta", second)

    with pytest.raises(ServicesConflictError, match=f"{claim} is declared by both alpha and beta"):
        declare("dev", services_dir=tmp_path)
