"""platform/bootstrap: GitHub's way into AWS, per stack, least privilege, under Pulumi mocks."""

from __future__ import annotations

import dataclasses
import fnmatch
import json
import os
import runpy
import warnings
from functools import cache
from pathlib import Path
from typing import Any

import pulumi
import pytest
import yaml
from pulumi.runtime import config as runtime_config
from pulumi.runtime import settings as runtime_settings
from pulumi.runtime.mocks import set_mocks
from pulumi.runtime.stack import run_pulumi_func
from pulumi.runtime.sync_await import _sync_await

from bootstrap import deployed_types as types
from bootstrap import github_deploy_access as access
from bootstrap import print_policy
from infra.offline.declared import MOCK_ACCOUNT, DeclaredStack, declare_stack
from infra.program.stack_files import stack_config, stacks
from infra.program.stack_tag import STACK_TAG
from tests.bootstrap.iam_evaluation import Request, decide

with warnings.catch_warnings():
    warnings.simplefilter("ignore")  # parliament imports the deprecated pkg_resources
    import parliament  # type: ignore[import-untyped]

REPO = "octo/backend"
ACCOUNT = "123456789012"
# Two stacks in one account, in different regions: nothing of one may reach the other.
# Only prod has a custom domain (so a Route 53 hosted zone).
ZONE = "Z0PRODZONE"
STACKS = {
    "dev": access.StackTarget("eu-west-1", "no-reply@dev.example.com"),
    "prod": access.StackTarget(
        "us-east-1", "no-reply@example.com", hosted_zone_id=ZONE, production=True
    ),
}
ROOT = Path(__file__).resolve().parents[3]
SNAPSHOTS = sorted((ROOT / "platform" / "snapshots").glob("*.yaml"))


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
    """What the document allows (its Deny statements only narrow that)."""
    return {a for s in statements(document) if s["Effect"] == "Allow" for a in s["Action"]}


# --- trust -----------------------------------------------------------------------------------


