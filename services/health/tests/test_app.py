"""The health routes, through the ASGI app."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from health import checks
from health.settings import settings
from service_kernel.aws import clear_clients
from service_kernel.testing import AsAuthorizedBy, id_token_claims


def test_healthz_answers_without_calling_any_dependency(
    client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    def no_calls(*_: Any, **__: Any) -> None:
        raise AssertionError("healthz must not call AWS")

    monkeypatch.setattr(checks, "client", no_calls)
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.json()
    assert body == {
        "status": "ok",
        "service": "health",
        "stage": "test",
        "version": body["version"],
    }
    assert body["version"]


def test_healthz_reports_the_deployed_version(client: TestClient) -> None:
    from health.app import VERSION

    assert client.get("/healthz").json()["version"] == VERSION


def test_readyz_is_ok_when_table_and_pool_answer(client: TestClient, aws: dict[str, Any]) -> None:
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "checks": {"table": "ok", "user_pool": "ok"}}


def test_readyz_is_503_naming_the_failing_table(
    client: TestClient, aws: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(settings, "table_name", "no-such-table")
    response = client.get("/readyz")
    assert response.status_code == 503
    body = response.json()
    assert body["checks"] == {"table": "error", "user_pool": "ok"}
    assert body["error"] == "service_unavailable"
    assert body["request_id"] == response.headers["x-request-id"]


def test_readyz_is_503_naming_the_failing_pool(
    client: TestClient, aws: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(settings, "user_pool_id", "us-east-1_missing")
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["checks"] == {"table": "ok", "user_pool": "error"}


def test_readyz_reports_an_unreachable_endpoint_as_error(
    client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Nothing listens on port 9 of loopback: a connection error, not a 500.
    monkeypatch.setenv("AWS_ENDPOINT_URL", "http://127.0.0.1:9")
    clear_clients()
    try:
        response = client.get("/readyz")
    finally:
        clear_clients()
    assert response.status_code == 503
    assert response.json()["checks"] == {"table": "error", "user_pool": "error"}


def test_readyz_is_cached_for_a_few_seconds(
    client: TestClient, aws: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A public route: a flood of /readyz must not become a flood of
    control-plane calls."""
    from health import checks

    now = [1000.0]
    calls: list[str] = []
    monkeypatch.setattr(checks, "clock", lambda: now[0])
    monkeypatch.setitem(checks.CHECKS, "table", lambda: calls.append("table"))
    for _ in range(20):
        assert client.get("/readyz").status_code == 200
    assert calls == ["table"]
    now[0] += checks.CACHE_SECONDS
    client.get("/readyz")
    assert calls == ["table", "table"]


def test_a_failing_readiness_is_not_cached_so_recovery_shows_at_once(
    client: TestClient, aws: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    from health import checks

    monkeypatch.setattr(settings, "table_name", "no-such-table")
    assert client.get("/readyz").status_code == 503
    monkeypatch.setattr(settings, "table_name", aws["table_name"])
    assert client.get("/readyz").status_code == 200
    assert checks.CACHE_SECONDS > 0


def test_status_echoes_the_caller(user_client: TestClient) -> None:
    response = user_client.get("/status")
    assert response.status_code == 200
    assert response.json() == {
        "status": "ok",
        "stage": "test",
        "user": {"sub": "user-7", "username": "ada"},
    }


def test_status_without_a_caller_is_401(client: TestClient) -> None:
    response = client.get("/status")
    assert response.status_code == 401
    assert response.json()["error"] == "unauthorized"


def test_status_refuses_an_id_token() -> None:
    from health.app import app

    response = TestClient(AsAuthorizedBy(app, id_token_claims("user-7"))).get("/status")
    assert response.status_code == 401
