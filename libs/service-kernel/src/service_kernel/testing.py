"""Test helpers shared by every service's tests: API Gateway HTTP API
payload-2.0 events as the gateway builds them, a Lambda context, an ASGI
wrapper that plays the JWT authorizer for tests that call the app directly,
the metrics a function wrote (`emitted_metrics`), and what a service's
metrics module can count against what its service.toml declares.

Nothing here is imported by a handler."""

from __future__ import annotations

import base64
import inspect
import json
import time
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import ModuleType
from typing import Any, get_args, get_type_hints

from fastapi import FastAPI
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute, iter_route_contexts
from starlette.types import ASGIApp, Receive, Scope, Send

from service_kernel import metrics
from service_kernel.identity import get_caller
from service_manifest import AUTH_PUBLIC, DEFAULT_ROUTE_KEY, Function, Manifest


def access_claims(sub: str = "user-1", **extra: str) -> dict[str, str]:
    """A Cognito access token's claims in the gateway's string form."""
    now = int(time.time())
    claims = {
        "sub": sub,
        "username": sub,
        "token_use": "access",
        "scope": "aws.cognito.signin.user.admin",
        "client_id": "testclient",
        "iss": "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_test",
        "auth_time": str(now),
        "iat": str(now),
        "exp": str(now + 3600),
        "jti": str(uuid.uuid4()),
        "origin_jti": str(uuid.uuid4()),
        "event_id": str(uuid.uuid4()),
    }
    claims.update(extra)
    return claims


def id_token_claims(sub: str = "user-1", **extra: str) -> dict[str, str]:
    """A Cognito ID token's claims: the gateway accepts it, services must not."""
    claims = access_claims(sub, **extra)
    for key in ("username", "scope", "client_id"):
        claims.pop(key, None)
    claims.update({"token_use": "id", "cognito:username": sub, "aud": "testclient"})
    claims.update(extra)
    return claims


def http_event(
    method: str,
    path: str,
    *,
    body: bytes | str | Mapping[str, Any] | list[Any] | None = None,
    headers: Mapping[str, str] | None = None,
    query: str = "",
    claims: Mapping[str, str] | None = None,
    route_key: str | None = None,
    path_parameters: Mapping[str, str] | None = None,
    stage: str = "$default",
) -> dict[str, Any]:
    """An HTTP API payload-2.0 event, shaped like the ones API Gateway sends."""
    all_headers = {
        "accept": "*/*",
        "content-length": "0",
        "host": "abc123.execute-api.us-east-1.amazonaws.com",
        "user-agent": "pytest",
        "x-amzn-trace-id": "Root=1-5e6722a7-cc56xmpl46db7ae02d4da47e",
        "x-forwarded-for": "203.0.113.10",
        "x-forwarded-port": "443",
        "x-forwarded-proto": "https",
    }
    raw_body: bytes | None = None
    if isinstance(body, Mapping | list):
        raw_body = json.dumps(body).encode()
        all_headers["content-type"] = "application/json"
    elif isinstance(body, str):
        raw_body = body.encode()
    elif isinstance(body, bytes):
        raw_body = body
    if raw_body is not None:
        all_headers["content-length"] = str(len(raw_body))
    all_headers.update({k.lower(): v for k, v in (headers or {}).items()})

    now = time.time()
    event: dict[str, Any] = {
        "version": "2.0",
        "routeKey": route_key or f"{method} {path}",
        "rawPath": path,
        "rawQueryString": query,
        "headers": all_headers,
        "requestContext": {
            "accountId": "123456789012",
            "apiId": "abc123",
            "domainName": all_headers["host"],
            "domainPrefix": "abc123",
            "http": {
                "method": method,
                "path": path,
                "protocol": "HTTP/1.1",
                "sourceIp": "203.0.113.10",
                "userAgent": all_headers["user-agent"],
            },
            "requestId": base64.b32encode(uuid.uuid4().bytes)[:16].decode(),
            "routeKey": route_key or f"{method} {path}",
            "stage": stage,
            "time": time.strftime("%d/%b/%Y:%H:%M:%S +0000", time.gmtime(now)),
            "timeEpoch": int(now * 1000),
        },
        "isBase64Encoded": False,
    }
    if query:
        params: dict[str, list[str]] = {}
        for pair in query.split("&"):
            key, _, value = pair.partition("=")
            params.setdefault(key, []).append(value)
        event["queryStringParameters"] = {k: ",".join(v) for k, v in params.items()}
    if path_parameters:
        event["pathParameters"] = dict(path_parameters)
    if raw_body is not None:
        event["body"] = raw_body.decode()
    if claims is not None:
        scopes = claims.get("scope", "").split() or None
        event["requestContext"]["authorizer"] = {"jwt": {"claims": dict(claims), "scopes": scopes}}
    return event


@dataclass
class LambdaContext:
    """The attributes of the Lambda context object a handler may read."""

    function_name: str = "test-function"
    function_version: str = "$LATEST"
    memory_limit_in_mb: int = 256
    aws_request_id: str = field(default_factory=lambda: str(uuid.uuid4()))
    log_group_name: str = "/aws/lambda/test-function"
    log_stream_name: str = "2026/01/01/[$LATEST]0123456789abcdef"
    timeout_ms: int = 10_000
    _started: float = field(default_factory=time.monotonic)

    @property
    def invoked_function_arn(self) -> str:
        return f"arn:aws:lambda:us-east-1:123456789012:function:{self.function_name}"

    def get_remaining_time_in_millis(self) -> int:
        elapsed = int((time.monotonic() - self._started) * 1000)
        return max(self.timeout_ms - elapsed, 0)


