"""The smoke suite's own logic, against a fake stack (httpx's MockTransport)."""

from __future__ import annotations

import json

import httpx2 as httpx
import pytest

from local_runtime.smoke import Smoke

HEADERS = {"x-request-id": "r1", "x-content-type-options": "nosniff"}


def stack_without_dev_otp(request: httpx.Request) -> httpx.Response:
    path = request.url.path
    if path == "/healthz":
        return httpx.Response(200, json={"status": "ok", "service": "health"}, headers=HEADERS)
    if path == "/readyz":
        return httpx.Response(
            200, json={"status": "ok", "checks": {"table": "ok", "user_pool": "ok"}}
        )
    if path in ("/items", "/status"):
        return httpx.Response(401, json={"message": "Unauthorized"})
    if path == "/auth/start":
        phone = json.loads(request.content)["phone"]
        return httpx.Response(200, json={"session": "s", "phone": phone, "delivery": "sms"})
    return httpx.Response(404, json={"message": "Not Found"})


def run(handler: httpx.MockTransport) -> Smoke:
    with httpx.Client(base_url="http://stack.test", transport=handler) as client:
        smoke = Smoke(client)
        smoke.run()
    return smoke


def test_without_dev_otp_the_flows_that_need_a_code_are_skipped_not_failed(
    capsys: pytest.CaptureFixture[str],
) -> None:
    smoke = run(httpx.MockTransport(stack_without_dev_otp))
    passed, failed, skipped = smoke.summary()
    assert (passed, failed) == (4, 0)
    assert skipped == len(smoke.results) - 4
    output = capsys.readouterr().out
    assert "this stack does not echo dev_otp" in output
    assert "needs a signed-in user" in output


def test_a_broken_stack_fails() -> None:
    def broken(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/items":
            return httpx.Response(200, json={"items": []})  # no authorizer in front
        return stack_without_dev_otp(request)

    smoke = run(httpx.MockTransport(broken))
    assert smoke.summary()[1] == 1
    assert [name for outcome, name, _ in smoke.results if outcome == "FAIL"] == [
        "gateway: missing, garbage and alg=none tokens are 401"
    ]
