"""Least privilege: exact actions, exact resources, each service on its own key prefixes."""

from __future__ import annotations

import fnmatch
import json
import warnings
from typing import Any

import pytest

from infra.offline.declared import DeclaredStack
from infra.program.iam import UNSCOPED_ACTIONS
from infra.program.names import function_name
from service_manifest import Manifest

with warnings.catch_warnings():
    warnings.simplefilter("ignore")  # parliament imports the deprecated pkg_resources
    import parliament  # type: ignore[import-untyped]

# Item-level actions: a statement allowing any of them on the table must name key prefixes.
ITEM_ACTIONS = frozenset(
    {
        "dynamodb:GetItem",
        "dynamodb:PutItem",
        "dynamodb:UpdateItem",
        "dynamodb:DeleteItem",
        "dynamodb:Query",
        "dynamodb:BatchGetItem",
        "dynamodb:BatchWriteItem",
        "dynamodb:ConditionCheckItem",
        "dynamodb:Scan",
    }
)


def _statements(stack: DeclaredStack) -> list[tuple[str, dict[str, Any]]]:
    return [
        (role, statement)
        for role, document in stack.policy_documents().items()
        for statement in document["Statement"]
    ]


def _both(declared: DeclaredStack, sample: DeclaredStack) -> list[tuple[str, dict[str, Any]]]:
    return _statements(declared) + _statements(sample)


def test_every_statement_names_exact_actions(
    declared: DeclaredStack, sample: DeclaredStack
) -> None:
    for role, statement in _both(declared, sample):
        # The one Deny narrows the SMS grant (see the sms test); everything else allows.
        assert statement["Effect"] == "Allow" or statement["Sid"].startswith("SmsNotTopics")
        assert "NotAction" not in statement
        assert "NotResource" not in statement
        for action in statement["Action"]:
            assert "*" not in action, (role, action)


def test_star_resources_only_where_aws_cannot_scope(
    declared: DeclaredStack, sample: DeclaredStack
) -> None:
    for role, statement in _both(declared, sample):
        if "*" in statement["Resource"]:
            assert statement["Resource"] == ["*"]
            assert set(statement["Action"]) <= UNSCOPED_ACTIONS, (role, statement)


def test_parliament_finds_nothing(declared: DeclaredStack, sample: DeclaredStack) -> None:
    """Statement by statement, so `*` is excused only for the actions AWS cannot scope."""
    for role, statement in _both(declared, sample):
        document = {"Version": "2012-10-17", "Statement": [statement]}
        issues = {f.issue for f in parliament.analyze_policy_string(json.dumps(document)).findings}
        if set(statement["Action"]) <= UNSCOPED_ACTIONS:
            issues.discard("RESOURCE_STAR")
        assert issues == set(), (role, statement)


def test_functions_write_only_their_own_logs(declared: DeclaredStack) -> None:
    for role, document in declared.policy_documents().items():
        (logs,) = [s for s in document["Statement"] if s["Sid"] == "WriteOwnLogs"]
        assert logs["Action"] == ["logs:CreateLogStream", "logs:PutLogEvents"]
        assert logs["Resource"] == [
            f"arn:aws:logs:{declared.config.region}:123456789012:log-group:/aws/lambda/{role}:*"
        ]


def _check_own_prefixes(stack: DeclaredStack, manifests: tuple[Manifest, ...]) -> None:
    documents = stack.policy_documents()
    table_arn = stack.one("aws:dynamodb/table:Table").outputs["arn"]
    for manifest in manifests:
        for function in manifest.functions:
            role = function_name("serverless-backend", stack.stack, manifest.name, function.name)
            for statement in documents[role]["Statement"]:
                if table_arn not in statement["Resource"]:
                    continue
                assert statement["Resource"] == [table_arn]
                if not ITEM_ACTIONS.intersection(statement["Action"]):
                    continue
                assert statement["Condition"] == {
                    "ForAllValues:StringLike": {
                        "dynamodb:LeadingKeys": [f"{prefix}*" for prefix in manifest.key_prefixes]
                    }
                }, (role, statement)


def test_each_service_reaches_only_its_own_key_prefixes(
    declared: DeclaredStack,
    manifests: tuple[Manifest, ...],
    sample: DeclaredStack,
    sample_manifests: tuple[Manifest, ...],
) -> None:
    _check_own_prefixes(declared, manifests)
    _check_own_prefixes(sample, sample_manifests)


def test_the_fixture_proves_the_condition_is_there(sample: DeclaredStack) -> None:
    role = f"serverless-backend-{sample.stack}-notes-api"
    (table,) = [s for s in sample.policy_documents()[role]["Statement"] if s["Sid"] == "Table1"]

    assert table["Condition"]["ForAllValues:StringLike"]["dynamodb:LeadingKeys"] == ["NOTES#*"]


