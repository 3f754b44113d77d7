from __future__ import annotations

import os
from collections.abc import Iterator
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
        "USER_POOL_ID": "us-east-1_placeholder",
        "POWERTOOLS_SERVICE_NAME": "health",
    }
)

import boto3
from fastapi.testclient import TestClient
from moto import mock_aws

from health import checks
from health.app import app
from health.settings import settings
from service_kernel.testing import AsAuthorizedBy, access_claims, create_shared_table


@pytest.fixture(autouse=True)
def fresh_readiness() -> Iterator[None]:
    """Each test sees its own checks, not the previous test's cached answer."""
    checks.forget_cached_checks()
    yield
    checks.forget_cached_checks()


@pytest.fixture
def aws(monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[str, Any]]:
    """The table and pool the platform would create, in moto."""
    with mock_aws():
        create_shared_table(boto3.client("dynamodb"), "app-table")
        pool_id = boto3.client("cognito-idp").create_user_pool(PoolName="app")["UserPool"]["Id"]
        monkeypatch.setattr(settings, "user_pool_id", pool_id)
        yield {"table_name": "app-table", "user_pool_id": pool_id}


@pytest.fixture
def client() -> TestClient:
    return TestClient(app, raise_server_exceptions=False)


@pytest.fixture
def user_client() -> TestClient:
    return TestClient(AsAuthorizedBy(app, access_claims("user-7", username="ada")))
