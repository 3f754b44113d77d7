"""Cognito errors → the contract's answers, for what every route shares."""

from __future__ import annotations

from typing import Any

from botocore.exceptions import ClientError
from pydantic import BaseModel

from auth.cognito import error_code
from service_kernel import ApiError, get_logger

# Cognito's own throttles, per client, user or code attempts.
THROTTLED = frozenset(
    {"TooManyRequestsException", "LimitExceededException", "TooManyFailedAttemptsException"}
)
# Cognito's retry hint is not exposed; a minute is its usual lockout step.
COGNITO_RETRY_AFTER = "60"


def too_many_requests(retry_after: str, message: str) -> ApiError:
    return ApiError(429, "too_many_requests", message, headers={"Retry-After": retry_after})


def unexpected(exc: ClientError) -> ApiError:
    """Anything a route did not expect: throttled → 429, else 503. The log
    carries Cognito's error code only, never the request."""
    code = error_code(exc)
    if code in THROTTLED:
        return too_many_requests(COGNITO_RETRY_AFTER, "Too many requests; try again later.")
    get_logger().error("cognito call failed", cognito_error=code)
    return ApiError(503, "service_unavailable", "Sign-in is unavailable; try again later.")


class ErrorBody(BaseModel):
    """The contract's error envelope, for the OpenAPI document."""

    error: str
    message: str
    request_id: str


def documented(**answers: str) -> dict[int | str, dict[str, Any]]:
    """OpenAPI `responses` from `_401="invalid_code: ..."`-style keywords."""
    return {
        int(status.lstrip("_")): {"model": ErrorBody, "description": text}
        for status, text in answers.items()
    }
