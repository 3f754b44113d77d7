"""`services/<name>/service.toml`, parsed strictly.

The manifest is the security boundary between services (its permissions
become each function's IAM policy), so a key this model does not know is an
error naming the key and the file, never a silently dropped setting.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationError,
    model_validator,
)

from service_manifest.conventions import AUTH_JWT, DEFAULT_ROUTE_KEY
from service_manifest.user_errors import UserError, shown, validation_problems

# Cognito's LambdaConfig keys a function may be wired to.
COGNITO_TRIGGERS = frozenset(
    {
        "PreSignUp",
        "DefineAuthChallenge",
        "CreateAuthChallenge",
        "VerifyAuthChallengeResponse",
        "PostConfirmation",
        "PreAuthentication",
        "PostAuthentication",
        "PreTokenGeneration",
        "CustomMessage",
    }
)

# What a permission's `resource` may name; the platform turns each into ARNs.
ResourceName = Literal["table", "user_pool", "email_identity", "sms"]
RESOURCES: frozenset[str] = frozenset(ResourceName.__args__)  # type: ignore[attr-defined]

# `${...}` references an environment value may hold, resolved per stack by the
# platform (and the local runtime): these exact names, plus `config.<path>`
# (a value of the stack's typed config) and `secret.<key>` (the name of the SSM
# SecureString parameter holding a stack secret, which `make secrets` creates; the
# function may read that parameter and no other).
REFERENCE = re.compile(r"\$\{([a-zA-Z_][\w.]*)\}")
SECRET_PREFIX = "secret."  # noqa: S105 - a reference prefix, not a secret
# A secret's key is part of its parameter's name: letters and digits.
_SECRET_KEY = re.compile(r"[A-Za-z][A-Za-z0-9]{0,62}")
REFERENCES = frozenset(
    {
        "stage",
        "table.name",
        "table.arn",
        "user_pool.id",
        "user_pool.arn",
        "user_pool.client_id",
        "service.version",
    }
)
REFERENCE_PREFIXES = ("config.", "secret.")

METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS", "ANY")
# EventBridge Scheduler's rate expressions (a cron expression is not offered:
# the local runtime runs a schedule on its rate, and a rate says it plainly).
SCHEDULE = r"^rate\((1 (minute|hour|day)|([2-9]|[1-9]\d+) (minutes|hours|days))\)$"
_NAME = r"^[a-z][a-z0-9-]{0,30}$"
_FUNCTION_NAME = r"^[a-z][a-z0-9_]{0,30}$"
_PATH = r"^/[A-Za-z0-9_\-./{}+]*$"
_PREFIX = r"^[A-Z][A-Z0-9_]*#$"
_AWS_SERVICE = r"^[a-z0-9][a-z0-9-]*$"
# A business metric's name (CloudWatch, the stack's namespace), e.g. CodesSent.
_METRIC = r"^[A-Z][A-Za-z0-9]{0,62}$"
_DIMENSION = r"^[a-z][a-z0-9_]{0,30}$"
_DIMENSION_VALUE = r"^[a-z0-9][a-z0-9_-]{0,30}$"
# Every metric carries its service as a dimension (Powertools' `service`), and
# Powertools' own ColdStart metric adds `function_name`: neither is a service's.
RESERVED_DIMENSIONS = frozenset({"service", "function_name"})
RESERVED_METRICS = frozenset({"ColdStart"})
# Each dimension value is a metric CloudWatch bills for, every month: a few, listed.
MAX_DIMENSION_VALUES = 10


class ManifestError(UserError, ValueError):
    """A service.toml a person wrote wrongly: the file, the key, what is allowed."""


# ---- what the rest of the system reads: plain, frozen values ----


@dataclass(frozen=True)
class Route:
    method: str
    path: str
    auth: str = AUTH_JWT

    @property
    def route_key(self) -> str:
        """The HTTP API route key, e.g. `GET /items/{item_id}`, or `$default`."""
        return DEFAULT_ROUTE_KEY if self.path == DEFAULT_ROUTE_KEY else f"{self.method} {self.path}"


@dataclass(frozen=True)
class Permission:
    actions: tuple[str, ...]
    resource: str
    # Limit table access to the service's own key prefixes (dynamodb:LeadingKeys).
    own_keys_only: bool = False

    @property
    def services(self) -> frozenset[str]:
        """The AWS services these actions belong to, e.g. {"dynamodb"}."""
        return frozenset(action.split(":", 1)[0] for action in self.actions)


@dataclass(frozen=True)
class Function:
    name: str
    handler: str
    description: str = ""
    routes: tuple[Route, ...] = ()
    trigger: str | None = None
    environment: dict[str, str] = field(default_factory=dict)
    permissions: tuple[Permission, ...] = ()
    # Per-function overrides of the stack's function defaults.
    timeout: int | None = None
    memory: int | None = None
    # This function serves the service's OpenAPI document and Swagger UI.
    openapi: bool = False
    # Run on this rate by EventBridge Scheduler, e.g. "rate(5 minutes)".
    schedule: str | None = None
    # AWS services it calls with no IAM permission (Cognito's public InitiateAuth,
    # say): a client needs the service's SDK model all the same.
    sdk_clients: tuple[str, ...] = ()

    @property
    def secrets(self) -> tuple[str, ...]:
        """The keys of the stack secrets its environment names (`${secret.<key>}`)."""
        return tuple(
            sorted(
                {
                    reference.removeprefix(SECRET_PREFIX)
                    for value in self.environment.values()
                    for reference in REFERENCE.findall(value)
                    if reference.startswith(SECRET_PREFIX)
                }
            )
        )

    @property
    def aws_services(self) -> frozenset[str]:
        """The AWS services the function calls that its manifest names (IAM's names,
        e.g. "cognito-idp"): those its permissions name and those it calls without
        one. (The platform adds what it grants itself: SSM for stack secrets.)"""
        named = {service for permission in self.permissions for service in permission.services}
        return frozenset(named.union(self.sdk_clients))


@dataclass(frozen=True)
class Cors:
    """Headers this service's routes need the browser to send or to read,
    beyond those every route has (the platform's)."""

    allow_headers: tuple[str, ...] = ()
    expose_headers: tuple[str, ...] = ()


@dataclass(frozen=True)
class Metric:
    """A business metric the service emits (CloudWatch EMF) with dimension `service`."""

    name: str
    description: str
    # At most one more dimension, with every value it takes, e.g. ("channel", ("sms", "email")).
    dimension: tuple[str, tuple[str, ...]] | None = None
    # Alarm (to the stack's alarm topic) when its sum over an hour exceeds this: a
    # number, or a `${config.<path>}` reference the platform resolves per stack.
    alarm_per_hour: int | str | None = None


@dataclass(frozen=True)
class Manifest:
    name: str
    path: Path
    description: str
    key_prefixes: tuple[str, ...]
    functions: tuple[Function, ...]
    cors: Cors = Cors()
    metrics: tuple[Metric, ...] = ()

    @property
    def root(self) -> Path:
        """The service's folder (its pyproject.toml, src/ and tests/)."""
        return self.path.parent

    @property
    def package(self) -> str:
        return self.name.replace("-", "_")

    @property
    def routes(self) -> tuple[Route, ...]:
        return tuple(route for function in self.functions for route in function.routes)

    @property
    def openapi_function(self) -> Function | None:
        """The function that serves the service's OpenAPI document, if any."""
        return next((function for function in self.functions if function.openapi), None)

    def function(self, name: str) -> Function:
        for function in self.functions:
            if function.name == name:
                return function
        raise KeyError(name)

    def metric(self, name: str) -> Metric:
        for metric in self.metrics:
            if metric.name == name:
                return metric
        raise KeyError(name)


def load_manifest(path: Path) -> Manifest:
    try:
        data = tomllib.loads(path.read_text())
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise ManifestError(f"{shown(path)}: {exc}") from exc
    try:
        parsed = _ManifestFile.model_validate(data)
    except ValidationError as exc:
        problems = validation_problems(exc, _ManifestFile)
        raise ManifestError(f"{shown(path)}: " + "\n  ".join(problems)) from None
    return parsed.manifest(path)


def find_manifests(services_dir: Path) -> tuple[Manifest, ...]:
    """Every service under `services_dir`, in name order."""
    return tuple(load_manifest(path) for path in sorted(services_dir.glob("*/service.toml")))


# ---- the file as written: every key known, every value checked ----


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


def _exact_action(action: str) -> str:
    if "*" in action or ":" not in action:
        raise ValueError(f"action {action!r} must be exact, like 'dynamodb:GetItem'")
    return action


def _known_references(environment: dict[str, str]) -> dict[str, str]:
    for key, value in environment.items():
        for reference in REFERENCE.findall(value):
            if reference not in REFERENCES and not reference.startswith(REFERENCE_PREFIXES):
                raise ValueError(f"{key} references unknown ${{{reference}}}")
            if reference.startswith(SECRET_PREFIX):
                _whole_secret(key, value, reference)
    return environment


def _whole_secret(key: str, value: str, reference: str) -> None:
    """A secret reference becomes a parameter's name: it is the whole value, alone."""
    secret = reference.removeprefix(SECRET_PREFIX)
    if not _SECRET_KEY.fullmatch(secret):
        raise ValueError(f"{key}: a secret's key is letters and digits, like itemsCursorKey")
    if value != f"${{{reference}}}":
        raise ValueError(
            f"{key}: ${{{reference}}} must be the whole value (it names the secret's "
            "SSM parameter; the function reads the secret from there)"
        )


Action = Annotated[str, AfterValidator(_exact_action)]
Header = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9-]+$", to_lower=True)]


