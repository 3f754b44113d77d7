"""The account's own settings, made once per account by the bootstrap, never by a stack.

- **SNS SMS preferences.** One setting per account and region: pulumi-aws's
  `SmsPreferences` has the constant id `aws_sns_sms_id`, and deleting it resets the
  account's preferences (terraform-provider-aws, sms_preferences.go). Declared by a
  stack, a `pulumi destroy` of dev, or a dev deploy after prod's, would change prod's
  spend limit. The limit must stay within the account's SMS spending quota, $1.00 a
  month on every new account until AWS raises it (Amazon SNS Developer Guide,
  "Requesting increases to your monthly SMS spending quota"): SNS refuses a higher one.
- **The permissions boundary of the functions' roles.** The deploy role may create
  roles named `<project>-<stack>-*` and pass them to Lambda; with a boundary it may only
  create them with this one (bootstrap.github_deploy_access), so no role it creates can
  do more than the boundary allows: what the services' manifests may ask for, on the
  project's own resources in this account. The program sets it on every role it makes
  (`permissionsBoundaryArn` in the stack file; mandatory on production stacks).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import pulumi
import pulumi_aws as aws

from infra.program.iam import LOG_ACTIONS, SECRET_ACTIONS, TRACE_ACTIONS
from service_manifest import Manifest

# $1.00: a new account's SMS spending quota. Raise it only after AWS raised the quota.
DEFAULT_SMS_MONTHLY_SPEND_LIMIT = 1
# A schedule's role invokes its function (infra.program.iam.schedule_policy).
SCHEDULE_ACTIONS = ("lambda:InvokeFunction",)

# Where a manifest permission's resource may be, in any region of the account. `{name}`
# prefixes every stack's names (`<project>-<stack>-…`).
BOUNDARY_SCOPES: Mapping[str, tuple[str, ...]] = {
    "table": (
        "arn:aws:dynamodb:*:{account}:table/{project}-*",
        "arn:aws:dynamodb:*:{account}:table/{project}-*/index/*",
    ),
    "user_pool": ("arn:aws:cognito-idp:*:{account}:userpool/*",),
    "email_identity": ("arn:aws:ses:*:{account}:identity/*",),
    # SMS to a phone number has no ARN; the roles' own policies deny every topic.
    "sms": ("*",),
}

PolicyDocument = dict[str, Any]


def boundary_name(project: str) -> str:
    return f"{project}-function-boundary"


def boundary_arn(account: str, project: str) -> str:
    return f"arn:aws:iam::{account}:policy/{boundary_name(project)}"


def boundary_policy(account: str, project: str, manifests: Iterable[Manifest]) -> PolicyDocument:
    """The most any function or schedule role of the project may do."""
    values = {"account": account, "project": project}
    by_resource: dict[str, set[str]] = {}
    for manifest in manifests:
        for function in manifest.functions:
            for permission in function.permissions:
                by_resource.setdefault(permission.resource, set()).update(permission.actions)
    statements: list[dict[str, Any]] = [
        {
            "Sid": "Logs",
            "Effect": "Allow",
            "Action": list(LOG_ACTIONS),
            "Resource": [f"arn:aws:logs:*:{account}:log-group:/aws/lambda/{project}-*:*"],
        },
        {"Sid": "Traces", "Effect": "Allow", "Action": list(TRACE_ACTIONS), "Resource": ["*"]},
        {
            "Sid": "Secrets",
            "Effect": "Allow",
            "Action": list(SECRET_ACTIONS),
            "Resource": [f"arn:aws:ssm:*:{account}:parameter/{project}/*"],
        },
        {
            "Sid": "Schedules",
            "Effect": "Allow",
            "Action": list(SCHEDULE_ACTIONS),
            "Resource": [
                f"arn:aws:lambda:*:{account}:function:{project}-*",
                f"arn:aws:lambda:*:{account}:function:{project}-*:*",
            ],
        },
    ]
    for resource, actions in sorted(by_resource.items()):
        if resource not in BOUNDARY_SCOPES:
            raise ValueError(
                f"a service asks for {resource!r}: give it a scope in BOUNDARY_SCOPES "
                "(platform/bootstrap/account_settings.py)"
            )
        statements.append(
            {
                "Sid": "".join(part.capitalize() for part in resource.split("_")),
                "Effect": "Allow",
                "Action": sorted(actions),
                "Resource": [p.format(**values) for p in BOUNDARY_SCOPES[resource]],
            }
        )
    return {"Version": "2012-10-17", "Statement": statements}


@dataclass(frozen=True)
class AccountSettingsArgs:
    account_id: str
    manifests: tuple[Manifest, ...]
    project: str = "serverless-backend"
    sms_monthly_spend_limit: int = DEFAULT_SMS_MONTHLY_SPEND_LIMIT
    tags: Mapping[str, str] | None = None

    def __post_init__(self) -> None:
        if self.sms_monthly_spend_limit < 1:
            raise ValueError("smsMonthlySpendLimit is a whole number of USD, at least 1")


class AccountSettings(pulumi.ComponentResource):
    """The SMS preferences of the account's region and the functions' boundary policy."""

    boundary_arn: pulumi.Output[str]

    def __init__(
        self, name: str, args: AccountSettingsArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("serverless-backend:bootstrap:AccountSettings", name, None, opts)
        aws.sns.SmsPreferences(
            f"{name}-sms",
            monthly_spend_limit=args.sms_monthly_spend_limit,
            default_sms_type="Transactional",
            opts=pulumi.ResourceOptions(parent=self),
        )
        boundary = aws.iam.Policy(
            f"{name}-boundary",
            name=boundary_name(args.project),
            description=f"The most a {args.project} function's role may do",
            policy=json.dumps(
                boundary_policy(args.account_id, args.project, args.manifests),
                separators=(",", ":"),
            ),
            tags=dict(args.tags or {}),
            opts=pulumi.ResourceOptions(parent=self),
        )
        self.boundary_arn = boundary.arn
        self.register_outputs({"boundary_arn": boundary.arn})
