from __future__ import annotations

import os
import uuid
from collections.abc import Callable, Iterator
from typing import Any

import pytest

# The settings are read once at import, as on Lambda: set them first.
os.environ.update(
    {
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "STAGE": "test",
        "TABLE_NAME": "app-table",
        # As the platform gives it: the key's SSM parameter, at a version (see `table`).
        "CURSOR_SIGNING_KEY_PARAMETER": "/test/secrets/itemsCursorKey:1",
        "CURSOR_TTL_SECONDS": "300",
        "POWERTOOLS_SERVICE_NAME": "items",
        # The stack's CloudWatch namespace, which the business metrics are written in.
        "POWERTOOLS_METRICS_NAMESPACE": "serverless-backend/test",
    }
)

import boto3
from fastapi.testclient import TestClient
from moto import mock_aws

from items.app import app
from service_kernel.testing import AsAuthorizedBy, access_claims, create_shared_table

TABLE = "app-table"
SIGNING_KEY_PARAMETER = "/test/secrets/itemsCursorKey"
SIGNING_KEY = "test-cursor-signing-key-0123456789abcdef"


def _create_table(dynamodb: Any) -> str:
    """The shared table as the platform declares it."""
    return create_shared_table(dynamodb, TABLE)


@pytest.fixture
def create_table() -> Callable[[Any], str]:
    """Creates the table through a given client (e.g. one on a moto server)."""
    return _create_table


@pytest.fixture(scope="module")
def table() -> Iterator[str]:
    """The table in moto, shared by one test module: each test keeps to its
    own callers (fresh subs), so items never leak between tests."""
    with mock_aws():
        _put_signing_key(boto3.client("ssm"))
        yield _create_table(boto3.client("dynamodb"))


def _put_signing_key(ssm: Any) -> None:
    """The cursor-signing key as the platform keeps it: a SecureString parameter."""
    ssm.put_parameter(Name=SIGNING_KEY_PARAMETER, Value=SIGNING_KEY, Type="SecureString")


def fresh_sub(name: str) -> str:
    return f"{name}-{uuid.uuid4()}"


def as_user(sub: str) -> TestClient:
    return TestClient(AsAuthorizedBy(app, access_claims(sub)), raise_server_exceptions=False)


@pytest.fixture
def alice_sub() -> str:
    return fresh_sub("alice")


@pytest.fixture
def bob_sub() -> str:
    return fresh_sub("bob")


@pytest.fixture
def alice(table: str, alice_sub: str) -> TestClient:
    return as_user(alice_sub)


@pytest.fixture
def bob(table: str, bob_sub: str) -> TestClient:
    return as_user(bob_sub)


@pytest.fixture
def anonymous(table: str) -> TestClient:
    return TestClient(app, raise_server_exceptions=False)


def new_item(client: TestClient, **fields: Any) -> dict[str, Any]:
    """POST an item (name and price defaulted) and return its body."""
    body = {"name": "Widget", "price": 19.99, **fields}
    response = client.post("/items", json=body)
    assert response.status_code == 201, response.text
    item: dict[str, Any] = response.json()
    return item


@pytest.fixture
def make_item() -> Callable[..., dict[str, Any]]:
    return new_item
