"""The smoke suite's own logic, against a fake stack (httpx's MockTransport): it signs in
with the test destinations it is given and nothing else, and proves the whole flow on a
stack that does not echo codes when it has the fixed test code."""

from __future__ import annotations

import argparse
import json
from collections.abc import Callable, Iterator
from typing import Any

import boto3
import httpx2 as httpx
import pytest
from moto import mock_aws

from local_runtime import smoke as smoke_module
from local_runtime.smoke import Smoke, code_for_test_destination, sign_in_options

HEADERS = {"x-request-id": "r1", "x-content-type-options": "nosniff"}
DESTINATIONS = ("+15555550100", "smoke@example.com")
CODE = "424242"  # what a stack that echoes codes echoes
SECRET = "the-stacks-authTestCode-secret"
# auth.protocol.code_for_test_destination("k", "+15555550100"), as computed by the
# auth service (services/auth/tests/test_protocol.py pins the same value).
AUTH_SERVICE_CODE = "757037"


def fixed(destination: str) -> str:
    return code_for_test_destination(SECRET, destination)


JWT = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ1In0.c2ln"


class FakeStack:
    """Health, the authorizer's refusals and sign-in; records every destination it is sent.
    Unless it echoes CODE, only each destination's fixed code signs in, as on a
    production stack."""

    def __init__(self, *, echo: bool = False) -> None:
        self.echo = echo
        self.started: list[str] = []
        self.verified_with: list[str] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        path = request.url.path
        body: dict[str, Any] = json.loads(request.content) if request.content else {}
        if path == "/healthz":
            return httpx.Response(200, json={"status": "ok", "service": "health"}, headers=HEADERS)
        if path == "/readyz":
            return httpx.Response(
                200, json={"status": "ok", "checks": {"table": "ok", "user_pool": "ok"}}
            )
        if path in ("/items", "/status") and request.headers.get("authorization") != (
            f"Bearer {JWT}"
        ):
            return httpx.Response(401, json={"message": "Unauthorized"})
        if path == "/auth/start":
            kind = "phone" if "phone" in body else "email"
            self.started.append(body[kind])
            answer = {
                "session": "s",
                kind: body[kind],
                "delivery": "sms" if kind == "phone" else "email",
            }
            return httpx.Response(200, json={**answer, **({"dev_otp": CODE} if self.echo else {})})
        if path == "/auth/verify":
            self.verified_with.append(body["otp"])
            destination = str(body.get("phone") or body.get("email"))
            if body["otp"] != (CODE if self.echo else fixed(destination)):
                return httpx.Response(401, json={"error": "invalid_code", "session": "s2"})
            tokens = {"access_token": JWT, "id_token": "id", "refresh_token": "r"}
            return httpx.Response(200, json={**tokens, "token_type": "Bearer"})
        if path == "/status":
            return httpx.Response(200, json={"user": {"sub": "u"}})
        return httpx.Response(404, json={"message": "Not Found"})


def run(stack: Callable[[httpx.Request], httpx.Response], **options: Any) -> Smoke:
    with httpx.Client(base_url="http://stack.test", transport=httpx.MockTransport(stack)) as client:
        smoke = Smoke(client, **options)
        smoke.run()
    return smoke


def outcome(smoke: Smoke, name: str) -> str:
    (found,) = [result for result, check, _ in smoke.results if check.startswith(name)]
    return found


def test_it_signs_in_with_the_test_destinations_given_and_nothing_else() -> None:
    stack = FakeStack()

    run(stack, destinations=DESTINATIONS, code=SECRET)

    assert stack.started == list(DESTINATIONS)


def test_without_test_destinations_sign_in_fails_and_nothing_is_sent() -> None:
    """Never a made-up number: on a deployed stack it would be a real SMS."""
    stack = FakeStack(echo=True)

    smoke = run(stack)

    assert stack.started == []
    assert outcome(smoke, "auth: passwordless sign-in") == "FAIL"
    assert outcome(smoke, "auth: a second user signs in") == "FAIL"


def test_with_the_fixed_code_the_whole_flow_runs_where_the_stack_echoes_nothing() -> None:
    stack = FakeStack(echo=False)

    smoke = run(stack, destinations=DESTINATIONS, code=SECRET)

    assert outcome(smoke, "auth: passwordless sign-in") == "ok"
    assert outcome(smoke, "auth: a second user signs in") == "ok"
    # Every check ran (this fake answers no items routes, so those fail; none is skipped).
    assert [name for result, name, _ in smoke.results if result == "skip"] == []
    # The wrong code first, then the right one, for each user.
    assert stack.verified_with == [
        "000000",
        fixed(DESTINATIONS[0]),
        "000000",
        fixed(DESTINATIONS[1]),
    ]


def test_the_code_derivation_matches_the_auth_services() -> None:
    assert code_for_test_destination("k", "+15555550100") == AUTH_SERVICE_CODE


def test_an_echoed_code_is_used_where_the_stack_echoes_it() -> None:
    smoke = run(FakeStack(echo=True), destinations=DESTINATIONS)

    assert outcome(smoke, "auth: passwordless sign-in") == "ok"


def test_with_no_code_at_all_the_flows_that_need_one_are_skipped_and_said_so(
    capsys: pytest.CaptureFixture[str],
) -> None:
    smoke = run(FakeStack(echo=False), destinations=DESTINATIONS)

    assert outcome(smoke, "auth: passwordless sign-in") == "skip"
    output = capsys.readouterr().out
    assert "does not echo the code and no test code was given" in output
    assert "needs a signed-in user" in output


