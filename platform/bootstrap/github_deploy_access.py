"""GitHub Actions' way into one AWS account: no long-lived keys, one role per stack and purpose.

For every application stack deployed into the account there are two roles, under the IAM
path ``/ci/`` so that no stack's own role pattern reaches them:

- ``<project>-<stack>-preview``: read-only, assumable only by jobs running in the GitHub
  environment ``<stack>-preview`` (OIDC subject
  ``repo:<owner>/<name>:environment:<stack>-preview``).
  Pull-request code runs with it, so it reads the stack's resources and state but changes
  nothing (bar the stack's state lock) and reads no secret parameter. The environment
  guards it: ``dev-preview`` runs every pull request's preview; ``prod-preview`` has required
  reviewers, so unmerged code reaches prod only after a person approves that run.
- ``<project>-<stack>-deploy``: creates and updates the stack's resources, assumable only by
  jobs running in the GitHub environment named after the stack (subject
  ``repo:<owner>/<name>:environment:<stack>``), so the environment's protection rules
  (required reviewers, main branch only) guard it.

What each role may call comes from bootstrap.deployed_types, one entry per resource type
the program declares. The policy documents are plain functions of plain values, so they
read (and are tested) without Pulumi; ``GithubDeployAccess`` only turns them into resources.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pulumi
import pulumi_aws as aws

from bootstrap.deployed_types import (
    APIGATEWAY_SERVICE,
    APIGATEWAY_SERVICE_LINKED_ROLE,
    BOUNDED_IAM_ACTIONS,
    COGNITO_EMAIL_SERVICE,
    COGNITO_EMAIL_SERVICE_LINKED_ROLE,
    PREVIEW_WITHHELD,
    SCOPES,
    SECRET_PARAMETERS,
    SECRET_READS,
    TAG_SCOPES,
    UNBOUNDING_IAM_ACTIONS,
    UNSCOPED,
    TagScope,
    is_read,
    needed_actions,
)
from infra.program.names import StackNames
from infra.program.stack_files import stack_config
from infra.program.stack_tag import STACK_TAG

GITHUB_OIDC_URL = "https://token.actions.githubusercontent.com"
GITHUB_OIDC_HOST = "token.actions.githubusercontent.com"
# The audience aws-actions/configure-aws-credentials asks GitHub to put in the token.
STS_AUDIENCE = "sts.amazonaws.com"
# A preview's session: long enough for `pulumi preview`, short enough to expire soon.
MAX_SESSION_SECONDS = 3600
# A deploy's: as long as its job may run (.github/workflows/deploy.yml), which covers a
# certificate validation's 75 minutes (docs/ci-cd.md, Locks and timeouts). Credentials that
# expired halfway would leave the update's operations pending and the stack locked.
DEPLOY_SESSION_SECONDS = 14400
# The IAM path of the CI roles: outside every stack's own role names.
CI_ROLE_PATH = "/ci/"
# Actions with conditions of their own (statements below), never in a plain grant.
_CONDITIONED = frozenset({"iam:PassRole", "iam:CreateServiceLinkedRole"})

PolicyDocument = dict[str, Any]

# Who the program hands its roles to: Lambda (functions), EventBridge Scheduler (schedules).
PASSED_TO_SERVICES = ("lambda.amazonaws.com", "scheduler.amazonaws.com")


@dataclass(frozen=True)
class StackTarget:
    """What the bootstrap needs of one stack, read from its Pulumi.<stack>.yaml."""

    region: str
    # The SES identity the program declares: auth.emailIdentity, else auth.emailSender.
    email_sender: str
    # permissionsBoundaryArn: the boundary the program sets on its roles, if any.
    permissions_boundary_arn: str | None = None
    # api.hostedZoneId: the Route 53 zone of the stack's custom domain, if it has one.
    hosted_zone_id: str | None = None
    # production: such a stack's roles must carry the account's permissions boundary.
    production: bool = False
    # The user pool sends its mail through SES (Cognito then creates its e-mail
    # service-linked role on the first up).
    pool_sends_through_ses: bool = True
    # api.domain: the custom domain's name, if it has one.
    domain: str | None = None


@dataclass(frozen=True)
class StateBackend:
    """Where Pulumi keeps the stacks' state when it is an S3 bucket instead of Pulumi Cloud."""

    bucket: str
    # The awskms:// secrets provider's key, when the stacks' secrets are encrypted with KMS.
    kms_key_arn: str | None = None


