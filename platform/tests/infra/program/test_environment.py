"""Resolving `${...}` references in a manifest function's environment."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from infra.program.environment import UnknownReferenceError, resolve_environment
from infra.program.names import StackNames
from infra.program.shared import ApiAttachment, SharedStack, config_string
from infra.program.stack_files import stack_config
from service_manifest import Function, Manifest
from service_manifest.model import REFERENCES, RESOURCES


def _shared(stack: str = "dev") -> SharedStack:
    return SharedStack(
        names=StackNames("serverless-backend", stack),
        config=stack_config(stack),
        references={
            "stage": stack,
            "table.name": "the-table",
            "table.arn": "arn:aws:dynamodb:eu-west-1:123456789012:table/the-table",
            "user_pool.id": "eu-west-1_pool",
            "user_pool.arn": "arn:aws:cognito-idp:eu-west-1:123456789012:userpool/eu-west-1_pool",
            "user_pool.client_id": "client",
        },
        resources={name: ["arn:aws:mock"] for name in RESOURCES},
        secrets={},
        api=ApiAttachment(api_id="api", execution_arn="arn", authorizer_id="auth"),
    )


PLATFORM = {
    "STAGE": "dev",
    "PRODUCTION": "false",
    "SERVICE_VERSION": "0.1.0+0123456789ab",
    "POWERTOOLS_SERVICE_NAME": "svc",
    "POWERTOOLS_LOG_LEVEL": "DEBUG",
    "POWERTOOLS_METRICS_NAMESPACE": "serverless-backend/dev",
    "POWERTOOLS_TRACE_DISABLED": "true",
}


def _resolve(
    environment: dict[str, str],
    stack: str = "dev",
    version: str = "0.1.0+0123456789ab",
    *,
    openapi: bool = False,
) -> dict[str, object]:
    function = Function(
        name="api", handler="svc.handler.handler", environment=environment, openapi=openapi
    )
    manifest = Manifest(
        name="svc",
        path=Path("services/svc/service.toml"),
        description="",
        key_prefixes=(),
        functions=(function,),
    )
    return dict(resolve_environment(manifest, function, _shared(stack), version=version))


def test_plain_references_resolve() -> None:
    resolved = _resolve(
        {
            "WHERE": "${stage}",
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
        **PLATFORM,
        "WHERE": "dev",
        "TABLE": "the-table",
        "TABLE_ARN": "arn:aws:dynamodb:eu-west-1:123456789012:table/the-table",
        "POOL": "eu-west-1_pool",
        "POOL_ARN": "arn:aws:cognito-idp:eu-west-1:123456789012:userpool/eu-west-1_pool",
        "CLIENT": "client",
        "VERSION": "0.1.0+0123456789ab",
        "LITERAL": "plain",
    }


@pytest.mark.parametrize(
    ("stack", "expected"),
    [
        ("dev", {"CONFIRM": "true", "DOCS": "true"}),
        ("prod", {"CONFIRM": "false", "DOCS": "false"}),
    ],
)
def test_config_references_follow_the_stack(stack: str, expected: dict[str, str]) -> None:
    resolved = _resolve(
        {"CONFIRM": "${config.auth.autoConfirm}", "DOCS": "${config.enableDocs}"}, stack
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
    first = _resolve({"VERSION": "${service.version}", "WHERE": "${stage}"}, version="1.0+aaa")
    second = _resolve({"VERSION": "${service.version}", "WHERE": "${stage}"}, version="2.0+bbb")

    assert (first["VERSION"], second["VERSION"]) == ("1.0+aaa", "2.0+bbb")
    assert (first["SERVICE_VERSION"], second["SERVICE_VERSION"]) == ("1.0+aaa", "2.0+bbb")
    assert first["WHERE"] == second["WHERE"] == "dev"


@pytest.mark.parametrize("stack", ["dev", "prod"])
def test_every_function_gets_the_platforms_variables(stack: str) -> None:
    resolved = _resolve({}, stack)
    config = stack_config(stack)

    assert resolved["STAGE"] == stack
    assert resolved["PRODUCTION"] == config_string(config.production)
    assert resolved["POWERTOOLS_METRICS_NAMESPACE"] == f"serverless-backend/{stack}"
    assert "ENABLE_DOCS" not in resolved


@pytest.mark.parametrize("stack", ["dev", "prod"])
def test_traces_are_on_only_where_lambda_samples_them(stack: str) -> None:
    """Active tracing: Lambda samples and the function's Tracer records; PassThrough:
    nothing upstream samples (an HTTP API does not trace), so Tracer stays off."""
    resolved = _resolve({}, stack)
    active = stack_config(stack).functions.tracing == "Active"

    assert resolved["POWERTOOLS_TRACE_DISABLED"] == config_string(not active)


@pytest.mark.parametrize("stack", ["dev", "prod"])
def test_the_openapi_function_is_told_whether_docs_are_on(stack: str) -> None:
    resolved = _resolve({}, stack, openapi=True)

    assert resolved["ENABLE_DOCS"] == config_string(stack_config(stack).enable_docs)


def test_a_manifest_cannot_set_a_platform_variable() -> None:
    with pytest.raises(UnknownReferenceError, match="PRODUCTION is set by the platform"):
        _resolve({"PRODUCTION": "false"})


def test_the_shared_stack_offers_exactly_the_manifests_vocabulary() -> None:
    # A reference or resource a manifest may name must resolve on every stack.
    assert set(_shared().references) | {"service.version"} == REFERENCES
    with pytest.raises(ValueError, match=r"table\.name"):
        dataclasses.replace(
            _shared(),
            references={k: v for k, v in _shared().references.items() if k != "table.name"},
        )
    with pytest.raises(ValueError, match="sms"):
        dataclasses.replace(_shared(), resources={name: ["*"] for name in RESOURCES - {"sms"}})
