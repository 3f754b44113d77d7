"""secret_value: a stack secret read from SSM once per process, decrypted, at first use."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator

import pytest
from botocore.stub import Stubber

from service_kernel.aws import clear_clients, client
from service_kernel.parameters import forget_secrets, secret_value

PARAMETER = "/serverless-backend/dev/secrets/itemsCursorKey:3"


@pytest.fixture
def ssm(monkeypatch: pytest.MonkeyPatch) -> Iterator[Stubber]:
    monkeypatch.setenv("AWS_DEFAULT_REGION", "eu-west-1")
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    clear_clients()
    forget_secrets()
    with Stubber(client("ssm")) as stubber:
        yield stubber
    forget_secrets()
    clear_clients()


def _answer(stubber: Stubber, value: str) -> None:
    stubber.add_response(
        "get_parameter",
        {"Parameter": {"Name": PARAMETER.split(":")[0], "Type": "SecureString", "Value": value}},
        {"Name": PARAMETER, "WithDecryption": True},
    )


def test_the_value_is_read_decrypted_by_the_name_and_version_given(ssm: Stubber) -> None:
    _answer(ssm, "s3cret")

    assert secret_value(PARAMETER) == "s3cret"
    ssm.assert_no_pending_responses()


def test_the_value_is_read_once_per_process(ssm: Stubber) -> None:
    _answer(ssm, "s3cret")

    first = secret_value(PARAMETER)
    # The stub has no second answer: another call to SSM would fail here.
    assert secret_value(PARAMETER) == first


def test_a_failed_read_is_not_cached(ssm: Stubber) -> None:
    ssm.add_client_error("get_parameter", "ThrottlingException")
    _answer(ssm, "s3cret")

    with pytest.raises(Exception, match="ThrottlingException"):
        secret_value(PARAMETER)
    assert secret_value(PARAMETER) == "s3cret"


def test_importing_it_reads_nothing_and_loads_neither_boto3_nor_fastapi() -> None:
    code = (
        "import sys, service_kernel.parameters; "
        "from service_kernel import secret_value; "
        "assert 'boto3' not in sys.modules, 'boto3 was imported'; "
        "assert 'fastapi' not in sys.modules, 'fastapi was imported'; "
        "from service_kernel.aws import _cached_client; "
        "assert _cached_client.cache_info().currsize == 0, 'a client was built at import'"
    )
    subprocess.run([sys.executable, "-c", code], check=True)
