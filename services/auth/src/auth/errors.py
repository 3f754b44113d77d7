"""The auth service's own errors, in the contract's envelope: one row per
exception the identity provider raises and a route lets through."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

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
from auth.models import CodeRefused
from auth.service import UnsupportedDestination
from service_kernel import RETRY_AFTER, ErrorCatalogue, ErrorRow
from service_kernel.errors import ValidationErrorBody


def _retry_after(
    exc: CodeRateLimited | Throttled | SendRefused | TooManyAttempts,
) -> Mapping[str, str]:
    return {"Retry-After": str(exc.retry_after)}


def _field_details(field: str, msg: str, kind: str) -> Mapping[str, Any]:
    return {"details": [{"loc": ["body", field], "msg": msg, "type": kind}]}


def _too_many(code: str, message: str, description: str) -> ErrorRow:
    return ErrorRow(
        429, code, message, description, headers=RETRY_AFTER, header_values=_retry_after
    )


# One row per exception a route lets through; never the exception's own text,
# which may hold the provider's words.
ANSWERS = ErrorCatalogue(
    {
        UnsupportedDestination: ErrorRow(
            422,
            "unsupported_destination",
            "Codes cannot be sent to this phone number.",
            "a country or number type codes are not sent to",
            fields=lambda exc: _field_details("phone", exc.reason, "unsupported_destination"),
            model=ValidationErrorBody,
        ),
        SendRefused: _too_many(
            "too_many_requests",
            "Too many codes were asked for; try again later.",
            "a send budget (this destination, this source, the whole service's for this "
            "channel) is spent",
        ),
        TooManyAttempts: _too_many(
            "too_many_attempts",
            "Too many wrong codes for this destination; try again later.",
            "too many wrong codes for this destination in 24 h, or from this client for it "
            "(it waits, doubling), even with the right one",
        ),
        CountersUnavailable: ErrorRow(
            503,
            "service_unavailable",
            "Sign-in is unavailable; try again later.",
            "the send budgets or the failed-code counts cannot be read",
        ),
        InvalidAccessToken: ErrorRow(
            401,
            "unauthorized",
            "The access token is no longer valid.",
            "the access token was signed out or revoked",
        ),
        CodeRateLimited: _too_many(
            "too_many_requests",
            "Too many codes were sent to this destination; try again later.",
            "a trigger's own count of what was sent, to this destination or by the whole "
            "service, behind the send budgets",
        ),
        InvalidCode: ErrorRow(
            401,
            "invalid_code",
            "The code is not right.",
            "the code is not right (with attempts_left and a new session to retry with)",
            fields=lambda exc: {"attempts_left": exc.attempts_left, "session": exc.session},
            model=CodeRefused,
        ),
        SessionExpired: ErrorRow(
            401,
            "session_expired",
            "This code is no longer valid; request a new one with /auth/start.",
            "the code expired or was used up; start again",
        ),
        UnusablePhoneNumber: ErrorRow(
            422,
            "validation_error",
            "This phone number cannot be used.",
            "the user pool refused the phone number",
            fields=lambda _: _field_details(
                "phone", "not accepted by the user pool", "value_error"
            ),
            model=ValidationErrorBody,
        ),
        UnusableEmailAddress: ErrorRow(
            422,
            "validation_error",
            "This e-mail address cannot be used.",
            "the user pool refused the e-mail address",
            fields=lambda _: _field_details(
                "email", "not accepted by the user pool", "value_error"
            ),
            model=ValidationErrorBody,
        ),
        WeakPassword: ErrorRow(
            422,
            "validation_error",
            "The password does not meet the password policy.",
            "the password policy rule that failed",
            fields=lambda exc: _field_details("password", exc.rule, "password_policy"),
            model=ValidationErrorBody,
        ),
        InvalidConfirmationCode: ErrorRow(
            400,
            "invalid_code",
            "The confirmation code is not right.",
            "the confirmation code is not right",
        ),
        BadCredentials: ErrorRow(
            401,
            "invalid_credentials",
            "The e-mail or password is not right.",
            "the e-mail or password is not right",
        ),
        UserNotConfirmed: ErrorRow(
            403,
            "user_not_confirmed",
            "Confirm the sign-up with the e-mailed code first.",
            "the sign-up is not confirmed yet",
        ),
        InvalidRefreshToken: ErrorRow(
            401,
            "unauthorized",
            "The refresh token is invalid, expired or revoked.",
            "the refresh token is invalid, expired or revoked",
        ),
        Throttled: _too_many(
            "too_many_requests",
            "Too many requests; try again later.",
            "Cognito's own throttling",
        ),
        IdentityUnavailable: ErrorRow(
            503,
            "service_unavailable",
            "Sign-in is unavailable; try again later.",
            "the user pool is unavailable",
        ),
    }
)
install_auth_errors = ANSWERS.install

# What any route that calls Cognito may answer.
COGNITO = (Throttled, IdentityUnavailable)
