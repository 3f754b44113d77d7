"""The CrossGuard rules, one by one, and against every stack the program declares."""

from __future__ import annotations

import importlib.util
import json
import runpy
import sys
from types import ModuleType
from typing import Any

import pulumi_policy
import pytest
from pulumi_policy import ResourceValidationArgs, ResourceValidationPolicy

from infra.offline.declared import DeclaredStack, declare_stack
from infra.program.stack_files import stacks
from infra.repo import repo_root

POLICY_DIR = repo_root() / "platform" / "policy"


def _load_rules() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "serverless_rules", POLICY_DIR / "serverless_rules.py"
    )
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["serverless_rules"] = module
    spec.loader.exec_module(module)
    return module


rules = _load_rules()


def _policy(*statements: dict[str, Any]) -> dict[str, Any]:
    document = {"Version": "2012-10-17", "Statement": list(statements)}
    return {"role": "r", "policy": json.dumps(document)}


def _allow(action: Any, resource: Any) -> dict[str, Any]:
    return {"Sid": "S", "Effect": "Allow", "Action": action, "Resource": resource}


ROLE_POLICY = "aws:iam/rolePolicy:RolePolicy"
TABLE = "aws:dynamodb/table:Table"
POOL = "aws:cognito/userPool:UserPool"
ROUTE = "aws:apigatewayv2/route:Route"


@pytest.fixture(scope="module", params=stacks())
def declared(request: pytest.FixtureRequest) -> DeclaredStack:
    return declare_stack(request.param, version="v")


def test_every_resource_of_every_stack_passes_every_rule(declared: DeclaredStack) -> None:
    for resource in declared.resources:
        production = declared.config.production
        assert rules.violations(resource.type, resource.inputs, production) == {}, resource.name
        options = {"protect": resource.protect}
        assert rules.option_violations(resource.type, options, production) == {}, resource.name


def test_the_pack_has_one_policy_per_rule() -> None:
    policies = rules.policies()

    assert [policy.name for policy in policies] == [
        rule.name for rule in (*rules.RULES, *rules.OPTION_RULES)
    ]
    assert all(isinstance(policy, ResourceValidationPolicy) for policy in policies)


def test_a_policy_reports_through_crossguard() -> None:
    (runtime,) = [p for p in rules.policies() if p.name == "lambda-runtime-python312"]
    reported: list[str] = []
    args = ResourceValidationArgs(
        resource_type="aws:lambda/function:Function",
        props={"runtime": "python3.9"},
        urn="urn:pulumi:prod::serverless-backend::aws:lambda/function:Function::f",
        name="f",
        opts=None,  # type: ignore[arg-type]
        provider=None,
    )

    runtime.validate(args, lambda message, _urn: reported.append(message))

    assert reported == ["runtime 'python3.9' is not python3.12"]


@pytest.mark.parametrize(
    "action", ["*", "s3:*", "dynamodb:Get*", ["dynamodb:GetItem", "dynamodb:*"]]
)
def test_wildcard_actions_are_refused(action: Any) -> None:
    props = _policy(_allow(action, "arn:aws:dynamodb:eu-west-1:1:table/t"))

    assert rules.no_wildcard_actions(ROLE_POLICY, props, False)


def test_not_action_is_refused() -> None:
    props = _policy({"Effect": "Allow", "NotAction": "iam:*", "Resource": "*"})

    assert rules.no_wildcard_actions(ROLE_POLICY, props, False)


def test_exact_actions_pass() -> None:
    props = _policy(_allow(["dynamodb:GetItem"], ["arn:aws:dynamodb:eu-west-1:1:table/t"]))

    assert rules.no_wildcard_actions(ROLE_POLICY, props, False) == []
    assert rules.no_wildcard_resources(ROLE_POLICY, props, False) == []


def test_inline_role_policies_are_checked_too() -> None:
    props = {"inlinePolicies": [{"name": "p", "policy": _policy(_allow("s3:*", "*"))["policy"]}]}

    assert rules.no_wildcard_actions("aws:iam/role:Role", props, False)
    assert rules.no_wildcard_resources("aws:iam/role:Role", props, False)


@pytest.mark.parametrize(
    "actions", [["sns:Publish"], ["xray:PutTraceSegments", "xray:PutTelemetryRecords"]]
)
def test_star_resource_is_allowed_only_for_unscoped_actions(actions: list[str]) -> None:
    assert rules.no_wildcard_resources(ROLE_POLICY, _policy(_allow(actions, "*")), False) == []


def test_star_resource_for_a_scopable_action_is_refused() -> None:
    props = _policy(_allow(["sns:Publish", "dynamodb:GetItem"], "*"))

    assert rules.no_wildcard_resources(ROLE_POLICY, props, False) == [
        "statement S grants dynamodb:GetItem on '*'"
    ]


def test_production_tables_need_pitr_and_deletion_protection() -> None:
    unprotected = {"pointInTimeRecovery": {"enabled": False}, "deletionProtectionEnabled": False}

    assert len(rules.production_data_protected(TABLE, unprotected, True)) == 2


@pytest.mark.parametrize("stack", stacks())
def test_production_is_the_stacks_own_flag_never_its_name(stack: str) -> None:
    from infra.program.stack_files import stack_config

    assert rules.is_production(stack) is stack_config(stack).production


def test_production_pools_need_deletion_protection() -> None:
    assert rules.production_data_protected(POOL, {"deletionProtection": "INACTIVE"}, True)
    assert rules.production_data_protected(POOL, {"deletionProtection": "ACTIVE"}, True) == []


