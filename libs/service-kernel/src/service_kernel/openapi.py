"""The contract's error answers, as OpenAPI `responses` for a route."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pydantic import BaseModel


class ErrorBody(BaseModel):
    """The contract's error envelope."""

    error: str
    message: str
    request_id: str


class ValidationDetail(BaseModel):
    loc: list[str | int]
    msg: str
    type: str | None = None


class ValidationErrorBody(ErrorBody):
    """A 422: one entry per bad field (the input itself is never echoed)."""

    details: list[ValidationDetail]


def error_responses(answers: Mapping[int, str]) -> dict[int | str, dict[str, Any]]:
    """`responses=` for a route: each status with its codes described, e.g.
    `{401: "invalid_code: the code is not right"}`, in the error envelope."""
    return {
        status: {
            "model": ValidationErrorBody if status == 422 else ErrorBody,
            "description": description,
        }
        for status, description in sorted(answers.items())
    }
