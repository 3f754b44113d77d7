from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

AUTH_PUBLIC = "public"
AUTH_JWT = "jwt"

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
RESOURCES = frozenset({"table", "user_pool", "email_identity", "sms"})

# `${...}` references an environment value may hold; the platform (or the
# local runtime) resolves each for a stack.
REFERENCE = re.compile(r"\$\{([a-zA-Z_][\w.]*)\}")
REFERENCE_ROOTS = frozenset({"table", "user_pool", "stage", "config", "secret", "service"})

_METHODS = frozenset({"GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS", "ANY"})
_NAME = re.compile(r"^[a-z][a-z0-9-]{0,30}$")
_PATH = re.compile(r"^/[A-Za-z0-9_\-./{}+]*$")
_PREFIX = re.compile(r"^[A-Z][A-Z0-9_]*#$")


def docs_routes(service: str) -> tuple[str, str]:
    """Where a service serves its Swagger UI and OpenAPI document when its
    stack enables docs: under its own name, so services never collide on the
    one API."""
    return f"/docs/{service}", f"/docs/{service}/openapi.json"


class ManifestError(ValueError):
    pass


@dataclass(frozen=True)
class Route:
    method: str
    path: str
    auth: str

    @property
    def route_key(self) -> str:
        """The HTTP API route key, e.g. `GET /items/{item_id}`."""
        return f"{self.method} {self.path}"


@dataclass(frozen=True)
class Permission:
    actions: tuple[str, ...]
    resource: str
    # Limit table access to the service's own key prefixes (dynamodb:LeadingKeys).
    own_keys_only: bool = False


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


@dataclass(frozen=True)
class Manifest:
    name: str
    path: Path
    description: str
    key_prefixes: tuple[str, ...]
    functions: tuple[Function, ...]

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

    def function(self, name: str) -> Function:
        for function in self.functions:
            if function.name == name:
                return function
        raise KeyError(name)


def load_manifest(path: Path) -> Manifest:
    try:
        data = tomllib.loads(path.read_text())
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise ManifestError(f"{path}: {exc}") from exc
    try:
        return _parse(path, data)
    except ManifestError as exc:
        raise ManifestError(f"{path}: {exc}") from None
    except (KeyError, TypeError) as exc:
        raise ManifestError(f"{path}: missing or wrong key {exc}") from None


def find_manifests(services_dir: Path) -> tuple[Manifest, ...]:
    """Every service under `services_dir`, in name order."""
    return tuple(load_manifest(path) for path in sorted(services_dir.glob("*/service.toml")))


def _parse(path: Path, data: dict[str, Any]) -> Manifest:
    name = str(data["name"])
    if not _NAME.match(name):
        raise ManifestError(f"name {name!r} must be lower-case letters, digits and dashes")
    prefixes = tuple(str(p) for p in data.get("key_prefixes", []))
    for prefix in prefixes:
        if not _PREFIX.match(prefix):
            raise ManifestError(f"key prefix {prefix!r} must look like 'ITEM#'")
    functions = tuple(
        _parse_function(fn_name, fn, prefixes) for fn_name, fn in data["functions"].items()
    )
    if not functions:
        raise ManifestError("a service needs at least one function")
    keys = [route.route_key for function in functions for route in function.routes]
    duplicates = sorted({key for key in keys if keys.count(key) > 1})
    if duplicates:
        raise ManifestError(f"routes declared twice: {', '.join(duplicates)}")
    return Manifest(
        name=name,
        path=path,
        description=str(data.get("description", "")),
        key_prefixes=prefixes,
        functions=functions,
    )


def _parse_function(name: str, data: dict[str, Any], prefixes: tuple[str, ...]) -> Function:
    if not _NAME.match(name.replace("_", "-")):
        raise ManifestError(f"function name {name!r} is not a plain name")
    routes = tuple(_parse_route(name, route) for route in data.get("routes", []))
    trigger = data.get("trigger")
    if trigger is not None and trigger not in COGNITO_TRIGGERS:
        raise ManifestError(f"function {name}: unknown Cognito trigger {trigger!r}")
    if routes and trigger:
        raise ManifestError(f"function {name}: a function serves routes or a trigger, not both")
    environment = {str(k): str(v) for k, v in data.get("environment", {}).items()}
    for key, value in environment.items():
        for reference in REFERENCE.findall(value):
            if reference.split(".")[0] not in REFERENCE_ROOTS:
                raise ManifestError(f"function {name}: {key} references unknown ${{{reference}}}")
    permissions = tuple(_parse_permission(name, p, prefixes) for p in data.get("permissions", []))
    return Function(
        name=name,
        handler=str(data["handler"]),
        description=str(data.get("description", "")),
        routes=routes,
        trigger=trigger,
        environment=environment,
        permissions=permissions,
        timeout=data.get("timeout"),
        memory=data.get("memory"),
    )


def _parse_route(function: str, data: dict[str, Any]) -> Route:
    method = str(data["method"]).upper()
    path = str(data["path"])
    auth = str(data.get("auth", AUTH_JWT))
    if method not in _METHODS:
        raise ManifestError(f"function {function}: unknown method {method!r}")
    if not _PATH.match(path):
        raise ManifestError(f"function {function}: bad route path {path!r}")
    if auth not in (AUTH_PUBLIC, AUTH_JWT):
        raise ManifestError(f"function {function}: auth must be 'public' or 'jwt', not {auth!r}")
    return Route(method=method, path=path, auth=auth)


def _parse_permission(function: str, data: dict[str, Any], prefixes: tuple[str, ...]) -> Permission:
    actions = tuple(str(a) for a in data["actions"])
    resource = str(data["resource"])
    own_keys_only = bool(data.get("own_keys_only", False))
    if not actions:
        raise ManifestError(f"function {function}: a permission needs actions")
    for action in actions:
        if "*" in action or ":" not in action:
            raise ManifestError(f"function {function}: action {action!r} must be exact")
    if resource not in RESOURCES:
        raise ManifestError(f"function {function}: unknown resource {resource!r}")
    if own_keys_only and (resource != "table" or not prefixes):
        raise ManifestError(
            f"function {function}: own_keys_only needs the table and the service's key_prefixes"
        )
    return Permission(actions=actions, resource=resource, own_keys_only=own_keys_only)
