"""Least-privilege IAM policy documents for a service's functions.

Each statement names the exact actions the manifest declares and the exact
resources they touch. Where AWS has no resource-level permission for an
action, `*` is the only resource it accepts: `sns:Publish` to a phone number
(SMS) and X-Ray's trace upload (`xray:PutTraceSegments`,
`xray:PutTelemetryRecords`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from service_manifest import Function, Manifest, Permission

# Actions AWS does not scope to a resource: the only ones allowed on "*" (the
# policy pack holds every statement to this list too).
UNSCOPED_ACTIONS = frozenset({"sns:Publish", "xray:PutTraceSegments", "xray:PutTelemetryRecords"})
LOG_ACTIONS = ("logs:CreateLogStream", "logs:PutLogEvents")
TRACE_ACTIONS = ("xray:PutTelemetryRecords", "xray:PutTraceSegments")
# Reading a stack secret (service_kernel.secret_value). Its parameter is encrypted with
# the AWS managed key aws/ssm, whose key policy lets the account's principals decrypt
# through SSM, so no kms:Decrypt is granted (AWS Systems Manager User Guide,
# "Restricting decryption of SecureString parameter values").
SECRET_ACTIONS = ("ssm:GetParameter",)


def email_identity_arns(region: str, account: str) -> list[str]:
    """The SES identities a send may be authorised against: SES checks the identity it
    matched, which is the sender's address, its domain or any parent domain, whichever
    is verified (a team often verifies `example.com` and sends as
    `no-reply@dev.example.com`), and in the SES sandbox each recipient's identity too.
    So every identity of the account in the stack's region; `email_condition` then
    pins the one thing that matters, the From address."""
    return [f"arn:aws:ses:{region}:{account}:identity/*"]


def email_condition(sender: str) -> dict[str, Any]:
    """Only mail From the stack's sender (`ses:FromAddress`, SES's IAM condition key)."""
    return {"StringEquals": {"ses:FromAddress": sender}}


def _statement_id(text: str) -> str:
    return "".join(part.capitalize() for part in text.replace("-", "_").split("_") if part)


def permission_statement(
    manifest: Manifest,
    permission: Permission,
    resource_arns: Mapping[str, list[str]],
    index: int,
    *,
    email_sender: str,
) -> dict[str, Any]:
    statement: dict[str, Any] = {
        "Sid": f"{_statement_id(permission.resource)}{index}",
        "Effect": "Allow",
        "Action": sorted(permission.actions),
        "Resource": list(resource_arns[permission.resource]),
    }
    if permission.resource == "email_identity":
        statement["Condition"] = email_condition(email_sender)
    if permission.own_keys_only:
        statement["Condition"] = {
            "ForAllValues:StringLike": {
                "dynamodb:LeadingKeys": [f"{prefix}*" for prefix in manifest.key_prefixes]
            }
        }
    return statement


def function_policy(
    manifest: Manifest,
    function: Function,
    resource_arns: Mapping[str, list[str]],
    *,
    log_group_arn: str,
    tracing: bool,
    email_sender: str,
    secret_arns: Sequence[str] = (),
) -> dict[str, Any]:
    """The whole inline policy of one function's role: its logs, traces when on, the
    stack secrets its environment names, and what its manifest declares."""
    statements: list[dict[str, Any]] = [
        {
            "Sid": "WriteOwnLogs",
            "Effect": "Allow",
            "Action": list(LOG_ACTIONS),
            "Resource": [f"{log_group_arn}:*"],
        }
    ]
    if tracing:
        statements.append(
            {
                "Sid": "UploadTraces",
                "Effect": "Allow",
                "Action": list(TRACE_ACTIONS),
                "Resource": ["*"],
            }
        )
    if secret_arns:
        statements.append(
            {
                "Sid": "ReadOwnSecrets",
                "Effect": "Allow",
                "Action": list(SECRET_ACTIONS),
                "Resource": sorted(secret_arns),
            }
        )
    for index, permission in enumerate(function.permissions, start=1):
        statements.append(
            permission_statement(
                manifest, permission, resource_arns, index, email_sender=email_sender
            )
        )
        if permission.resource == "sms":
            statements.append(_only_sms(permission, index))
    return {"Version": "2012-10-17", "Statement": statements}


def _only_sms(permission: Permission, index: int) -> dict[str, Any]:
    """SMS needs `sns:Publish` on "*", which would also reach every topic: deny
    the topics, so the grant covers direct SMS to phone numbers only (the SNS
    guide's identity-policy example for publishing SMS but not to topics)."""
    return {
        "Sid": f"SmsNotTopics{index}",
        "Effect": "Deny",
        "Action": sorted(permission.actions),
        "Resource": ["arn:aws:sns:*:*:*"],
    }


def assume_role_policy(service: str) -> dict[str, Any]:
    return {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"Service": service},
                "Action": "sts:AssumeRole",
            }
        ],
    }


def schedule_policy(function_arn: str) -> dict[str, Any]:
    """What a function's schedule role may do: invoke that one function."""
    return {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "InvokeTheScheduledFunction",
                "Effect": "Allow",
                "Action": ["lambda:InvokeFunction"],
                "Resource": [function_arn],
            }
        ],
    }
