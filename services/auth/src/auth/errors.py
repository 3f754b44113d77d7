"""The auth service's own errors, in the contract's envelope: one row per
exception the identity provider raises and a route lets through."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from auth.abuse import SendRefused, TooManyAttempts
from auth.counters import CountersUnavailable
from auth.identity_provider import (
    BadCredentials,
    CodeRateLimited,
    IdentityUnavailable,
    InvalidAccessToken,
    InvalidCode,
    InvalidConfirmationCode,
    InvalidRefreshToken,
    SessionExpired,
    Throttled,
    UnusableEmailAddress,
    UnusablePhoneNumber,
    UserNotConfirmed,
    WeakPassword,
)
from auth.service import UnsupportedDestination
from service_kernel import RETRY_AFTER, error_response, error_responses


def _nothing(_: Any) -> Mapping[str, Any]:
    return {}


@dataclass(frozen=True)
class Answer:
    status: int
    code: str
    message: str
    # Headers and body fields beyond the envelope, read off the exception.
    headers: Callable[[Any], Mapping[str, str]] = _nothing
    fields: Callable[[Any], Mapping[str, Any]] = _nothing


def _retry_after(
    exc: CodeRateLimited | Throttled | SendRefused | TooManyAttempts,
) -> Mapping[str, str]:
    return {"Retry-After": str(exc.retry_after)}


def _field_details(field: str, msg: str, kind: str) -> Mapping[str, Any]:
    return {"details": [{"loc": ["body", field], "msg": msg, "type": kind}]}


# exception type → the answer; never the exception's own text, which may
# hold the provider's words.
ANSWERS: dict[type[Exception], Answer] = {
    UnsupportedDestination: Answer(
        422,
        "unsupported_destination",
        "Codes cannot be sent to this phone number.",
        fields=lambda exc: _field_details("phone", exc.reason, "unsupported_destination"),
    ),
    SendRefused: Answer(
        429,
        "too_many_requests",
        "Too many codes were asked for; try again later.",
        headers=_retry_after,
    ),
    TooManyAttempts: Answer(
        429,
        "too_many_attempts",
        "Too many wrong codes for this destination; try again later.",
        headers=_retry_after,
    ),
    CountersUnavailable: Answer(
        503, "service_unavailable", "Sign-in is unavailable; try again later."
    ),
    InvalidAccessToken: Answer(401, "unauthorized", "The access token is no longer valid."),
    CodeRateLimited: Answer(
        429,
        "too_many_requests",
        "Too many codes were sent to this destination; try again later.",
        headers=_retry_after,
    ),
    InvalidCode: Answer(
        401,
        "invalid_code",
        "The code is not right.",
        fields=lambda exc: {"attempts_left": exc.attempts_left, "session": exc.session},
    ),
    SessionExpired: Answer(
        401,
        "session_expired",
        "This code is no longer valid; request a new one with /auth/start.",
    ),
    UnusablePhoneNumber: Answer(
        422,
        "validation_error",
        "This phone number cannot be used.",
        fields=lambda _: _field_details("phone", "not accepted by the user pool", "value_error"),
    ),
    UnusableEmailAddress: Answer(
        422,
        "validation_error",
        "This e-mail address cannot be used.",
        fields=lambda _: _field_details("email", "not accepted by the user pool", "value_error"),
    ),
    WeakPassword: Answer(
        422,
        "validation_error",
        "The password does not meet the password policy.",
        fields=lambda exc: _field_details("password", exc.rule, "password_policy"),
    ),
    InvalidConfirmationCode: Answer(400, "invalid_code", "The confirmation code is not right."),
    BadCredentials: Answer(401, "invalid_credentials", "The e-mail or password is not right."),
    UserNotConfirmed: Answer(
        403, "user_not_confirmed", "Confirm the sign-up with the e-mailed code first."
    ),
    InvalidRefreshToken: Answer(
        401, "unauthorized", "The refresh token is invalid, expired or revoked."
    ),
    Throttled: Answer(
        429, "too_many_requests", "Too many requests; try again later.", headers=_retry_after
    ),
    IdentityUnavailable: Answer(
        503, "service_unavailable", "Sign-in is unavailable; try again later."
    ),
}


def _handler(answer: Answer) -> Callable[[Request, Exception], Awaitable[JSONResponse]]:
    async def handle(_: Request, exc: Exception) -> JSONResponse:
        return error_response(
            answer.status,
            answer.code,
            answer.message,
            headers=answer.headers(exc),
            **answer.fields(exc),
        )

    return handle


def install_auth_errors(app: FastAPI) -> None:
    for exception, answer in ANSWERS.items():
        app.add_exception_handler(exception, _handler(answer))


# What any route that calls Cognito may answer from its refusals (above).
COGNITO_ANSWERS = error_responses(
    {
        429: "too_many_requests: Cognito's own throttling; see Retry-After",
        503: "service_unavailable: the user pool is unavailable; try again later",
    },
    headers={429: RETRY_AFTER},
)
