"""The contract's answers, in each service's OpenAPI document.

A route documents its own answers from its service's error catalogue
(`service_kernel.errors`); `describe_kernel_answers` adds, from the kernel's
rows, once for every route, what the kernel itself answers (its middleware
and error handlers run on every request), so no document leaves one out:
- 413 `payload_too_large`, 415 `unsupported_media_type`, 500 `internal_error`;
- on a route with a body, 400 `invalid_json`;
- on a route with parameters or a body, 422 `validation_error` in the
  kernel's envelope with `details` (never FastAPI's `HTTPValidationError`);
- on a route with a path parameter, 404 `not_found` (a path that names no
  resource of the app, e.g. a parameter holding an encoded `/`);
- on a route that needs a caller, the `cognitoJwt` bearer scheme and 401
  `unauthorized` (no claims, or an ID token);
- on every operation, the `X-Request-Id` header a client may send, and on
  every answer, `x-request-id` and the security headers.
A body schema a route documents itself (`openapi_extra`, with refs to
`#/components/schemas/...`), or a model's own schema (a choice of named
bodies), has its `$defs` moved into the components, so its refs resolve.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, ConfigDict
from pydantic.json_schema import models_json_schema

from service_kernel.errors import (
    INTERNAL_ERROR,
    INVALID_JSON,
    NOT_FOUND,
    PAYLOAD_TOO_LARGE,
    UNAUTHORIZED,
    UNSUPPORTED_MEDIA_TYPE,
    VALIDATION_ERROR,
    ErrorBody,
    ErrorRow,
    ValidationErrorBody,
)
from service_kernel.request_context import SAFE_REQUEST_ID

if TYPE_CHECKING:
    from fastapi import FastAPI

SECURITY_SCHEME = "cognitoJwt"
REF = "#/components/schemas/{model}"


def _optional_never_null(schema: dict[str, Any]) -> None:
    required = set(schema.get("required", ()))
    for name, field in (schema.get("properties") or {}).items():
        variants = field.get("anyOf")
        if name in required or not isinstance(variants, list):
            continue
        kept = [variant for variant in variants if variant != {"type": "null"}]
        if len(kept) == 1:
            del field["anyOf"]
            field.update(kept[0])
        if "default" in field and field["default"] is None:
            del field["default"]


class AnswerBody(BaseModel):
    """A response body whose unset fields are left out of the answer (its
    routes set `response_model_exclude_none`): documented as optional and
    never null, which is what a client gets."""

    model_config = ConfigDict(json_schema_extra=_optional_never_null)


REQUEST_ID_PARAMETER: dict[str, Any] = {
    "name": "X-Request-Id",
    "in": "header",
    "required": False,
    "description": "An id of the client's for this request, answered in `x-request-id` and "
    f"on the service's log lines when it matches `{SAFE_REQUEST_ID.pattern}`; any other is "
    "replaced by the Lambda request id, never refused",
    "schema": {"type": "string"},
}
RESPONSE_HEADERS: dict[str, Any] = {
    "x-request-id": {
        "description": "The request's id: the client's `x-request-id` when safe to echo, "
        "else the Lambda request id",
        "schema": {"type": "string"},
    },
    "X-Content-Type-Options": {"schema": {"type": "string"}},
    "Strict-Transport-Security": {"schema": {"type": "string"}},
    "Cache-Control": {
        "description": "no-store: every answer is per caller",
        "schema": {"type": "string"},
    },
}
# The kernel's answers: on every route, and on a route with a body, a path
# parameter or a caller.
COMMON = (PAYLOAD_TOO_LARGE, UNSUPPORTED_MEDIA_TYPE, INTERNAL_ERROR)
WITH_BODY = (INVALID_JSON,)
WITH_PATH = (NOT_FOUND,)
WITH_CALLER = (UNAUTHORIZED,)
JWT_SCHEME: dict[str, Any] = {
    "type": "http",
    "scheme": "bearer",
    "bearerFormat": "JWT",
    "description": "A Cognito access token of the stack's user pool, checked by the HTTP "
    "API's JWT authorizer; the service refuses an ID token (401).",
}
_FASTAPI_VALIDATION = ("HTTPValidationError", "ValidationError")
_OPERATIONS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")


def describe_kernel_answers(document: dict[str, Any]) -> dict[str, Any]:
    """`document` (FastAPI's) with the kernel's answers on every operation."""
    schemas = document.setdefault("components", {}).setdefault("schemas", {})
    for name in _FASTAPI_VALIDATION:
        schemas.pop(name, None)
    schemas.update(_kernel_schemas())
    for schema in list(schemas.values()):
        _hoist_definitions(schema, schemas)
    for operation in _all_operations(document):
        _describe_operation(operation)
        _hoist_definitions(operation.get("requestBody"), schemas)
        operation.setdefault("parameters", []).append(dict(REQUEST_ID_PARAMETER))
    document["components"].setdefault("headers", {}).update(RESPONSE_HEADERS)
    if any(op.get("security") for op in _all_operations(document)):
        schemes = document["components"].setdefault("securitySchemes", {})
        schemes[SECURITY_SCHEME] = dict(JWT_SCHEME)
    return document


def install_openapi(app: Any) -> None:
    """Make `app.openapi()` (and the document the app serves) the kernel's:
    FastAPI's, with the kernel's answers, built once."""
    build: Callable[[], dict[str, Any]] = app.openapi
    described: dict[str, Any] = {}

    def openapi() -> dict[str, Any]:
        if not described:
            described.update(describe_kernel_answers(copy.deepcopy(build())))
        return described

    app.openapi = openapi


def install_docs(app: FastAPI, service: str) -> None:
    """Swagger UI of the service's document at `/docs/<service>`, every file it
    loads served by the function itself, under a Content-Security-Policy that
    allows nothing else (`swagger_ui`)."""
    from fastapi import HTTPException
    from fastapi.responses import HTMLResponse, Response

    from service_kernel import swagger_ui
    from service_manifest.conventions import docs_routes

    ui_path, openapi_path, assets_path = docs_routes(service)
    assets_url = assets_path.rpartition("/")[0]
    csp = {"Content-Security-Policy": swagger_ui.CONTENT_SECURITY_POLICY}

    @app.get(ui_path, include_in_schema=False)
    async def docs_page() -> HTMLResponse:
        links = {f"{service} API": ui_path, "openapi.json": openapi_path}
        text = swagger_ui.page(
            title=f"{service} API", spec_url=openapi_path, assets_url=assets_url, links=links
        )
        return HTMLResponse(text, headers=csp)

    @app.get(assets_path, include_in_schema=False)
    async def docs_asset(asset: str) -> Response:
        found = swagger_ui.asset(asset)
        if found is None:
            raise HTTPException(404)
        return Response(found.body, media_type=found.content_type, headers=csp)


def _describe_operation(operation: dict[str, Any]) -> None:
    responses = operation.setdefault("responses", {})
    parameters = operation.get("parameters") or []
    answers: list[ErrorRow] = list(COMMON)
    if "requestBody" in operation:
        answers += WITH_BODY
    if any(p.get("in") == "path" for p in parameters):
        answers += WITH_PATH
    if operation.get("security"):
        answers += WITH_CALLER
    if "422" in responses or parameters or "requestBody" in operation:
        answers.append(VALIDATION_ERROR)
    for row in answers:
        _add_answer(responses, str(row.status), row.documented, row.model)
    for response in responses.values():
        headers = response.setdefault("headers", {})
        for name in RESPONSE_HEADERS:
            headers.setdefault(name, {"$ref": f"#/components/headers/{name}"})


def _add_answer(
    responses: dict[str, Any], status: str, description: str, model: type[BaseModel]
) -> None:
    schema = {"$ref": REF.format(model=model.__name__)}
    own = responses.get(status)
    if own is None:
        responses[status] = {
            "description": description,
            "content": {"application/json": {"schema": schema}},
        }
        return
    media = own.setdefault("content", {}).setdefault("application/json", {})
    if _refers_to_fastapi_validation(media.get("schema")):
        media["schema"] = schema
        own["description"] = description
        return
    code = description.split(":", 1)[0]
    if code not in own.get("description", ""):
        own["description"] = f"{description}; {own.get('description', '')}".rstrip("; ")


def _hoist_definitions(value: Any, schemas: dict[str, Any]) -> None:
    """Every `$defs` inside `value`, moved to the document's schemas."""
    if isinstance(value, dict):
        for name, definition in value.pop("$defs", {}).items():
            schemas.setdefault(name, definition)
        for child in value.values():
            _hoist_definitions(child, schemas)
    elif isinstance(value, list):
        for child in value:
            _hoist_definitions(child, schemas)


def _refers_to_fastapi_validation(schema: Any) -> bool:
    ref = schema.get("$ref", "") if isinstance(schema, Mapping) else ""
    return any(ref.endswith(f"/{name}") for name in _FASTAPI_VALIDATION)


def _kernel_schemas() -> dict[str, Any]:
    _, found = models_json_schema(
        [(model, "serialization") for model in (ErrorBody, ValidationErrorBody)],
        ref_template=REF,
    )
    definitions: dict[str, Any] = found.get("$defs", {})
    return definitions


def _all_operations(document: Mapping[str, Any]) -> list[dict[str, Any]]:
    return [
        item[method]
        for item in (document.get("paths") or {}).values()
        for method in _OPERATIONS
        if method in item
    ]