class _RouteFile(_Strict):
    method: str = "ANY"
    path: str
    auth: Literal["public", "jwt"] = "jwt"

    @model_validator(mode="after")
    def _valid(self) -> _RouteFile:
        if self.method.upper() not in METHODS:
            raise ValueError(f"unknown method {self.method!r}")
        if self.path == DEFAULT_ROUTE_KEY:
            if self.method.upper() != "ANY":
                raise ValueError("the $default route takes every method: leave out `method`")
        elif not re.match(_PATH, self.path):
            raise ValueError(f"bad route path {self.path!r}")
        return self

    def route(self) -> Route:
        return Route(method=self.method.upper(), path=self.path, auth=self.auth)


class _PermissionFile(_Strict):
    actions: tuple[Action, ...] = Field(min_length=1)
    resource: ResourceName
    own_keys_only: bool = False


class _FunctionFile(_Strict):
    handler: str = Field(pattern=r"^[A-Za-z_][\w.]*\.[A-Za-z_]\w*$")
    description: str = ""
    routes: tuple[_RouteFile, ...] = ()
    trigger: str | None = None
    environment: Annotated[dict[str, str], AfterValidator(_known_references)] = {}
    permissions: tuple[_PermissionFile, ...] = ()
    timeout: int | None = Field(default=None, ge=1, le=900)
    memory: int | None = Field(default=None, ge=128, le=10240)
    openapi: bool = False
    schedule: str | None = Field(default=None, pattern=SCHEDULE)
    sdk_clients: tuple[Annotated[str, StringConstraints(pattern=_AWS_SERVICE)], ...] = ()

    @model_validator(mode="after")
    def _valid(self) -> _FunctionFile:
        if self.trigger is not None and self.trigger not in COGNITO_TRIGGERS:
            raise ValueError(f"unknown Cognito trigger {self.trigger!r}")
        if sum(bool(way) for way in (self.routes, self.trigger, self.schedule)) > 1:
            raise ValueError("a function serves routes, a trigger or a schedule: one of them")
        if self.openapi and not self.routes:
            raise ValueError("openapi = true needs routes to serve the document on")
        return self


