"""Declared resources shaped exactly like the program's under Pulumi mocks.

Input names are pulumi-aws's (camelCase), ids are mock physical ids (not the
emulator's), references are resolved to those ids, as `infra.offline.declared.declare`
returns them. Built from the services' real `service.toml` files plus a
test-only `probe` function, so the runtime is tested without the program.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from infra.program.iam import email_identity_arns, function_policy
from local_runtime.model import Resource
from service_manifest import AUTH_PUBLIC, Function, Manifest, Permission, Route, load_manifest

REGION = "us-east-1"
ACCOUNT = "210987654321"  # not moto's: the runtime must map ARNs, not assume them
POOL_ID = "us-east-1_MockPool01"
CLIENT_ID = "mockclient0123456789abcdef"
TABLE = "app-table-7f3c2a1"
API_ID = "mockapi01"
ISSUER = f"https://cognito-idp.{REGION}.amazonaws.com/{POOL_ID}"
ALLOWED_ORIGIN = "http://localhost:3000"
REPO = Path(__file__).resolve().parents[3]

# Long enough that a loaded machine never times out a probe call by accident;
# the one test that wants a timeout waits this long once.
PROBE_TIMEOUT = 10

PROBE = Manifest(
    name="probe",
    path=Path(__file__).with_name("probe") / "service.toml",
    description="test-only",
    key_prefixes=("PROBE#",),
    functions=(
        Function(
            name="api",
            handler="probe_handler.handler",
            timeout=PROBE_TIMEOUT,
            permissions=(Permission(("dynamodb:GetItem",), "table", own_keys_only=True),),
            routes=(
                Route("GET", "/probe/{action}", "jwt"),
                Route("POST", "/probe/{action}", "jwt"),
                Route("GET", "/open/{proxy+}", AUTH_PUBLIC),
                Route("ANY", "/any/{action}", AUTH_PUBLIC),
            ),
            environment={
                "PROBE_TABLE": "${table.name}",
                "PROBE_TABLE_ARN": "${table.arn}",
                "PROBE_POOL": "${user_pool.id}",
                "PROBE_CLIENT": "${user_pool.client_id}",
                "PROBE_STAGE": "${stage}",
            },
        ),
    ),
)

DEFAULT_CONFIG: dict[str, Any] = {
    "enableDocs": False,
    "api": {"throttlingRateLimit": 50, "throttlingBurstLimit": 100},
}


def _arn(service: str, rest: str) -> str:
    return f"arn:aws:{service}:{REGION}:{ACCOUNT}:{rest}"


def _resource_arns(config: Mapping[str, Any]) -> dict[str, list[str]]:
    """What each manifest `resource` names, as the platform resolves it."""
    return {
        "table": [_arn("dynamodb", f"table/{TABLE}")],
        "user_pool": [_arn("cognito-idp", f"userpool/{POOL_ID}")],
        "email_identity": email_identity_arns(REGION, ACCOUNT),
        "sms": ["*"],
    }


def _role(
    manifest: Manifest, function: Function, name: str, config: Mapping[str, Any]
) -> list[Resource]:
    """The function's execution role and its inline policy, as the platform declares them."""
    role = f"{name}-role"
    policy = function_policy(
        manifest,
        function,
        _resource_arns(config),
        log_group_arn=_arn("logs", f"log-group:/aws/lambda/{name}"),
        tracing=False,
        email_sender=str(config.get("auth", {}).get("emailSender", "no-reply@example.com")),
    )
    return [
        Resource(
            "aws:iam/role:Role", role, role, {"name": role}, {"arn": _arn("iam", f"role/{role}")}
        ),
        Resource(
            "aws:iam/rolePolicy:RolePolicy",
            f"{name}-policy",
            f"{role}:policy",
            {"role": role, "policy": json.dumps(policy)},
            {},
        ),
    ]


def _resolve(value: str, stack: str, config: Mapping[str, Any]) -> str:
    def one(found: re.Match[str]) -> str:
        reference = found.group(1)
        fixed = {
            "stage": stack,
            "table.name": TABLE,
            "table.arn": _arn("dynamodb", f"table/{TABLE}"),
            "user_pool.id": POOL_ID,
            "user_pool.arn": _arn("cognito-idp", f"userpool/{POOL_ID}"),
            "user_pool.client_id": CLIENT_ID,
            "service.version": "0.0.0-test",
        }
        if reference in fixed:
            return fixed[reference]
        if reference.startswith("secret."):
            return "local-secret-" + reference.split(".", 1)[1]
        node: Any = config
        for part in reference.removeprefix("config.").split("."):
            node = node[part]
        return str(node).lower() if isinstance(node, bool) else str(node)

    return re.sub(r"\$\{([^}]+)\}", one, value)


