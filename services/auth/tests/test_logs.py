"""No token, code or password ever reaches a log line."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

PHONE = "+12025550101"
PASSWORD = "Passw0rd!"


def logged(caplog: pytest.LogCaptureFixture) -> str:
    return " ".join(str(record.__dict__) for record in caplog.records)


def test_a_whole_sign_in_logs_no_secret(
    client: TestClient, aws: Any, auto_confirm: None, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level("INFO")
    started = client.post("/auth/start", json={"phone": PHONE}).json()
    tokens = client.post(
        "/auth/verify",
        json={"phone": PHONE, "otp": started["dev_otp"], "session": started["session"]},
    ).json()
    client.post("/auth/signup", json={"email": "ada@example.com", "password": PASSWORD})
    login = client.post("/auth/login", json={"email": "ada@example.com", "password": PASSWORD})
    refreshed = client.post("/auth/refresh", json={"refresh_token": tokens["refresh_token"]})

    text = logged(caplog)
    messages = {record.getMessage() for record in caplog.records}
    assert {"request", "code sent"} <= messages  # the access log and the trigger did log
    secrets = [
        started["dev_otp"],
        started["session"],
        PASSWORD,
        tokens["access_token"],
        tokens["refresh_token"],
        login.json()["id_token"],
        refreshed.json()["access_token"],
    ]
    for secret in secrets:
        assert secret not in text
