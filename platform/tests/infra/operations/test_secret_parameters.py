"""`make secrets STACK=<stack>` against the emulator's SSM (moto): every parameter the
program names exists afterwards as a SecureString with a random value; none is ever
overwritten, and no value is printed.

SSM's behaviour it relies on: PutParameter with `Overwrite=False` on an existing name
fails with ParameterAlreadyExists and leaves the parameter alone (SSM API reference,
PutParameter, "Overwrite": "The default value is false"; "ParameterAlreadyExists: The
parameter already exists. You can't create duplicate parameters"). Without a KeyId a
SecureString is encrypted with the AWS managed key aws/ssm.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from botocore.session import get_session
from moto import mock_aws

from infra.operations import secret_parameters
from infra.operations.secret_parameters import (
    SOURCES,
    SecretKeyConflict,
    StackSecret,
    create_missing,
    parameter_name,
    stack_secrets,
)
from infra.program.stack_files import stack_config
from service_manifest import Manifest

REGION = "eu-west-1"
WANTED = [StackSecret("authTestCode", "read by auth"), StackSecret("itemsCursorKey", "items")]


@pytest.fixture
def ssm() -> Iterator[Any]:
    with mock_aws():
        yield get_session().create_client("ssm", region_name=REGION)


def value(ssm: Any, key: str) -> str:
    name = parameter_name("prod", key)
    parameter = ssm.get_parameter(Name=name, WithDecryption=True)["Parameter"]
    assert parameter["Type"] == "SecureString"
    return str(parameter["Value"])


def test_the_missing_secrets_are_created_with_random_values(ssm: Any) -> None:
    lines: list[str] = []

    created = create_missing(ssm, "prod", WANTED, log=lines.append)

    assert created == [
        "/serverless-backend/prod/secrets/authTestCode",
        "/serverless-backend/prod/secrets/itemsCursorKey",
    ]
    first, second = value(ssm, "authTestCode"), value(ssm, "itemsCursorKey")
    assert len(first) == len(second) == 64
    assert first.isalnum()
    assert first != second
    # Names only: no value is ever printed.
    assert lines == [f"{name}: created (SecureString, a random value)" for name in created]
    assert not any(first in line or second in line for line in lines)


def test_an_existing_secret_is_never_overwritten(ssm: Any) -> None:
    create_missing(ssm, "prod", WANTED[:1], log=lambda _: None)
    before = value(ssm, "authTestCode")
    lines: list[str] = []

    created = create_missing(ssm, "prod", WANTED, log=lines.append)

    assert created == ["/serverless-backend/prod/secrets/itemsCursorKey"]
    assert value(ssm, "authTestCode") == before
    assert lines[0] == "/serverless-backend/prod/secrets/authTestCode: exists, kept"


def test_running_it_twice_changes_nothing_the_second_time(ssm: Any) -> None:
    create_missing(ssm, "prod", WANTED, log=lambda _: None)
    values = [value(ssm, s.key) for s in WANTED]

    assert create_missing(ssm, "prod", WANTED, log=lambda _: None) == []
    assert [value(ssm, s.key) for s in WANTED] == values


def test_the_stacks_secrets_are_the_ones_its_services_name(manifests: tuple[Manifest, ...]) -> None:
    secrets = stack_secrets(stack_config("prod"), manifests)

    assert [s.key for s in secrets] == [
        "authClientSecret",
        "authDestinationKey",
        "authTestCode",
        "authTicketKey",
        "itemsCursorKey",
    ]
    (cursor,) = [s for s in secrets if s.key == "itemsCursorKey"]
    assert cursor.description == "Stack secret itemsCursorKey, read by items.api"
    # The app client's secret too: auth's API names it, `make client-secret` hands it to Cognito.
    (client,) = [s for s in secrets if s.key == "authClientSecret"]
    assert client.description == "Stack secret authClientSecret, read by auth.api"


def test_another_source_of_secrets_is_one_function_added(
    monkeypatch: pytest.MonkeyPatch, manifests: tuple[Manifest, ...]
) -> None:
    def client_secret(_config: Any, _manifests: Any) -> list[StackSecret]:
        return [StackSecret("identityClientSecret", "the app client's secret")]

    monkeypatch.setattr(secret_parameters, "SOURCES", [*SOURCES, client_secret])

    keys = [s.key for s in stack_secrets(stack_config("dev"), manifests)]
    assert "identityClientSecret" in keys
    assert "itemsCursorKey" in keys


def test_one_key_named_differently_twice_is_refused(
    monkeypatch: pytest.MonkeyPatch, manifests: tuple[Manifest, ...]
) -> None:
    def clash(_config: Any, _manifests: Any) -> list[StackSecret]:
        return [StackSecret("itemsCursorKey", "something else")]

    monkeypatch.setattr(secret_parameters, "SOURCES", [*SOURCES, clash])

    with pytest.raises(SecretKeyConflict, match="itemsCursorKey"):
        stack_secrets(stack_config("dev"), manifests)


def test_make_secrets_creates_the_stacks_secrets_in_its_region(
    monkeypatch: pytest.MonkeyPatch, ssm: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    regions: list[str] = []

    def client(region: str) -> Any:
        regions.append(region)
        return ssm

    monkeypatch.setattr(secret_parameters, "_ssm_client", client)

    assert secret_parameters.main(["--stack", "prod"]) == 0
    assert regions == [stack_config("prod").region]
    names = [p["Name"] for p in ssm.describe_parameters()["Parameters"]]
    assert sorted(names) == [
        f"/serverless-backend/prod/secrets/{key}"
        for key in (
            "authClientSecret",
            "authDestinationKey",
            "authTestCode",
            "authTicketKey",
            "itemsCursorKey",
        )
    ]
    printed = capsys.readouterr().out
    for name in names:
        assert value(ssm, name.rsplit("/", 1)[1]) not in printed