def declared(
    manifests: Sequence[Manifest],
    *,
    stack: str = "dev",
    config: Mapping[str, Any] | None = None,
    extra_environment: Mapping[str, str] | None = None,
) -> list[Resource]:
    config = {**DEFAULT_CONFIG, **(config or {})}
    resources = [
        Resource(
            "aws:dynamodb/table:Table",
            "table",
            TABLE,
            {
                "attributes": [{"name": "pk", "type": "S"}, {"name": "sk", "type": "S"}],
                "hashKey": "pk",
                "rangeKey": "sk",
                "billingMode": "PAY_PER_REQUEST",
                "ttl": {"attributeName": "expires_at", "enabled": True},
                "pointInTimeRecovery": {"enabled": True},
            },
            {"name": TABLE, "arn": _arn("dynamodb", f"table/{TABLE}")},
        ),
    ]
    triggers: dict[str, str] = {}
    functions: list[Resource] = []
    roles: list[Resource] = []
    for manifest in manifests:
        for function in manifest.functions:
            name = f"{manifest.name}-{function.name.replace('_', '-')}"
            arn = _arn("lambda", f"function:{name}-1234abc")
            environment = {
                key: _resolve(value, stack, config) for key, value in function.environment.items()
            }
            environment.update(extra_environment or {})
            functions.append(
                Resource(
                    "aws:lambda/function:Function",
                    name,
                    f"{name}-1234abc",
                    {
                        "handler": function.handler,
                        "runtime": "python3.12",
                        "timeout": function.timeout or 10,
                        "memorySize": function.memory or 512,
                        "environment": {"variables": environment},
                        "tags": {"service": manifest.name, "function": function.name},
                        "role": _arn("iam", f"role/{name}-role"),
                    },
                    {"arn": arn, "name": f"{name}-1234abc"},
                )
            )
            roles += _role(manifest, function, name, config)
            if function.trigger:
                triggers[function.trigger[0].lower() + function.trigger[1:]] = arn
    resources += [
        Resource(
            "aws:cognito/userPool:UserPool",
            "user-pool",
            POOL_ID,
            {
                "name": f"app-{stack}",
                "passwordPolicy": {
                    "minimumLength": 12,
                    "requireLowercase": True,
                    "requireUppercase": True,
                    "requireNumbers": True,
                    "requireSymbols": False,
                },
                "usernameConfiguration": {"caseSensitive": False},
                **({"lambdaConfig": triggers} if triggers else {}),
            },
            {"arn": _arn("cognito-idp", f"userpool/{POOL_ID}")},
        ),
        Resource(
            "aws:cognito/userPoolClient:UserPoolClient",
            "app-client",
            CLIENT_ID,
            {
                "userPoolId": POOL_ID,
                "explicitAuthFlows": [
                    "ALLOW_CUSTOM_AUTH",
                    "ALLOW_USER_PASSWORD_AUTH",
                    "ALLOW_REFRESH_TOKEN_AUTH",
                ],
                "accessTokenValidity": 60,
                "idTokenValidity": 60,
                "refreshTokenValidity": 30,
                "tokenValidityUnits": {
                    "accessToken": "minutes",
                    "idToken": "minutes",
                    "refreshToken": "days",
                },
                "generateSecret": False,
                "preventUserExistenceErrors": "ENABLED",
                "enableTokenRevocation": True,
            },
            {"id": CLIENT_ID},
        ),
        *functions,
        Resource(
            "aws:apigatewayv2/api:Api",
            "http-api",
            API_ID,
            {
                "protocolType": "HTTP",
                "corsConfiguration": {
                    "allowOrigins": [ALLOWED_ORIGIN],
                    "allowMethods": ["GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"],
                    "allowHeaders": ["authorization", "content-type", "if-match"],
                    "exposeHeaders": ["etag", "x-request-id", "location"],
                    "maxAge": 600,
                },
            },
            {"apiEndpoint": f"https://{API_ID}.execute-api.{REGION}.amazonaws.com"},
        ),
        Resource(
            "aws:apigatewayv2/authorizer:Authorizer",
            "jwt",
            "authz01",
            {
                "apiId": API_ID,
                "authorizerType": "JWT",
                "identitySources": ["$request.header.Authorization"],
                "jwtConfiguration": {"issuer": ISSUER, "audiences": [CLIENT_ID]},
                "name": "cognito",
            },
            {},
        ),
        Resource(
            "aws:apigatewayv2/stage:Stage",
            "stage",
            "$default",
            {
                "apiId": API_ID,
                "name": "$default",
                "autoDeploy": True,
                "defaultRouteSettings": {
                    "throttlingRateLimit": config["api"]["throttlingRateLimit"],
                    "throttlingBurstLimit": config["api"]["throttlingBurstLimit"],
                },
            },
            {},
        ),
        *roles,
        Resource("aws:cloudwatch/logGroup:LogGroup", "probe-logs", "/aws/lambda/x", {}, {}),
    ]
    for manifest in manifests:
        for function in manifest.functions:
            name = f"{manifest.name}-{function.name.replace('_', '-')}"
            integration = f"integ-{name}"
            fn = next(r for r in functions if r.name == name)
            invoke_arn = (
                f"arn:aws:apigateway:{REGION}:lambda:path/2015-03-31/functions/"
                f"{fn.outputs['arn']}/invocations"
            )
            resources.append(
                Resource(
                    "aws:apigatewayv2/integration:Integration",
                    integration,
                    integration,
                    {
                        "apiId": API_ID,
                        "integrationType": "AWS_PROXY",
                        "integrationUri": invoke_arn,
                        "payloadFormatVersion": "2.0",
                    },
                    {},
                )
            )
            for route in function.routes:
                jwt = route.auth != AUTH_PUBLIC
                resources.append(
                    Resource(
                        "aws:apigatewayv2/route:Route",
                        f"{name}-{route.method}-{route.path}",
                        f"route-{len(resources)}",
                        {
                            "apiId": API_ID,
                            "routeKey": route.route_key,
                            "target": f"integrations/{integration}",
                            "authorizationType": "JWT" if jwt else "NONE",
                            **({"authorizerId": "authz01"} if jwt else {}),
                        },
                        {},
                    )
                )
    return resources


