"""install_triggers / uninstall_triggers, in-process and behind a moto server."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import boto3
from moto import mock_aws
from moto.cognitoidp.responses import CognitoIdpResponse
from moto.server import ThreadedMotoServer

from cognito_emulator import install_triggers, uninstall_triggers
from cognito_emulator.testing import InProcessInvoker


def custom_auth(pool: Any, username: str) -> dict[str, Any]:
    return pool.cognito.initiate_auth(  # type: ignore[no-any-return]
        ClientId=pool.client_id,
        AuthFlow="CUSTOM_AUTH",
        AuthParameters={"USERNAME": username},
    )


def test_a_second_install_replaces_the_invoker(
    make_pool: Callable[..., Any], lambdas: InProcessInvoker
) -> None:
    replacement = InProcessInvoker(lambdas.handlers)
    install_triggers(replacement)
    pool = make_pool()
    pool.confirmed_user("ada@example.com")
    custom_auth(pool, "ada@example.com")
    assert lambdas.calls == []
    assert replacement.sources()[-1] == "CreateAuthChallenge_Authentication"


def test_uninstall_gives_moto_its_own_behaviour_back(
    lambdas: InProcessInvoker, create_pool: Callable[..., Any]
) -> None:
    install_triggers(lambdas)
    install_triggers(lambdas)
    uninstall_triggers()
    assert not hasattr(CognitoIdpResponse, "revoke_token")
    with mock_aws():
        pool = create_pool(boto3.client("cognito-idp"))
        # moto alone refuses SignUp in a pool without self-service recovery
        # (it words a sign-up's delivery from the recovery setting): an
        # administrator's user instead.
        pool.cognito.admin_create_user(
            UserPoolId=pool.pool_id, Username="ada@example.com", MessageAction="SUPPRESS"
        )
        pool.cognito.admin_set_user_password(
            UserPoolId=pool.pool_id,
            Username="ada@example.com",
            Password="Passw0rd!",
            Permanent=True,
        )
        result = custom_auth(pool, "ada@example.com")
    # moto alone answers CUSTOM_AUTH with an empty result and runs nothing.
    assert "ChallengeName" not in result
    assert lambdas.calls == []


def test_triggers_run_behind_a_threaded_moto_server(
    lambdas: InProcessInvoker, create_pool: Callable[..., Any]
) -> None:
    install_triggers(lambdas)
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    try:
        host, port = server.get_host_and_port()
        cognito = boto3.client("cognito-idp", endpoint_url=f"http://{host}:{port}")
        pool = create_pool(cognito)
        pool.confirmed_user("ada@example.com")
        challenge = custom_auth(pool, "ada@example.com")
        result = cognito.respond_to_auth_challenge(
            ClientId=pool.client_id,
            ChallengeName="CUSTOM_CHALLENGE",
            Session=challenge["Session"],
            ChallengeResponses={"USERNAME": "ada@example.com", "ANSWER": "123456"},
        )
    finally:
        server.stop()
        uninstall_triggers()
    assert result["AuthenticationResult"]["AccessToken"]
    assert lambdas.sources()[0] == "PreSignUp_SignUp"


def test_global_sign_out_reaches_a_pool_outside_us_east_1_behind_the_server(
    lambdas: InProcessInvoker, create_pool: Callable[..., Any]
) -> None:
    """GlobalSignOut carries no signature, so moto's server alone would look
    for the token in us-east-1 and answer NotAuthorizedException for a pool
    elsewhere (dev is eu-west-1): the sign-out would silently not happen."""
    install_triggers(lambdas)
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    try:
        host, port = server.get_host_and_port()
        cognito = boto3.client(
            "cognito-idp", region_name="eu-west-1", endpoint_url=f"http://{host}:{port}"
        )
        pool = create_pool(cognito)
        pool.confirmed_user("ada@example.com")
        tokens = cognito.initiate_auth(
            ClientId=pool.client_id,
            AuthFlow="USER_PASSWORD_AUTH",
            AuthParameters={"USERNAME": "ada@example.com", "PASSWORD": "Passw0rd!"},
        )["AuthenticationResult"]
        cognito.global_sign_out(AccessToken=tokens["AccessToken"])
        refused = None
        try:
            cognito.initiate_auth(
                ClientId=pool.client_id,
                AuthFlow="REFRESH_TOKEN_AUTH",
                AuthParameters={"REFRESH_TOKEN": tokens["RefreshToken"]},
            )
        except cognito.exceptions.NotAuthorizedException as exc:
            refused = exc
    finally:
        server.stop()
        uninstall_triggers()
    assert refused is not None