class _CorsFile(_Strict):
    allow_headers: tuple[Header, ...] = ()
    expose_headers: tuple[Header, ...] = ()


DimensionValue = Annotated[str, StringConstraints(pattern=_DIMENSION_VALUE)]


class _MetricFile(_Strict):
    description: str = Field(min_length=1)
    # Kept small: each value is a metric of its own (billed monthly).
    dimensions: dict[
        Annotated[str, StringConstraints(pattern=_DIMENSION)],
        Annotated[tuple[DimensionValue, ...], Field(min_length=1, max_length=MAX_DIMENSION_VALUES)],
    ] = Field(default_factory=dict, max_length=1)
    alarm_per_hour: Annotated[int, Field(ge=1)] | str | None = None

    @model_validator(mode="after")
    def _valid(self) -> _MetricFile:
        reserved = sorted(self.dimensions.keys() & RESERVED_DIMENSIONS)
        if reserved:
            raise ValueError(f"dimension {reserved[0]!r} is the platform's, not a service's")
        threshold = self.alarm_per_hour
        if isinstance(threshold, str) and not re.fullmatch(r"\$\{config\.[\w.]+\}", threshold):
            raise ValueError(
                f"alarm_per_hour {threshold!r} is a number or one ${{config.<path>}} reference"
            )
        return self

    def metric(self, name: str) -> Metric:
        dimension = next(iter(self.dimensions.items()), None)
        return Metric(name, self.description, dimension, self.alarm_per_hour)