def test_pool_email_and_sms_permissions(sample: DeclaredStack) -> None:
    pool_arn = sample.one("aws:cognito/userPool:UserPool").outputs["arn"]
    api = sample.policy_documents()[f"serverless-backend-{sample.stack}-sample-auth-api"]
    sender = sample.policy_documents()[f"serverless-backend-{sample.stack}-sample-auth-create-auth"]
    by_sid = {s["Sid"]: s for s in sender["Statement"]}
    email = sample.config.auth.email_sender

    (pool,) = [s for s in api["Statement"] if s["Sid"].startswith("UserPool")]
    assert pool["Resource"] == [pool_arn]
    assert pool["Action"] == ["cognito-idp:AdminGetUser", "cognito-idp:AdminInitiateAuth"]
    assert by_sid["EmailIdentity1"]["Action"] == ["ses:SendEmail"]
    assert by_sid["EmailIdentity1"]["Condition"] == {"StringEquals": {"ses:FromAddress": email}}
    assert by_sid["Sms2"] == {
        "Sid": "Sms2",
        "Effect": "Allow",
        "Action": ["sns:Publish"],
        "Resource": ["*"],
    }
    # "*" would reach every topic too: topics are denied, only SMS remains.
    assert by_sid["SmsNotTopics2"] == {
        "Sid": "SmsNotTopics2",
        "Effect": "Deny",
        "Action": ["sns:Publish"],
        "Resource": ["arn:aws:sns:*:*:*"],
    }


def test_tracing_adds_only_the_xray_upload(declared: DeclaredStack) -> None:
    tracing = declared.config.functions.tracing == "Active"
    for document in declared.policy_documents().values():
        sids = [statement["Sid"] for statement in document["Statement"]]
        assert ("UploadTraces" in sids) is tracing


@pytest.mark.parametrize("action", ["dynamodb:*", "s3:Get*"])
def test_parliament_would_catch_a_wildcard(action: str) -> None:
    document = {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Action": action, "Resource": "*"}],
    }

    assert parliament.analyze_policy_string(json.dumps(document)).findings


def _email_grant(sample: DeclaredStack) -> dict[str, Any]:
    sender = sample.policy_documents()[f"serverless-backend-{sample.stack}-sample-auth-create-auth"]
    grants: list[dict[str, Any]] = [
        s for s in sender["Statement"] if "ses:SendEmail" in s["Action"]
    ]
    (grant,) = grants
    return grant


@pytest.mark.parametrize(
    "identity",
    [
        "{sender}",  # the address, verified on its own (what the program declares)
        "{domain}",  # its domain, verified with DKIM
        "{parent}",  # a parent domain: the practical route (example.com for dev.example.com)
        "tester@example.org",  # a recipient: in the SES sandbox SES checks it too
    ],
)
def test_sending_is_allowed_whichever_identity_ses_authorises_against(
    sample: DeclaredStack, identity: str
) -> None:
    """SES checks SendEmail against the identity it matched: the address, its domain or a
    parent domain, whichever is verified, and in the sandbox each recipient's identity too
    (reports: cloudposse/terraform-aws-ses#40, aws/aws-sdk-js#3641)."""
    sender = sample.config.auth.email_sender
    domain = sender.rpartition("@")[2]
    parent = domain.split(".", 1)[1] if domain.count(".") > 1 else domain
    name = identity.format(sender=sender, domain=domain, parent=parent)
    arn = f"arn:aws:ses:{sample.config.region}:123456789012:identity/{name}"

    assert any(fnmatch.fnmatchcase(arn, pattern) for pattern in _email_grant(sample)["Resource"])


def test_sending_is_allowed_only_from_the_stacks_sender_in_its_account_and_region(
    sample: DeclaredStack,
) -> None:
    grant = _email_grant(sample)

    # ses:FromAddress pins the sender whatever identity SES authorises against.
    assert grant["Condition"] == {
        "StringEquals": {"ses:FromAddress": sample.config.auth.email_sender}
    }
    other_region = "arn:aws:ses:ap-south-1:123456789012:identity/example.com"
    other_account = f"arn:aws:ses:{sample.config.region}:210987654321:identity/example.com"
    configuration_set = f"arn:aws:ses:{sample.config.region}:123456789012:configuration-set/x"
    for arn in (other_region, other_account, configuration_set):
        assert not any(fnmatch.fnmatchcase(arn, p) for p in grant["Resource"]), arn


def test_a_schedule_may_invoke_its_one_function_and_nothing_else(declared: DeclaredStack) -> None:
    schedules = declared.of_type("aws:scheduler/schedule:Schedule")
    assert [s.inputs["scheduleExpression"] for s in schedules] == ["rate(5 minutes)"]
    (schedule,) = schedules
    function = declared.function("auth", "cleanup")
    target = schedule.inputs["target"]["arn"]
    assert target.split(":function:")[1].split(":")[0] == function.outputs["name"]
    documents = declared.schedule_policy_documents()
    assert list(documents) == [f"{function.outputs['name']}-schedule"]
    (statement,) = documents[f"{function.outputs['name']}-schedule"]["Statement"]
    assert statement["Action"] == ["lambda:InvokeFunction"]
    assert statement["Resource"] == [target]
    assert schedule.inputs["flexibleTimeWindow"] == {"mode": "OFF"}
    roles = {r.inputs["name"]: r for r in declared.of_type("aws:iam/role:Role")}
    trust = json.loads(roles[f"{function.outputs['name']}-schedule"].inputs["assumeRolePolicy"])
    assert trust["Statement"][0]["Principal"] == {"Service": "scheduler.amazonaws.com"}
