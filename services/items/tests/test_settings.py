from __future__ import annotations

import pytest

from items.settings import Settings
from service_kernel import SettingsError, load_settings

PARAMETER = "/serverless-backend/dev/secrets/itemsCursorKey:1"
ENV = {"STAGE": "dev", "TABLE_NAME": "t", "CURSOR_SIGNING_KEY_PARAMETER": PARAMETER}


def test_a_complete_environment_loads() -> None:
    settings = load_settings(Settings, {**ENV, "CURSOR_TTL_SECONDS": "900"})
    assert settings.cursor_ttl_seconds == 900
    assert settings.cursor_signing_key_parameter == PARAMETER


@pytest.mark.parametrize("missing", ["TABLE_NAME", "CURSOR_SIGNING_KEY_PARAMETER", "STAGE"])
def test_a_missing_variable_is_named(missing: str) -> None:
    env = {key: value for key, value in ENV.items() if key != missing}
    with pytest.raises(SettingsError, match=missing):
        load_settings(Settings, env)


# Its upper bound is the stack config's (platform: items.cursorTtlSeconds).
@pytest.mark.parametrize("ttl", ["0", "-5", "soon"])
def test_a_bad_cursor_ttl_is_named(ttl: str) -> None:
    with pytest.raises(SettingsError, match="CURSOR_TTL_SECONDS"):
        load_settings(Settings, {**ENV, "CURSOR_TTL_SECONDS": ttl})


def test_the_environment_holds_no_key_only_where_to_read_it() -> None:
    assert "cursor_signing_key" not in Settings.model_fields