@dataclass(frozen=True)
class DeployAccessArgs:
    github_repository: str  # "owner/name"
    # The application stacks deployed into this account.
    stacks: Mapping[str, StackTarget]
    account_id: str
    project: str = "serverless-backend"
    state: StateBackend | None = None
    # The account has one provider per URL: pass its ARN when another program made it.
    existing_oidc_provider_arn: str | None = None
    # The account's permissions boundary (bootstrap.account_settings, or the organisation's
    # own): a stack that sets one must set this one, and a production stack must set it.
    # Roles its deploy role creates or changes must then carry it.
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
        for stack, target in self.stacks.items():
            if not stack or not stack.replace("-", "").replace("_", "").isalnum():
                raise ValueError(f"stack names are letters, digits, '-' and '_': {stack!r}")
            boundary = self.permissions_boundary_arn
            own = target.permissions_boundary_arn
            if boundary and (own or target.production) and own != boundary:
                # The deploy role could then create none of the stack's roles.
                raise ValueError(
                    f"the deploy role of stack {stack} may only create roles with the "
                    f"permissions boundary {boundary}, but Pulumi.{stack}.yaml sets "
                    f"{target.permissions_boundary_arn or 'none'}: set "
                    f"serverless-backend:permissionsBoundaryArn to {boundary} there"
                )


def preview_subject(repository: str, stack: str) -> str:
    """The OIDC subject of a job run in the GitHub environment `<stack>-preview`."""
    return f"repo:{repository}:environment:{stack}-preview"


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


def _fill(patterns: Iterable[str], args: DeployAccessArgs, stack: str) -> list[str]:
    """The patterns for one stack: its region, the account, its resources' names."""
    target = args.stacks[stack]
    values = {
        "region": target.region,
        "account": args.account_id,
        "project": args.project,
        "stack": stack,
        "name": StackNames(args.project, stack).base,
        "email_sender": target.email_sender,
        "hosted_zone_id": target.hosted_zone_id,
        "domain": target.domain,
    }
    return [pattern.format(**values) for pattern in patterns]


def _has_values_for(patterns: Iterable[str], args: DeployAccessArgs, stack: str) -> bool:
    """False when a pattern names a value the stack does not have (a custom domain's name or
    hosted zone, without a custom domain): it has nothing there to act on."""
    target = args.stacks[stack]
    missing = [
        key
        for key, value in (("domain", target.domain), ("hosted_zone_id", target.hosted_zone_id))
        if value is None
    ]
    return not any(f"{{{key}}}" in pattern for pattern in patterns for key in missing)


def _scope(service: str, args: DeployAccessArgs, stack: str) -> list[str] | None:
    """SCOPES[service] for one stack, or None where it has nothing to act on."""
    if service not in SCOPES or not _has_values_for(SCOPES[service], args, stack):
        return None
    return _fill(SCOPES[service], args, stack)


def stack_actions(args: DeployAccessArgs, stack: str) -> frozenset[str]:
    """What the program and the pipeline may need on this stack: every type's actions but
    those of a service the stack has no resource of (`_scope`)."""
    return frozenset(
        action
        for action in needed_actions()
        if action in UNSCOPED
        or action in _CONDITIONED
        or action.split(":", 1)[0] in TAG_SCOPES
        or _scope(action.split(":", 1)[0], args, stack) is not None
    )


