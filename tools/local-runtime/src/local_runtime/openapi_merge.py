"""One OpenAPI document for the whole HTTP API, merged from each service's own.

Pure: documents and routes in, one document out. `make openapi`
(`local_runtime.openapi`) feeds it the documents the services' apps write in
their own interpreters; `make dev` feeds it the ones their workers serve, so
both give the same document for the same code.

What the merge adds is what no service can know: which operations the gateway
really routes (its declared routes, never the docs routes), which of them its
JWT authorizer guards, the answers the gateway gives itself (401 on a
refused token, 429 when throttled) before any service runs, and where the API
answers (`servers`: the local runtime's default address; a deployed stack's
address is its `api_url` output, known only once deployed, so named in words).
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from service_manifest import AUTH_JWT, DEFAULT_ROUTE_KEY, Route, docs_routes

JsonObject = dict[str, Any]
# (component kind, name) → its name in the merged document.
Renames = dict[tuple[str, str], str]

OPENAPI_VERSION = "3.1.0"
SECURITY_SCHEME = "cognitoJwt"
GATEWAY_MESSAGE = "GatewayMessage"
# The path item keys that are operations (the others describe the path).
OPERATIONS = frozenset({"get", "put", "post", "delete", "options", "head", "patch", "trace"})
_COMPONENTS_PREFIX = "#/components/"

JWT_SCHEME: JsonObject = {
    "type": "http",
    "scheme": "bearer",
    "bearerFormat": "JWT",
    "description": (
        "A Cognito access token of the stack's user pool, sent as `Authorization: Bearer "
        "<access_token>` and checked by the HTTP API's JWT authorizer (signature, issuer, "
        "app client, expiry). An ID token passes the authorizer; the services refuse it (401)."
    ),
}
# `make dev`'s default address (python -m local_runtime --port 8000).
LOCAL_SERVER: JsonObject = {
    "url": "http://127.0.0.1:8000",
    "description": "make dev (the local runtime). A deployed stack answers at its "
    "`api_url` output: `pulumi stack output api_url --stack <stack>`.",
}
GATEWAY_MESSAGE_SCHEMA: JsonObject = {
    "title": GATEWAY_MESSAGE,
    "description": "An answer of API Gateway itself: the service never ran.",
    "type": "object",
    "properties": {"message": {"type": "string"}},
    "required": ["message"],
}


@dataclass(frozen=True)
class GatewayAnswer:
    status: str
    message: str
    # What happened, to follow "from the gateway:".
    reason: str


UNAUTHORIZED = GatewayAnswer(
    "401",
    "Unauthorized",
    "the JWT authorizer refused the token (missing, malformed, expired, wrongly "
    'signed, or for another pool or app client): `{"message":"Unauthorized"}`',
)
THROTTLED = GatewayAnswer(
    "429",
    "Too Many Requests",
    "the API's throttling (the stage's rate and burst limits): "
    '`{"message":"Too Many Requests"}`; retry after a pause',
)


class MergeError(ValueError):
    """The services' documents cannot be merged into one (e.g. one route in two services)."""


@dataclass(frozen=True)
class ServiceApi:
    """One service as the merge sees it."""

    name: str
    # The service's own OpenAPI document (its FastAPI app's `app.openapi()`).
    document: Mapping[str, Any]
    # The gateway's routes to the function that serves it.
    routes: Sequence[Route]


@dataclass(frozen=True)
class ApiInfo:
    title: str
    version: str
    description: str = ""


def merge(services: Sequence[ServiceApi], info: ApiInfo) -> JsonObject:
    """The whole API: every routed operation of every service, tagged with its
    service, with the JWT security requirement on exactly the JWT routes and
    the gateway's own answers; components shared where they agree, prefixed
    with their service's name where they do not."""
    parts = [_routed_part(service) for service in sorted(services, key=lambda s: s.name)]
    renames = _component_renames(parts)
    components = _merged_components(parts, renames)
    schemas = components.setdefault("schemas", {})
    security_schemes = components.setdefault("securitySchemes", {})
    if GATEWAY_MESSAGE in schemas:
        raise MergeError(f"{GATEWAY_MESSAGE} is the merge's own name")
    schemas[GATEWAY_MESSAGE] = _copy(GATEWAY_MESSAGE_SCHEMA)
    # The services name the kernel's bearer scheme `cognitoJwt` too; the
    # whole API's says what the gateway's authorizer checks.
    security_schemes[SECURITY_SCHEME] = _copy(JWT_SCHEME)
    described: JsonObject = {"title": info.title, "version": info.version}
    if info.description:
        described["description"] = info.description
    return {
        "openapi": OPENAPI_VERSION,
        "info": described,
        "servers": [_copy(LOCAL_SERVER)],
        "paths": _merged_paths(parts, renames),
        "components": components,
        "tags": [{"name": part.service} for part in parts if part.paths],
    }


