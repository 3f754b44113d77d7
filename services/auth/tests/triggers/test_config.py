from __future__ import annotations

import pytest

from auth.triggers.config import CreateSettings, DefineSettings, VerifySettings
from service_kernel.settings import SettingsError, load_settings

CREATE = {
    "STAGE": "dev",
    "PRODUCTION": "false",
    "TABLE_NAME": "app-table",
    "PRODUCT_NAME": "Acme",
    "EMAIL_SENDER": "no-reply@example.com",
    "OTP_TTL_SECONDS": "120",
    "OTP_MAX_ATTEMPTS": "3",
    "SEND_RATE_LIMIT": "5",
    "SEND_RATE_WINDOW_SECONDS": "900",
    "STACK_SMS_PER_HOUR": "100",
    "STACK_EMAILS_PER_HOUR": "200",
    "TEST_DESTINATIONS": "+15555550100, @example.test",
    "TICKET_KEY_PARAMETER": "/s/t:1",
    "DESTINATION_KEY_PARAMETER": "/s/d:1",
    "TEST_CODE_PARAMETER": "/s/c:1",
}


def test_platform_strings_become_typed_settings() -> None:
    settings = load_settings(CreateSettings, CREATE)
    assert settings.otp_ttl_seconds == 120
    assert settings.send_rate_window_seconds == 900
    assert settings.test_destination_list == ("+15555550100", "@example.test")


def test_only_the_local_runtime_turns_on_the_echo_of_every_code() -> None:
    assert load_settings(CreateSettings, CREATE).local_runtime_echo_codes is False
    echoing = load_settings(CreateSettings, {**CREATE, "LOCAL_RUNTIME_ECHO_CODES": "true"})
    assert echoing.local_runtime_echo_codes is True


@pytest.mark.parametrize(
    "secret", ["TICKET_KEY_PARAMETER", "DESTINATION_KEY_PARAMETER", "TEST_CODE_PARAMETER"]
)
def test_every_secret_is_required(secret: str) -> None:
    environment = {k: v for k, v in CREATE.items() if k != secret}
    with pytest.raises(SettingsError, match=secret):
        load_settings(CreateSettings, environment)


def test_bounds_are_the_stack_configs_not_repeated_here() -> None:
    # platform/infra/program/config.py holds otpTtlSeconds to 60-900; the trigger checks types.
    assert load_settings(CreateSettings, {**CREATE, "OTP_TTL_SECONDS": "900"})
    assert load_settings(DefineSettings, {"OTP_MAX_ATTEMPTS": "10"}).otp_max_attempts == 10
    assert load_settings(VerifySettings, {"TABLE_NAME": "t", "MAX_FAILED_CODES": "10"})


def test_a_bad_variable_is_named() -> None:
    with pytest.raises(SettingsError, match="EMAIL_SENDER"):
        load_settings(CreateSettings, {**CREATE, "EMAIL_SENDER": "not an address"})
