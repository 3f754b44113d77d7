"""A client with a secret: every call it makes for a user is refused without a
valid SECRET_HASH, as Cognito refuses it.

Cognito's developer guide, "Computing secret hash values"
(https://docs.aws.amazon.com/cognito/latest/developerguide/signing-up-users-in-your-app.html#cognito-user-pools-computing-secret-hash):
when an app client has a secret, SignUp, ConfirmSignUp, ResendConfirmationCode,
ForgotPassword, ConfirmForgotPassword, InitiateAuth and RespondToAuthChallenge
must carry SECRET_HASH = Base64(HMAC-SHA256(client secret, username + client
id)); RevokeToken and GetTokensFromRefreshToken take the secret itself
(ClientSecret). The API reference's AddUserPoolClientSecret
(https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/API_AddUserPoolClientSecret.html):
at most two secrets, a supplied one never answered back."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from botocore.exceptions import ClientError

from cognito_emulator import sent_messages, sign_up_code
from cognito_emulator.client_secrets import secret_hash
from cognito_emulator.testing import InProcessInvoker

EMAIL = "ada@example.com"
PASSWORD = "Passw0rd!"
WRONG = "d3Jvbmcgc2VjcmV0IGhhc2g="
SUPPLIED = "S" * 40


@pytest.fixture
def pool(make_pool: Callable[..., Any]) -> Any:
    """A confidential client (a secret), like the platform's, with one confirmed user."""
    made = make_pool(GenerateSecret=True)
    made.confirmed_user(EMAIL)
    return made


def refresh_token(pool: Any) -> str:
    signed = pool.cognito.initiate_auth(
        ClientId=pool.client_id,
        AuthFlow="USER_PASSWORD_AUTH",
        AuthParameters={
            "USERNAME": EMAIL,
            "PASSWORD": PASSWORD,
            "SECRET_HASH": secret_hash(pool.secret, EMAIL, pool.client_id),
        },
    )
    return str(signed["AuthenticationResult"]["RefreshToken"])


def calls(pool: Any, signature: dict[str, str]) -> dict[str, Callable[[], Any]]:
    """Each client call, signed with `signature`: {"SecretHash": …} or {} (unsigned)."""
    cognito, client_id = pool.cognito, pool.client_id
    auth = {"SECRET_HASH": signature["SecretHash"]} if signature else {}
    return {
        "SignUp": lambda: cognito.sign_up(
            ClientId=client_id, Username="bob@example.com", Password=PASSWORD, **signature
        ),
        "ConfirmSignUp": lambda: cognito.confirm_sign_up(
            ClientId=client_id, Username=EMAIL, ConfirmationCode="123456", **signature
        ),
        "ResendConfirmationCode": lambda: cognito.resend_confirmation_code(
            ClientId=client_id, Username=EMAIL, **signature
        ),
        "ForgotPassword": lambda: cognito.forgot_password(
            ClientId=client_id, Username=EMAIL, **signature
        ),
        "ConfirmForgotPassword": lambda: cognito.confirm_forgot_password(
            ClientId=client_id,
            Username=EMAIL,
            ConfirmationCode="123456",
            Password=PASSWORD,
            **signature,
        ),
        "InitiateAuth CUSTOM_AUTH": lambda: cognito.initiate_auth(
            ClientId=client_id, AuthFlow="CUSTOM_AUTH", AuthParameters={"USERNAME": EMAIL, **auth}
        ),
        "InitiateAuth USER_PASSWORD_AUTH": lambda: cognito.initiate_auth(
            ClientId=client_id,
            AuthFlow="USER_PASSWORD_AUTH",
            AuthParameters={"USERNAME": EMAIL, "PASSWORD": PASSWORD, **auth},
        ),
        "InitiateAuth REFRESH_TOKEN_AUTH": lambda: cognito.initiate_auth(
            ClientId=client_id,
            AuthFlow="REFRESH_TOKEN_AUTH",
            AuthParameters={"REFRESH_TOKEN": refresh_token(pool), **auth},
        ),
    }


CALLS = [
    "SignUp",
    "ConfirmSignUp",
    "ResendConfirmationCode",
    "ForgotPassword",
    "ConfirmForgotPassword",
    "InitiateAuth CUSTOM_AUTH",
    "InitiateAuth USER_PASSWORD_AUTH",
    "InitiateAuth REFRESH_TOKEN_AUTH",
]


@pytest.mark.parametrize("call", CALLS)
def test_a_call_without_the_secret_hash_is_refused(pool: Any, call: str) -> None:
    with pytest.raises(ClientError) as refused:
        calls(pool, {})[call]()
    assert refused.value.response["Error"]["Code"] == "NotAuthorizedException"
    assert refused.value.response["Error"]["Message"] == (
        f"Client {pool.client_id} is configured for secret but secret was not received"
    )


@pytest.mark.parametrize("call", CALLS)
def test_a_call_with_a_wrong_secret_hash_is_refused(pool: Any, call: str) -> None:
    with pytest.raises(ClientError) as refused:
        calls(pool, {"SecretHash": WRONG})[call]()
    assert refused.value.response["Error"]["Code"] == "NotAuthorizedException"
    assert refused.value.response["Error"]["Message"] == (
        f"Unable to verify secret hash for client {pool.client_id}"
    )


def test_the_hash_is_over_the_username_and_the_client_id(pool: Any) -> None:
    """A hash made for another username (or client) is wrong for this one."""
    other = {"SecretHash": secret_hash(pool.secret, "bob@example.com", pool.client_id)}
    with pytest.raises(ClientError):
        calls(pool, other)["InitiateAuth USER_PASSWORD_AUTH"]()


