"""The one-time CI/CD setup of one AWS account; see docs/ci-cd.md for the commands."""

from pathlib import Path

import pulumi
import pulumi_aws as aws

from bootstrap.github_deploy_access import (
    DeployAccessArgs,
    GithubDeployAccess,
    StateBackend,
    stack_targets,
)

# The application's stack files, two folders up, say each stack's region.
REPO_ROOT = Path(__file__).resolve().parents[2]

config = pulumi.Config()
state_bucket = config.get("stateBucket")
identity = aws.get_caller_identity()

access = GithubDeployAccess(
    "ci",
    DeployAccessArgs(
        github_repository=config.require("githubRepository"),
        # Only the stacks deployed into this account (the one the AWS credentials reach), each
        # with its region, sender and permissions boundary from its stack file.
        stacks=stack_targets(REPO_ROOT, config.require_object("stacks")),
        account_id=identity.account_id,
        project=config.get("project") or "serverless-backend",
        state=StateBackend(state_bucket, config.get("stateKmsKeyArn")) if state_bucket else None,
        existing_oidc_provider_arn=config.get("existingOidcProviderArn"),
        permissions_boundary_arn=config.get("permissionsBoundaryArn"),
        tags={"managed-by": "serverless-backend-bootstrap"},
    ),
)

pulumi.export("oidc_provider_arn", access.provider_arn)
# Set each as the variable AWS_PREVIEW_ROLE_ARN of the GitHub environment <stack>-preview.
pulumi.export("preview_role_arns", access.preview_role_arns)
# Set each as the variable AWS_DEPLOY_ROLE_ARN of the GitHub environment named after the stack.
pulumi.export("deploy_role_arns", access.deploy_role_arns)
