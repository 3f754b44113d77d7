"""The cursor-signing key comes from its SSM SecureString parameter, read once, checked."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from moto import mock_aws

from items.repository import StoreUnavailable
from items.signing_key import WeakSigningKey, cursor_signing_key
from service_kernel.aws import clear_clients
from service_kernel.parameters import forget_secrets

SIGNING_KEY_PARAMETER = "/stack/secrets/itemsCursorKey"
SIGNING_KEY = "k" * 40


def put_signing_key(ssm: Any, value: str = SIGNING_KEY) -> None:
    ssm.put_parameter(Name=SIGNING_KEY_PARAMETER, Value=value, Type="SecureString")


@pytest.fixture
def ssm() -> Iterator[Any]:
    forget_secrets()
    clear_clients()
    with mock_aws():
        yield boto3.client("ssm")
    forget_secrets()
    clear_clients()


def test_the_key_is_the_parameters_decrypted_value_at_the_version_named(ssm: Any) -> None:
    put_signing_key(ssm)
    ssm.put_parameter(
        Name=SIGNING_KEY_PARAMETER, Value="n" * 40, Type="SecureString", Overwrite=True
    )

    assert cursor_signing_key(f"{SIGNING_KEY_PARAMETER}:1") == SIGNING_KEY.encode()
    assert cursor_signing_key(f"{SIGNING_KEY_PARAMETER}:2") == b"n" * 40


def test_a_short_key_is_refused_naming_the_parameter_never_the_key(ssm: Any) -> None:
    short = "short-but-secret-key-31-bytes!!"
    put_signing_key(ssm, short)

    with pytest.raises(WeakSigningKey, match=SIGNING_KEY_PARAMETER) as error:
        cursor_signing_key(SIGNING_KEY_PARAMETER)
    assert short not in str(error.value)


def test_the_key_is_counted_in_bytes(ssm: Any) -> None:
    put_signing_key(ssm, "é" * 16)  # 16 two-byte characters are 32 bytes

    assert len(cursor_signing_key(SIGNING_KEY_PARAMETER)) == 32


def test_an_unreadable_parameter_is_a_busy_store_not_a_crash(ssm: Any) -> None:
    with pytest.raises(StoreUnavailable):
        cursor_signing_key("/no/such/parameter")
