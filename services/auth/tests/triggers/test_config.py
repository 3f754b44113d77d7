from __future__ import annotations

import pytest

from auth.triggers.config import CreateSettings, DefineSettings
from service_kernel.settings import SettingsError, load_settings

CREATE = {
    "STAGE": "dev",
    "PRODUCTION": "false",
    "TABLE_NAME": "app-table",
    "PRODUCT_NAME": "Acme",
    "EMAIL_SENDER": "no-reply@example.com",
}


def test_platform_strings_become_typed_settings() -> None:
    settings = load_settings(
        CreateSettings,
        {**CREATE, "DEV_OTP_ECHO": "true", "OTP_TTL_SECONDS": "120", "SEND_RATE_LIMIT": "5"},
    )
    assert settings.dev_otp_echo is True
    assert settings.otp_ttl_seconds == 120
    assert settings.send_rate_window_seconds == 900


def test_the_defaults_are_the_documented_ones() -> None:
    settings = load_settings(CreateSettings, CREATE)
    assert (settings.otp_ttl_seconds, settings.otp_max_attempts) == (300, 3)
    assert settings.dev_otp_echo is False
    assert load_settings(DefineSettings, {}).otp_max_attempts == 3


@pytest.mark.parametrize(
    "stack",
    [
        {"STAGE": "prod-eu", "PRODUCTION": "true"},
        {"STAGE": "prod", "PRODUCTION": "true"},
        # Unset counts as production: the safe side.
        {"STAGE": "staging"},
    ],
)
def test_a_production_stack_cannot_enable_the_dev_echo(stack: dict[str, str]) -> None:
    environment = {k: v for k, v in CREATE.items() if k != "PRODUCTION"}
    with pytest.raises(SettingsError, match="DEV_OTP_ECHO must be false on a production stack"):
        load_settings(CreateSettings, {**environment, **stack, "DEV_OTP_ECHO": "true"})


def test_production_without_the_echo_is_fine() -> None:
    stack = {"STAGE": "prod-eu", "PRODUCTION": "true", "DEV_OTP_ECHO": "false"}
    assert load_settings(CreateSettings, {**CREATE, **stack})


def test_a_stack_named_prod_that_is_not_production_may_echo() -> None:
    stack = {"STAGE": "prod", "PRODUCTION": "false", "DEV_OTP_ECHO": "true"}
    assert load_settings(CreateSettings, {**CREATE, **stack}).dev_otp_echo is True


def test_a_bad_variable_is_named() -> None:
    with pytest.raises(SettingsError, match="EMAIL_SENDER"):
        load_settings(CreateSettings, {**CREATE, "EMAIL_SENDER": "not an address"})
