"""platform/bootstrap: GitHub's way into AWS, per stack, least privilege, under Pulumi mocks."""

from __future__ import annotations

import fnmatch
import json
import runpy
from pathlib import Path
from typing import Any

import pulumi
import pytest
from pulumi.runtime import config as runtime_config
from pulumi.runtime import settings as runtime_settings
from pulumi.runtime.mocks import set_mocks
from pulumi.runtime.stack import run_pulumi_func
from pulumi.runtime.sync_await import _sync_await

from bootstrap import github_deploy_access as access
from bootstrap import print_policy

REPO = "octo/backend"
ACCOUNT = "123456789012"
# Two stacks in one account, in different regions: nothing of one may reach the other.
STACKS = {"dev": "eu-west-1", "prod": "us-east-1"}
ROOT = Path(__file__).resolve().parents[3]


def args(**overrides: Any) -> access.DeployAccessArgs:
    values: dict[str, Any] = {
        "github_repository": REPO,
        "stacks": STACKS,
        "account_id": ACCOUNT,
    }
    return access.DeployAccessArgs(**{**values, **overrides})


def statements(document: dict[str, Any]) -> list[dict[str, Any]]:
    result: list[dict[str, Any]] = document["Statement"]
    return result


def actions(document: dict[str, Any]) -> set[str]:
    return {action for s in statements(document) for action in s["Action"]}


# --- trust -----------------------------------------------------------------------------------


def test_only_the_repositorys_pull_requests_may_assume_a_preview_role() -> None:
    (statement,) = statements(access.trust_policy("arn:provider", access.preview_subject(REPO)))

    assert statement["Action"] == "sts:AssumeRoleWithWebIdentity"
    assert statement["Principal"] == {"Federated": "arn:provider"}
    assert statement["Condition"] == {
        "StringEquals": {
            "token.actions.githubusercontent.com:aud": "sts.amazonaws.com",
            "token.actions.githubusercontent.com:sub": "repo:octo/backend:pull_request",
        }
    }


def test_only_jobs_in_the_stacks_environment_may_assume_its_deploy_role() -> None:
    assert access.deploy_subject(REPO, "prod") == "repo:octo/backend:environment:prod"
    trust = access.trust_policy("arn:provider", access.deploy_subject(REPO, "prod"))

    # An exact match, never StringLike: no wildcard subject can slip in.
    assert list(statements(trust)[0]["Condition"]) == ["StringEquals"]


@pytest.mark.parametrize("repository", ["octo", "octo/", "/backend", "octo/*", "octo/a/b"])
def test_a_repository_must_be_exactly_owner_and_name(repository: str) -> None:
    with pytest.raises(ValueError, match="owner/name"):
        args(github_repository=repository)


@pytest.mark.parametrize("stacks", [{}, {"dev": "eu-west-1", "p*": "eu-west-1"}, {"": "eu-west-1"}])
def test_stacks_must_be_plain_names(stacks: dict[str, str]) -> None:
    with pytest.raises(ValueError, match="stack"):
        args(stacks=stacks)


# --- permissions -----------------------------------------------------------------------------


def test_the_preview_role_can_change_nothing() -> None:
    granted = actions(access.preview_policy(args(), "dev"))

    read_verbs = ("Get", "List", "Describe", "GET")
    assert all(action.split(":")[1].startswith(read_verbs) for action in granted), granted
    assert "apigateway:GET" in granted


def test_the_deploy_role_adds_the_writes_of_every_managed_service() -> None:
    preview = actions(access.preview_policy(args(), "dev"))
    deploy = actions(access.deploy_policy(args(), "dev"))

    assert preview < deploy
    for service in access.MANAGED_SERVICES.values():
        assert set(service.write) <= deploy
    assert {"lambda:CreateFunction", "iam:PassRole", "cognito-idp:CreateUserPool"} <= deploy


# Actions AWS authorizes on the account only: creating a pool (no ARN yet), listing, and
# the log deliveries API Gateway needs for an HTTP API stage's access logs.
ACCOUNT_WIDE = {
    "cognito-idp:CreateUserPool",
    "logs:DescribeLogGroups",
    "ssm:DescribeParameters",
    "logs:CreateLogDelivery",
    "logs:GetLogDelivery",
    "logs:UpdateLogDelivery",
    "logs:DeleteLogDelivery",
    "logs:ListLogDeliveries",
    "logs:PutResourcePolicy",
    "logs:DescribeResourcePolicies",
}


def test_no_wildcard_actions_and_no_account_wide_writes_but_the_unavoidable() -> None:
    for stack in ("dev", "prod"):
        for document in (access.preview_policy(args(), stack), access.deploy_policy(args(), stack)):
            for statement in statements(document):
                assert statement["Effect"] == "Allow"
                assert not any("*" in action for action in statement["Action"]), statement
                if statement["Resource"] == ["*"]:
                    assert set(statement["Action"]) <= ACCOUNT_WIDE, statement


