"""Each trigger's settings, read from the environment the platform gives it
with service_kernel.settings.load_settings (which loads no FastAPI)."""

from __future__ import annotations

from pydantic import BaseModel, Field, model_validator

from auth.protocol import EMAIL_PATTERN
from service_kernel.settings import ServiceSettings


class PreSignUpSettings(BaseModel):
    # Confirm (and verify) password sign-ups at once: dev stacks only.
    auto_confirm: bool = False


class DefineSettings(BaseModel):
    otp_max_attempts: int = Field(default=3, ge=1, le=10)


class CreateSettings(ServiceSettings):
    table_name: str = Field(min_length=1)
    product_name: str = Field(min_length=1)
    email_sender: str = Field(pattern=EMAIL_PATTERN)
    otp_ttl_seconds: int = Field(default=300, ge=30, le=3600)
    otp_max_attempts: int = Field(default=3, ge=1, le=10)
    # Put each code in the challenge's public parameters, so the API can
    # return it as `dev_otp`: for stacks without real delivery.
    dev_otp_echo: bool = False
    send_rate_limit: int = Field(default=5, ge=1)
    send_rate_window_seconds: int = Field(default=900, ge=1)

    @model_validator(mode="after")
    def _no_echo_in_production(self) -> CreateSettings:
        # Refused outright: a production stack configured to echo codes must
        # fail at start, not leak codes.
        if self.dev_otp_echo and self.production:
            raise ValueError("DEV_OTP_ECHO must be false on a production stack")
        return self
