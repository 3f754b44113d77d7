"""A service's test environment is its service.toml's, resolved from what a
stack would give: the test never restates a variable."""

from __future__ import annotations

from pathlib import Path

import pytest

from service_manifest import load_manifest
from service_manifest.testing import environment

MANIFEST = """
name = "things"

[functions.api]
handler = "things.handler.handler"
[functions.api.environment]
TABLE_NAME = "${table.name}"
LIMIT = "${config.things.limit}"
COUNTRIES = "${config.things.countries}"
STRICT = "${config.things.strict}"
KEY_PARAMETER = "${secret.thingsKey}"
GREETING = "hello ${stage}"

[functions.sweep]
handler = "things.sweep.handler"
schedule = "rate(5 minutes)"
environment = { TABLE_NAME = "${table.name}" }
"""
CONFIG = {"things": {"limit": 5, "countries": ["GB", "US"], "strict": True}}


def resolved(tmp_path: Path, text: str = MANIFEST, **resources: str) -> dict[str, str]:
    path = tmp_path / "service.toml"
    path.write_text(text)
    return environment(
        load_manifest(path),
        config=CONFIG,
        resources={"table.name": "app-table", "stage": "test", **resources},
        secret_parameter=lambda key: f"/test/secrets/{key}:1",
    )


def test_every_functions_variables_resolved_as_the_platform_writes_them(tmp_path: Path) -> None:
    assert resolved(tmp_path) == {
        "TABLE_NAME": "app-table",
        "LIMIT": "5",
        "COUNTRIES": "GB,US",
        "STRICT": "true",
        "KEY_PARAMETER": "/test/secrets/thingsKey:1",
        "GREETING": "hello test",
    }


def test_a_reference_with_no_value_is_named(tmp_path: Path) -> None:
    text = MANIFEST.replace("${config.things.limit}", "${config.things.ceiling}")
    with pytest.raises(KeyError, match=r"config\.things\.ceiling"):
        resolved(tmp_path, text)


def test_a_variable_two_functions_declare_differently_is_named(tmp_path: Path) -> None:
    text = MANIFEST.replace('{ TABLE_NAME = "${table.name}" }', '{ TABLE_NAME = "other" }')
    with pytest.raises(KeyError, match="TABLE_NAME"):
        resolved(tmp_path, text)
