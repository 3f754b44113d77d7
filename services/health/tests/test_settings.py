from __future__ import annotations

import pytest

from health.settings import Settings
from service_kernel import SettingsError, load_settings


def test_missing_table_name_is_named() -> None:
    with pytest.raises(SettingsError, match="TABLE_NAME"):
        load_settings(Settings, {"STAGE": "dev", "USER_POOL_ID": "p"})


def test_readiness_timeout_must_be_short() -> None:
    env = {"STAGE": "dev", "USER_POOL_ID": "p", "TABLE_NAME": "t", "READINESS_TIMEOUT": "60"}
    with pytest.raises(SettingsError, match="READINESS_TIMEOUT"):
        load_settings(Settings, env)