def stack_targets(repo_root: Path, stacks: Sequence[str]) -> dict[str, StackTarget]:
    """Each stack's region, sender and boundary from its Pulumi.<stack>.yaml, read by the
    program's own parser: the one place they are set."""
    targets = {}
    for stack in stacks:
        path = repo_root / f"Pulumi.{stack}.yaml"
        if not path.is_file():
            raise ValueError(f"no stack file {path.name} for stack {stack!r}")
        config = stack_config(stack, config_file=path)
        targets[stack] = StackTarget(
            region=config.region,
            email_sender=config.auth.sending_identity,
            permissions_boundary_arn=config.permissions_boundary_arn,
            hosted_zone_id=config.api.hosted_zone_id,
            production=config.production,
            pool_sends_through_ses=config.user_pool.email_sender == "ses",
            domain=config.api.domain,
        )
    return targets


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


def _grants(
    actions: Iterable[str], args: DeployAccessArgs, stack: str, suffix: str, *, strict: bool
) -> list[dict[str, Any]]:
    """One statement per service on its resources named by stack, the tag-scoped statements
    of the services whose ids AWS generates, one for the account-wide rest."""
    scoped: dict[str, list[str]] = defaultdict(list)
    account_wide: list[str] = []
    for action in sorted(set(actions) & stack_actions(args, stack) - _CONDITIONED):
        if action in UNSCOPED:
            account_wide.append(action)
        else:
            scoped[action.split(":", 1)[0]].append(action)
    statements = []
    for service, service_actions in sorted(scoped.items()):
        resources = _scope(service, args, stack)
        if resources is not None:
            statements.append(
                {
                    "Sid": f"{_sid(service)}{suffix}",
                    "Effect": "Allow",
                    "Action": service_actions,
                    "Resource": resources,
                }
            )
        if service in TAG_SCOPES:
            statements += _tag_grants(
                service, TAG_SCOPES[service], service_actions, args, stack, suffix, strict=strict
            )
    if account_wide:
        statements.append(
            {
                "Sid": f"AccountWide{suffix}",
                "Effect": "Allow",
                "Action": account_wide,
                "Resource": ["*"],
            }
        )
    return statements


def _tag_grants(
    service: str,
    scope: TagScope,
    actions: Sequence[str],
    args: DeployAccessArgs,
    stack: str,
    suffix: str,
    *,
    strict: bool,
) -> list[dict[str, Any]]:
    """The statements of a service reached by the stack's tag (deployed_types.TagScope):
    its tagged resources, creating one tagged for the stack, tagging without the stack tag.
    `strict` (the preview role): a resource without the tag is not the stack's."""
    own_tag = {f"aws:ResourceTag/{STACK_TAG}": stack}
    tagging = {*scope.tag_adds, *scope.tag_removes}
    on_resources = [
        a for a in actions if scope.verbs or (a not in scope.creates and a not in tagging)
    ]
    loose = scope.untagged_children and not strict
    statements: list[dict[str, Any]] = []
    if on_resources:
        statements.append(
            {
                "Sid": f"{_sid(service)}TaggedForStack{suffix}",
                "Effect": "Allow",
                "Action": on_resources,
                "Resource": _fill(scope.resources, args, stack),
                "Condition": {"StringEqualsIfExists" if loose else "StringEquals": own_tag},
            }
        )
    creates = sorted(a for a in actions if a in scope.creates)
    for action in creates:
        where = [
            pattern
            for pattern in scope.creates[action]
            # Creating a custom domain: only a stack that has one.
            if "/domainnames" not in pattern or args.stacks[stack].domain is not None
        ]
        statements.append(
            {
                "Sid": f"{_sid(service)}CreateForStack{suffix}",
                "Effect": "Allow",
                "Action": [action],
                "Resource": _fill(where, args, stack),
                "Condition": {"StringEquals": {f"aws:RequestTag/{STACK_TAG}": stack}},
            }
        )
    tags = sorted(a for a in actions if a in tagging)
    if tags:
        condition: dict[str, Any] = {
            # The stack tag is set when the resource is created, and never changed or removed.
            "ForAllValues:StringNotEquals": {"aws:TagKeys": [STACK_TAG]}
        }
        if scope.tag_resources is None:
            condition["StringEquals"] = own_tag
        statements.append(
            {
                "Sid": f"{_sid(service)}TagsButTheStacks{suffix}",
                "Effect": "Allow",
                "Action": tags,
                "Resource": _fill(scope.tag_resources or scope.resources, args, stack),
                "Condition": condition,
            }
        )
    return statements


