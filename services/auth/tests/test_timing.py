"""New and known users take the same time on the routes that sign up."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from auth import timing


@pytest.fixture
def sleeps(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    monkeypatch.setattr(timing, "SIGN_UP_FLOOR_SECONDS", 5.0)
    monkeypatch.setattr(timing, "START_FLOOR_SECONDS", 5.0)
    slept: list[float] = []
    monkeypatch.setattr(timing, "sleep", slept.append)
    return slept


def test_the_floor_pads_a_fast_step(sleeps: list[float]) -> None:
    with timing.at_least(5.0):
        pass
    assert len(sleeps) == 1
    assert 4.9 < sleeps[0] <= 5.0


@pytest.mark.parametrize(
    ("path", "body"),
    [
        ("/auth/start", {"email": "ada@example.com"}),
        ("/auth/signup", {"email": "ada@example.com", "password": "Passw0rd!"}),
    ],
)
def test_new_and_known_users_are_both_padded_to_the_floor(
    client: TestClient, aws: Any, sleeps: list[float], path: str, body: dict[str, str]
) -> None:
    assert client.post(path, json=body).status_code in (200, 201)
    assert client.post(path, json=body).status_code in (200, 201)
    assert len(sleeps) == 2
    assert all(4.0 < seconds <= 5.0 for seconds in sleeps)


def test_a_user_who_cannot_use_a_code_is_padded_too(
    client: TestClient, aws: Any, sleeps: list[float]
) -> None:
    client.post("/auth/signup", json={"email": "ada@example.com", "password": "Passw0rd!"})
    sleeps.clear()
    assert client.post("/auth/start", json={"email": "ada@example.com"}).status_code == 200
    assert len(sleeps) == 1
    assert 4.0 < sleeps[0] <= 5.0
