"""The passwordless flow's requests, as a client sends them, for the route tests."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient


def start(client: TestClient, **destination: str) -> Any:
    return client.post("/auth/start", json=destination)


def verify(client: TestClient, session: str, otp: str, **destination: str) -> Any:
    return client.post("/auth/verify", json={**destination, "otp": otp, "session": session})


def wrong(code: str) -> str:
    """A code that is not `code`: six digits still."""
    return f"{(int(code) + 1) % 1_000_000:06d}"