def resources(document: dict[str, Any]) -> set[str]:
    return {r for s in statements(document) for r in s["Resource"]}


def test_resources_stay_in_the_stacks_account_and_region() -> None:
    for stack, region in STACKS.items():
        for resource in resources(access.deploy_policy(args(), stack)):
            if resource == "*" or resource.startswith("arn:aws:iam::"):
                continue
            assert f":{region}:" in resource, resource
            assert ACCOUNT in resource or resource.startswith("arn:aws:apigateway:"), resource


# What the program names in each stack (see platform/snapshots/), as ARNs.
def named_resources(stack: str) -> list[str]:
    region, name = STACKS[stack], f"serverless-backend-{stack}"
    return [
        f"arn:aws:lambda:{region}:{ACCOUNT}:function:{name}-items-api",
        f"arn:aws:lambda:{region}:{ACCOUNT}:function:{name}-items-api:live",
        f"arn:aws:iam::{ACCOUNT}:role/{name}-items-api",
        f"arn:aws:dynamodb:{region}:{ACCOUNT}:table/{name}",
        f"arn:aws:logs:{region}:{ACCOUNT}:log-group:/aws/lambda/{name}-items-api",
        f"arn:aws:logs:{region}:{ACCOUNT}:log-group:/aws/apigateway/{name}:*",
        f"arn:aws:cloudwatch:{region}:{ACCOUNT}:alarm:{name}-items-api-errors",
        f"arn:aws:sns:{region}:{ACCOUNT}:{name}-alarms",
        f"arn:aws:ssm:{region}:{ACCOUNT}:parameter/serverless-backend/{stack}/api_url",
    ]


def granted_on(document: dict[str, Any], arn: str) -> bool:
    return any(fnmatch.fnmatchcase(arn, pattern) for pattern in resources(document) - {"*"})


@pytest.mark.parametrize(("stack", "other"), [("dev", "prod"), ("prod", "dev")])
def test_a_stacks_roles_reach_its_own_named_resources_and_not_the_other_stacks(
    stack: str, other: str
) -> None:
    for document in (access.preview_policy(args(), stack), access.deploy_policy(args(), stack)):
        for arn in named_resources(stack):
            assert granted_on(document, arn), arn
        for arn in named_resources(other):
            assert not granted_on(document, arn), arn


def test_no_deploy_role_can_touch_the_ci_roles() -> None:
    for stack in STACKS:
        document = access.deploy_policy(args(), stack)
        for ci_stack in STACKS:
            for purpose in ("preview", "deploy"):
                ci_role = f"arn:aws:iam::{ACCOUNT}:role/ci/serverless-backend-{ci_stack}-{purpose}"
                assert not granted_on(document, ci_role), ci_role


def test_function_roles_are_passed_to_lambda_only() -> None:
    (passing,) = [
        s for s in statements(access.deploy_policy(args(), "dev")) if "iam:PassRole" in s["Action"]
    ]

    assert passing["Action"] == ["iam:PassRole"]
    assert passing["Condition"] == {"StringEquals": {"iam:PassedToService": "lambda.amazonaws.com"}}


def test_a_permissions_boundary_caps_the_roles_the_deploy_role_creates() -> None:
    boundary = "arn:aws:iam::123456789012:policy/function-boundary"
    document = access.deploy_policy(args(permissions_boundary_arn=boundary), "dev")

    for action in access.BOUNDED_IAM_ACTIONS:
        (granting,) = [s for s in statements(document) if action in s["Action"]]
        assert granting["Condition"] == {"StringEquals": {"iam:PermissionsBoundary": boundary}}


def test_without_an_s3_backend_no_role_touches_s3_or_kms() -> None:
    for document in (access.preview_policy(args(), "dev"), access.deploy_policy(args(), "dev")):
        assert not {a for a in actions(document) if a.startswith(("s3:", "kms:"))}


def test_with_an_s3_backend_each_role_reaches_its_own_stacks_state_only() -> None:
    state = access.StateBackend("state-bucket", "arn:aws:kms:eu-west-1:123456789012:key/k")
    preview = statements(access.preview_policy(args(state=state), "dev"))
    deploy = statements(access.deploy_policy(args(state=state), "dev"))

    writes = [s for s in deploy if "s3:PutObject" in s["Action"]]
    for statement in writes:
        for resource in statement["Resource"]:
            assert "/serverless-backend/dev" in resource, resource
    preview_writes = {r for s in preview if "s3:PutObject" in s["Action"] for r in s["Resource"]}
    assert preview_writes == {"arn:aws:s3:::state-bucket/.pulumi/locks/serverless-backend/dev/*"}
    (listing,) = [s for s in deploy if s["Action"] == ["s3:ListBucket"]]
    assert listing["Resource"] == ["arn:aws:s3:::state-bucket"]
    (secrets,) = [s for s in deploy if s["Action"] == ["kms:Decrypt"]]
    assert secrets["Resource"] == [state.kms_key_arn]


