"""Print one CI role's trust or permissions policy as JSON, for setting it up by hand with the
AWS CLI instead of `pulumi up` (docs/ci-cd.md). The documents are the very ones the
bootstrap program creates.

    uv run --no-sync python -m bootstrap.print_policy --repository my-org/serverless-backend \\
        --account 123456789012 --stack prod --purpose deploy --document permissions
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path

from bootstrap.github_deploy_access import (
    GITHUB_OIDC_HOST,
    DeployAccessArgs,
    PolicyDocument,
    StateBackend,
    deploy_policy,
    deploy_subject,
    preview_policy,
    preview_subject,
    stack_targets,
    trust_policy,
)

REPO_ROOT = Path(__file__).resolve().parents[2]


def policy(argv: Sequence[str]) -> PolicyDocument:
    parser = argparse.ArgumentParser(prog="python -m bootstrap.print_policy", description=__doc__)
    parser.add_argument("--repository", required=True, help="owner/name on GitHub")
    parser.add_argument("--account", required=True, help="the AWS account id")
    parser.add_argument("--stack", required=True, help="the stack, e.g. prod")
    parser.add_argument("--purpose", required=True, choices=["preview", "deploy"])
    parser.add_argument("--document", required=True, choices=["trust", "permissions"])
    parser.add_argument("--project", default="serverless-backend")
    parser.add_argument("--state-bucket", help="the S3 state bucket, with the S3 backend")
    parser.add_argument("--state-kms-key-arn", help="the awskms:// secrets key, if any")
    parser.add_argument("--permissions-boundary-arn", help="required on roles the deploy makes")
    options = parser.parse_args(argv)

    args = DeployAccessArgs(
        github_repository=options.repository,
        stacks=stack_targets(REPO_ROOT, [options.stack]),
        account_id=options.account,
        project=options.project,
        state=StateBackend(options.state_bucket, options.state_kms_key_arn)
        if options.state_bucket
        else None,
        permissions_boundary_arn=options.permissions_boundary_arn,
    )
    if options.document == "trust":
        provider = f"arn:aws:iam::{options.account}:oidc-provider/{GITHUB_OIDC_HOST}"
        subject = (
            preview_subject(args.github_repository, options.stack)
            if options.purpose == "preview"
            else deploy_subject(args.github_repository, options.stack)
        )
        return trust_policy(provider, subject)
    if options.purpose == "preview":
        return preview_policy(args, options.stack)
    return deploy_policy(args, options.stack)


if __name__ == "__main__":
    json.dump(policy(sys.argv[1:]), sys.stdout, indent=2)
    sys.stdout.write("\n")
