from __future__ import annotations

import pytest
from pydantic import BaseModel, Field

from service_kernel.settings import ServiceSettings, SettingsError, load_settings


class Example(BaseModel):
    table_name: str = Field(min_length=1)
    page_size: int = 20
    docs: bool = False


def test_settings_come_from_upper_case_variables() -> None:
    env = {"TABLE_NAME": "t", "PAGE_SIZE": "5", "DOCS": "true"}
    assert load_settings(Example, env) == Example(table_name="t", page_size=5, docs=True)


def test_a_missing_variable_is_named() -> None:
    with pytest.raises(SettingsError, match="TABLE_NAME"):
        load_settings(Example, {})


def test_a_bad_variable_is_named() -> None:
    with pytest.raises(SettingsError, match="PAGE_SIZE"):
        load_settings(Example, {"TABLE_NAME": "t", "PAGE_SIZE": "many"})


def test_every_service_reads_the_platforms_standard_variables() -> None:
    env = {
        "STAGE": "dev",
        "PRODUCTION": "false",
        "SERVICE_VERSION": "1.0+abc",
        "ENABLE_DOCS": "true",
    }
    settings = load_settings(ServiceSettings, env)
    assert settings == ServiceSettings(
        stage="dev", production=False, service_version="1.0+abc", enable_docs=True
    )
    assert settings.version("service-kernel") == "1.0+abc"


def test_an_unset_production_flag_counts_as_production() -> None:
    assert load_settings(ServiceSettings, {"STAGE": "x"}).production is True


def test_without_service_version_the_package_version_is_used() -> None:
    settings = load_settings(ServiceSettings, {"STAGE": "x"})
    assert settings.version("service-kernel") == "0.1.0"
