from __future__ import annotations

import pytest

from auth.protocol import dev_otp_echo
from auth.settings import Settings
from service_kernel import SettingsError, load_settings


def test_missing_client_id_is_named() -> None:
    with pytest.raises(SettingsError, match="USER_POOL_CLIENT_ID"):
        load_settings(Settings, {"STAGE": "dev", "USER_POOL_ID": "p"})


def test_missing_pool_id_is_named() -> None:
    with pytest.raises(SettingsError, match="USER_POOL_ID"):
        load_settings(Settings, {"STAGE": "dev", "USER_POOL_CLIENT_ID": "c"})


def test_auto_confirm_arrives_as_a_string() -> None:
    env = {"STAGE": "dev", "USER_POOL_ID": "p", "USER_POOL_CLIENT_ID": "c", "AUTO_CONFIRM": "true"}
    assert load_settings(Settings, env).auto_confirm is True


def test_the_dev_echo_is_refused_on_prod_only() -> None:
    assert dev_otp_echo("dev", True) is True
    assert dev_otp_echo("prod", False) is False
    with pytest.raises(ValueError, match="prod"):
        dev_otp_echo("prod", True)
