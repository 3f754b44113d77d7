from __future__ import annotations

import pytest

from auth.settings import Settings
from service_kernel import SettingsError, load_settings

POOL = {"STAGE": "dev", "USER_POOL_ID": "p", "USER_POOL_CLIENT_ID": "c"}


def test_missing_client_id_is_named() -> None:
    with pytest.raises(SettingsError, match="USER_POOL_CLIENT_ID"):
        load_settings(Settings, {"STAGE": "dev", "USER_POOL_ID": "p"})


def test_missing_pool_id_is_named() -> None:
    with pytest.raises(SettingsError, match="USER_POOL_ID"):
        load_settings(Settings, {"STAGE": "dev", "USER_POOL_CLIENT_ID": "c"})


def test_auto_confirm_arrives_as_a_string() -> None:
    assert load_settings(Settings, {**POOL, "AUTO_CONFIRM": "true"}).auto_confirm is True


def test_production_is_the_platforms_flag_not_the_stage_name() -> None:
    assert load_settings(Settings, {**POOL, "STAGE": "prod-eu"}).production is True
    assert (
        load_settings(Settings, {**POOL, "STAGE": "prod", "PRODUCTION": "false"}).production
        is False
    )
