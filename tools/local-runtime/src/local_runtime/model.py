"""The local model: what the runtime serves, derived from the program's declared resources.

Pure: reads pulumi-aws input property names (camelCase, as the engine receives
them) and never touches the emulator or a process. Every declared resource is
either served by the runtime itself (functions, the HTTP API), created in the
emulator (see `EMULATED_TYPES`), a grouping with nothing to run (components,
providers), or listed in `LocalModel.not_modeled` with the reason, so nothing
is dropped silently.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

FUNCTION = "aws:lambda/function:Function"
API = "aws:apigatewayv2/api:Api"
ROUTE = "aws:apigatewayv2/route:Route"
INTEGRATION = "aws:apigatewayv2/integration:Integration"
AUTHORIZER = "aws:apigatewayv2/authorizer:Authorizer"
STAGE = "aws:apigatewayv2/stage:Stage"
TABLE = "aws:dynamodb/table:Table"
USER_POOL = "aws:cognito/userPool:UserPool"
USER_POOL_CLIENT = "aws:cognito/userPoolClient:UserPoolClient"
SSM_PARAMETER = "aws:ssm/parameter:Parameter"
ROLE = "aws:iam/role:Role"
ROLE_POLICY = "aws:iam/rolePolicy:RolePolicy"
SCHEDULE = "aws:scheduler/schedule:Schedule"
# Served: an invocation of `live` goes to the version it picks (local_runtime.live_version).
ALIAS = "aws:lambda/alias:Alias"
SES_IDENTITIES = ("aws:ses/emailIdentity:EmailIdentity", "aws:sesv2/emailIdentity:EmailIdentity")
# The account's SMS preferences: no stack of this program declares them (the bootstrap
# sets them), but one that did is refused as AWS refuses it (local_runtime.account).
SMS_PREFERENCES = "aws:sns/smsPreferences:SmsPreferences"
# A SecureString parameter: a stack secret a function reads, so it must exist first.
SECRET_PARAMETER = f"{SSM_PARAMETER} (SecureString)"

# Created in the emulator, in this order (a client needs its pool). The
# functions need the first ones before they start; other SSM parameters only
# inform other consumers, and moto's SSM takes a second to load, so they come after.
EMULATED_FIRST = (
    TABLE,
    USER_POOL,
    USER_POOL_CLIENT,
    *SES_IDENTITIES,
    SECRET_PARAMETER,
    SMS_PREFERENCES,
)
EMULATED_LATER = (SSM_PARAMETER,)
EMULATED_TYPES = EMULATED_FIRST + EMULATED_LATER
# Served by the runtime itself (roles and their inline policies by its IAM gate).
SERVED_TYPES = frozenset(
    {FUNCTION, API, ROUTE, INTEGRATION, AUTHORIZER, STAGE, ROLE, ROLE_POLICY, SCHEDULE, ALIAS}
)
# Their effect is already part of how the runtime behaves.
IMPLIED_TYPES = {
    "aws:lambda/permission:Permission": "the local API may always invoke the functions",
    "aws:apigatewayv2/deployment:Deployment": "the local API always serves the latest routes",
}

# The API's custom domain (api.domain): locally the API answers on 127.0.0.1 only.
CUSTOM_DOMAIN_TYPES = frozenset(
    {
        "aws:acm/certificate:Certificate",
        "aws:acm/certificateValidation:CertificateValidation",
        "aws:apigatewayv2/domainName:DomainName",
        "aws:apigatewayv2/apiMapping:ApiMapping",
        "aws:route53/record:Record",
    }
)

# Lambda's default when a function declares no timeout (seconds).
DEFAULT_TIMEOUT = 3
DEFAULT_MEMORY = 128
# HTTP API's integration timeout cap (milliseconds).
MAX_INTEGRATION_TIMEOUT_MS = 30_000
# How many warm workers one function may have locally when it reserves no concurrency.
DEFAULT_CONCURRENCY = 4


class Declared(Protocol):
    """The shape of infra.offline.declared.DeclaredResource that the runtime reads."""

    @property
    def type(self) -> str: ...
    @property
    def name(self) -> str: ...
    @property
    def id(self) -> str: ...
    @property
    def inputs(self) -> Mapping[str, Any]: ...
    @property
    def outputs(self) -> Mapping[str, Any]: ...


@dataclass(frozen=True)
class Resource:
    """A declared resource as the runtime keeps it (ids already the emulator's)."""

    type: str
    name: str
    id: str
    inputs: Mapping[str, Any]
    outputs: Mapping[str, Any]


class ModelError(ValueError):
    """The declared resources cannot be served as they are (e.g. a route to nowhere)."""


@dataclass(frozen=True)
class LocalFunction:
    name: str  # the Pulumi logical name
    function_name: str  # the physical name, as Lambda would report it
    arn: str
    service: str
    handler: str
    environment: Mapping[str, str]
    timeout: int  # seconds
    memory: int  # MB
    concurrency: int  # the most warm workers at once
    manifest_function: str = ""
    role: str = ""  # its execution role's ARN (no role: no permission at all)

    @property
    def label(self) -> str:
        """How the console names it: `<service>.<function>` from its tags."""
        return f"{self.service}.{self.manifest_function or self.name}"


@dataclass(frozen=True)
class JwtAuthorizer:
    name: str
    issuer: str
    audiences: tuple[str, ...]
    # e.g. "$request.header.Authorization"
    identity_source: str = "$request.header.Authorization"


@dataclass(frozen=True)
class LocalRoute:
    route_key: str  # "GET /items/{item_id}" or "$default"
    function: str  # LocalFunction.name
    authorizer: JwtAuthorizer | None = None
    scopes: tuple[str, ...] = ()
    timeout_ms: int = MAX_INTEGRATION_TIMEOUT_MS

    @property
    def method(self) -> str:
        return "ANY" if self.route_key == "$default" else self.route_key.split(" ", 1)[0]

    @property
    def path(self) -> str | None:
        return None if self.route_key == "$default" else self.route_key.split(" ", 1)[1]


@dataclass(frozen=True)
class Cors:
    allow_origins: tuple[str, ...] = ()
    allow_methods: tuple[str, ...] = ()
    allow_headers: tuple[str, ...] = ()
    expose_headers: tuple[str, ...] = ()
    max_age: int | None = None
    allow_credentials: bool = False


@dataclass(frozen=True)
class Throttle:
    rate: float  # requests per second, steady state
    burst: int  # bucket size


@dataclass(frozen=True)
class LocalApi:
    name: str
    api_id: str
    stage: str
    routes: tuple[LocalRoute, ...]
    cors: Cors | None = None
    throttle: Throttle | None = None
    route_throttles: Mapping[str, Throttle] = field(default_factory=dict)


@dataclass(frozen=True)
class NotModeled:
    type: str
    name: str
    reason: str


@dataclass(frozen=True)
class TableKeys:
    """A table's partition-key attribute, and each index's (what
    `dynamodb:LeadingKeys` reads from a request)."""

    name: str
    partition_key: str
    index_partition_keys: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class LocalSchedule:
    """An EventBridge Scheduler schedule: run `function` every `every_seconds`."""

    name: str
    function: str  # LocalFunction.name
    expression: str
    every_seconds: int


_UNITS = {"minute": 60, "hour": 3600, "day": 86400}


def rate_seconds(expression: str) -> int | None:
    """Seconds between runs of `rate(<n> <unit>)`; None for anything else."""
    inner = expression.strip().removeprefix("rate(").removesuffix(")")
    if inner == expression.strip():
        return None
    count, _, unit = inner.partition(" ")
    if not count.isdigit() or unit.rstrip("s") not in _UNITS:
        return None
    return int(count) * _UNITS[unit.rstrip("s")]


@dataclass(frozen=True)
class LocalModel:
    api: LocalApi | None
    functions: Mapping[str, LocalFunction]
    not_modeled: tuple[NotModeled, ...]
    # Role name → the policy documents attached to it inline.
    role_policies: Mapping[str, tuple[Mapping[str, Any], ...]] = field(default_factory=dict)
    tables: tuple[TableKeys, ...] = ()
    schedules: tuple[LocalSchedule, ...] = ()

    def policies_of(self, function: LocalFunction) -> tuple[Mapping[str, Any], ...]:
        return self.role_policies.get(role_name(function.role), ())

    def triggers_by_arn(self) -> dict[str, LocalFunction]:
        return {function.arn: function for function in self.functions.values()}

    def services(self) -> dict[str, list[LocalFunction]]:
        grouped: dict[str, list[LocalFunction]] = {}
        for function in self.functions.values():
            grouped.setdefault(function.service, []).append(function)
        return grouped


def build_model(resources: Sequence[Declared]) -> LocalModel:
    functions = {r.name: _function(r) for r in resources if r.type == FUNCTION}
    apis = [r for r in resources if r.type == API]
    not_modeled = [
        NotModeled(api.type, api.name, "only one HTTP API is served locally") for api in apis[1:]
    ]
    api = _api(apis[0], resources, functions) if apis else None
    for resource in resources:
        reason = _unmodeled_reason(resource)
        if reason:
            not_modeled.append(NotModeled(resource.type, resource.name, reason))
    schedules = []
    for resource in resources:
        if resource.type != SCHEDULE:
            continue
        schedule = _schedule(resource, functions)
        if isinstance(schedule, str):
            not_modeled.append(NotModeled(resource.type, resource.name, schedule))
        else:
            schedules.append(schedule)
    return LocalModel(
        api=api,
        functions=functions,
        not_modeled=tuple(not_modeled),
        role_policies=_role_policies(resources),
        tables=tuple(_table_keys(r) for r in resources if r.type == TABLE),
        schedules=tuple(schedules),
    )


def role_name(role: str) -> str:
    """`arn:aws:iam::<account>:role/<path>/<name>` (or a bare name) → the name."""
    return role.rsplit("/", 1)[-1] if role.startswith("arn:") else role


def _role_policies(resources: Sequence[Declared]) -> dict[str, tuple[Mapping[str, Any], ...]]:
    """Each role's inline policies: `RolePolicy` resources and the role's own
    `inlinePolicies`, as documents."""
    found: dict[str, list[Mapping[str, Any]]] = {}
    for resource in resources:
        if resource.type == ROLE_POLICY:
            role = role_name(str(resource.inputs.get("role", "")))
            found.setdefault(role, []).append(_document(resource, resource.inputs.get("policy")))
        elif resource.type == ROLE:
            role = str(resource.inputs.get("name") or resource.id)
            for inline in resource.inputs.get("inlinePolicies") or ():
                if _mapping(inline).get("policy"):
                    found.setdefault(role, []).append(_document(resource, inline["policy"]))
    return {role: tuple(documents) for role, documents in found.items()}


def _document(resource: Declared, policy: Any) -> Mapping[str, Any]:
    try:
        document = json.loads(policy) if isinstance(policy, str) else policy
    except ValueError as exc:
        raise ModelError(f"{resource.name}: its policy is not JSON: {exc}") from None
    if not isinstance(document, Mapping):
        raise ModelError(f"{resource.name}: its policy is not a JSON object")
    return document


def _table_keys(resource: Declared) -> TableKeys:
    inputs = resource.inputs
    name = str(resource.outputs.get("name") or inputs.get("name") or resource.id)
    partition_key = str(inputs.get("hashKey", ""))
    indexes = {
        str(index["name"]): str(index.get("hashKey") or partition_key)
        for kind in ("globalSecondaryIndexes", "localSecondaryIndexes")
        for index in inputs.get(kind) or ()
        if isinstance(index, Mapping) and index.get("name")
    }
    return TableKeys(name, partition_key, indexes)


def _schedule(resource: Declared, functions: Mapping[str, LocalFunction]) -> LocalSchedule | str:
    """The schedule as the runtime runs it, or why it cannot."""
    expression = str(resource.inputs.get("scheduleExpression", ""))
    every = rate_seconds(expression)
    if every is None:
        return f"only rate(...) schedules run locally, not {expression!r}"
    target = str(_mapping(resource.inputs.get("target")).get("arn", ""))
    for function in functions.values():
        # An alias ARN (`<arn>:live`) still runs the function's code.
        if target == function.arn or target.startswith(function.arn + ":"):
            return LocalSchedule(resource.name, function.name, expression, every)
    return f"its target is no declared function ({target})"


def emulated_kind(resource: Declared) -> str:
    """Its type, but a SecureString parameter is its own kind (created before the rest)."""
    if resource.type == SSM_PARAMETER and resource.inputs.get("type") == "SecureString":
        return SECRET_PARAMETER
    return resource.type


def _unmodeled_reason(resource: Declared) -> str | None:
    kind = resource.type
    if kind in SERVED_TYPES or kind in EMULATED_TYPES:
        return None
    if kind in IMPLIED_TYPES:
        return IMPLIED_TYPES[kind]
    if not kind.startswith("aws:"):
        return None  # components and providers only group other resources
    if kind.startswith("aws:iam/"):
        return "not granted locally: only a role's inline policies are"
    if kind in CUSTOM_DOMAIN_TYPES:
        return "the stack's custom domain: the local API answers on 127.0.0.1 only"
    if kind.startswith("aws:cloudwatch/"):
        return "logs go to the console; metrics and alarms are not kept"
    return "the emulator does not model it"


def _function(resource: Declared) -> LocalFunction:
    inputs, outputs = resource.inputs, resource.outputs
    tags = _mapping(inputs.get("tags") or outputs.get("tags"))
    service = str(tags.get("service", ""))
    if not service:
        raise ModelError(f"function {resource.name} has no 'service' tag to find its source by")
    environment = _mapping(_mapping(inputs.get("environment")).get("variables"))
    reserved = inputs.get("reservedConcurrentExecutions")
    concurrency = int(reserved) if isinstance(reserved, int) and reserved > 0 else 0
    name = str(inputs.get("name") or outputs.get("name") or resource.id or resource.name)
    return LocalFunction(
        name=resource.name,
        function_name=name,
        arn=str(outputs.get("arn") or f"arn:aws:lambda:us-east-1:123456789012:function:{name}"),
        service=service,
        handler=str(inputs["handler"]),
        environment={str(k): str(v) for k, v in environment.items()},
        timeout=int(inputs.get("timeout") or DEFAULT_TIMEOUT),
        memory=int(inputs.get("memorySize") or DEFAULT_MEMORY),
        concurrency=concurrency or DEFAULT_CONCURRENCY,
        manifest_function=str(tags.get("function", "")),
        role=str(inputs.get("role") or ""),
    )


def _api(
    api: Declared, resources: Sequence[Declared], functions: Mapping[str, LocalFunction]
) -> LocalApi:
    def of_api(kind: str) -> list[Declared]:
        return [r for r in resources if r.type == kind and r.inputs.get("apiId") == api.id]

    by_arn = {function.arn: function for function in functions.values()}
    integrations = {r.id: r for r in of_api(INTEGRATION)}
    authorizers = {r.id: _authorizer(r) for r in of_api(AUTHORIZER)}
    routes = []
    for route in of_api(ROUTE):
        inputs = route.inputs
        target = str(inputs.get("target", ""))
        integration = integrations.get(target.removeprefix("integrations/"))
        if integration is None:
            raise ModelError(f"route {inputs.get('routeKey')!r} targets no declared integration")
        function = _integrated_function(integration, by_arn)
        authorizer = None
        if inputs.get("authorizationType") == "JWT":
            authorizer = authorizers.get(str(inputs.get("authorizerId")))
            if authorizer is None:
                raise ModelError(f"route {inputs.get('routeKey')!r} uses an unknown authorizer")
        timeout_ms = int(
            integration.inputs.get("timeoutMilliseconds") or MAX_INTEGRATION_TIMEOUT_MS
        )
        routes.append(
            LocalRoute(
                route_key=str(inputs["routeKey"]),
                function=function.name,
                authorizer=authorizer,
                scopes=tuple(str(s) for s in inputs.get("authorizationScopes") or ()),
                timeout_ms=timeout_ms,
            )
        )
    stages = of_api(STAGE)
    stage = stages[0] if stages else None
    stage_inputs = stage.inputs if stage else {}
    return LocalApi(
        name=str(api.inputs.get("name") or api.name),
        api_id=api.id,
        stage=str(stage_inputs.get("name") or "$default"),
        routes=tuple(sorted(routes, key=lambda r: r.route_key)),
        cors=_cors(api.inputs.get("corsConfiguration")),
        throttle=_throttle(stage_inputs.get("defaultRouteSettings")),
        route_throttles={
            str(setting["routeKey"]): throttle
            for setting in stage_inputs.get("routeSettings") or ()
            if (throttle := _throttle(setting)) is not None
        },
    )


def _integrated_function(
    integration: Declared, by_arn: Mapping[str, LocalFunction]
) -> LocalFunction:
    uri = str(integration.inputs.get("integrationUri", ""))
    # An invoke ARN wraps the function ARN: .../functions/<arn>/invocations
    if "/functions/" in uri:
        uri = uri.split("/functions/", 1)[1].removesuffix("/invocations")
    for arn, function in by_arn.items():
        # An alias or version ARN (`<arn>:live`) still runs the function's code.
        if uri == arn or uri.startswith(arn + ":"):
            return function
    raise ModelError(f"integration {integration.name} invokes no declared function ({uri})")


def _authorizer(resource: Declared) -> JwtAuthorizer:
    inputs = resource.inputs
    if inputs.get("authorizerType") != "JWT":
        raise ModelError(f"authorizer {resource.name}: only JWT authorizers are served locally")
    config = _mapping(inputs.get("jwtConfiguration"))
    sources = list(inputs.get("identitySources") or ["$request.header.Authorization"])
    return JwtAuthorizer(
        name=str(inputs.get("name") or resource.name),
        issuer=str(config.get("issuer", "")),
        audiences=tuple(str(a) for a in config.get("audiences") or ()),
        identity_source=str(sources[0]),
    )


def _cors(config: Any) -> Cors | None:
    if not config:
        return None
    config = _mapping(config)

    def strings(key: str) -> tuple[str, ...]:
        return tuple(str(v) for v in config.get(key) or ())

    max_age = config.get("maxAge")
    return Cors(
        allow_origins=strings("allowOrigins"),
        allow_methods=tuple(m.upper() for m in strings("allowMethods")),
        allow_headers=tuple(h.lower() for h in strings("allowHeaders")),
        expose_headers=tuple(h.lower() for h in strings("exposeHeaders")),
        max_age=int(max_age) if max_age is not None else None,
        allow_credentials=bool(config.get("allowCredentials", False)),
    )


def _throttle(settings: Any) -> Throttle | None:
    settings = _mapping(settings)
    rate, burst = settings.get("throttlingRateLimit"), settings.get("throttlingBurstLimit")
    if rate is None and burst is None:
        return None
    return Throttle(rate=float(rate if rate is not None else 0), burst=int(burst or 0))


def _mapping(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}
