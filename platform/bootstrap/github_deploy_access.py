"""GitHub Actions' way into one AWS account: no long-lived keys, one role per stack and purpose.

For every application stack deployed into the account there are two roles, under the IAM
path ``/ci/`` so that no stack's own role pattern reaches them:

- ``<project>-<stack>-preview``: read-only, assumable by the repository's pull-request jobs
  (OIDC subject ``repo:<owner>/<name>:pull_request``). Pull-request code runs with it, so it
  can read the stack's resources and state but change nothing (bar the stack's state lock).
- ``<project>-<stack>-deploy``: creates and updates the stack's resources, assumable only by
  jobs running in the GitHub environment named after the stack (subject
  ``repo:<owner>/<name>:environment:<stack>``), so the environment's protection rules
  (required reviewers, main branch only) guard it.

The policy documents are plain functions of plain values, so they read (and are tested)
without Pulumi; ``GithubDeployAccess`` only turns them into resources.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pulumi
import pulumi_aws as aws
import yaml

GITHUB_OIDC_URL = "https://token.actions.githubusercontent.com"
GITHUB_OIDC_HOST = "token.actions.githubusercontent.com"
# The audience aws-actions/configure-aws-credentials asks GitHub to put in the token.
STS_AUDIENCE = "sts.amazonaws.com"
# Long enough for a deploy of every service plus the smoke test, short enough to expire soon.
MAX_SESSION_SECONDS = 3600

PolicyDocument = dict[str, Any]


@dataclass(frozen=True)
class ManagedService:
    """The actions the program needs on one AWS service's resources.

    ``read`` is what a preview (and the start of an update) calls; ``write`` is what an
    update adds. ``unscoped`` are actions AWS does not authorize per resource.
    """

    resources: tuple[str, ...]
    read: tuple[str, ...]
    write: tuple[str, ...]
    unscoped_read: tuple[str, ...] = ()
    unscoped_write: tuple[str, ...] = ()


# What the serverless-backend program declares (platform/snapshots/ lists it): Lambda
# functions and aliases, their roles and log groups, one HTTP API with its stage and access
# log group, one Cognito user pool and client, one DynamoDB table, CloudWatch alarms and their
# SNS topic, SSM parameters for downstream consumers. Named resources are scoped to the
# stack's own names, all "<project>-<stack>..." ({name}); the user pool and the API have
# generated ids, so they are scoped to the stack's account and region only.
MANAGED_SERVICES: Mapping[str, ManagedService] = {
    "lambda": ManagedService(
        resources=("arn:aws:lambda:{region}:{account}:function:{name}-*",),
        read=(
            "lambda:GetFunction",
            "lambda:GetFunctionConfiguration",
            "lambda:GetFunctionCodeSigningConfig",
            "lambda:GetPolicy",
            "lambda:GetAlias",
            "lambda:ListVersionsByFunction",
            "lambda:ListTags",
        ),
        write=(
            "lambda:CreateFunction",
            "lambda:DeleteFunction",
            "lambda:UpdateFunctionCode",
            "lambda:UpdateFunctionConfiguration",
            "lambda:PublishVersion",
            "lambda:CreateAlias",
            "lambda:UpdateAlias",
            "lambda:DeleteAlias",
            "lambda:AddPermission",
            "lambda:RemovePermission",
            "lambda:TagResource",
            "lambda:UntagResource",
        ),
    ),
    "apigateway": ManagedService(
        resources=(
            "arn:aws:apigateway:{region}::/apis",
            "arn:aws:apigateway:{region}::/apis/*",
            "arn:aws:apigateway:{region}::/tags/*",
        ),
        read=("apigateway:GET",),
        write=("apigateway:POST", "apigateway:PUT", "apigateway:PATCH", "apigateway:DELETE"),
    ),
    "cognito-idp": ManagedService(
        resources=("arn:aws:cognito-idp:{region}:{account}:userpool/*",),
        read=(
            "cognito-idp:DescribeUserPool",
            "cognito-idp:DescribeUserPoolClient",
            "cognito-idp:GetUserPoolMfaConfig",
            "cognito-idp:ListTagsForResource",
        ),
        write=(
            "cognito-idp:UpdateUserPool",
            "cognito-idp:DeleteUserPool",
            "cognito-idp:SetUserPoolMfaConfig",
            "cognito-idp:CreateUserPoolClient",
            "cognito-idp:UpdateUserPoolClient",
            "cognito-idp:DeleteUserPoolClient",
            "cognito-idp:TagResource",
            "cognito-idp:UntagResource",
        ),
        # A pool that does not exist yet has no ARN to scope to.
        unscoped_write=("cognito-idp:CreateUserPool",),
    ),
    "dynamodb": ManagedService(
        resources=(
            "arn:aws:dynamodb:{region}:{account}:table/{name}",
            "arn:aws:dynamodb:{region}:{account}:table/{name}/*",
        ),
        read=(
            "dynamodb:DescribeTable",
            "dynamodb:DescribeContinuousBackups",
            "dynamodb:DescribeTimeToLive",
            "dynamodb:ListTagsOfResource",
        ),
        write=(
            "dynamodb:CreateTable",
            "dynamodb:UpdateTable",
            "dynamodb:DeleteTable",
            "dynamodb:UpdateContinuousBackups",
            "dynamodb:UpdateTimeToLive",
            "dynamodb:TagResource",
            "dynamodb:UntagResource",
        ),
    ),
    "logs": ManagedService(
        resources=(
            "arn:aws:logs:{region}:{account}:log-group:/aws/lambda/{name}-*",
            "arn:aws:logs:{region}:{account}:log-group:/aws/apigateway/{name}",
            "arn:aws:logs:{region}:{account}:log-group:/aws/apigateway/{name}:*",
        ),
        read=("logs:ListTagsForResource", "logs:ListTagsLogGroup"),
        write=(
            "logs:CreateLogGroup",
            "logs:DeleteLogGroup",
            "logs:PutRetentionPolicy",
            "logs:DeleteRetentionPolicy",
            "logs:TagResource",
            "logs:UntagResource",
        ),
        # These authorize on the account, not on a log group. The log-delivery ones are what
        # API Gateway asks of whoever turns on an HTTP API stage's access logs.
        unscoped_read=("logs:DescribeLogGroups",),
        unscoped_write=(
            "logs:CreateLogDelivery",
            "logs:GetLogDelivery",
            "logs:UpdateLogDelivery",
            "logs:DeleteLogDelivery",
            "logs:ListLogDeliveries",
            "logs:PutResourcePolicy",
            "logs:DescribeResourcePolicies",
        ),
    ),
    "cloudwatch": ManagedService(
        resources=("arn:aws:cloudwatch:{region}:{account}:alarm:{name}-*",),
        read=("cloudwatch:DescribeAlarms", "cloudwatch:ListTagsForResource"),
        write=(
            "cloudwatch:PutMetricAlarm",
            "cloudwatch:DeleteAlarms",
            "cloudwatch:TagResource",
            "cloudwatch:UntagResource",
        ),
    ),
    "sns": ManagedService(
        # The alarm topic and its subscriptions ("<topic ARN>:<id>").
        resources=("arn:aws:sns:{region}:{account}:{name}-*",),
        read=(
            "sns:GetTopicAttributes",
            "sns:GetSubscriptionAttributes",
            "sns:ListTagsForResource",
        ),
        write=(
            "sns:CreateTopic",
            "sns:DeleteTopic",
            "sns:SetTopicAttributes",
            "sns:Subscribe",
            "sns:Unsubscribe",
            "sns:SetSubscriptionAttributes",
            "sns:TagResource",
            "sns:UntagResource",
        ),
    ),
    "ssm": ManagedService(
        resources=("arn:aws:ssm:{region}:{account}:parameter/{project}/{stack}/*",),
        read=("ssm:GetParameter", "ssm:GetParameters", "ssm:ListTagsForResource"),
        write=(
            "ssm:PutParameter",
            "ssm:DeleteParameter",
            "ssm:AddTagsToResource",
            "ssm:RemoveTagsFromResource",
        ),
        # DescribeParameters authorizes on the account, not on a parameter.
        unscoped_read=("ssm:DescribeParameters",),
    ),
    "iam": ManagedService(
        # The functions' execution roles and their inline policies. The CI roles themselves
        # live under the path /ci/, which this pattern does not reach.
        resources=("arn:aws:iam::{account}:role/{name}-*",),
        read=(
            "iam:GetRole",
            "iam:GetRolePolicy",
            "iam:ListRolePolicies",
            "iam:ListAttachedRolePolicies",
            "iam:ListInstanceProfilesForRole",
        ),
        write=(
            "iam:CreateRole",
            "iam:DeleteRole",
            "iam:UpdateRole",
            "iam:UpdateAssumeRolePolicy",
            "iam:PutRolePolicy",
            "iam:DeleteRolePolicy",
            "iam:AttachRolePolicy",
            "iam:DetachRolePolicy",
            "iam:TagRole",
            "iam:UntagRole",
        ),
    ),
}

# The IAM path of the CI roles: outside every stack's own role names.
CI_ROLE_PATH = "/ci/"

# Role-management actions that can grant permissions: a permissions boundary caps them.
BOUNDED_IAM_ACTIONS = ("iam:CreateRole", "iam:PutRolePolicy", "iam:AttachRolePolicy")


@dataclass(frozen=True)
class StateBackend:
    """Where Pulumi keeps the stacks' state when it is an S3 bucket instead of Pulumi Cloud."""

    bucket: str
    # The awskms:// secrets provider's key, when the stacks' secrets are encrypted with KMS.
    kms_key_arn: str | None = None


