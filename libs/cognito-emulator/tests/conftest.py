from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest

os.environ.update(
    {
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
    }
)

import boto3
from moto import mock_aws

from cognito_emulator import install_triggers, uninstall_triggers
from cognito_emulator.client_secrets import secret_hash
from cognito_emulator.testing import InProcessInvoker, ManualClock, create_shared_pool

PASSWORD = "Passw0rd!"
TRIGGERS = (
    "PreSignUp",
    "DefineAuthChallenge",
    "CreateAuthChallenge",
    "VerifyAuthChallengeResponse",
    "CustomMessage",
)


def arn(trigger: str) -> str:
    return f"arn:aws:lambda:us-east-1:123456789012:function:app-{trigger}"


def define_otp(event: dict[str, Any], _: Any) -> dict[str, Any]:
    """A define trigger like AWS's examples: tokens after a right answer,
    failure after three wrong ones."""
    session = event["request"]["session"]
    response = event["response"]
    if session and session[-1]["challengeResult"]:
        response["issueTokens"] = True
    elif len(session) >= 3:
        response["failAuthentication"] = True
    else:
        response["challengeName"] = "CUSTOM_CHALLENGE"
    return event


def create_otp(event: dict[str, Any], _: Any) -> dict[str, Any]:
    event["response"]["publicChallengeParameters"] = {"hint": "six digits"}
    event["response"]["privateChallengeParameters"] = {"answer": "123456"}
    event["response"]["challengeMetadata"] = f"ROUND-{len(event['request']['session']) + 1}"
    return event


def verify_otp(event: dict[str, Any], _: Any) -> dict[str, Any]:
    request = event["request"]
    expected = request["privateChallengeParameters"].get("answer")
    event["response"]["answerCorrect"] = request["challengeAnswer"] == expected
    return event


def pre_sign_up(event: dict[str, Any], _: Any) -> dict[str, Any]:
    return event


def custom_message(event: dict[str, Any], _: Any) -> dict[str, Any]:
    """Sets no text: Cognito's own is sent."""
    return event


@dataclass
class Pool:
    cognito: Any
    pool_id: str
    client_id: str
    # The app client's secret, where it has one.
    secret: str | None = None

    def secret_hash(self, username: str) -> dict[str, str]:
        """SecretHash for a call about `username`, where the client has a secret."""
        if self.secret is None:
            return {}
        return {"SecretHash": secret_hash(self.secret, username, self.client_id)}

    def sign_up(self, username: str, password: str = PASSWORD, **kwargs: Any) -> Any:
        return self.cognito.sign_up(
            ClientId=self.client_id,
            Username=username,
            Password=password,
            **self.secret_hash(username),
            **kwargs,
        )

    def confirmed_user(self, username: str, password: str = PASSWORD) -> None:
        self.sign_up(username, password)
        self.cognito.admin_confirm_sign_up(UserPoolId=self.pool_id, Username=username)


def create_pool(
    cognito: Any, pool_options: dict[str, Any] | None = None, **client_options: Any
) -> Pool:
    """The shared pool's shape: e-mail or phone as username, the five triggers,
    a public client with custom auth, no user-existence errors, revocation."""
    lambda_config = {trigger: arn(trigger) for trigger in TRIGGERS}
    pool_id, client_id = create_shared_pool(
        cognito, lambda_config, pool_options=pool_options, **client_options
    )
    client = cognito.describe_user_pool_client(UserPoolId=pool_id, ClientId=client_id)
    return Pool(cognito, pool_id, client_id, client["UserPoolClient"].get("ClientSecret"))


@pytest.fixture(name="arn")
def arn_fixture() -> Callable[[str], str]:
    return arn


@pytest.fixture(name="create_pool")
def create_pool_fixture() -> Callable[..., Pool]:
    """create_pool(cognito_client, pool_options=None, **client_options), for a
    pool or client of one's own."""
    return create_pool


@pytest.fixture
def lambdas() -> InProcessInvoker:
    return InProcessInvoker(
        {
            arn("PreSignUp"): pre_sign_up,
            arn("DefineAuthChallenge"): define_otp,
            arn("CreateAuthChallenge"): create_otp,
            arn("VerifyAuthChallengeResponse"): verify_otp,
            arn("CustomMessage"): custom_message,
        }
    )


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock()


@pytest.fixture
def installed(lambdas: InProcessInvoker, clock: ManualClock) -> Iterator[InProcessInvoker]:
    install_triggers(lambdas, clock=clock)
    yield lambdas
    uninstall_triggers()


@pytest.fixture
def make_pool(installed: InProcessInvoker) -> Iterator[Callable[..., Pool]]:
    with mock_aws():
        yield lambda **options: create_pool(boto3.client("cognito-idp"), **options)


@pytest.fixture
def pool(make_pool: Callable[..., Pool]) -> Pool:
    return make_pool()