class _ManifestFile(_Strict):
    name: str = Field(pattern=_NAME)
    description: str = ""
    key_prefixes: tuple[Annotated[str, StringConstraints(pattern=_PREFIX)], ...] = ()
    cors: _CorsFile = _CorsFile()
    metrics: dict[Annotated[str, StringConstraints(pattern=_METRIC)], _MetricFile] = Field(
        default_factory=dict
    )
    functions: dict[Annotated[str, StringConstraints(pattern=_FUNCTION_NAME)], _FunctionFile] = (
        Field(min_length=1)
    )

    @model_validator(mode="after")
    def _valid(self) -> _ManifestFile:
        keys = [route.route().route_key for f in self.functions.values() for route in f.routes]
        duplicates = sorted({key for key in keys if keys.count(key) > 1})
        if duplicates:
            raise ValueError(f"routes declared twice: {', '.join(duplicates)}")
        if sum(function.openapi for function in self.functions.values()) > 1:
            raise ValueError("only one function may serve the service's OpenAPI (openapi = true)")
        reserved = sorted(self.metrics.keys() & RESERVED_METRICS)
        if reserved:
            raise ValueError(f"metric {reserved[0]!r} is Powertools' own, not a service's")
        for name, function in self.functions.items():
            for permission in function.permissions:
                if permission.own_keys_only and (
                    permission.resource != "table" or not self.key_prefixes
                ):
                    raise ValueError(
                        f"function {name}: own_keys_only needs the table and the service's "
                        "key_prefixes"
                    )
        return self

    def manifest(self, path: Path) -> Manifest:
        return Manifest(
            name=self.name,
            path=path,
            description=self.description,
            key_prefixes=self.key_prefixes,
            cors=Cors(self.cors.allow_headers, self.cors.expose_headers),
            metrics=tuple(metric.metric(name) for name, metric in sorted(self.metrics.items())),
            functions=tuple(
                Function(
                    name=name,
                    handler=function.handler,
                    description=function.description,
                    routes=tuple(route.route() for route in function.routes),
                    trigger=function.trigger,
                    environment=dict(function.environment),
                    permissions=tuple(
                        Permission(p.actions, p.resource, p.own_keys_only)
                        for p in function.permissions
                    ),
                    timeout=function.timeout,
                    memory=function.memory,
                    openapi=function.openapi,
                    schedule=function.schedule,
                    sdk_clients=function.sdk_clients,
                )
                for name, function in self.functions.items()
            ),
        )
