"""The API function's settings (the triggers have their own, in auth.triggers.config).

Types and the code's own invariants only: the bounds of every stack setting
live in the stack config (platform/infra/program/config.py)."""

from __future__ import annotations

from pydantic import Field

from auth.abuse import Budget
from auth.protocol import Channel, split_list
from service_kernel import ServiceSettings, load_settings

HOUR = 3600


class Settings(ServiceSettings):
    # The pool /auth/start creates passwordless users in (AdminCreateUser).
    user_pool_id: str = Field(min_length=1)
    user_pool_client_id: str = Field(min_length=1)
    # Whether this stack confirms password sign-ups at once: an existing
    # e-mail is answered as a new one would be.
    auto_confirm: bool = False
    # The shared table, for the send budgets and the failed-code counts.
    table_name: str = Field(min_length=1)
    # ISO regions SMS may go to, and the test destinations (comma-separated).
    sms_countries: str = ""
    test_destinations: str = ""
    send_rate_limit: int = Field(gt=0)
    send_rate_window_seconds: int = Field(gt=0)
    source_send_limit: int = Field(gt=0)
    source_send_window_seconds: int = Field(gt=0)
    stack_sms_per_hour: int = Field(gt=0)
    stack_emails_per_hour: int = Field(gt=0)
    trusted_days: int = Field(gt=0)
    # Password sign-ups per source IP: each may make Cognito e-mail a code.
    signup_source_limit: int = Field(gt=0)
    signup_source_window_seconds: int = Field(gt=0)
    max_failed_codes: int = Field(gt=0)
    otp_ttl_seconds: int = Field(gt=0)
    # Stack secrets, as the SSM parameters holding them (read at first use):
    # the key of the API's tickets to the create trigger, and the key of every
    # destination hash in the table.
    ticket_key_parameter: str = Field(min_length=1)
    destination_key_parameter: str = Field(min_length=1)
    # The app client's secret (only the API holds it; every call for a user is
    # signed with it, so Cognito refuses the same calls from anyone else).
    client_secret_parameter: str = Field(min_length=1)

    @property
    def sms_regions(self) -> frozenset[str]:
        return frozenset(region.upper() for region in split_list(self.sms_countries))

    @property
    def test_destination_list(self) -> tuple[str, ...]:
        return split_list(self.test_destinations)

    @property
    def destination_budget(self) -> Budget:
        return Budget(self.send_rate_limit, self.send_rate_window_seconds)

    @property
    def source_budget(self) -> Budget:
        return Budget(self.source_send_limit, self.source_send_window_seconds)

    @property
    def stack_budgets(self) -> dict[Channel, Budget]:
        return {
            "sms": Budget(self.stack_sms_per_hour, HOUR),
            "email": Budget(self.stack_emails_per_hour, HOUR),
        }

    @property
    def signup_source_budget(self) -> Budget:
        return Budget(self.signup_source_limit, self.signup_source_window_seconds)

    @property
    def pending_seconds(self) -> int:
        """How long a new user may take to prove its destination: its code's
        life, and a minute for the answer in flight."""
        return self.otp_ttl_seconds + 60


settings = load_settings(Settings)