def test_only_jobs_in_the_stacks_preview_environment_may_assume_its_preview_role() -> None:
    """Not any pull request: prod's preview environment has required reviewers, so branch
    code reaches prod's state and resources only after a person approves that run."""
    subject = access.preview_subject(REPO, "prod")
    (statement,) = statements(access.trust_policy("arn:provider", subject))

    assert subject == "repo:octo/backend:environment:prod-preview"
    assert statement["Action"] == "sts:AssumeRoleWithWebIdentity"
    assert statement["Principal"] == {"Federated": "arn:provider"}
    assert statement["Condition"] == {
        "StringEquals": {
            "token.actions.githubusercontent.com:aud": "sts.amazonaws.com",
            "token.actions.githubusercontent.com:sub": "repo:octo/backend:environment:prod-preview",
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


@pytest.mark.parametrize("names", [(), ("dev", "p*"), ("",)], ids=["none", "wildcard", "empty"])
def test_stacks_must_be_plain_names(names: tuple[str, ...]) -> None:
    with pytest.raises(ValueError, match="stack"):
        args(stacks=dict.fromkeys(names, STACKS["dev"]))


# --- permissions -----------------------------------------------------------------------------


def test_the_preview_role_can_change_nothing() -> None:
    granted = actions(access.preview_policy(args(), "dev"))

    read_verbs = ("Get", "List", "Describe", "GET")
    assert all(action.split(":")[1].startswith(read_verbs) for action in granted), granted
    assert "apigateway:GET" in granted


def test_no_wildcard_actions_and_no_account_wide_grant_but_the_unavoidable() -> None:
    for stack in STACKS:
        for document in (access.preview_policy(args(), stack), access.deploy_policy(args(), stack)):
            for statement in statements(document):
                assert not any("*" in action for action in statement["Action"]), statement
                if statement["Resource"] == ["*"] and "Condition" not in statement:
                    assert set(statement["Action"]) <= types.UNSCOPED, statement
                elif statement["Resource"] == ["*"]:
                    # Creating a pool or a certificate: only one tagged for the stack.
                    assert statement["Condition"] == {
                        "StringEquals": {f"aws:RequestTag/{STACK_TAG}": stack}
                    }, statement


def test_the_only_deny_keeps_previews_from_the_stacks_secrets() -> None:
    for stack in STACKS:
        assert not [
            s for s in statements(access.deploy_policy(args(), stack)) if s["Effect"] != "Allow"
        ]
        (deny,) = [
            s for s in statements(access.preview_policy(args(), stack)) if s["Effect"] != "Allow"
        ]
        assert deny["Effect"] == "Deny"
        region = STACKS[stack].region
        assert deny["Resource"] == [
            f"arn:aws:ssm:{region}:{ACCOUNT}:parameter/serverless-backend/{stack}/secrets/*"
        ]
        # Every call that returns a parameter's value.
        assert set(deny["Action"]) == {
            "ssm:GetParameter",
            "ssm:GetParameters",
            "ssm:GetParametersByPath",
            "ssm:GetParameterHistory",
        }


def test_a_preview_reads_no_function_configuration_and_decrypts_nothing_of_the_stack() -> None:
    """A function's configuration shows its environment; a KMS key would decrypt secrets. The
    only key a preview may use is the state's own secrets key (awskms backend), which is
    what the preview needs to read the stack's state at all (docs/ci-cd.md)."""
    granted = actions(access.preview_policy(args(), "prod"))

    assert "lambda:GetFunctionConfiguration" not in granted
    assert not {a for a in granted if a.startswith("kms:")}
    assert not {a for a in granted if a in types.SECRET_READS} - {"ssm:GetParameter"}


def resources(document: dict[str, Any]) -> set[str]:
    return {r for s in statements(document) for r in s["Resource"]}


# Global resources: IAM roles, CloudWatch dashboards, Route 53 zones and their changes.
GLOBAL = ("arn:aws:iam::", "arn:aws:cloudwatch::", "arn:aws:route53:::")


def test_resources_stay_in_the_stacks_account_and_region() -> None:
    for stack, target in STACKS.items():
        region = target.region
        for resource in resources(access.deploy_policy(args(), stack)):
            if resource == "*" or resource.startswith(GLOBAL):
                continue
            assert f":{region}:" in resource, resource
            assert ACCOUNT in resource or resource.startswith("arn:aws:apigateway:"), resource


def test_route_53_is_reached_only_in_the_stacks_own_hosted_zone() -> None:
    """A stack without a custom domain declares no record, so its roles get no Route 53
    action at all; one with a domain reaches its own zone and the changes made in it."""
    for stack, target in STACKS.items():
        for document in (access.preview_policy(args(), stack), access.deploy_policy(args(), stack)):
            route53 = [s for s in statements(document) if s["Sid"].startswith("Route53")]
            if target.hosted_zone_id is None:
                assert route53 == []
                assert not {a for a in actions(document) if a.startswith("route53:")}
                continue
            (statement,) = route53
            assert statement["Resource"] == [
                f"arn:aws:route53:::hostedzone/{target.hosted_zone_id}",
                "arn:aws:route53:::change/*",
            ]


def granted_on(document: dict[str, Any], arn: str, action: str | None = None) -> bool:
    """Whether an Allow statement (for `action`, if given) names a pattern matching `arn`."""
    return any(
        fnmatch.fnmatchcase(arn, pattern)
        for statement in statements(document)
        if statement["Effect"] == "Allow" and (action is None or action in statement["Action"])
        for pattern in statement["Resource"]
        if pattern != "*"
    )


def named_resources(stack: str) -> list[str]:
    region, name = STACKS[stack].region, f"serverless-backend-{stack}"
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
        f"arn:aws:ses:{region}:{ACCOUNT}:identity/{STACKS[stack].email_sender}",
        f"arn:aws:cloudwatch::{ACCOUNT}:dashboard/{name}",
    ]


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
    assert passing["Condition"] == {
        "StringEquals": {"iam:PassedToService": ["lambda.amazonaws.com", "scheduler.amazonaws.com"]}
    }


BOUNDARY = "arn:aws:iam::123456789012:policy/function-boundary"


def bounded_stacks() -> dict[str, access.StackTarget]:
    return {
        stack: dataclasses.replace(target, permissions_boundary_arn=BOUNDARY)
        for stack, target in STACKS.items()
    }


def test_a_permissions_boundary_caps_the_roles_the_deploy_role_creates() -> None:
    document = access.deploy_policy(
        args(stacks=bounded_stacks(), permissions_boundary_arn=BOUNDARY), "dev"
    )

    for action in types.BOUNDED_IAM_ACTIONS:
        (granting,) = [s for s in statements(document) if action in s["Action"]]
        assert granting["Condition"] == {"StringEquals": {"iam:PermissionsBoundary": BOUNDARY}}
    # Taking a boundary off would undo it.
    assert "iam:DeleteRolePermissionsBoundary" not in actions(document)


def test_without_a_boundary_the_program_may_set_or_remove_one() -> None:
    granted = actions(access.deploy_policy(args(), "dev"))

    assert {"iam:PutRolePermissionsBoundary", "iam:DeleteRolePermissionsBoundary"} <= granted


def test_a_stack_whose_roles_would_lack_the_boundary_is_refused() -> None:
    """The deploy role could create none of its roles: every deploy would fail."""
    with pytest.raises(ValueError, match="serverless-backend:permissionsBoundaryArn"):
        args(permissions_boundary_arn=BOUNDARY)


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
    for stack in STACKS:  # prod's holds its hosted zone's grants too
        document = access.deploy_policy(
            args(stacks=bounded_stacks(), state=state, permissions_boundary_arn=BOUNDARY), stack
        )

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
    # A preview's session lasts an hour; a deploy's as long as its job may run (a
    # certificate validation alone may take 75 minutes).
    sessions = {name: role["maxSessionDuration"] for name, role in roles.items()}
    assert sessions == {
        "serverless-backend-dev-preview": 3600,
        "serverless-backend-dev-deploy": 14400,
        "serverless-backend-prod-preview": 3600,
        "serverless-backend-prod-deploy": 14400,
    }
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
        "repo:octo/backend:environment:dev-preview"
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


def test_each_stacks_region_sender_and_boundary_come_from_its_stack_file(tmp_path: Path) -> None:
    for stack in ("dev", "prod"):
        text = (ROOT / f"Pulumi.{stack}.yaml").read_text().replace("eu-west-1", "us-east-2")
        if stack == "prod":
            text += f"  serverless-backend:permissionsBoundaryArn: {BOUNDARY}\n"
        (tmp_path / f"Pulumi.{stack}.yaml").write_text(text)

    targets = access.stack_targets(tmp_path, ["dev", "prod"])

    assert targets["dev"] == access.StackTarget("us-east-2", "no-reply@dev.example.com", None)
    assert targets["prod"] == access.StackTarget(
        "us-east-2",
        # The identity prod declares: its sender's domain (auth.emailIdentity).
        "example.com",
        BOUNDARY,
        hosted_zone_id=stack_config("prod").api.hosted_zone_id,
        production=True,
        domain=stack_config("prod").api.domain,
    )


def test_a_stack_without_a_file_or_a_region_is_refused(tmp_path: Path) -> None:
    text = (ROOT / "Pulumi.dev.yaml").read_text().replace("  aws:region: eu-west-1\n", "")
    (tmp_path / "Pulumi.dev.yaml").write_text(text)

    with pytest.raises(ValueError, match="region"):
        access.stack_targets(tmp_path, ["dev"])
    with pytest.raises(ValueError, match=r"no stack file Pulumi\.staging\.yaml"):
        access.stack_targets(tmp_path, ["staging"])


def test_the_repositorys_stacks_all_read() -> None:
    assert set(access.stack_targets(ROOT, stacks())) == set(stacks())


def run_bootstrap(**config: str) -> Mocks:
    """The bootstrap program itself under mocks, with this config."""
    mocks = Mocks()
    project = "serverless-backend-bootstrap"
    runtime_settings.ROOT.set(None)
    set_mocks(mocks, project=project, stack="main-account", preview=False)
    runtime_config.set_all_config({f"{project}:{k}": v for k, v in config.items()}, [])
    try:

        def program() -> None:
            runpy.run_path(str(ROOT / "platform" / "bootstrap"), run_name="__main__")

        _sync_await(run_pulumi_func(program))
    finally:
        runtime_config.set_all_config({}, [])
        runtime_settings.ROOT.set(None)
    return mocks


def test_the_program_reads_its_config_and_makes_roles_for_the_named_stacks() -> None:
    mocks = run_bootstrap(githubRepository=REPO, stacks='["prod"]')

    names = sorted(role["name"] for role in mocks.of_type("role:Role"))
    assert names == ["serverless-backend-prod-deploy", "serverless-backend-prod-preview"]
    (deploy,) = [p for p in mocks.of_type("rolePolicy:RolePolicy") if p["name"] == "deploy-prod"]
    region = access.stack_targets(ROOT, ["prod"])["prod"].region
    assert (
        f"arn:aws:lambda:{region}:{ACCOUNT}:function:serverless-backend-prod-*" in deploy["policy"]
    )


def test_the_program_makes_the_accounts_settings_which_no_stack_declares() -> None:
    """The SMS preferences (one per account and region) within a new account's $1 quota
    until told otherwise, and the boundary production stacks' roles must carry."""
    mocks = run_bootstrap(githubRepository=REPO, stacks='["dev", "prod"]')

    (sms,) = [r.inputs for r in mocks.resources if r.typ == "aws:sns/smsPreferences:SmsPreferences"]
    assert sms["monthlySpendLimit"] == 1
    assert sms["defaultSmsType"] == "Transactional"
    (boundary,) = mocks.of_type("policy:Policy")
    assert boundary["name"] == "serverless-backend-function-boundary"
    arn = f"arn:aws:iam::{ACCOUNT}:policy/serverless-backend-function-boundary"
    assert stack_config("prod").permissions_boundary_arn == arn
    (deploy,) = [p for p in mocks.of_type("rolePolicy:RolePolicy") if p["name"] == "deploy-prod"]
    assert f'"iam:PermissionsBoundary":"{arn}"' in deploy["policy"]
    # No stack's role may change them.
    assert "SMSAttributes" not in deploy["policy"]
    raised = run_bootstrap(githubRepository=REPO, stacks='["prod"]', smsMonthlySpendLimit="100")
    (sms,) = [
        r.inputs for r in raised.resources if r.typ == "aws:sns/smsPreferences:SmsPreferences"
    ]
    assert sms["monthlySpendLimit"] == 100


# --- the same documents for the AWS CLI --------------------------------------------------------


def test_the_printed_policies_are_the_ones_the_program_creates() -> None:
    common = ["--repository", REPO, "--account", ACCOUNT, "--stack", "prod"]
    expected = access.DeployAccessArgs(
        github_repository=REPO, stacks=access.stack_targets(ROOT, ["prod"]), account_id=ACCOUNT
    )

    deploy = print_policy.policy([*common, "--purpose", "deploy", "--document", "permissions"])
    trust = print_policy.policy([*common, "--purpose", "deploy", "--document", "trust"])

    assert deploy == access.deploy_policy(expected, "prod")
    assert trust == access.trust_policy(
        f"arn:aws:iam::{ACCOUNT}:oidc-provider/token.actions.githubusercontent.com",
        "repo:octo/backend:environment:prod",
    )


# --- every resource type the program declares, from the committed snapshots ------------------

WHERE = "platform/bootstrap/deployed_types.py"


def declared_types() -> dict[str, list[str]]:
    """Each resource type in any stack's committed snapshot → the snapshots declaring it.
    Read from the snapshots, so a type another change adds is covered the moment its
    snapshot is committed (and a test fails while a snapshot is stale)."""
    found: dict[str, list[str]] = {}
    for path in SNAPSHOTS:
        for resource in yaml.safe_load(path.read_text())["resources"]:
            if resource["type"].startswith("serverless-backend:"):
                continue  # the program's components only group other resources
            found.setdefault(resource["type"], []).append(path.name)
    return {kind: sorted(set(files)) for kind, files in found.items()}


def tagged_types() -> set[str]:
    return {
        resource["type"]
        for path in SNAPSHOTS
        for resource in yaml.safe_load(path.read_text())["resources"]
        if "tags" in resource.get("inputs", {})
    }


def test_the_snapshots_name_the_resource_types() -> None:
    assert {"aws:lambda/function:Function", "aws:sesv2/emailIdentity:EmailIdentity"} <= set(
        declared_types()
    )
    assert "aws:lambda/function:Function" in tagged_types()


@pytest.mark.parametrize("kind", sorted(declared_types()))
def test_every_resource_type_the_program_declares_has_deploy_permissions(kind: str) -> None:
    files = ", ".join(f"platform/snapshots/{name}" for name in declared_types()[kind])
    service = kind.split(":")[1].split("/")[0]
    scope = (
        f"SCOPES[{service!r}] already limits {service} actions to the stack's own resources"
        if service in types.SCOPES
        else f"add SCOPES[{service!r}]: the ARN patterns of the stack's own {service} resources"
    )
    assert kind in types.RESOURCE_TYPES, (
        f"{files} declares {kind}, but the CI deploy role may do nothing with it, so the "
        f"first `pulumi up` would fail with AccessDenied. Add to RESOURCE_TYPES in {WHERE}: "
        f"{kind!r}: DeployedType(actions=(<every IAM action pulumi-aws calls to create, read, "
        "update and delete one: the Terraform resource's AWS API calls>), "
        "tag=(<its TagResource, UntagResource and ListTags actions, if it takes tags>)). "
        f"{scope}; an action the Service Authorization Reference gives no resource type "
        "goes in UNSCOPED (the next test says which). The roles' policies follow from those "
        "tables: re-run `make test SERVICE=platform`."
    )


@pytest.mark.parametrize("kind", sorted(tagged_types()))
def test_every_tagged_resource_type_may_be_tagged(kind: str) -> None:
    """Creating a resource with tags also needs its service's tagging action."""
    deployed = types.RESOURCE_TYPES.get(kind, types.DeployedType(actions=()))
    assert deployed.tag, (
        f"{kind} has tags in platform/snapshots/: add its tagging actions (TagResource, "
        f"UntagResource, the ListTags read) to its DeployedType's `tag` in {WHERE}"
    )


def test_every_action_a_type_or_the_pipeline_needs_is_granted() -> None:
    for stack in STACKS:
        for boundary in (None, BOUNDARY):
            stacks = bounded_stacks() if boundary else STACKS
            document = access.deploy_policy(
                args(stacks=stacks, permissions_boundary_arn=boundary), stack
            )
            withheld = set(types.UNBOUNDING_IAM_ACTIONS) if boundary else set()
            missing = types.needed_actions() - withheld - actions(document)
            assert missing == without_a_zone(stack), (stack, boundary)


def without_a_zone(stack: str) -> set[str]:
    """What a stack without a custom domain needs none of: Route 53's actions."""
    if STACKS[stack].hosted_zone_id is not None:
        return set()
    return {action for action in types.needed_actions() if action.startswith("route53:")}


def test_a_preview_may_read_what_a_refresh_reads() -> None:
    reads = {a for a in types.needed_actions() if types.is_read(a)} - types.PREVIEW_WITHHELD
    for stack in STACKS:
        assert reads - actions(access.preview_policy(args(), stack)) == reads & without_a_zone(
            stack
        )


def test_the_deploy_role_holds_nothing_no_type_nor_the_pipeline_needs() -> None:
    state = access.StateBackend("state-bucket", "arn:aws:kms:eu-west-1:123456789012:key/k")
    state_actions = {"s3:ListBucket", "s3:GetObject", "s3:PutObject", "s3:DeleteObject"}
    for stack in STACKS:
        granted = actions(access.deploy_policy(args(state=state), stack))
        extra = granted - types.needed_actions() - state_actions - {"kms:Decrypt"}
        assert extra == set(), f"granted but needed by no type in {WHERE}: {sorted(extra)}"


# Actions newer than parliament's copy, with their resource types from the Service
# Authorization Reference ("Actions, resources, and condition keys for Amazon Cognito
# User Pools": the client secret rotation calls authorize on the userpool).
NEWER_THAN_PARLIAMENT = {
    "cognito-idp:addUserPoolClientSecret": {"userpool"},
    "cognito-idp:listUserPoolClientSecrets": {"userpool"},
    "cognito-idp:deleteUserPoolClientSecret": {"userpool"},
}


@cache
def reference() -> dict[str, set[str]]:
    """Each IAM action → its resource types, from the Service Authorization Reference (the
    copy parliament ships); "" marks an action that authorizes on "*" only."""
    path = Path(os.path.dirname(parliament.__file__)) / "iam_definition.json"
    found: dict[str, set[str]] = {}
    for service in json.loads(path.read_text()):
        for privilege in service["privileges"]:
            action = f"{service['prefix']}:{privilege['privilege']}".lower()
            found.setdefault(action, set()).update(
                kind["resource_type"].rstrip("*") for kind in privilege["resource_types"]
            )
    for action, kinds in NEWER_THAN_PARLIAMENT.items():
        found.setdefault(action.lower(), kinds)
    return found


def test_every_action_exists_and_is_scoped_as_aws_authorizes_it() -> None:
    """An action AWS authorizes on "*" only, granted on an ARN, is denied all the same (the
    alarm e-mail subscription's sns:Unsubscribe, ...); one with a resource type, granted on
    "*", is wider than it needs to be."""
    for stack in STACKS:
        for document in (access.preview_policy(args(), stack), access.deploy_policy(args(), stack)):
            for statement in statements(document):
                for action in statement["Action"]:
                    kinds = reference().get(action.lower())
                    assert kinds is not None, f"{action} is no IAM action (a typo?)"
                    scoped = statement["Resource"] != ["*"]
                    assert scoped == bool(kinds - {""}), (action, statement["Sid"])


@pytest.fixture(scope="module", params=stacks())
def declared(request: pytest.FixtureRequest) -> DeclaredStack:
    return declare_stack(request.param, version="v")


def test_the_deploy_role_may_act_on_every_resource_the_program_declares(
    declared: DeclaredStack,
) -> None:
    """Each declared resource's ARN is within its type's scoped grants, for this stack."""
    targets = access.stack_targets(ROOT, [declared.stack])
    document = access.deploy_policy(
        access.DeployAccessArgs(github_repository=REPO, stacks=targets, account_id=MOCK_ACCOUNT),
        declared.stack,
    )
    checked = 0
    for resource in declared.resources:
        arn = str(resource.outputs.get("arn", ""))
        deployed = types.RESOURCE_TYPES.get(resource.type)
        if deployed is None or not arn.startswith("arn:aws:") or ":mock:" in arn:
            continue
        for action in deployed.all_actions:
            if action in types.UNSCOPED or action.split(":")[0] != arn.split(":")[2]:
                continue
            if action in types.UNBOUNDING_IAM_ACTIONS and targets[declared.stack].production:
                continue  # a bounded stack's roles never lose their boundary
            if action in creates_on_the_account():
                continue  # authorized on "*" (below: only tagged for the stack)
            assert granted_on(document, arn, action), (resource.name, action, arn)
            checked += 1
    assert checked > 100


def creates_on_the_account() -> set[str]:
    return {
        action
        for scope in types.TAG_SCOPES.values()
        for action, where in scope.creates.items()
        if where == ("*",)
    }


def test_a_preview_reads_the_published_outputs_but_never_a_secret(declared: DeclaredStack) -> None:
    targets = access.stack_targets(ROOT, [declared.stack])
    document = access.preview_policy(
        access.DeployAccessArgs(github_repository=REPO, stacks=targets, account_id=MOCK_ACCOUNT),
        declared.stack,
    )
    (deny,) = [s for s in statements(document) if s["Effect"] == "Deny"]
    for parameter in declared.of_type("aws:ssm/parameter:Parameter"):
        arn = parameter.outputs["arn"]
        denied = any(fnmatch.fnmatchcase(arn, pattern) for pattern in deny["Resource"])
        assert denied is (parameter.inputs["type"] == "SecureString"), arn
        assert granted_on(document, arn, "ssm:GetParameter"), arn


def test_a_fresh_account_may_get_api_gateways_service_linked_role_and_no_other() -> None:
    """Besides Cognito's e-mail role (below), for a pool that sends through SES."""
    without_ses = {
        name: dataclasses.replace(target, pool_sends_through_ses=False)
        for name, target in STACKS.items()
    }
    (statement,) = [
        s
        for s in statements(access.deploy_policy(args(stacks=without_ses), "dev"))
        if "iam:CreateServiceLinkedRole" in s["Action"]
    ]

    assert statement["Action"] == ["iam:CreateServiceLinkedRole"]
    assert statement["Resource"] == [
        f"arn:aws:iam::{ACCOUNT}:role/aws-service-role/ops.apigateway.amazonaws.com/"
        "AWSServiceRoleForAPIGateway"
    ]
    assert statement["Condition"] == {
        "StringEquals": {"iam:AWSServiceName": "ops.apigateway.amazonaws.com"}
    }


def test_with_awskms_state_a_preview_may_decrypt_the_state_key_and_nothing_else() -> None:
    """Reading the stack's state needs its secrets provider (the key, as it would otherwise
    need the token or passphrase); prod's preview role is reachable only through the
    reviewer-gated prod-preview environment."""
    key = "arn:aws:kms:eu-west-1:123456789012:key/state"
    document = access.preview_policy(args(state=access.StateBackend("bucket", key)), "dev")

    kms = [s for s in statements(document) if any(a.startswith("kms:") for a in s["Action"])]
    assert [(s["Action"], s["Resource"]) for s in kms] == [(["kms:Decrypt"], [key])]


COGNITO_EMAIL_ROLE = (
    "role/aws-service-role/email.cognito-idp.amazonaws.com/"
    "AWSServiceRoleForAmazonCognitoIdpEmailService"
)


def test_a_pool_sending_through_ses_may_get_cognitos_email_role_and_nothing_else_of_its_kind(
    declared: DeclaredStack,
) -> None:
    """Derived from the pool the program declares: with DEVELOPER e-mail, Cognito creates
    its e-mail service-linked role on the first up with the caller's rights (Amazon Cognito
    Developer Guide, "Using service-linked roles for Amazon Cognito")."""
    pool = declared.one("aws:cognito/userPool:UserPool")
    email = pool.inputs.get("emailConfiguration") or {}
    through_ses = email.get("emailSendingAccount") == "DEVELOPER"
    targets = access.stack_targets(ROOT, [declared.stack])
    document = access.deploy_policy(
        access.DeployAccessArgs(github_repository=REPO, stacks=targets, account_id=MOCK_ACCOUNT),
        declared.stack,
    )

    linked = [s for s in statements(document) if "iam:CreateServiceLinkedRole" in s["Action"]]
    services = {s["Condition"]["StringEquals"]["iam:AWSServiceName"] for s in linked}
    expected = {"ops.apigateway.amazonaws.com"} | (
        {"email.cognito-idp.amazonaws.com"} if through_ses else set()
    )
    assert services == expected
    for statement in linked:
        assert statement["Action"] == ["iam:CreateServiceLinkedRole"]
        (resource,) = statement["Resource"]
        assert resource.startswith(f"arn:aws:iam::{MOCK_ACCOUNT}:role/aws-service-role/")
        service = statement["Condition"]["StringEquals"]["iam:AWSServiceName"]
        assert f"/{service}/" in resource
    cognito = [
        s for s in linked if "cognito" in s["Condition"]["StringEquals"]["iam:AWSServiceName"]
    ]
    if through_ses:
        assert cognito[0]["Resource"] == [f"arn:aws:iam::{MOCK_ACCOUNT}:{COGNITO_EMAIL_ROLE}"]


# --- a shared account: dev's roles against prod's resources, decided as IAM decides ---------
#
# docs/ci-cd.md supports dev and prod in one account. Resources with generated ids (the user
# pool and its clients, the HTTP API and everything under it, the certificate) carry the
# stack's tag (infra.program.stack_tag); the roles reach them only when it names their own stack.
# tests/bootstrap/iam_evaluation.py decides each request as IAM's evaluation logic does.

SHARED_REGION = "eu-west-1"
SHARED = {
    "dev": access.StackTarget(SHARED_REGION, "no-reply@dev.example.com"),
    "prod": access.StackTarget(
        SHARED_REGION, "no-reply@example.com", hosted_zone_id=ZONE, domain="api.example.com"
    ),
}


def shared(stack: str, purpose: str) -> dict[str, Any]:
    deploy_args = args(stacks=SHARED)
    if purpose == "preview":
        return access.preview_policy(deploy_args, stack)
    return access.deploy_policy(deploy_args, stack)


def tagged(stack: str) -> dict[str, str]:
    return {f"aws:ResourceTag/{STACK_TAG}": stack}


def apigw(path: str) -> str:
    return f"arn:aws:apigateway:{SHARED_REGION}::{path}"


_APIGW = ("apigateway:GET", "apigateway:POST", "apigateway:PATCH", "apigateway:DELETE")
_COGNITO = tuple(
    a
    for kind in ("aws:cognito/userPool:UserPool", "aws:cognito/userPoolClient:UserPoolClient")
    for a in types.RESOURCE_TYPES[kind].all_actions
    # Actions on the pool itself: creating one, and the e-mail service-linked role
    # Cognito creates for it (an IAM role's ARN, granted on its own), act on others.
    if a.startswith("cognito-idp:") and a != "cognito-idp:CreateUserPool"
)
_ACM = tuple(
    a
    for a in types.RESOURCE_TYPES["aws:acm/certificate:Certificate"].all_actions
    if a != "acm:RequestCertificate"
)


def stack_resources(stack: str, api: str, pool: str) -> list[tuple[str, tuple[str, ...], str]]:
    """(ARN, the actions on it, its stack tag as IAM sees it) for one stack's resources whose
    ids AWS generates. An HTTP API's routes, integrations and authorizers carry no tag of
    their own: as IAM sees them if they inherit the API's (the Service Authorization
    Reference gives them aws:ResourceTag)."""
    region, account = SHARED_REGION, ACCOUNT
    return [
        (f"arn:aws:cognito-idp:{region}:{account}:userpool/{pool}", _COGNITO, stack),
        (f"arn:aws:acm:{region}:{account}:certificate/{api}-cert", _ACM, stack),
        (apigw(f"/apis/{api}"), _APIGW, stack),
        (apigw(f"/apis/{api}/stages/$default"), _APIGW, stack),
        (apigw(f"/apis/{api}/routes/r1"), _APIGW, stack),
        (apigw(f"/apis/{api}/integrations/i1"), _APIGW, stack),
        (apigw(f"/apis/{api}/authorizers/a1"), _APIGW, stack),
    ]


PROD = stack_resources("prod", "prodapi", "eu-west-1_Prod")
DEV = stack_resources("dev", "devapi", "eu-west-1_Dev")


@pytest.mark.parametrize("purpose", ["preview", "deploy"])
def test_in_a_shared_account_the_dev_roles_reach_none_of_prods_resources(purpose: str) -> None:
    """The issue's findings, each refused: updating or deleting prod's pool and app client,
    PATCH or DELETE of prod's HTTP API, deleting prod's certificate, and, for the preview
    role (unreviewed pull-request code), reading any of them."""
    policy = shared("dev", purpose)
    for arn, actions, stack in PROD:
        for action in actions:
            request = Request(action, arn, tagged(stack))
            assert decide(policy, request) != "allow", (purpose, action, arn)
    # prod's custom domain is named: dev has none, so no grant reaches it.
    for path in ("/domainnames/api.example.com", "/domainnames/api.example.com/apimappings/m"):
        for action in _APIGW:
            assert decide(policy, Request(action, apigw(path))) != "allow", (action, path)


@pytest.mark.parametrize("purpose", ["preview", "deploy"])
def test_the_dev_roles_still_reach_devs_own(purpose: str) -> None:
    policy = shared("dev", purpose)
    for arn, actions, stack in DEV:
        for action in actions:
            if purpose == "preview" and not types.is_read(action):
                continue
            if purpose == "preview" and action in {"apigateway:POST", "apigateway:PATCH"}:
                continue
            request = Request(action, arn, tagged(stack))
            assert decide(policy, request) == "allow", (purpose, action, arn)


def test_the_dev_preview_role_reads_no_untagged_api_child() -> None:
    """If an HTTP API's children carry no tag at all (the developer guide documents tag
    inheritance for REST APIs only), the read-only role still reads none of them."""
    policy = shared("dev", "preview")
    for arn, _, _ in PROD:
        assert decide(policy, Request("apigateway:GET", arn)) != "allow", arn


def test_a_role_creates_only_resources_tagged_for_its_own_stack() -> None:
    policy = shared("dev", "deploy")
    creates = [
        ("cognito-idp:CreateUserPool", "*"),
        ("acm:RequestCertificate", "*"),
        ("apigateway:POST", apigw("/apis")),
    ]
    for action, resource in creates:
        for stack, expected in (("dev", "allow"), ("prod", "implicit-deny")):
            request = Request(action, resource, {f"aws:RequestTag/{STACK_TAG}": stack})
            assert decide(policy, request) == expected, (action, stack)
        assert decide(policy, Request(action, resource)) == "implicit-deny", action
    # Only a stack with a custom domain creates one.
    for stack in ("dev", "prod"):
        request = Request(
            "apigateway:POST", apigw("/domainnames"), {f"aws:RequestTag/{STACK_TAG}": stack}
        )
        assert decide(policy, request) == "implicit-deny", stack
    prod_create = Request(
        "apigateway:POST", apigw("/domainnames"), {f"aws:RequestTag/{STACK_TAG}": "prod"}
    )
    assert decide(shared("prod", "deploy"), prod_create) == "allow"


def test_no_role_can_move_a_resource_to_its_stack_by_retagging_it() -> None:
    """The stack tag is set at creation and never changed or removed: otherwise dev could
    tag prod's API as dev's (or untag it) and then change it."""
    policy = shared("dev", "deploy")
    stack_key = {"aws:TagKeys": [STACK_TAG]}
    attempts = [
        ("cognito-idp:TagResource", DEV[0][0], tagged("dev")),
        ("cognito-idp:UntagResource", DEV[0][0], tagged("dev")),
        ("acm:AddTagsToCertificate", DEV[1][0], tagged("dev")),
        ("acm:RemoveTagsFromCertificate", DEV[1][0], tagged("dev")),
        ("apigateway:POST", apigw(f"/tags/{PROD[2][0]}"), {}),
        ("apigateway:DELETE", apigw(f"/tags/{DEV[2][0]}"), {}),
    ]
    for action, arn, context in attempts:
        assert decide(policy, Request(action, arn, context, stack_key)) != "allow", (action, arn)
        # Other tags on its own resources: yes.
        other = {"aws:TagKeys": ["team"]}
        if "/tags/" not in arn:
            assert decide(policy, Request(action, arn, context, other)) == "allow", action


def test_the_preview_roles_may_not_get_a_function() -> None:
    """lambda:GetFunction returns the configuration (its environment) and a link to the
    code (Lambda API reference, GetFunction)."""
    for stack in STACKS:
        granted = actions(access.preview_policy(args(), stack))
        assert not {"lambda:GetFunction", "lambda:GetFunctionConfiguration"} & granted
        assert "lambda:GetFunction" in actions(access.deploy_policy(args(), stack))


def test_the_evaluator_decides_as_iam_does() -> None:
    """The rules it follows, on a policy of its own (tests/bootstrap/iam_evaluation.py)."""
    policy = {
        "Statement": [
            {
                "Effect": "Allow",
                "Action": ["s3:Get*"],
                "Resource": ["arn:aws:s3:::b/*"],
                "Condition": {"StringEqualsIfExists": {"aws:ResourceTag/k": "v"}},
            },
            {"Effect": "Deny", "Action": ["s3:GetObject"], "Resource": ["arn:aws:s3:::b/secret"]},
        ]
    }
    assert decide(policy, Request("S3:getobject", "arn:aws:s3:::b/x/y")) == "allow"
    assert decide(policy, Request("s3:GetObject", "arn:aws:s3:::b/x", tagged_as("w"))) == (
        "implicit-deny"
    )
    assert decide(policy, Request("s3:GetObject", "arn:aws:s3:::b/secret")) == "explicit-deny"
    assert decide(policy, Request("s3:PutObject", "arn:aws:s3:::b/x")) == "implicit-deny"


def tagged_as(value: str) -> dict[str, str]:
    return {"aws:ResourceTag/k": value}


TAGGED_TYPES = (
    "aws:cognito/userPool:UserPool",
    "aws:apigatewayv2/api:Api",
    "aws:apigatewayv2/stage:Stage",
    "aws:acm/certificate:Certificate",
    "aws:apigatewayv2/domainName:DomainName",
)


def test_every_resource_the_roles_reach_by_tag_carries_its_stacks(declared: DeclaredStack) -> None:
    """What the tag-scoped grants rely on: the program tags each such resource, at creation,
    with its stack (infra.program.stack_tag). An untagged one the roles could not create at all."""
    found = [r for r in declared.resources if r.type in TAGGED_TYPES]
    assert {r.type for r in found} >= {
        "aws:cognito/userPool:UserPool",
        "aws:apigatewayv2/api:Api",
        "aws:apigatewayv2/stage:Stage",
    }
    for resource in found:
        assert resource.inputs.get("tags") == {STACK_TAG: declared.stack}, resource.name
