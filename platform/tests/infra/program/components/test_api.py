"""The HTTP API: stage, access logs, throttling, CORS, the JWT authorizer and the routes."""

from __future__ import annotations

import json

from infra.offline.declared import DeclaredStack
from infra.program.components.api import CORS_ALLOW_HEADERS, CORS_EXPOSE_HEADERS
from service_manifest import AUTH_PUBLIC, Manifest, docs_routes
from tests.infra.support import gateway_routes


def test_the_default_stage_auto_deploys_with_throttling_from_config(
    declared: DeclaredStack,
) -> None:
    stage = declared.one("aws:apigatewayv2/stage:Stage").inputs
    api = declared.config.api

    assert stage["name"] == "$default"
    assert stage["autoDeploy"] is True
    assert stage["defaultRouteSettings"]["throttlingRateLimit"] == api.throttling_rate_limit
    assert stage["defaultRouteSettings"]["throttlingBurstLimit"] == api.throttling_burst_limit


def test_access_logs_are_json_lines_in_their_own_log_group(declared: DeclaredStack) -> None:
    stage = declared.one("aws:apigatewayv2/stage:Stage").inputs
    logs = declared.named("api-access-logs")

    assert stage["accessLogSettings"]["destinationArn"] == logs.outputs["arn"]
    line = json.loads(stage["accessLogSettings"]["format"])
    assert {"requestId", "routeKey", "status"} <= set(line)
    assert logs.inputs["retentionInDays"] == declared.config.log_retention_days


def test_cors_comes_from_config_and_the_services(
    declared: DeclaredStack, manifests: tuple[Manifest, ...]
) -> None:
    cors = declared.one("aws:apigatewayv2/api:Api").inputs["corsConfiguration"]

    assert cors["allowOrigins"] == list(declared.config.api.cors_allow_origins)
    assert {"authorization", "content-type", "if-match", "x-request-id"} <= set(
        cors["allowHeaders"]
    )
    assert set(cors["exposeHeaders"]) == {"etag", "x-request-id", "location"}
    assert set(cors["allowHeaders"]) == set(CORS_ALLOW_HEADERS) | {
        header for manifest in manifests for header in manifest.cors.allow_headers
    }
    assert set(cors["exposeHeaders"]) == set(CORS_EXPOSE_HEADERS) | {
        header for manifest in manifests for header in manifest.cors.expose_headers
    }
    if declared.stack == "dev":
        assert "http://localhost:3000" in cors["allowOrigins"]
    if declared.config.production:
        assert not any(origin.startswith("http://") for origin in cors["allowOrigins"])


def test_the_authorizer_checks_tokens_of_the_pool_for_the_app_client(
    declared: DeclaredStack,
) -> None:
    authorizer = declared.one("aws:apigatewayv2/authorizer:Authorizer").inputs
    pool = declared.one("aws:cognito/userPool:UserPool")
    client = declared.one("aws:cognito/userPoolClient:UserPoolClient")

    assert authorizer["authorizerType"] == "JWT"
    assert authorizer["identitySources"] == ["$request.header.Authorization"]
    assert authorizer["jwtConfiguration"] == {
        "issuer": f"https://cognito-idp.{declared.config.region}.amazonaws.com/{pool.id}",
        "audiences": [client.id],
    }


def test_every_declared_route_exists_once(
    declared: DeclaredStack, manifests: tuple[Manifest, ...]
) -> None:
    keys = [route.inputs["routeKey"] for route in declared.of_type("aws:apigatewayv2/route:Route")]
    expected = gateway_routes(manifests, docs=declared.config.enable_docs)

    assert sorted(keys) == sorted(expected)


def test_docs_are_routed_only_where_the_stack_enables_them(
    declared: DeclaredStack, manifests: tuple[Manifest, ...]
) -> None:
    keys = {route.inputs["routeKey"] for route in declared.of_type("aws:apigatewayv2/route:Route")}
    docs = {
        f"GET {path}"
        for m in manifests
        if m.openapi_function is not None
        for path in docs_routes(m.name)
    }

    assert (docs <= keys) is declared.config.enable_docs
    assert keys & docs == (docs if declared.config.enable_docs else set())


def test_every_non_public_route_needs_the_jwt_authorizer(
    declared: DeclaredStack, manifests: tuple[Manifest, ...]
) -> None:
    authorizer = declared.one("aws:apigatewayv2/authorizer:Authorizer")
    routes = gateway_routes(manifests, docs=declared.config.enable_docs)
    public = {key for key, auth in routes.items() if auth == AUTH_PUBLIC}

    for route in declared.of_type("aws:apigatewayv2/route:Route"):
        if route.inputs["routeKey"] in public:
            assert route.inputs["authorizationType"] == "NONE"
            assert "authorizerId" not in route.inputs
        else:
            assert route.inputs["authorizationType"] == "JWT"
            assert route.inputs["authorizerId"] == authorizer.id


def test_routes_reach_their_functions_with_payload_2(declared: DeclaredStack) -> None:
    integrations = {
        f"integrations/{integration.id}": integration.inputs
        for integration in declared.of_type("aws:apigatewayv2/integration:Integration")
    }

    for route in declared.of_type("aws:apigatewayv2/route:Route"):
        integration = integrations[route.inputs["target"]]
        assert integration["integrationType"] == "AWS_PROXY"
        assert integration["payloadFormatVersion"] == "2.0"
        assert integration["integrationUri"].endswith("/invocations")
