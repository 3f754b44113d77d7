"""Each trigger's settings, read from the environment the platform gives it
with service_kernel.settings.load_settings (which loads no FastAPI).

Types and the code's own invariants only: the bounds of every stack setting
live in the stack config (platform/infra/program/config.py)."""

from __future__ import annotations

from pydantic import BaseModel, Field

from auth.abuse import Budget
from auth.protocol import EMAIL_PATTERN, Channel, split_list
from service_kernel.settings import ServiceSettings

HOUR = 3600


class PreSignUpSettings(BaseModel):
    # Confirm (and verify) password sign-ups at once: dev stacks only.
    auto_confirm: bool = False


class DefineSettings(BaseModel):
    otp_max_attempts: int = Field(gt=0)


class SendLimits(ServiceSettings):
    """What a trigger that lets a message go counts it against, on the table
    (defence in depth behind the API's budgets), and the secrets its
    tickets and keys are made with, as the SSM parameters holding them (read
    at first use)."""

    table_name: str = Field(min_length=1)
    product_name: str = Field(min_length=1)
    # Sends per destination per window.
    send_rate_limit: int = Field(gt=0)
    send_rate_window_seconds: int = Field(gt=0)
    # The whole stack's sends per hour, per channel.
    stack_sms_per_hour: int = Field(gt=0)
    stack_emails_per_hour: int = Field(gt=0)
    # The API's ticket key and the key of destination hashes.
    ticket_key_parameter: str = Field(min_length=1)
    destination_key_parameter: str = Field(min_length=1)

    def destination_budget(self) -> Budget:
        return Budget(self.send_rate_limit, self.send_rate_window_seconds)

    def stack_budget(self, channel: Channel) -> Budget:
        per_hour = self.stack_sms_per_hour if channel == "sms" else self.stack_emails_per_hour
        return Budget(per_hour, HOUR)


class CreateSettings(SendLimits):
    email_sender: str = Field(pattern=EMAIL_PATTERN)
    otp_ttl_seconds: int = Field(gt=0)
    otp_max_attempts: int = Field(gt=0)
    test_destinations: str = ""
    # The secret a production stack derives its test destinations' codes from.
    test_code_parameter: str = Field(min_length=1)
    # Set by the local runtime's workers alone (`make dev`): put every code in
    # the challenge's public parameters, so the API returns it as `dev_otp`.
    # No declared function ever carries it (a platform test checks).
    local_runtime_echo_codes: bool = False

    @property
    def test_destination_list(self) -> tuple[str, ...]:
        return split_list(self.test_destinations)


class MessageSettings(SendLimits):
    """The custom message trigger's: it counts the sign-up confirmations it
    lets Cognito send on the create trigger's own counts."""


class VerifySettings(BaseModel):
    table_name: str = Field(min_length=1)
    max_failed_codes: int = Field(gt=0)