def render(document: Mapping[str, Any]) -> str:
    """The document as committed: sorted keys, 2-space indent, a final newline,
    so the same API always gives the same bytes and a change diffs cleanly."""
    return json.dumps(document, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


# ---- the services put together ----


def _merged_paths(parts: Sequence[_RoutedPart], renames: Mapping[str, Renames]) -> JsonObject:
    operation_ids = _operation_id_renames(parts)
    paths: JsonObject = {}
    for part in parts:
        for path, item in _rewrite_refs(part.paths, renames[part.service]).items():
            merged_item = paths.setdefault(path, {})
            for key, value in item.items():
                if key not in OPERATIONS:
                    merged_item.setdefault(key, value)
                    continue
                if key in merged_item:
                    raise MergeError(f"{key.upper()} {path} is served by two services")
                if "operationId" in value:
                    own_id = value["operationId"]
                    value["operationId"] = operation_ids.get((part.service, own_id), own_id)
                _decorate(value, part.service, part.routes[(path, key)])
                merged_item[key] = value
    return paths


def _merged_components(
    parts: Sequence[_RoutedPart], renames: Mapping[str, Renames]
) -> dict[str, JsonObject]:
    components: dict[str, JsonObject] = {}
    for part in parts:
        for kind, name, content in _components(part.components):
            final = renames[part.service].get((kind, name), name)
            rewritten = _rewrite_refs(content, renames[part.service])
            known = components.setdefault(kind, {})
            if final in known and known[final] != rewritten:
                raise MergeError(f"two different components are both named {kind}/{final}")
            known[final] = rewritten
    return components


# ---- one service: what the gateway routes to it ----


@dataclass(frozen=True)
class _RoutedPart:
    service: str
    paths: JsonObject
    # (path, method) of each operation kept → the gateway route that sends it.
    routes: dict[tuple[str, str], Route]
    # Only the components its routed operations reach.
    components: JsonObject


def _routed_part(service: ServiceApi) -> _RoutedPart:
    left_out = set(docs_routes(service.name))
    paths: JsonObject = {}
    routes: dict[tuple[str, str], Route] = {}
    for path, item in (service.document.get("paths") or {}).items():
        if path in left_out:
            continue
        kept: JsonObject = {}
        for method, operation in _operations(item):
            route = gateway_route(service.routes, method, path)
            if route is not None:
                kept[method] = _copy(operation)
                routes[(path, method)] = route
        if kept:
            described = {key: _copy(value) for key, value in item.items() if key not in OPERATIONS}
            paths[path] = {**described, **kept}
    components = _copy(service.document.get("components") or {})
    return _RoutedPart(service.name, paths, routes, _reachable(paths, components))


def gateway_route(routes: Sequence[Route], method: str, path: str) -> Route | None:
    """The declared route that sends `method path` (a FastAPI path template) to
    the service: the one for the exact method, else `ANY`, else `$default`.
    Paths compare as written, as the services' route tests compare them."""
    on_path = [route for route in routes if route.path == path]
    for candidate in (method.upper(), "ANY"):
        found = next((route for route in on_path if route.method == candidate), None)
        if found is not None:
            return found
    return next((route for route in routes if route.route_key == DEFAULT_ROUTE_KEY), None)


def _reachable(paths: JsonObject, components: JsonObject) -> JsonObject:
    """The components `paths` refer to, directly or through other components."""
    wanted: set[tuple[str, str]] = set()
    pending = list(_refs(paths))
    while pending:
        key = pending.pop()
        if key in wanted:
            continue
        wanted.add(key)
        kind, name = key
        content = components.get(kind, {}).get(name)
        if content is not None:
            pending.extend(_refs(content))
    kept: JsonObject = {}
    for kind, name, content in _components(components):
        if (kind, name) in wanted:
            kept.setdefault(kind, {})[name] = content
    return kept


# ---- names: components and operation ids that clash get their service's prefix ----


def _component_renames(parts: Sequence[_RoutedPart]) -> dict[str, Renames]:
    """Per service, (kind, name) → the name in the merged document.

    A name two services define differently is prefixed in every service that
    defines it. Renaming changes the `$ref`s inside other components, which may
    make two once-equal components differ: repeat until nothing new clashes."""
    clashing: set[tuple[str, str]] = set()
    while True:
        renames = {part.service: _prefixed(part, clashing) for part in parts}
        contents: dict[tuple[str, str], set[str]] = {}
        for part in parts:
            for kind, name, content in _components(part.components):
                rewritten = _rewrite_refs(content, renames[part.service])
                contents.setdefault((kind, name), set()).add(render(rewritten))
        found = {key for key, variants in contents.items() if len(variants) > 1}
        if found <= clashing:
            return renames
        clashing |= found


def _prefixed(part: _RoutedPart, clashing: set[tuple[str, str]]) -> Renames:
    return {
        (kind, name): f"{part.service}_{name}"
        for kind, name, _ in _components(part.components)
        if (kind, name) in clashing
    }


def _operation_id_renames(parts: Sequence[_RoutedPart]) -> dict[tuple[str, str], str]:
    """(service, operationId) → the merged id, prefixed where two services use one id."""
    owners: dict[str, set[str]] = {}
    for part in parts:
        for item in part.paths.values():
            for _, operation in _operations(item):
                if "operationId" in operation:
                    owners.setdefault(operation["operationId"], set()).add(part.service)
    return {
        (service, operation_id): f"{service}_{operation_id}"
        for operation_id, services in owners.items()
        if len(services) > 1
        for service in services
    }


# ---- what the gateway adds to an operation ----


def _decorate(operation: JsonObject, service: str, route: Route) -> None:
    operation["tags"] = [service]
    responses = operation.setdefault("responses", {})
    if route.auth == AUTH_JWT:
        operation["security"] = [{SECURITY_SCHEME: []}]
        _add_gateway_answer(responses, UNAUTHORIZED)
    else:
        operation["security"] = []
    _add_gateway_answer(responses, THROTTLED)


def _add_gateway_answer(responses: JsonObject, answer: GatewayAnswer) -> None:
    """The gateway's answer for a status, beside the service's own if it has one
    (a service's 401 refuses an ID token, the gateway's a bad token)."""
    gateway_schema = {"$ref": f"{_COMPONENTS_PREFIX}schemas/{GATEWAY_MESSAGE}"}
    own = responses.get(answer.status)
    if own is None:
        responses[answer.status] = {
            "description": f"From the gateway: {answer.reason}.",
            "content": {
                "application/json": {
                    "schema": gateway_schema,
                    "example": {"message": answer.message},
                }
            },
        }
        return
    media = own.setdefault("content", {}).setdefault("application/json", {})
    schema = media.get("schema")
    media["schema"] = {"anyOf": [schema, gateway_schema]} if schema else gateway_schema
    own["description"] = f"{own.get('description', '')}; or, from the gateway: {answer.reason}."


# ---- JSON helpers ----


def _operations(item: Mapping[str, Any]) -> Iterator[tuple[str, JsonObject]]:
    for key in sorted(item):
        if key in OPERATIONS:
            yield key, item[key]


def _components(components: Mapping[str, Any]) -> Iterator[tuple[str, str, Any]]:
    for kind in sorted(components):
        for name in sorted(components[kind]):
            yield kind, name, components[kind][name]


def _refs(value: Any) -> Iterator[tuple[str, str]]:
    """Every (kind, name) a `$ref` in `value` names."""
    if isinstance(value, Mapping):
        ref = value.get("$ref")
        if isinstance(ref, str) and ref.startswith(_COMPONENTS_PREFIX):
            kind, _, name = ref[len(_COMPONENTS_PREFIX) :].partition("/")
            yield kind, name
        for child in value.values():
            yield from _refs(child)
    elif isinstance(value, list | tuple):
        for child in value:
            yield from _refs(child)


def _rewrite_refs(value: Any, renames: Renames) -> Any:
    """A copy of `value` whose `$ref`s name the renamed components."""
    if isinstance(value, Mapping):
        copied = {key: _rewrite_refs(child, renames) for key, child in value.items()}
        ref = copied.get("$ref")
        if isinstance(ref, str) and ref.startswith(_COMPONENTS_PREFIX):
            kind, _, name = ref[len(_COMPONENTS_PREFIX) :].partition("/")
            if (kind, name) in renames:
                copied["$ref"] = f"{_COMPONENTS_PREFIX}{kind}/{renames[(kind, name)]}"
        return copied
    if isinstance(value, list):
        return [_rewrite_refs(child, renames) for child in value]
    return value


def _copy(value: Any) -> Any:
    return _rewrite_refs(value, {})
