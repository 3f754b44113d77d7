"""The platform's security rules, for `pulumi preview --policy-pack platform/policy`.

Each rule is a plain function `(resource_type, props, production) -> [violation, ...]` over
the engine's property names (pulumi-aws camelCase), so the tests can run every
rule on its own and on every resource each stack declares under Pulumi's mocks.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any

from pulumi_policy import (
    Policy,
    ReportViolation,
    ResourceValidationArgs,
    ResourceValidationPolicy,
)

from infra.bundles.lambda_runtime import RUNTIME as LAMBDA_RUNTIME
from infra.program.iam import UNSCOPED_ACTIONS
from infra.program.stack_files import stack_config
from infra.repo import repo_root
from service_manifest import AUTH_PUBLIC, docs_routes, find_manifests

SERVICES_DIR = repo_root() / "services"

Check = Callable[[str, Mapping[str, Any], bool], list[str]]


@dataclass(frozen=True)
class Rule:
    name: str
    description: str
    check: Check


@cache
def is_production(stack: str) -> bool:
    """The stack's own `production` flag, read from its Pulumi.<stack>.yaml as
    the program reads it (never guessed from the stack's name)."""
    return stack_config(stack).production


def stack_of(urn: str) -> str:
    """`urn:pulumi:<stack>::<project>::<type>::<name>` → `<stack>`."""
    return urn.removeprefix("urn:pulumi:").split("::", 1)[0]


def _documents(resource_type: str, props: Mapping[str, Any]) -> list[Any]:
    if resource_type in ("aws:iam/rolePolicy:RolePolicy", "aws:iam/policy:Policy"):
        return [props.get("policy")]
    if resource_type == "aws:iam/role:Role":
        return [inline.get("policy") for inline in props.get("inlinePolicies") or []]
    return []


def _statements(resource_type: str, props: Mapping[str, Any]) -> list[dict[str, Any]]:
    statements: list[dict[str, Any]] = []
    for document in _documents(resource_type, props):
        if isinstance(document, str):
            document = json.loads(document)
        if not isinstance(document, dict):
            continue
        found = document.get("Statement", [])
        statements.extend([found] if isinstance(found, dict) else found)
    return statements


def _as_list(value: Any) -> list[str]:
    if value is None:
        return []
    return [value] if isinstance(value, str) else list(value)


def no_wildcard_actions(
    resource_type: str, props: Mapping[str, Any], production: bool
) -> list[str]:
    violations = []
    for statement in _statements(resource_type, props):
        if "NotAction" in statement:
            violations.append(f"statement {statement.get('Sid', '?')} uses NotAction")
        for action in _as_list(statement.get("Action")):
            if "*" in action:
                violations.append(f"statement {statement.get('Sid', '?')} allows {action!r}")
    return violations


def no_wildcard_resources(
    resource_type: str, props: Mapping[str, Any], production: bool
) -> list[str]:
    violations = []
    for statement in _statements(resource_type, props):
        if "*" not in _as_list(statement.get("Resource")):
            continue
        scoped = sorted(set(_as_list(statement.get("Action"))) - UNSCOPED_ACTIONS)
        if scoped:
            violations.append(
                f"statement {statement.get('Sid', '?')} grants {', '.join(scoped)} on '*'"
            )
    return violations


def production_data_protected(
    resource_type: str, props: Mapping[str, Any], production: bool
) -> list[str]:
    if not production:
        return []
    if resource_type == "aws:dynamodb/table:Table":
        violations = []
        if not (props.get("pointInTimeRecovery") or {}).get("enabled"):
            violations.append("point-in-time recovery is off")
        if not props.get("deletionProtectionEnabled"):
            violations.append("deletion protection is off")
        return violations
    if (
        resource_type == "aws:cognito/userPool:UserPool"
        and props.get("deletionProtection") != "ACTIVE"
    ):
        return ["user pool deletion protection is not ACTIVE"]
    return []


def table_encrypted(resource_type: str, props: Mapping[str, Any], production: bool) -> list[str]:
    if resource_type != "aws:dynamodb/table:Table":
        return []
    if not (props.get("serverSideEncryption") or {}).get("enabled"):
        return ["server-side encryption with a KMS key is off"]
    return []


def log_retention_set(resource_type: str, props: Mapping[str, Any], production: bool) -> list[str]:
    if resource_type != "aws:cloudwatch/logGroup:LogGroup":
        return []
    if not props.get("retentionInDays"):
        return [f"log group {props.get('name', '?')} keeps logs forever (set retentionInDays)"]
    return []


@cache
def declared_public_routes() -> frozenset[str]:
    """Route keys the services' manifests declare public, and each service's
    docs routes (present only on stacks whose config enables docs)."""
    manifests = find_manifests(SERVICES_DIR)
    declared = {
        route.route_key
        for manifest in manifests
        for route in manifest.routes
        if route.auth == AUTH_PUBLIC
    }
    docs = {
        f"GET {path}"
        for manifest in manifests
        if manifest.openapi_function is not None
        for path in docs_routes(manifest.name)
    }
    return frozenset(declared | docs)


def only_declared_public_routes(
    resource_type: str, props: Mapping[str, Any], production: bool
) -> list[str]:
    if resource_type != "aws:apigatewayv2/route:Route":
        return []
    route_key = str(props.get("routeKey", "?"))
    authorization = props.get("authorizationType", "NONE")
    if authorization == "NONE" and route_key not in declared_public_routes():
        return [f"route {route_key} is public but no service.toml declares it public"]
    if authorization == "JWT" and not props.get("authorizerId"):
        return [f"route {route_key} asks for a JWT but names no authorizer"]
    return []


def lambda_runtime(resource_type: str, props: Mapping[str, Any], production: bool) -> list[str]:
    if resource_type != "aws:lambda/function:Function":
        return []
    if props.get("runtime") != LAMBDA_RUNTIME:
        return [f"runtime {props.get('runtime')!r} is not {LAMBDA_RUNTIME}"]
    return []


def domain_tls_1_2(resource_type: str, props: Mapping[str, Any], production: bool) -> list[str]:
    """A custom domain answers TLS 1.2 at least (API Gateway's TLS_1_2 security policy)."""
    if resource_type != "aws:apigatewayv2/domainName:DomainName":
        return []
    policy = (props.get("domainNameConfiguration") or {}).get("securityPolicy")
    if policy != "TLS_1_2":
        return [f"domain {props.get('domainName')} has security policy {policy!r}, not TLS_1_2"]
    return []


RULES: Sequence[Rule] = (
    Rule("no-wildcard-iam-actions", "IAM statements name exact actions", no_wildcard_actions),
    Rule(
        "no-wildcard-iam-resources",
        "IAM statements name exact resources where AWS can scope them",
        no_wildcard_resources,
    ),
    Rule(
        "production-data-protected",
        "Production stacks keep PITR and deletion protection on the table and pool",
        production_data_protected,
    ),
    Rule("table-encrypted", "The table is encrypted at rest with KMS", table_encrypted),
    Rule("log-retention-set", "Every log group has a retention period", log_retention_set),
    Rule(
        "only-declared-public-routes",
        "Only routes a service.toml declares public skip the JWT authorizer",
        only_declared_public_routes,
    ),
    Rule("lambda-runtime-python312", "Functions run on python3.12", lambda_runtime),
    Rule("domain-tls-1-2", "Custom domains refuse TLS below 1.2", domain_tls_1_2),
)


# Rules over a resource's options (`protect`, `deleteBeforeReplace`), not its properties.
OptionsCheck = Callable[[str, Mapping[str, Any], bool], list[str]]

# What a production stack keeps, whatever a change says: its users and its data.
KEPT_TYPES = {"aws:dynamodb/table:Table": "table", "aws:cognito/userPool:UserPool": "user pool"}


@dataclass(frozen=True)
class OptionRule:
    name: str
    description: str
    check: OptionsCheck


def production_data_not_replaced(
    resource_type: str, options: Mapping[str, Any], production: bool
) -> list[str]:
    """A protected resource is never deleted by the engine, and so never replaced: a
    change that would replace the pool or the table (a new name, username attributes, a
    key) fails instead of creating an empty one. (A policy sees the options, not the
    plan: `protect` is what makes the engine refuse the replacement. The program also
    sets `retainOnDelete`, which a policy cannot read, so that even an unprotected
    replacement leaves the old one in AWS.)"""
    kind = KEPT_TYPES.get(resource_type)
    if not production or kind is None:
        return []
    violations = []
    if not options.get("protect"):
        violations.append(f"the {kind} is not protected: a replacing change would delete it")
    if options.get("deleteBeforeReplace"):
        violations.append(f"the {kind} would be deleted before its replacement is created")
    return violations


OPTION_RULES: Sequence[OptionRule] = (
    OptionRule(
        "production-data-not-replaced",
        "Production stacks' table and user pool are protected, so never replaced or deleted",
        production_data_not_replaced,
    ),
)


def option_violations(
    resource_type: str, options: Mapping[str, Any], production: bool
) -> dict[str, list[str]]:
    """Every option rule's violations for one resource (rules without any are left out)."""
    found = {rule.name: rule.check(resource_type, options, production) for rule in OPTION_RULES}
    return {name: messages for name, messages in found.items() if messages}


def violations(
    resource_type: str, props: Mapping[str, Any], production: bool
) -> dict[str, list[str]]:
    """Every rule's violations for one resource (rules without any are left out)."""
    found = {rule.name: rule.check(resource_type, props, production) for rule in RULES}
    return {name: messages for name, messages in found.items() if messages}


def _validation(rule: Rule) -> Callable[[ResourceValidationArgs, ReportViolation], None]:
    def validate(args: ResourceValidationArgs, report_violation: ReportViolation) -> None:
        production = is_production(stack_of(args.urn))
        for message in rule.check(args.resource_type, args.props, production):
            report_violation(message, None)

    return validate


def _options_validation(
    rule: OptionRule,
) -> Callable[[ResourceValidationArgs, ReportViolation], None]:
    def validate(args: ResourceValidationArgs, report_violation: ReportViolation) -> None:
        production = is_production(stack_of(args.urn))
        options = {
            "protect": bool(args.opts and args.opts.protect),
            "deleteBeforeReplace": bool(args.opts and args.opts.delete_before_replace),
        }
        for message in rule.check(args.resource_type, options, production):
            report_violation(message, None)

    return validate


def policies() -> list[Policy]:
    return [
        *(
            ResourceValidationPolicy(
                name=rule.name, description=rule.description, validate=_validation(rule)
            )
            for rule in RULES
        ),
        *(
            ResourceValidationPolicy(
                name=rule.name, description=rule.description, validate=_options_validation(rule)
            )
            for rule in OPTION_RULES
        ),
    ]