@dataclass(frozen=True)
class DeployAccessArgs:
    github_repository: str  # "owner/name"
    # The application stacks deployed into this account, each with its region.
    stacks: Mapping[str, str]
    account_id: str
    project: str = "serverless-backend"
    state: StateBackend | None = None
    # The account has one provider per URL: pass its ARN when another program made it.
    existing_oidc_provider_arn: str | None = None
    # When set, roles the deploy role creates or changes must carry this boundary.
    permissions_boundary_arn: str | None = None
    tags: Mapping[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        owner, _, name = self.github_repository.partition("/")
        if not owner or not name or "/" in name or "*" in self.github_repository:
            raise ValueError(
                f"github_repository must be 'owner/name', got {self.github_repository!r}"
            )
        if not self.stacks:
            raise ValueError("stacks must name at least one stack")
        for stack in self.stacks:
            if not stack or not stack.replace("-", "").replace("_", "").isalnum():
                raise ValueError(f"stack names are letters, digits, '-' and '_': {stack!r}")


def preview_subject(repository: str) -> str:
    """The OIDC subject of a job run for a pull request of the repository."""
    return f"repo:{repository}:pull_request"


def deploy_subject(repository: str, stack: str) -> str:
    """The OIDC subject of a job run in the GitHub environment named after the stack."""
    return f"repo:{repository}:environment:{stack}"


def trust_policy(provider_arn: str, subject: str) -> PolicyDocument:
    """Only GitHub tokens minted for AWS STS with exactly this subject may assume the role."""
    return {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"Federated": provider_arn},
                "Action": "sts:AssumeRoleWithWebIdentity",
                "Condition": {
                    "StringEquals": {
                        f"{GITHUB_OIDC_HOST}:aud": STS_AUDIENCE,
                        f"{GITHUB_OIDC_HOST}:sub": subject,
                    }
                },
            }
        ],
    }


