from __future__ import annotations

import pytest

from auth.settings import Settings
from service_kernel import SettingsError, load_settings

POOL = {
    "STAGE": "dev",
    "USER_POOL_ID": "p",
    "USER_POOL_CLIENT_ID": "c",
    "TABLE_NAME": "t",
    "SEND_RATE_LIMIT": "5",
    "SEND_RATE_WINDOW_SECONDS": "900",
    "SOURCE_SEND_LIMIT": "10",
    "SOURCE_SEND_WINDOW_SECONDS": "3600",
    "STACK_SMS_PER_HOUR": "200",
    "STACK_EMAILS_PER_HOUR": "400",
    "TRUSTED_DAYS": "30",
    "SIGNUP_SOURCE_LIMIT": "5",
    "SIGNUP_SOURCE_WINDOW_SECONDS": "3600",
    "MAX_FAILED_CODES": "10",
    "OTP_TTL_SECONDS": "300",
    "TICKET_KEY_PARAMETER": "/s/k1:1",
    "CLIENT_SECRET_PARAMETER": "/s/k3:1",
    "DESTINATION_KEY_PARAMETER": "/s/k2:1",
}


def test_missing_client_id_is_named() -> None:
    with pytest.raises(SettingsError, match="USER_POOL_CLIENT_ID"):
        load_settings(Settings, {k: v for k, v in POOL.items() if k != "USER_POOL_CLIENT_ID"})


def test_missing_pool_id_is_named() -> None:
    with pytest.raises(SettingsError, match="USER_POOL_ID"):
        load_settings(Settings, {k: v for k, v in POOL.items() if k != "USER_POOL_ID"})


def test_auto_confirm_arrives_as_a_string() -> None:
    assert load_settings(Settings, {**POOL, "AUTO_CONFIRM": "true"}).auto_confirm is True


def test_production_is_the_platforms_flag_not_the_stage_name() -> None:
    assert load_settings(Settings, {**POOL, "STAGE": "prod-eu"}).production is True
    assert (
        load_settings(Settings, {**POOL, "STAGE": "prod", "PRODUCTION": "false"}).production
        is False
    )


def test_lists_arrive_comma_separated() -> None:
    settings = load_settings(
        Settings, {**POOL, "SMS_COUNTRIES": "gb, IE", "TEST_DESTINATIONS": "+15555550100"}
    )
    assert settings.sms_regions == {"GB", "IE"}
    assert settings.test_destination_list == ("+15555550100",)