def preview_policy(args: DeployAccessArgs, stack: str) -> PolicyDocument:
    """Read the stack's resources and state; change nothing but the stack's lock, and read
    no secret: not a function's configuration, not a secret parameter."""
    reads = {a for a in needed_actions() if is_read(a) and a not in PREVIEW_WITHHELD}
    statements = _grants(reads, args, stack, "Read", strict=True)
    statements.append(
        {
            # The aws/ssm key lets every principal of the account decrypt through SSM, so
            # only this Deny keeps pull-request code from the stack's secrets.
            "Sid": "NoSecretReads",
            "Effect": "Deny",
            "Action": list(SECRET_READS),
            "Resource": _fill([SECRET_PARAMETERS], args, stack),
        }
    )
    statements += _state_statements(args, stack, write=False)
    return {"Version": "2012-10-17", "Statement": statements}


def deploy_policy(args: DeployAccessArgs, stack: str) -> PolicyDocument:
    """Everything ``pulumi up`` of the program and the pipeline after it need, on the
    stack's own resources only."""
    actions = set(needed_actions())
    statements: list[dict[str, Any]] = []
    # The stack's own boundary: a stack off production may have none (its roles are then
    # unbounded, which the bootstrap warns about).
    boundary = args.stacks[stack].permissions_boundary_arn
    if boundary:
        # Roles may then only be created or changed with the boundary, never lose it.
        actions -= {*BOUNDED_IAM_ACTIONS, *UNBOUNDING_IAM_ACTIONS}
        statements.append(
            {
                "Sid": "IamWithinBoundary",
                "Effect": "Allow",
                "Action": list(BOUNDED_IAM_ACTIONS),
                "Resource": _fill(SCOPES["iam"], args, stack),
                "Condition": {"StringEquals": {"iam:PermissionsBoundary": boundary}},
            }
        )
    statements[:0] = _grants(actions, args, stack, "", strict=False)
    statements += [
        {
            # The functions' roles are handed to Lambda, and a scheduled function's
            # schedule role to EventBridge Scheduler, and to nothing else.
            "Sid": "PassFunctionRolesToLambda",
            "Effect": "Allow",
            "Action": ["iam:PassRole"],
            "Resource": _fill(SCOPES["iam"], args, stack),
            "Condition": {"StringEquals": {"iam:PassedToService": list(PASSED_TO_SERVICES)}},
        },
        {
            # A fresh account has no API Gateway service-linked role until the first API.
            "Sid": "ApiGatewayServiceLinkedRole",
            "Effect": "Allow",
            "Action": ["iam:CreateServiceLinkedRole"],
            "Resource": _fill([APIGATEWAY_SERVICE_LINKED_ROLE], args, stack),
            "Condition": {"StringEquals": {"iam:AWSServiceName": APIGATEWAY_SERVICE}},
        },
    ]
    if args.stacks[stack].pool_sends_through_ses:
        statements.append(
            {
                # A pool that sends through SES makes Cognito create its e-mail
                # service-linked role, with the caller's rights, if the account has none.
                "Sid": "CognitoEmailServiceLinkedRole",
                "Effect": "Allow",
                "Action": ["iam:CreateServiceLinkedRole"],
                "Resource": _fill([COGNITO_EMAIL_SERVICE_LINKED_ROLE], args, stack),
                "Condition": {"StringEquals": {"iam:AWSServiceName": COGNITO_EMAIL_SERVICE}},
            }
        )
    statements += _state_statements(args, stack, write=True)
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
                name, args, stack, "preview", preview_subject(args.github_repository, stack)
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
            max_session_duration=DEPLOY_SESSION_SECONDS
            if purpose == "deploy"
            else MAX_SESSION_SECONDS,
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
