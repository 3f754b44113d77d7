"""The one-time CI/CD setup of one AWS account; see docs/ci-cd.md for the commands."""

from pathlib import Path

import pulumi
import pulumi_aws as aws

from bootstrap.account_settings import (
    DEFAULT_SMS_MONTHLY_SPEND_LIMIT,
    AccountSettings,
    AccountSettingsArgs,
    boundary_arn,
)
from bootstrap.github_deploy_access import (
    DeployAccessArgs,
    GithubDeployAccess,
    StateBackend,
    stack_targets,
)
from service_manifest import find_manifests

# The application's stack files, two folders up, say each stack's region.
REPO_ROOT = Path(__file__).resolve().parents[2]

config = pulumi.Config()
state_bucket = config.get("stateBucket")
identity = aws.get_caller_identity()
project = config.get("project") or "serverless-backend"
tags = {"managed-by": "serverless-backend-bootstrap"}

# The account's own settings, which no stack declares: the SMS preferences of this region
# (a spend limit within the account's quota, $1 until AWS raises it) and the functions'
# permissions boundary.
settings = AccountSettings(
    "account",
    AccountSettingsArgs(
        account_id=identity.account_id,
        manifests=find_manifests(REPO_ROOT / "services"),
        project=project,
        sms_monthly_spend_limit=config.get_int("smsMonthlySpendLimit")
        or DEFAULT_SMS_MONTHLY_SPEND_LIMIT,
        tags=tags,
    ),
)
# The boundary every production stack's roles carry: this account's, or the
# organisation's own (`permissionsBoundaryArn`).
boundary = config.get("permissionsBoundaryArn") or boundary_arn(identity.account_id, project)
stacks = stack_targets(REPO_ROOT, config.require_object("stacks"))
for name, target in stacks.items():
    if target.permissions_boundary_arn is None:
        pulumi.log.warn(
            f"stack {name} sets no permissionsBoundaryArn: its deploy role may create roles "
            f"with any policy. Set {boundary} in Pulumi.{name}.yaml (production stacks must)."
        )

access = GithubDeployAccess(
    "ci",
    DeployAccessArgs(
        github_repository=config.require("githubRepository"),
        # Only the stacks deployed into this account (the one the AWS credentials reach), each
        # with its region, sender and permissions boundary from its stack file.
        stacks=stacks,
        account_id=identity.account_id,
        project=project,
        state=StateBackend(state_bucket, config.get("stateKmsKeyArn")) if state_bucket else None,
        existing_oidc_provider_arn=config.get("existingOidcProviderArn"),
        permissions_boundary_arn=boundary,
        tags=tags,
    ),
    opts=pulumi.ResourceOptions(depends_on=[settings]),
)

pulumi.export("oidc_provider_arn", access.provider_arn)
# Set as serverless-backend:permissionsBoundaryArn in every Pulumi.<stack>.yaml of the
# account (production stacks must).
pulumi.export("permissions_boundary_arn", settings.boundary_arn)
# Set each as the variable AWS_PREVIEW_ROLE_ARN of the GitHub environment <stack>-preview.
pulumi.export("preview_role_arns", access.preview_role_arns)
# Set each as the variable AWS_DEPLOY_ROLE_ARN of the GitHub environment named after the stack.
pulumi.export("deploy_role_arns", access.deploy_role_arns)
