"""Faults under the running system: AWS unreachable, a worker killed. Each
answer comes through the real gateway from the real workers."""

from __future__ import annotations

import os
import signal
import threading
from collections.abc import Iterator
from typing import Any

import httpx2 as httpx
import pytest

from local_runtime.runtime import Runtime
from tests.support import Captured, mint_tokens


@pytest.fixture(scope="module")
def client(runtime: Runtime) -> httpx.Client:
    return httpx.Client(base_url=runtime.url, timeout=60)


@pytest.fixture
def emulator_stopped(client: httpx.Client, runtime: Runtime) -> Iterator[None]:
    """AWS gone: the emulator stops listening (its state kept), then comes
    back. The gateway has the pool's signing keys already, as HTTP API caches
    them, so the authorizer still lets a valid token through."""
    assert call(client, runtime, "GET /status").status_code == 200
    runtime.emulator.stop()
    # /readyz reuses a passing answer for a few seconds per process (an earlier
    # test may have just had one): fresh health workers hold none.
    runtime.restart("health")
    try:
        yield
    finally:
        runtime.emulator.resume()


def call(client: httpx.Client, runtime: Runtime, route: str) -> httpx.Response:
    method, path = route.split(" ", 1)
    bodies: dict[str, Any] = {"POST /auth/start": {"phone": "+12025550177"}}
    token = mint_tokens(runtime)["access"]
    return client.request(
        method, path, json=bodies.get(route), headers={"Authorization": f"Bearer {token}"}
    )


@pytest.mark.parametrize(
    ("service", "route"),
    [
        ("health", "GET /readyz"),
        ("items", "GET /items"),
        ("items", "GET /items/some-item"),
        ("auth", "POST /auth/start"),
    ],
)
def test_with_aws_unreachable_every_service_answers_503_itself(
    client: httpx.Client, runtime: Runtime, emulator_stopped: None, service: str, route: str
) -> None:
    """Each service's own 503 in the contract's envelope, within the gateway's
    integration timeout (a gateway timeout would be `{"message":"Service
    Unavailable"}`, no `error` field), never a 500 that feeds the 5xx alarm."""
    response = call(client, runtime, route)
    assert response.status_code == 503, response.text
    assert response.json()["error"] == "service_unavailable"
    assert response.headers["x-request-id"]


def test_aws_back_serves_again(client: httpx.Client, runtime: Runtime) -> None:
    assert call(client, runtime, "GET /readyz").status_code == 200


def test_a_worker_killed_mid_request_is_a_500_and_the_next_request_gets_a_fresh_one(
    client: httpx.Client, runtime: Runtime, console_output: Captured
) -> None:
    answers: list[httpx.Response] = []
    holding = threading.Thread(target=lambda: answers.append(client.get("/any/hold")))
    seen = len(console_output.text())
    holding.start()
    victim = console_output.holding_worker(seen)
    os.kill(victim, signal.SIGKILL)
    holding.join()
    (killed,) = answers
    assert killed.status_code == 500
    assert killed.json() == {"message": "Internal Server Error"}
    after = client.get("/any/bare")
    assert after.status_code == 200
    assert after.json()["pid"] != victim
