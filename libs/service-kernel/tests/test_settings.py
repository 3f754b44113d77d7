from __future__ import annotations

import pytest
from pydantic import BaseModel, Field

from service_kernel.settings import SettingsError, load_settings


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
