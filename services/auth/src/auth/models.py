"""Request and response bodies of the auth routes (field names from the old
CDK runbook: phone, email, otp, session, refresh_token)."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator
from pydantic.json_schema import SkipJsonSchema

from auth.destinations import normalize_email, normalize_phone
from auth.protocol import EMAIL_PATTERN
from service_kernel import AnswerBody, ErrorBody


class Body(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


# Cognito's own bounds (API reference), so a schema-valid request never fails
# the SDK's checks: a Username is at most 128 characters, a Session 20 to 2048.
EMAIL_MAX = 128
SESSION_MIN, SESSION_MAX = 20, 2048


def _lower(value: str | None) -> str | None:
    # Cognito usernames are case-insensitive; one spelling for every key too.
    return normalize_email(value) if value is not None else None


def _e164(value: str | None) -> str | None:
    return normalize_phone(value) if value is not None else None


class Destination(Body):
    """Exactly one of `phone` (international format, ASCII digits; answered
    and keyed in E.164) or `email` (NFC, lower-cased)."""

    # The schema says what the validator below refuses: `{}`, or both.
    model_config = ConfigDict(
        json_schema_extra={
            "oneOf": [
                {"required": ["phone"], "properties": {"phone": {"type": "string"}}},
                {"required": ["email"], "properties": {"email": {"type": "string"}}},
            ]
        }
    )

    phone: str | None = Field(default=None, max_length=32)
    email: str | None = Field(default=None, pattern=EMAIL_PATTERN, max_length=EMAIL_MAX)

    _phone_e164 = field_validator("phone")(_e164)
    _email_lower = field_validator("email")(_lower)

    @model_validator(mode="after")
    def _exactly_one(self) -> Destination:
        if (self.phone is None) == (self.email is None):
            raise ValueError("give exactly one of phone or email")
        return self

    @property
    def username(self) -> str:
        return self.phone or self.email or ""


class StartRequest(Destination):
    pass


class StartResponse(AnswerBody):
    session: str
    phone: str | None = None
    email: str | None = None
    delivery: Literal["sms", "email"]
    dev_otp: str | None = None


class VerifyRequest(Destination):
    otp: str = Field(pattern=r"^\d{6}$")
    session: str = Field(min_length=SESSION_MIN, max_length=SESSION_MAX)


class Tokens(AnswerBody):
    access_token: str
    id_token: str
    refresh_token: str | None = None
    expires_in: int
    token_type: Literal["Bearer"] = "Bearer"  # noqa: S105 - a token type, not a secret


class Credentials(Body):
    email: str = Field(pattern=EMAIL_PATTERN, max_length=EMAIL_MAX)
    # Cognito's own bounds; the pool's policy decides the rest.
    password: str = Field(min_length=1, max_length=256)

    _email_lower = field_validator("email")(_lower)


class SignupResponse(BaseModel):
    user_sub: str
    confirmed: bool


class ConfirmRequest(Body):
    email: str = Field(pattern=EMAIL_PATTERN, max_length=EMAIL_MAX)
    code: str = Field(min_length=1, max_length=16)

    _email_lower = field_validator("email")(_lower)


class RefreshRequest(Body):
    refresh_token: str = Field(min_length=1, max_length=8192)


class LogoutRequest(Body):
    refresh_token: str | None = Field(default=None, min_length=1, max_length=8192)


class Me(AnswerBody):
    sub: str
    username: str
    email: str | None = None
    phone: str | None = None
    groups: list[str]


class CodeRefused(ErrorBody):
    """A 401 of /auth/verify: `invalid_code` carries the attempts left and
    the new session to retry with; `session_expired` neither."""

    attempts_left: int | SkipJsonSchema[None] = None
    session: str | SkipJsonSchema[None] = None
