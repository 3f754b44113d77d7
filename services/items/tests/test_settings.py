from __future__ import annotations

import pytest

from items.settings import Settings
from service_kernel import SettingsError, load_settings

GOOD_KEY = "k" * 32
ENV = {"STAGE": "dev", "TABLE_NAME": "t", "CURSOR_SIGNING_KEY": GOOD_KEY}


def test_a_complete_environment_loads() -> None:
    settings = load_settings(Settings, {**ENV, "CURSOR_TTL_SECONDS": "900"})
    assert settings.cursor_ttl_seconds == 900
    assert settings.cursor_signing_key.get_secret_value() == GOOD_KEY


def test_a_short_cursor_key_is_refused_by_name_without_echoing_it() -> None:
    short = "short-but-secret-key-31-bytes!!"
    assert len(short) == 31
    with pytest.raises(SettingsError, match="CURSOR_SIGNING_KEY") as error:
        load_settings(Settings, {**ENV, "CURSOR_SIGNING_KEY": short})
    assert short not in str(error.value)


def test_the_key_is_counted_in_bytes() -> None:
    # 16 two-byte characters are 32 bytes.
    assert load_settings(Settings, {**ENV, "CURSOR_SIGNING_KEY": "é" * 16})


@pytest.mark.parametrize("missing", ["TABLE_NAME", "CURSOR_SIGNING_KEY", "STAGE"])
def test_a_missing_variable_is_named(missing: str) -> None:
    env = {key: value for key, value in ENV.items() if key != missing}
    with pytest.raises(SettingsError, match=missing):
        load_settings(Settings, env)


# Its upper bound is the stack config's (platform: items.cursorTtlSeconds).
@pytest.mark.parametrize("ttl", ["0", "-5", "soon"])
def test_a_bad_cursor_ttl_is_named(ttl: str) -> None:
    with pytest.raises(SettingsError, match="CURSOR_TTL_SECONDS"):
        load_settings(Settings, {**ENV, "CURSOR_TTL_SECONDS": ttl})


def test_the_key_never_shows_in_a_repr() -> None:
    settings = load_settings(Settings, ENV)
    assert GOOD_KEY not in repr(settings)
    assert GOOD_KEY not in str(settings)
