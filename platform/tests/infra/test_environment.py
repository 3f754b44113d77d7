"""Resolving `${...}` references in a manifest function's environment."""

from __future__ import annotations

from pathlib import Path

import pytest

from infra.declared import stack_config
from infra.environment import (
    SharedValues,
    UnknownReferenceError,
    config_string,
    resolve_environment,
)
from service_manifest import Function, Manifest


def _values(stack: str = "dev") -> SharedValues:
    return SharedValues(
        stage=stack,
        config=stack_config(stack),
        table_name="the-table",
        table_arn="arn:aws:dynamodb:eu-west-1:123456789012:table/the-table",
        user_pool_id="eu-west-1_pool",
        user_pool_arn="arn:aws:cognito-idp:eu-west-1:123456789012:userpool/eu-west-1_pool",
        user_pool_client_id="client",
        secrets={},
    )


def _resolve(
    environment: dict[str, str], stack: str = "dev", version: str = "0.1.0+0123456789ab"
) -> dict[str, object]:
    function = Function(name="api", handler="svc.handler.handler", environment=environment)
    manifest = Manifest(
        name="svc",
        path=Path("services/svc/service.toml"),
        description="",
        key_prefixes=(),
        functions=(function,),
    )
    return dict(resolve_environment(manifest, function, _values(stack), version=version))


def test_plain_references_resolve() -> None:
    resolved = _resolve(
        {
            "STAGE": "${stage}",
            "TABLE": "${table.name}",
            "TABLE_ARN": "${table.arn}",
            "POOL": "${user_pool.id}",
            "POOL_ARN": "${user_pool.arn}",
            "CLIENT": "${user_pool.client_id}",
            "VERSION": "${service.version}",
            "LITERAL": "plain",
        }
    )

    assert resolved == {
        "STAGE": "dev",
        "TABLE": "the-table",
        "TABLE_ARN": "arn:aws:dynamodb:eu-west-1:123456789012:table/the-table",
        "POOL": "eu-west-1_pool",
        "POOL_ARN": "arn:aws:cognito-idp:eu-west-1:123456789012:userpool/eu-west-1_pool",
        "CLIENT": "client",
        "VERSION": "0.1.0+0123456789ab",
        "LITERAL": "plain",
        "POWERTOOLS_SERVICE_NAME": "svc",
        "POWERTOOLS_LOG_LEVEL": "DEBUG",
    }


@pytest.mark.parametrize(
    ("stack", "expected"),
    [("dev", {"ECHO": "true", "DOCS": "true"}), ("prod", {"ECHO": "false", "DOCS": "false"})],
)
def test_config_references_follow_the_stack(stack: str, expected: dict[str, str]) -> None:
    resolved = _resolve(
        {"ECHO": "${config.auth.devOtpEcho}", "DOCS": "${config.enableDocs}"}, stack
    )

    assert {key: resolved[key] for key in expected} == expected


def test_numbers_are_decimal_strings_and_text_is_joined() -> None:
    resolved = _resolve({"TTL": "${config.auth.otpTtlSeconds}", "WHERE": "${stage}/${table.name}!"})

    assert resolved["TTL"] == "300"
    assert resolved["WHERE"] == "dev/the-table!"


@pytest.mark.parametrize(
    "reference", ["${table.colour}", "${config.auth.nope}", "${config.auth}", "${secret.nope}"]
)
def test_an_unknown_reference_names_service_function_and_variable(reference: str) -> None:
    with pytest.raises(UnknownReferenceError, match=r"service svc, function api: BAD references"):
        _resolve({"BAD": reference})


def test_config_strings() -> None:
    assert config_string(True) == "true"
    assert config_string(False) == "false"
    assert config_string(42) == "42"
    assert config_string("x") == "x"


def test_the_version_is_the_services_own() -> None:
    first = _resolve({"VERSION": "${service.version}", "STAGE": "${stage}"}, version="1.0+aaa")
    second = _resolve({"VERSION": "${service.version}", "STAGE": "${stage}"}, version="2.0+bbb")

    assert (first["VERSION"], second["VERSION"]) == ("1.0+aaa", "2.0+bbb")
    assert first["STAGE"] == second["STAGE"] == "dev"