@pytest.mark.parametrize("kind", [TABLE, POOL])
def test_production_data_that_could_be_replaced_is_refused(kind: str) -> None:
    """Unprotected, a change to a field that forces replacement (the pool's username
    attributes, the table's name or keys) would delete the old one with its data."""
    refused = rules.production_data_not_replaced(kind, {"protect": False}, True)
    assert refused
    assert "not protected" in refused[0]
    early = rules.production_data_not_replaced(
        kind, {"protect": True, "deleteBeforeReplace": True}, True
    )
    assert early
    assert rules.production_data_not_replaced(kind, {"protect": True}, True) == []
    assert rules.production_data_not_replaced(kind, {"protect": False}, False) == []


def test_production_data_is_protected_and_retained_by_the_program() -> None:
    prod = declare_stack("prod", version="v")
    for kind in (TABLE, POOL):
        kept = prod.one(kind)
        assert kept.protect, kind
        assert kept.retain_on_delete, kind
        assert rules.option_violations(kind, {"protect": kept.protect}, True) == {}


def test_an_option_rule_reports_through_crossguard() -> None:
    (rule,) = [p for p in rules.policies() if p.name == "production-data-not-replaced"]
    reported: list[str] = []
    args = ResourceValidationArgs(
        resource_type=POOL,
        props={},
        urn=f"urn:pulumi:prod::serverless-backend::{POOL}::identity-user-pool",
        name="identity-user-pool",
        opts=pulumi_policy.policy.PolicyResourceOptions(
            protect=False,
            ignore_changes=[],
            delete_before_replace=None,
            aliases=[],
            custom_timeouts=pulumi_policy.policy.PolicyCustomTimeouts(0, 0, 0),
            additional_secret_outputs=[],
            parent=None,
        ),
        provider=None,
    )

    rule.validate(args, lambda message, _urn: reported.append(message))

    assert reported == ["the user pool is not protected: a replacing change would delete it"]


def test_dev_may_leave_data_unprotected() -> None:
    unprotected = {"pointInTimeRecovery": {"enabled": False}, "deletionProtectionEnabled": False}

    assert rules.production_data_protected(TABLE, unprotected, False) == []
    assert rules.production_data_protected(POOL, {"deletionProtection": "INACTIVE"}, False) == []


def test_tables_must_be_encrypted() -> None:
    assert rules.table_encrypted(TABLE, {}, False)
    assert rules.table_encrypted(TABLE, {"serverSideEncryption": {"enabled": True}}, False) == []


def test_log_groups_need_retention() -> None:
    group = "aws:cloudwatch/logGroup:LogGroup"

    assert rules.log_retention_set(group, {"name": "/aws/lambda/x"}, False)
    assert rules.log_retention_set(group, {"retentionInDays": 0}, False)
    assert rules.log_retention_set(group, {"retentionInDays": 14}, False) == []


def test_only_declared_public_routes_may_skip_the_authorizer() -> None:
    public = {"routeKey": "GET /healthz", "authorizationType": "NONE"}
    undeclared = {"routeKey": "GET /status", "authorizationType": "NONE"}
    guarded = {"routeKey": "GET /status", "authorizationType": "JWT", "authorizerId": "a"}
    no_authorizer = {"routeKey": "GET /status", "authorizationType": "JWT"}

    assert rules.only_declared_public_routes(ROUTE, public, False) == []
    assert rules.only_declared_public_routes(ROUTE, undeclared, False)
    assert rules.only_declared_public_routes(ROUTE, guarded, False) == []
    assert rules.only_declared_public_routes(ROUTE, no_authorizer, False)


def test_a_services_docs_routes_may_be_public_and_nothing_else_under_docs() -> None:
    docs = {"routeKey": "GET /docs/items/openapi.json", "authorizationType": "NONE"}
    stranger = {"routeKey": "GET /docs/nobody", "authorizationType": "NONE"}

    assert rules.only_declared_public_routes(ROUTE, docs, False) == []
    assert rules.only_declared_public_routes(ROUTE, stranger, False)


def test_functions_run_python_312() -> None:
    function = "aws:lambda/function:Function"

    assert rules.lambda_runtime(function, {"runtime": "python3.11"}, False)
    assert rules.lambda_runtime(function, {"runtime": "python3.12"}, False) == []


def test_custom_domains_refuse_tls_below_1_2() -> None:
    domain = "aws:apigatewayv2/domainName:DomainName"

    def props(policy: str) -> dict[str, Any]:
        return {
            "domainName": "api.example.com",
            "domainNameConfiguration": {"securityPolicy": policy},
        }

    assert rules.domain_tls_1_2(domain, props("TLS_1_0"), False)
    assert rules.domain_tls_1_2(domain, {"domainName": "api.example.com"}, False)
    assert rules.domain_tls_1_2(domain, props("TLS_1_2"), True) == []


def test_the_stack_comes_from_the_urn() -> None:
    assert rules.stack_of("urn:pulumi:prod::serverless-backend::aws:s3/bucket:Bucket::b") == "prod"


def test_the_pack_entry_point_declares_every_rule_as_mandatory(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    declared_pack: dict[str, Any] = {}
    monkeypatch.setattr(pulumi_policy, "PolicyPack", lambda **kwargs: declared_pack.update(kwargs))
    monkeypatch.setattr(sys, "path", list(sys.path))

    runpy.run_path(str(POLICY_DIR / "__main__.py"), run_name="__main__")

    assert declared_pack["enforcement_level"] == pulumi_policy.EnforcementLevel.MANDATORY
    assert [p.name for p in declared_pack["policies"]] == [
        rule.name for rule in (*rules.RULES, *rules.OPTION_RULES)
    ]