def test_a_broken_stack_fails() -> None:
    def broken(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/items":
            return httpx.Response(200, json={"items": []})  # no authorizer in front
        return FakeStack()(request)

    smoke = run(broken)
    assert outcome(smoke, "gateway: missing, garbage and alg=none tokens are 401") == "FAIL"


# ---- where the destinations and the code come from ----


def options(*argv: str) -> argparse.Namespace:
    parser = argparse.ArgumentParser()
    parser.add_argument("--stack")
    parser.add_argument("--test-destination", action="append")
    parser.add_argument("--test-code")
    parser.add_argument("--test-code-parameter")
    return parser.parse_args(argv)


def test_options_come_first_then_the_environment() -> None:
    env = {"SMOKE_TEST_DESTINATIONS": "+15555550102, a@example.com", "SMOKE_TEST_CODE": "1"}

    from_env = sign_in_options(options(), env)
    given = sign_in_options(options("--test-destination", "+15555550109", "--test-code", "2"), env)

    assert from_env.destinations == ("+15555550102", "a@example.com")
    assert from_env.code == "1"
    assert given.destinations == ("+15555550109",)
    assert given.code == "2"


def test_a_stack_gives_its_test_destinations_and_where_a_non_echoing_stacks_code_is() -> None:
    dev = sign_in_options(options("--stack", "dev"), {})
    prod = sign_in_options(options("--stack", "prod"), {})

    assert dev.destinations
    assert all(d.startswith("+1555555") or d.endswith("example.com") for d in dev.destinations)
    assert dev.code_parameter is None  # dev echoes the code of a test destination
    assert prod.destinations
    assert prod.code_parameter == "/serverless-backend/prod/secrets/authTestCode"
    assert prod.region == "eu-west-1"


@pytest.fixture
def ssm(monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    for name, value in {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_DEFAULT_REGION": "eu-west-1",
    }.items():
        monkeypatch.setenv(name, value)
    with mock_aws():
        yield boto3.client("ssm", region_name="eu-west-1")


def test_the_code_is_read_from_its_parameter_and_never_printed(
    ssm: Any, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    ssm.put_parameter(Name="/s/secrets/authTestCode", Value=SECRET, Type="SecureString")
    stack = FakeStack(echo=False)
    monkeypatch.setattr("local_runtime.smoke.httpx.Client", _client_with(stack))

    smoke_module.main(
        [
            "--api-url",
            "http://stack.test",
            "--test-destination",
            DESTINATIONS[0],
            "--test-destination",
            DESTINATIONS[1],
            "--test-code-parameter",
            "/s/secrets/authTestCode",
        ],
        environ={},
    )

    assert stack.verified_with[1] == fixed(DESTINATIONS[0])
    printed = capsys.readouterr().out
    assert SECRET not in printed
    assert fixed(DESTINATIONS[0]) not in printed


def test_an_unreadable_code_parameter_is_a_failure_not_a_skip(
    ssm: Any, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr("local_runtime.smoke.httpx.Client", _client_with(FakeStack()))

    status = smoke_module.main(
        ["--api-url", "http://stack.test", "--test-code-parameter", "/no/such"], environ={}
    )

    assert status == 1
    assert "FAIL  auth: the test code from /no/such  (CheckFailed: cannot read it: " in (
        capsys.readouterr().out
    )


def _client_with(stack: FakeStack) -> Callable[..., httpx.Client]:
    real = httpx.Client

    def client(**kwargs: Any) -> httpx.Client:
        return real(transport=httpx.MockTransport(stack), **kwargs)

    return client


# ---- a production stack: its test destinations sign in through IAM (issue 18) ----

# auth.protocol.ticket("k", "+15555550100", "sms", 1800000030), as the auth service
# makes it (services/auth/tests/test_protocol.py pins the same value).
AUTH_SERVICE_TICKET = "1800000030.854ed5ea8c295d0433dbde05ba346b6f55ee19715869da84705cc2c6271803af"


class UsernameExistsException(Exception):
    pass


class FakeCognito:
    """AdminCreateUser, AdminInitiateAuth, AdminRespondToAuthChallenge, noting each call."""

    exceptions = argparse.Namespace(UsernameExistsException=UsernameExistsException)

    def __init__(self) -> None:
        self.calls: list[tuple[str, dict[str, Any]]] = []

    def __getattr__(self, operation: str) -> Callable[..., Any]:
        def call(**parameters: Any) -> Any:
            self.calls.append((operation, parameters))
            if operation == "admin_initiate_auth":
                return {"Session": "session-1"}
            if operation == "admin_respond_to_auth_challenge":
                return {
                    "AuthenticationResult": {
                        "AccessToken": JWT,
                        "IdToken": JWT,
                        "RefreshToken": "r",
                    }
                }
            return {}

        return call


def test_a_production_stacks_test_destination_signs_in_through_iam_only() -> None:
    import base64
    import hashlib
    import hmac

    cognito = FakeCognito()
    iam = smoke_module.IamSignIn(
        cognito, "pool-1", "client-1", "s3cret", "k", lambda: 1_800_000_000
    )
    assert iam.tokens("+15555550100")["AccessToken"] == JWT

    calls = dict(cognito.calls)
    assert calls["admin_create_user"]["MessageAction"] == "SUPPRESS"
    started = calls["admin_initiate_auth"]
    assert started["ClientMetadata"] == {"delivery": "sms", "ticket": AUTH_SERVICE_TICKET}
    mac = hmac.new(b"s3cret", b"+15555550100client-1", hashlib.sha256).digest()
    assert started["AuthParameters"]["SECRET_HASH"] == base64.b64encode(mac).decode()
    answered = calls["admin_respond_to_auth_challenge"]["ChallengeResponses"]
    assert answered["ANSWER"] == AUTH_SERVICE_CODE
