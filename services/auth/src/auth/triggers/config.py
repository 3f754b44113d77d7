"""Each trigger's settings, from the environment the platform gives it.

service_kernel.load_settings does the same for the API, but importing the
kernel package pulls in FastAPI, which a trigger must not load."""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import TypeVar

from pydantic import BaseModel, Field, ValidationError, model_validator

from auth.protocol import EMAIL_PATTERN, dev_otp_echo

SettingsT = TypeVar("SettingsT", bound=BaseModel)


class PreSignUpSettings(BaseModel):
    # Confirm (and verify) password sign-ups at once: dev stacks only.
    auto_confirm: bool = False


class DefineSettings(BaseModel):
    otp_max_attempts: int = Field(default=3, ge=1, le=10)


class CreateSettings(BaseModel):
    stage: str = Field(min_length=1)
    table_name: str = Field(min_length=1)
    product_name: str = Field(min_length=1)
    email_sender: str = Field(pattern=EMAIL_PATTERN)
    otp_ttl_seconds: int = Field(default=300, ge=30, le=3600)
    otp_max_attempts: int = Field(default=3, ge=1, le=10)
    dev_otp_echo: bool = False
    send_rate_limit: int = Field(default=5, ge=1)
    send_rate_window_seconds: int = Field(default=900, ge=1)

    @model_validator(mode="after")
    def _no_echo_on_prod(self) -> CreateSettings:
        dev_otp_echo(self.stage, self.dev_otp_echo)
        return self


class SettingsError(RuntimeError):
    pass


def load(model: type[SettingsT], environ: Mapping[str, str] | None = None) -> SettingsT:
    """`model` from upper-cased environment variables; fails naming the variable."""
    env = os.environ if environ is None else environ
    values = {name: env[name.upper()] for name in model.model_fields if name.upper() in env}
    try:
        return model.model_validate(values)
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(part) for part in error['loc']).upper() or 'SETTINGS'}: {error['msg']}"
            for error in exc.errors()
        )
        raise SettingsError(f"bad environment for {model.__name__}: {problems}") from None