def _fill(patterns: Sequence[str], args: DeployAccessArgs, stack: str) -> list[str]:
    """The patterns for one stack: its region, the account, its resources' name prefix."""
    values = {
        "region": args.stacks[stack],
        "account": args.account_id,
        "project": args.project,
        "stack": stack,
        "name": f"{args.project}-{stack}",
    }
    return [pattern.format(**values) for pattern in patterns]


def stack_regions(repo_root: Path, stacks: Sequence[str]) -> dict[str, str]:
    """Each stack's `aws:region` from its Pulumi.<stack>.yaml: the one place it is set."""
    regions = {}
    for stack in stacks:
        path = repo_root / f"Pulumi.{stack}.yaml"
        if not path.is_file():
            raise ValueError(f"no stack file {path.name} for stack {stack!r}")
        config = (yaml.safe_load(path.read_text()) or {}).get("config") or {}
        region = config.get("aws:region")
        if not isinstance(region, str) or not region:
            raise ValueError(f"{path.name} sets no aws:region")
        regions[stack] = region
    return regions


def _state_statements(args: DeployAccessArgs, stack: str, *, write: bool) -> list[dict[str, Any]]:
    """The stack's own state objects in the DIY backend's layout, and its secrets key."""
    if args.state is None:
        return []
    bucket = f"arn:aws:s3:::{args.state.bucket}"
    project, prefix = args.project, f"{bucket}/.pulumi"
    # Locks are taken by previews too, so even the preview role writes (only) those.
    lock_objects = [f"{prefix}/locks/{project}/{stack}/*"]
    stack_objects = [
        f"{prefix}/stacks/{project}/{stack}.json",
        f"{prefix}/stacks/{project}/{stack}.json.*",
        f"{prefix}/backups/{project}/{stack}/*",
        f"{prefix}/history/{project}/{stack}/*",
    ]
    statements: list[dict[str, Any]] = [
        {
            "Sid": "StateList",
            "Effect": "Allow",
            "Action": ["s3:ListBucket"],
            "Resource": [bucket],
            "Condition": {"StringLike": {"s3:prefix": [".pulumi/*"]}},
        },
        {
            "Sid": "StateRead",
            "Effect": "Allow",
            "Action": ["s3:GetObject"],
            "Resource": [f"{prefix}/meta.yaml", *stack_objects, *lock_objects],
        },
        {
            "Sid": "StateLock",
            "Effect": "Allow",
            "Action": ["s3:PutObject", "s3:DeleteObject"],
            "Resource": lock_objects,
        },
    ]
    if write:
        statements.append(
            {
                "Sid": "StateWrite",
                "Effect": "Allow",
                "Action": ["s3:PutObject", "s3:DeleteObject"],
                "Resource": stack_objects,
            }
        )
    if args.state.kms_key_arn:
        statements.append(
            {
                "Sid": "StateSecrets",
                "Effect": "Allow",
                "Action": ["kms:Decrypt"],
                "Resource": [args.state.kms_key_arn],
            }
        )
    return statements