def health_manifest() -> Manifest:
    return load_manifest(REPO / "services" / "health" / "service.toml")


def probe_resources(
    *, api_id: str, authorizer_id: str, table_arn: str, timeout: int = PROBE_TIMEOUT
) -> list[Resource]:
    """The test-only probe functions and their routes, added to a real
    program's resources. They show the event and context a function gets,
    can crash, fail or time out on request, and call the table: `probe-api`
    with the role the PROBE manifest declares (GetItem on `PROBE#` keys only),
    `probe-nothing` with a role that declares no permission at all."""
    region, account = table_arn.split(":")[3:5]
    table_name = table_arn.rsplit("/", 1)[1]
    policy = function_policy(
        PROBE,
        PROBE.functions[0],
        {"table": [table_arn]},
        log_group_arn=f"arn:aws:logs:{region}:{account}:log-group:/aws/lambda/probe-api",
        tracing=False,
        email_sender="no-reply@example.com",
    )
    resources = [
        *_probe_function("probe-api", "probe-role", region, account, table_name, timeout, api_id),
        Resource(
            "aws:iam/rolePolicy:RolePolicy",
            "probe-policy",
            "probe-role:policy",
            {"role": "probe-role", "policy": json.dumps(policy)},
            {},
        ),
        *_probe_function(
            "probe-nothing", "probe-nothing-role", region, account, table_name, timeout, api_id
        ),
    ]
    for route_key, function, jwt in (
        ("GET /probe/{action}", "probe-api", True),
        ("POST /probe/{action}", "probe-api", True),
        ("GET /open/{proxy+}", "probe-api", False),
        ("ANY /any/{action}", "probe-api", False),
        ("ANY /nothing/{action}", "probe-nothing", False),
    ):
        resources.append(
            Resource(
                "aws:apigatewayv2/route:Route",
                f"probe-{route_key}",
                f"probe-{len(resources)}-id",
                {
                    "apiId": api_id,
                    "routeKey": route_key,
                    "target": f"integrations/{function}-integration-id",
                    "authorizationType": "JWT" if jwt else "NONE",
                    **({"authorizerId": authorizer_id} if jwt else {}),
                },
                {},
            )
        )
    return resources


def _probe_function(
    name: str, role: str, region: str, account: str, table_name: str, timeout: int, api_id: str
) -> list[Resource]:
    arn = f"arn:aws:lambda:{region}:{account}:function:{name}"
    role_arn = f"arn:aws:iam::{account}:role/{role}"
    return [
        Resource(
            "aws:lambda/function:Function",
            name,
            name,
            {
                "handler": "probe_handler.handler",
                "timeout": float(timeout),
                "memorySize": 256.0,
                "environment": {"variables": {"PROBE_TABLE": table_name}},
                "tags": {"service": "probe", "function": name.removeprefix("probe-")},
                "role": role_arn,
            },
            {"arn": arn, "name": name},
        ),
        Resource("aws:iam/role:Role", role, role, {"name": role}, {"arn": role_arn}),
        Resource(
            "aws:apigatewayv2/integration:Integration",
            f"{name}-integration",
            f"{name}-integration-id",
            {
                "apiId": api_id,
                "integrationType": "AWS_PROXY",
                "integrationUri": arn,
                "payloadFormatVersion": "2.0",
            },
            {},
        ),
    ]
