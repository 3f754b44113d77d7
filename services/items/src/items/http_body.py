"""Request bodies read exactly: parsed with exact_json (so JSON 19.99 is
Decimal("19.99"), never a float) and validated with the route's model.

FastAPI's own body parsing would go through float; this dependency replaces
it, and `documented_body` puts the same model in the OpenAPI schema."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from fastapi import Request
from fastapi.exceptions import RequestValidationError
from pydantic import BaseModel, ValidationError

from items import exact_json
from service_kernel import ApiError

ModelT = TypeVar("ModelT", bound=BaseModel)


def json_body(model: type[ModelT]) -> Callable[[Request], Awaitable[ModelT]]:
    async def parse(request: Request) -> ModelT:
        raw = await request.body()
        try:
            data = exact_json.loads(raw)
        except exact_json.InvalidJson:
            raise ApiError(400, "invalid_json", "The request body is not valid JSON.") from None
        try:
            return model.model_validate(data)
        except ValidationError as exc:
            errors = [{**error, "loc": ("body", *error["loc"])} for error in exc.errors()]
            raise RequestValidationError(errors) from None

    return parse


REF = "#/components/schemas/{model}"


def documented_body(model: type[BaseModel]) -> dict[str, Any]:
    """`openapi_extra` describing `model` as the route's required JSON body, a
    named component (its `$defs`, the kernel moves into the components)."""
    schema = model.model_json_schema(ref_template=REF)
    definitions = {**schema.pop("$defs", {}), model.__name__: schema}
    named = {"$ref": REF.format(model=model.__name__), "$defs": definitions}
    return {
        "requestBody": {
            "required": True,
            "content": {"application/json": {"schema": named}},
        }
    }