class AsAuthorizedBy:
    """Wraps an ASGI app so each request looks as if the JWT authorizer had
    passed these claims, the way Mangum exposes them in the scope."""

    def __init__(self, app: ASGIApp, claims: Mapping[str, str] | None) -> None:
        self.app = app
        self.claims = claims

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and self.claims is not None:
            scope = dict(scope)
            scope["aws.event"] = {
                "requestContext": {"authorizer": {"jwt": {"claims": dict(self.claims)}}}
            }
        await self.app(scope, receive, send)


def create_shared_table(dynamodb: Any, name: str) -> str:
    """The one table as the platform declares it (string PK/SK, TTL on
    `expires_at`, on-demand), created with the given DynamoDB client (moto)."""
    dynamodb.create_table(
        TableName=name,
        KeySchema=[
            {"AttributeName": "PK", "KeyType": "HASH"},
            {"AttributeName": "SK", "KeyType": "RANGE"},
        ],
        AttributeDefinitions=[
            {"AttributeName": "PK", "AttributeType": "S"},
            {"AttributeName": "SK", "AttributeType": "S"},
        ],
        BillingMode="PAY_PER_REQUEST",
    )
    dynamodb.update_time_to_live(
        TableName=name,
        TimeToLiveSpecification={"Enabled": True, "AttributeName": "expires_at"},
    )
    return name


def route_mismatches(app: FastAPI, function: Function) -> list[str]:
    """Where the app and the manifest's gateway routes for `function` disagree:
    a FastAPI route the gateway does not send, a gateway route the app does
    not serve, or a route that needs a caller but is public at the gateway.
    Routes of included routers count, with their prefixes."""
    served: dict[tuple[str, str], Dependant] = {}
    for route in iter_route_contexts(app.routes):
        if isinstance(route.original_route, APIRoute) and route.path is not None:
            for method in route.methods or ():
                served[(method, route.path)] = route.dependant
    declared = {
        (route.method, route.path): route
        for route in function.routes
        if route.route_key != DEFAULT_ROUTE_KEY
    }
    catch_all = next((r for r in function.routes if r.route_key == DEFAULT_ROUTE_KEY), None)
    problems = [f"{m} {p} is routed but not served" for m, p in declared.keys() - served]
    for key, dependant in sorted(served.items()):
        gateway_route = declared.get(key, catch_all)
        if gateway_route is None:
            problems.append(f"{key[0]} {key[1]} is served but has no gateway route")
        elif gateway_route.auth == AUTH_PUBLIC and _needs_caller(dependant):
            problems.append(f"{key[0]} {key[1]} needs a caller but is public at the gateway")
    return sorted(problems)


def _needs_caller(dependant: Dependant) -> bool:
    return any(
        dependency.call is get_caller or _needs_caller(dependency)
        for dependency in dependant.dependencies
    )


@dataclass(frozen=True)
class Emitted:
    """One metric of an EMF line: what CloudWatch would record."""

    namespace: str
    name: str
    dimensions: dict[str, str]
    value: float


def emitted_metrics(output: str) -> list[Emitted]:
    """Every metric in the CloudWatch EMF lines of `output` (what a function wrote on
    stdout: capsys's `out`, say), in order; other lines are skipped."""
    found: list[Emitted] = []
    for line in output.splitlines():
        if not line.startswith('{"_aws"'):
            continue
        document = json.loads(line)
        for directive in document["_aws"]["CloudWatchMetrics"]:
            (names,) = directive["Dimensions"]
            dimensions = {name: document[name] for name in names}
            for metric in directive["Metrics"]:
                values = document[metric["Name"]]
                value = sum(values) if isinstance(values, list) else values
                found.append(Emitted(directive["Namespace"], metric["Name"], dimensions, value))
    return found


# A metric with its dimension's value: ("CodesSent", (("channel", "sms"),)) or ("Lockouts", ()).
MetricPoint = tuple[str, tuple[tuple[str, str], ...]]


def declared_metrics(manifest: Manifest) -> set[MetricPoint]:
    """Every metric a service.toml declares, once per value of its one dimension."""
    points: set[MetricPoint] = set()
    for metric in manifest.metrics:
        if metric.dimension is None:
            points.add((metric.name, ()))
            continue
        dimension, values = metric.dimension
        points |= {(metric.name, ((dimension, value),)) for value in values}
    return points


def countable_metrics(module: ModuleType) -> set[MetricPoint]:
    """Every metric a service's metrics module can count: each of its public functions
    called with every value its one `Literal` parameter allows (or with none). What
    was counted and not yet written is forgotten."""
    points: set[MetricPoint] = set()
    metrics.clear()
    for name, function in sorted(vars(module).items()):
        if name.startswith("_") or not inspect.isfunction(function):
            continue
        if function.__module__ != module.__name__:
            continue  # imported, e.g. the kernel's `count`
        parameters = list(inspect.signature(function).parameters)
        hints = get_type_hints(function)
        calls = [()] if not parameters else [(v,) for v in get_args(hints[parameters[0]])]
        for arguments in calls:
            function(*arguments)
        points |= set(metrics.pending())
        metrics.clear()
    return points