def test_the_inline_policies_fit_iams_size_limit() -> None:
    state = access.StateBackend("state-bucket", "arn:aws:kms:eu-west-1:123456789012:key/k")
    boundary = "arn:aws:iam::123456789012:policy/function-boundary"
    document = access.deploy_policy(args(state=state, permissions_boundary_arn=boundary), "dev")

    # IAM counts an inline role policy's characters without whitespace: 10,240 at most.
    assert len(json.dumps(document, separators=(",", ":"))) < 10_240


# --- the resources, under Pulumi mocks --------------------------------------------------------


class Mocks(pulumi.runtime.Mocks):
    def __init__(self) -> None:
        self.resources: list[pulumi.runtime.MockResourceArgs] = []

    def new_resource(self, args: pulumi.runtime.MockResourceArgs) -> tuple[str, dict[str, Any]]:
        self.resources.append(args)
        name = args.inputs.get("name", args.name)
        arn = f"arn:aws:iam::{ACCOUNT}:{args.typ.rsplit(':', 1)[-1].lower()}/{name}"
        return f"{args.name}-id", {**args.inputs, "arn": arn, "name": name}

    def call(self, args: pulumi.runtime.MockCallArgs) -> tuple[dict[str, Any], list[Any]]:
        if args.token == "aws:index/getCallerIdentity:getCallerIdentity":
            return {"accountId": ACCOUNT, "arn": "arn", "userId": "user", "id": ACCOUNT}, []
        return {}, []

    def of_type(self, typ: str) -> list[dict[str, Any]]:
        return [r.inputs for r in self.resources if r.typ == f"aws:iam/{typ}"]


def deploy(deploy_args: access.DeployAccessArgs) -> tuple[Mocks, dict[str, str]]:
    """Run the component under mocks to completion; its resources and its role ARN outputs."""
    mocks = Mocks()
    components: list[access.GithubDeployAccess] = []
    runtime_settings.ROOT.set(None)
    set_mocks(mocks, project="serverless-backend-bootstrap", stack="test", preview=False)
    try:
        _sync_await(
            run_pulumi_func(lambda: components.append(access.GithubDeployAccess("ci", deploy_args)))
        )
        (component,) = components
        roles = {
            **{f"{stack}-preview": arn for stack, arn in component.preview_role_arns.items()},
            **{f"{stack}-deploy": arn for stack, arn in component.deploy_role_arns.items()},
        }
        arns = {key: str(_sync_await(arn.future())) for key, arn in roles.items()}
    finally:
        # The runtime is process-wide: leave it clean for the next test that sets mocks.
        runtime_settings.ROOT.set(None)
    return mocks, arns


def test_one_provider_and_a_preview_and_deploy_role_per_stack() -> None:
    mocks, arns = deploy(args())

    (provider,) = mocks.of_type("openIdConnectProvider:OpenIdConnectProvider")
    assert provider["url"] == "https://token.actions.githubusercontent.com"
    assert provider["clientIdLists"] == ["sts.amazonaws.com"]
    roles = {role["name"]: role for role in mocks.of_type("role:Role")}
    assert set(roles) == {
        "serverless-backend-dev-preview",
        "serverless-backend-dev-deploy",
        "serverless-backend-prod-preview",
        "serverless-backend-prod-deploy",
    }
    assert all(role["maxSessionDuration"] == 3600 for role in roles.values())
    assert all(role["path"] == "/ci/" for role in roles.values())
    assert arns["dev-preview"] == f"arn:aws:iam::{ACCOUNT}:role/serverless-backend-dev-preview"
    assert arns["prod-deploy"] == f"arn:aws:iam::{ACCOUNT}:role/serverless-backend-prod-deploy"


def test_each_role_trusts_its_own_subject_through_the_created_provider() -> None:
    mocks, _ = deploy(args())

    roles = {role["name"]: role for role in mocks.of_type("role:Role")}
    (statement,) = json.loads(roles["serverless-backend-prod-deploy"]["assumeRolePolicy"])[
        "Statement"
    ]
    assert statement["Principal"]["Federated"].endswith("openidconnectprovider/ci-github")
    assert statement["Condition"]["StringEquals"]["token.actions.githubusercontent.com:sub"] == (
        "repo:octo/backend:environment:prod"
    )
    (statement,) = json.loads(roles["serverless-backend-dev-preview"]["assumeRolePolicy"])[
        "Statement"
    ]
    assert statement["Condition"]["StringEquals"]["token.actions.githubusercontent.com:sub"] == (
        "repo:octo/backend:pull_request"
    )


