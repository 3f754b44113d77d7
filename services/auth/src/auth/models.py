"""Request and response bodies of the auth routes (field names from the old
CDK runbook: phone, email, otp, session, refresh_token)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator
from pydantic.json_schema import SkipJsonSchema
from pydantic_core import PydanticCustomError

from auth.destinations import TYPED_PHONE_PATTERN, NotAPhoneNumber, normalize_email, normalize_phone
from service_kernel import AnswerBody, ErrorBody


class Body(BaseModel):
    # Strings are taken as sent, never trimmed: trimmed, a schema-valid " " would
    # be refused as empty and a schema-invalid " ada@example.com" accepted, and
    # the schema could not say what the server enforces.
    model_config = ConfigDict(extra="forbid")


# Cognito's own bounds (API reference), so a schema-valid request never fails
# the SDK's checks: a Username is at most 128 characters, a Session 20 to 2048.
EMAIL_MAX = 128
SESSION_MIN, SESSION_MAX = 20, 2048


def _lower(value: str | None) -> str | None:
    # Cognito usernames are case-insensitive; one spelling for every key too.
    return normalize_email(value) if value is not None else None


def _e164(value: str | None) -> str | None:
    """E.164 for a number typed as the pattern says; one no numbering plan has
    (libphonenumber's metadata, which no pattern can state) is refused as a
    destination codes are not sent to."""
    if value is None:
        return None
    try:
        return normalize_phone(value)
    except NotAPhoneNumber:
        raise PydanticCustomError("unsupported_destination", "not a number in service") from None


# What the user pool takes for an e-mail address, and no more: ASCII, a word
# character first, a dotted domain ending in letters (moto's check, within
# Cognito's); the server NFC-normalises and lower-cases it (auth.destinations).
EMAIL_PATTERN = (
    r"^[A-Za-z0-9_][A-Za-z0-9._%+-]{0,63}@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}$"
)
REF = "#/components/schemas/{model}"
Phone = Annotated[str, Field(pattern=TYPED_PHONE_PATTERN, max_length=32)]
Email = Annotated[str, Field(pattern=EMAIL_PATTERN, max_length=EMAIL_MAX)]
Otp = Annotated[str, Field(pattern=r"^\d{6}$")]
Session = Annotated[str, Field(min_length=SESSION_MIN, max_length=SESSION_MAX)]


class StartWithPhone(Body):
    """A phone number in international format, ASCII digits (answered and keyed in E.164)."""

    phone: Phone


class StartWithEmail(Body):
    """An e-mail address (NFC, lower-cased)."""

    email: Email


class VerifyWithPhone(StartWithPhone):
    otp: Otp
    session: Session


class VerifyWithEmail(StartWithEmail):
    otp: Otp
    session: Session


def _one_of(*choices: type[BaseModel]) -> Callable[[dict[str, Any]], None]:
    """A body's schema as the choice of `choices`, each a named component with
    every field it takes, so a client generator keeps them all; the model
    itself validates (one model, one set of validators, one error shape)."""

    def documented(schema: dict[str, Any]) -> None:
        definitions: dict[str, Any] = {}
        for choice in choices:
            one = choice.model_json_schema(ref_template=REF)
            definitions.update(one.pop("$defs", {}))
            definitions[choice.__name__] = one
        kept: dict[str, Any] = {k: schema[k] for k in ("title", "description") if k in schema}
        schema.clear()
        schema.update(kept)
        schema["oneOf"] = [{"$ref": REF.format(model=choice.__name__)} for choice in choices]
        # The kernel moves these into the document's components.
        schema["$defs"] = definitions

    return documented


class Destination(Body):
    """Exactly one of `phone` (international format, ASCII digits; answered
    and keyed in E.164) or `email` (NFC, lower-cased)."""

    phone: Phone | None = None
    email: Email | None = None

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
    """Sign in or up by phone or by e-mail: exactly one of them."""

    model_config = ConfigDict(json_schema_extra=_one_of(StartWithPhone, StartWithEmail))


class StartResponse(AnswerBody):
    session: str
    phone: str | None = None
    email: str | None = None
    delivery: Literal["sms", "email"]
    dev_otp: str | None = None


class VerifyRequest(Destination):
    """The code sent to the phone or e-mail address given to /auth/start."""

    model_config = ConfigDict(json_schema_extra=_one_of(VerifyWithPhone, VerifyWithEmail))

    otp: Otp
    session: Session


class Tokens(AnswerBody):
    access_token: str
    id_token: str
    refresh_token: str | None = None
    expires_in: int
    token_type: Literal["Bearer"] = "Bearer"  # noqa: S105 - a token type, not a secret


class Credentials(Body):
    email: Email
    # Cognito's own bounds; the pool's policy decides the rest.
    password: str = Field(min_length=1, max_length=256)

    _email_lower = field_validator("email")(_lower)


class SignupResponse(BaseModel):
    user_sub: str
    confirmed: bool


class ConfirmRequest(Body):
    email: Email
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