def test_signed_calls_work(pool: Any) -> None:
    def signed(username: str) -> dict[str, str]:
        return {"SecretHash": secret_hash(pool.secret, username, pool.client_id)}

    made = calls(pool, signed("bob@example.com"))["SignUp"]()
    code = sign_up_code(pool.pool_id, made["UserSub"])
    pool.cognito.confirm_sign_up(
        ClientId=pool.client_id,
        Username="bob@example.com",
        ConfirmationCode=code,
        **signed("bob@example.com"),
    )
    assert calls(pool, signed(EMAIL))["InitiateAuth USER_PASSWORD_AUTH"]()["AuthenticationResult"]


def test_refresh_signs_with_the_tokens_own_username(pool: Any) -> None:
    token = refresh_token(pool)
    user = pool.cognito.admin_get_user(UserPoolId=pool.pool_id, Username=EMAIL)["Username"]
    refreshed = pool.cognito.initiate_auth(
        ClientId=pool.client_id,
        AuthFlow="REFRESH_TOKEN_AUTH",
        AuthParameters={
            "REFRESH_TOKEN": token,
            "SECRET_HASH": secret_hash(pool.secret, user, pool.client_id),
        },
    )
    assert refreshed["AuthenticationResult"]["AccessToken"]


@pytest.mark.parametrize("given", [None, "not-the-secret-at-all-000"])
def test_revoke_and_refresh_need_the_secret_itself(pool: Any, given: str | None) -> None:
    token = refresh_token(pool)
    secret = {"ClientSecret": given} if given else {}
    taking_the_secret: list[Callable[[], Any]] = [
        lambda: pool.cognito.revoke_token(Token=token, ClientId=pool.client_id, **secret),
        lambda: pool.cognito.get_tokens_from_refresh_token(
            RefreshToken=token, ClientId=pool.client_id, **secret
        ),
    ]
    for call in taking_the_secret:
        with pytest.raises(ClientError) as refused:
            call()
        assert refused.value.response["Error"]["Code"] == "NotAuthorizedException"


def test_get_tokens_from_refresh_token_with_the_secret(pool: Any) -> None:
    token = refresh_token(pool)
    refreshed = pool.cognito.get_tokens_from_refresh_token(
        RefreshToken=token, ClientId=pool.client_id, ClientSecret=pool.secret
    )
    assert refreshed["AuthenticationResult"]["AccessToken"]
    pool.cognito.revoke_token(Token=token, ClientId=pool.client_id, ClientSecret=pool.secret)
    with pytest.raises(ClientError):
        pool.cognito.get_tokens_from_refresh_token(
            RefreshToken=token, ClientId=pool.client_id, ClientSecret=pool.secret
        )


def test_a_supplied_secret_replaces_the_generated_one(pool: Any) -> None:
    cognito, ids = pool.cognito, {"UserPoolId": pool.pool_id, "ClientId": pool.client_id}
    added = cognito.add_user_pool_client_secret(**ids, ClientSecret=SUPPLIED)
    descriptor = added["ClientSecretDescriptor"]
    assert "ClientSecretValue" not in descriptor  # never answered back
    listed = cognito.list_user_pool_client_secrets(**ids)["ClientSecrets"]
    assert len(listed) == 2
    assert all("ClientSecretValue" not in s for s in listed)
    with pytest.raises(ClientError) as full:
        cognito.add_user_pool_client_secret(**ids)
    assert full.value.response["Error"]["Code"] == "LimitExceededException"

    for secret in listed:
        if secret["ClientSecretId"] != descriptor["ClientSecretId"]:
            cognito.delete_user_pool_client_secret(**ids, ClientSecretId=secret["ClientSecretId"])

    old = {"SecretHash": secret_hash(pool.secret, EMAIL, pool.client_id)}
    new = {"SecretHash": secret_hash(SUPPLIED, EMAIL, pool.client_id)}
    with pytest.raises(ClientError):
        calls(pool, old)["InitiateAuth USER_PASSWORD_AUTH"]()
    assert calls(pool, new)["InitiateAuth USER_PASSWORD_AUTH"]()["AuthenticationResult"]
    with pytest.raises(ClientError) as last:
        cognito.delete_user_pool_client_secret(**ids, ClientSecretId=descriptor["ClientSecretId"])
    assert last.value.response["Error"]["Code"] == "InvalidParameterException"


def test_an_unsigned_call_sends_no_message(pool: Any, lambdas: InProcessInvoker) -> None:
    """The secret is checked before anything runs: an unsigned
    ResendConfirmationCode runs no CustomMessage and sends nothing; signed,
    it sends a new code (developer guide, "Custom message Lambda trigger")."""
    signed = {"SecretHash": secret_hash(pool.secret, "bob@example.com", pool.client_id)}
    calls(pool, signed)["SignUp"]()
    before = (len(lambdas.events("CustomMessage")), len(sent_messages(pool.pool_id)))
    with pytest.raises(ClientError):
        pool.cognito.resend_confirmation_code(ClientId=pool.client_id, Username="bob@example.com")
    assert (len(lambdas.events("CustomMessage")), len(sent_messages(pool.pool_id))) == before
    pool.cognito.resend_confirmation_code(
        ClientId=pool.client_id, Username="bob@example.com", **signed
    )
    assert sent_messages(pool.pool_id)[-1].trigger_source == "CustomMessage_ResendCode"