def test_each_role_gets_its_purposes_policy_for_its_own_stack() -> None:
    mocks, _ = deploy(args())

    policies = {policy["name"]: policy for policy in mocks.of_type("rolePolicy:RolePolicy")}
    assert set(policies) == {"preview-dev", "deploy-dev", "preview-prod", "deploy-prod"}
    assert policies["deploy-prod"]["role"] == "serverless-backend-prod-deploy"
    assert json.loads(policies["deploy-prod"]["policy"]) == access.deploy_policy(args(), "prod")
    assert json.loads(policies["preview-dev"]["policy"]) == access.preview_policy(args(), "dev")


def test_an_existing_provider_is_reused_not_created() -> None:
    existing = f"arn:aws:iam::{ACCOUNT}:oidc-provider/token.actions.githubusercontent.com"

    mocks, _ = deploy(args(existing_oidc_provider_arn=existing))

    assert not mocks.of_type("openIdConnectProvider:OpenIdConnectProvider")
    for role in mocks.of_type("role:Role"):
        (statement,) = json.loads(role["assumeRolePolicy"])["Statement"]
        assert statement["Principal"]["Federated"] == existing


# --- the program's inputs -------------------------------------------------------------------


def test_each_stacks_region_comes_from_its_stack_file(tmp_path: Path) -> None:
    (tmp_path / "Pulumi.dev.yaml").write_text("config:\n  aws:region: eu-west-1\n")
    (tmp_path / "Pulumi.prod.yaml").write_text("config:\n  aws:region: us-east-1\n")

    assert access.stack_regions(tmp_path, ["prod"]) == {"prod": "us-east-1"}
    assert access.stack_regions(tmp_path, ["dev", "prod"]) == STACKS


def test_a_stack_without_a_file_or_a_region_is_refused(tmp_path: Path) -> None:
    (tmp_path / "Pulumi.dev.yaml").write_text("config: {}\n")

    with pytest.raises(ValueError, match="sets no aws:region"):
        access.stack_regions(tmp_path, ["dev"])
    with pytest.raises(ValueError, match=r"no stack file Pulumi\.staging\.yaml"):
        access.stack_regions(tmp_path, ["staging"])


def test_the_repositorys_stacks_all_have_a_region() -> None:
    stacks = sorted(p.name.split(".")[1] for p in ROOT.glob("Pulumi.*.yaml"))

    assert set(access.stack_regions(ROOT, stacks)) == set(stacks)


def test_the_program_reads_its_config_and_makes_roles_for_the_named_stacks() -> None:
    mocks = Mocks()
    project = "serverless-backend-bootstrap"
    runtime_settings.ROOT.set(None)
    set_mocks(mocks, project=project, stack="main-account", preview=False)
    runtime_config.set_all_config(
        {f"{project}:githubRepository": REPO, f"{project}:stacks": '["prod"]'}, []
    )
    try:

        def program() -> None:
            runpy.run_path(str(ROOT / "platform" / "bootstrap"), run_name="__main__")

        _sync_await(run_pulumi_func(program))
    finally:
        runtime_config.set_all_config({}, [])
        runtime_settings.ROOT.set(None)

    names = sorted(role["name"] for role in mocks.of_type("role:Role"))
    assert names == ["serverless-backend-prod-deploy", "serverless-backend-prod-preview"]
    (deploy,) = [p for p in mocks.of_type("rolePolicy:RolePolicy") if p["name"] == "deploy-prod"]
    region = access.stack_regions(ROOT, ["prod"])["prod"]
    assert (
        f"arn:aws:lambda:{region}:{ACCOUNT}:function:serverless-backend-prod-*" in deploy["policy"]
    )


# --- the same documents for the AWS CLI --------------------------------------------------------


def test_the_printed_policies_are_the_ones_the_program_creates() -> None:
    common = ["--repository", REPO, "--account", ACCOUNT, "--stack", "prod"]
    region = access.stack_regions(ROOT, ["prod"])["prod"]
    expected = access.DeployAccessArgs(
        github_repository=REPO, stacks={"prod": region}, account_id=ACCOUNT
    )

    deploy = print_policy.policy([*common, "--purpose", "deploy", "--document", "permissions"])
    trust = print_policy.policy([*common, "--purpose", "deploy", "--document", "trust"])

    assert deploy == access.deploy_policy(expected, "prod")
    assert trust == access.trust_policy(
        f"arn:aws:iam::{ACCOUNT}:oidc-provider/token.actions.githubusercontent.com",
        "repo:octo/backend:environment:prod",
    )