def _sid(service: str) -> str:
    return "".join(part.capitalize() for part in service.split("-"))


def preview_policy(args: DeployAccessArgs, stack: str) -> PolicyDocument:
    """Read the stack's resources and state; change nothing but the stack's lock."""
    statements: list[dict[str, Any]] = []
    for service, actions in MANAGED_SERVICES.items():
        statements.append(
            {
                "Sid": f"{_sid(service)}Read",
                "Effect": "Allow",
                "Action": list(actions.read),
                "Resource": _fill(actions.resources, args, stack),
            }
        )
        if actions.unscoped_read:
            statements.append(
                {
                    "Sid": f"{_sid(service)}ReadAccountWide",
                    "Effect": "Allow",
                    "Action": list(actions.unscoped_read),
                    "Resource": ["*"],
                }
            )
    statements += _state_statements(args, stack, write=False)
    return {"Version": "2012-10-17", "Statement": statements}


def deploy_policy(args: DeployAccessArgs, stack: str) -> PolicyDocument:
    """Everything ``pulumi up`` of the program needs, on the stack's own resources only."""
    statements = preview_policy(args, stack)["Statement"]
    for service, actions in MANAGED_SERVICES.items():
        resources = _fill(actions.resources, args, stack)
        write = list(actions.write)
        if service == "iam" and args.permissions_boundary_arn:
            write = [action for action in write if action not in BOUNDED_IAM_ACTIONS]
            statements.append(
                {
                    "Sid": "IamWriteWithinBoundary",
                    "Effect": "Allow",
                    "Action": list(BOUNDED_IAM_ACTIONS),
                    "Resource": resources,
                    "Condition": {
                        "StringEquals": {"iam:PermissionsBoundary": args.permissions_boundary_arn}
                    },
                }
            )
        statements.append(
            {
                "Sid": f"{_sid(service)}Write",
                "Effect": "Allow",
                "Action": write,
                "Resource": resources,
            }
        )
        if actions.unscoped_write:
            statements.append(
                {
                    "Sid": f"{_sid(service)}WriteAccountWide",
                    "Effect": "Allow",
                    "Action": list(actions.unscoped_write),
                    "Resource": ["*"],
                }
            )
    statements.append(
        {
            # The functions' roles are handed to Lambda and to nothing else.
            "Sid": "PassFunctionRolesToLambda",
            "Effect": "Allow",
            "Action": ["iam:PassRole"],
            "Resource": _fill(MANAGED_SERVICES["iam"].resources, args, stack),
            "Condition": {"StringEquals": {"iam:PassedToService": "lambda.amazonaws.com"}},
        }
    )
    statements += [
        s for s in _state_statements(args, stack, write=True) if s["Sid"] == "StateWrite"
    ]
    return {"Version": "2012-10-17", "Statement": statements}


