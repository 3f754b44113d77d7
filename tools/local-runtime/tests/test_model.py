from __future__ import annotations

import dataclasses

import pytest

from local_runtime.model import (
    DEFAULT_CONCURRENCY,
    ModelError,
    Resource,
    Throttle,
    build_model,
)
from tests.fake_program import (
    API_ID,
    CLIENT_ID,
    ISSUER,
    PROBE,
    PROBE_TIMEOUT,
    TABLE,
    declared,
    health_manifest,
)


def test_functions_carry_their_declared_handler_environment_and_limits() -> None:
    local = build_model(declared([health_manifest(), PROBE]))
    probe = local.functions["probe-api"]
    assert probe.service == "probe"
    assert probe.manifest_function == "api"
    assert probe.label == "probe.api"
    assert probe.handler == "probe_handler.handler"
    assert probe.timeout == PROBE_TIMEOUT
    assert probe.concurrency == DEFAULT_CONCURRENCY
    assert probe.environment["PROBE_CLIENT"] == CLIENT_ID
    assert probe.environment["PROBE_STAGE"] == "dev"


def test_the_api_has_every_declared_route_with_its_authorizer() -> None:
    local = build_model(declared([health_manifest(), PROBE]))
    assert local.api is not None
    assert local.api.api_id == API_ID
    routes = {route.route_key: route for route in local.api.routes}
    assert routes["GET /healthz"].authorizer is None
    assert routes["GET /healthz"].function == "health-api"
    status = routes["GET /status"]
    assert status.authorizer is not None
    assert status.authorizer.issuer == ISSUER
    assert status.authorizer.audiences == (CLIENT_ID,)
    assert routes["ANY /any/{action}"].method == "ANY"
    assert local.api.throttle == Throttle(rate=50, burst=100)
    assert local.api.cors is not None
    assert "if-match" in local.api.cors.allow_headers


def test_what_is_not_run_locally_is_listed_with_the_reason() -> None:
    attachment = Resource(
        "aws:iam/rolePolicyAttachment:RolePolicyAttachment",
        "managed",
        "managed-id",
        {"role": "health-api-role", "policyArn": "arn:aws:iam::aws:policy/ReadOnlyAccess"},
        {},
    )
    local = build_model([*declared([health_manifest()]), attachment])
    listed = {(item.type, item.name): item.reason for item in local.not_modeled}
    assert listed == {
        ("aws:cloudwatch/logGroup:LogGroup", "probe-logs"): (
            "logs go to the console; metrics and alarms are not kept"
        ),
        # Never granted silently: a function relying on it is refused locally.
        ("aws:iam/rolePolicyAttachment:RolePolicyAttachment", "managed"): (
            "not granted locally: only a role's inline policies are"
        ),
    }


def test_a_custom_domain_is_listed_as_not_served_locally() -> None:
    domain = Resource(
        "aws:apigatewayv2/domainName:DomainName", "domain-domain-name", "api.example.com", {}, {}
    )
    record = Resource("aws:route53/record:Record", "domain-alias", "Z_api.example.com_A", {}, {})
    local = build_model([*declared([health_manifest()]), domain, record])
    listed = {item.name: item.reason for item in local.not_modeled}

    reason = "the stack's custom domain: the local API answers on 127.0.0.1 only"
    assert (listed["domain-domain-name"], listed["domain-alias"]) == (reason, reason)


def test_each_function_has_its_role_and_the_role_its_inline_policy() -> None:
    manifest = health_manifest()
    local = build_model(declared([manifest]))
    health = local.functions["health-api"]
    assert health.role.endswith(":role/health-api-role")
    (document,) = local.policies_of(health)
    actions = {a for statement in document["Statement"] for a in statement["Action"]}
    assert {"dynamodb:DescribeTable", "cognito-idp:DescribeUserPool"} <= actions


def test_a_function_without_a_role_has_no_policy() -> None:
    resources = declared([PROBE])
    function = next(r for r in resources if r.name == "probe-api")
    inputs = {k: v for k, v in function.inputs.items() if k != "role"}
    local = build_model([dataclasses.replace(function, inputs=inputs)])
    assert local.policies_of(local.functions["probe-api"]) == ()


def test_tables_carry_the_partition_key_leading_keys_are_read_from() -> None:
    (table,) = build_model(declared([PROBE])).tables
    assert (table.name, table.partition_key) == (TABLE, "pk")


def test_a_reserved_concurrency_caps_the_workers() -> None:
    resources = declared([PROBE])
    function = next(r for r in resources if r.name == "probe-api")
    capped = dataclasses.replace(
        function, inputs={**function.inputs, "reservedConcurrentExecutions": 1}
    )
    local = build_model([capped if r is function else r for r in resources])
    assert local.functions["probe-api"].concurrency == 1


def test_a_route_to_an_undeclared_integration_is_an_error() -> None:
    broken = Resource(
        "aws:apigatewayv2/route:Route",
        "broken",
        "broken-id",
        {"apiId": API_ID, "routeKey": "GET /x", "target": "integrations/nowhere"},
        {},
    )
    with pytest.raises(ModelError, match="GET /x"):
        build_model([*declared([PROBE]), broken])


def test_a_function_without_a_service_tag_is_an_error() -> None:
    untagged = Resource(
        "aws:lambda/function:Function", "f", "f", {"handler": "m.handler"}, {"arn": "arn:f"}
    )
    with pytest.raises(ModelError, match="service"):
        build_model([untagged])


def test_an_integration_through_an_alias_runs_the_function() -> None:
    resources = declared([PROBE])
    integration = next(r for r in resources if r.type.endswith("integration:Integration"))
    function = next(r for r in resources if r.name == "probe-api")
    uri = (
        "arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/"
        f"{function.outputs['arn']}:live/invocations"
    )
    aliased = dataclasses.replace(integration, inputs={**integration.inputs, "integrationUri": uri})
    local = build_model([aliased if r is integration else r for r in resources])
    assert local.api is not None
    assert {route.function for route in local.api.routes} == {"probe-api"}