class GithubDeployAccess(pulumi.ComponentResource):
    """The OIDC provider (unless it exists) and a preview and a deploy role per stack."""

    provider_arn: pulumi.Output[str]
    preview_role_arns: dict[str, pulumi.Output[str]]
    deploy_role_arns: dict[str, pulumi.Output[str]]

    def __init__(
        self, name: str, args: DeployAccessArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("serverless-backend:bootstrap:GithubDeployAccess", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)

        if args.existing_oidc_provider_arn:
            self.provider_arn = pulumi.Output.from_input(args.existing_oidc_provider_arn)
        else:
            provider = aws.iam.OpenIdConnectProvider(
                f"{name}-github",
                url=GITHUB_OIDC_URL,
                client_id_lists=[STS_AUDIENCE],
                tags=dict(args.tags),
                opts=child,
            )
            self.provider_arn = provider.arn

        self.preview_role_arns = {}
        self.deploy_role_arns = {}
        for stack in args.stacks:
            self.preview_role_arns[stack] = self._role(
                name, args, stack, "preview", preview_subject(args.github_repository)
            )
            self.deploy_role_arns[stack] = self._role(
                name, args, stack, "deploy", deploy_subject(args.github_repository, stack)
            )

        self.register_outputs(
            {
                "provider_arn": self.provider_arn,
                "preview_role_arns": self.preview_role_arns,
                "deploy_role_arns": self.deploy_role_arns,
            }
        )

    def _role(
        self, name: str, args: DeployAccessArgs, stack: str, purpose: str, subject: str
    ) -> pulumi.Output[str]:
        policy = preview_policy(args, stack) if purpose == "preview" else deploy_policy(args, stack)
        role = aws.iam.Role(
            f"{name}-{stack}-{purpose}",
            name=f"{args.project}-{stack}-{purpose}",
            path=CI_ROLE_PATH,
            description=f"GitHub Actions {purpose} of the {args.project} stack {stack}",
            assume_role_policy=self.provider_arn.apply(
                lambda arn: json.dumps(trust_policy(arn, subject))
            ),
            max_session_duration=MAX_SESSION_SECONDS,
            tags={**args.tags, "stack": stack, "purpose": purpose},
            opts=pulumi.ResourceOptions(parent=self),
        )
        aws.iam.RolePolicy(
            f"{name}-{stack}-{purpose}",
            role=role.name,
            name=f"{purpose}-{stack}",
            policy=json.dumps(policy, separators=(",", ":")),
            opts=pulumi.ResourceOptions(parent=role),
        )
        return role.arn
