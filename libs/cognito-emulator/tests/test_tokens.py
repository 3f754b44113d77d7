"""RevokeToken (which moto lacks) and GlobalSignOut end a refresh token's life."""

from __future__ import annotations

from typing import Any

import pytest
from botocore.exceptions import ClientError


def login(pool: Any) -> dict[str, Any]:
    pool.confirmed_user("ada@example.com")
    result = pool.cognito.initiate_auth(
        ClientId=pool.client_id,
        AuthFlow="USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": "ada@example.com", "PASSWORD": "Passw0rd!"},
    )
    return result["AuthenticationResult"]  # type: ignore[no-any-return]


def refresh(pool: Any, refresh_token: str) -> dict[str, Any]:
    return pool.cognito.initiate_auth(  # type: ignore[no-any-return]
        ClientId=pool.client_id,
        AuthFlow="REFRESH_TOKEN_AUTH",
        AuthParameters={"REFRESH_TOKEN": refresh_token},
    )


def test_a_revoked_refresh_token_no_longer_refreshes(pool: Any) -> None:
    tokens = login(pool)
    assert refresh(pool, tokens["RefreshToken"])["AuthenticationResult"]["AccessToken"]

    pool.cognito.revoke_token(Token=tokens["RefreshToken"], ClientId=pool.client_id)

    with pytest.raises(ClientError) as revoked:
        refresh(pool, tokens["RefreshToken"])
    assert revoked.value.response["Error"]["Code"] == "NotAuthorizedException"


def test_revoking_also_ends_the_access_tokens_minted_from_it(pool: Any) -> None:
    tokens = login(pool)
    pool.cognito.revoke_token(Token=tokens["RefreshToken"], ClientId=pool.client_id)
    with pytest.raises(ClientError) as ended:
        pool.cognito.get_user(AccessToken=tokens["AccessToken"])
    assert ended.value.response["Error"]["Code"] == "NotAuthorizedException"


def test_revoking_an_unknown_token_succeeds(pool: Any) -> None:
    pool.cognito.revoke_token(Token="not-a-token", ClientId=pool.client_id)


def test_revoking_another_client_s_token_is_unauthorized(pool: Any) -> None:
    tokens = login(pool)
    other = pool.cognito.create_user_pool_client(UserPoolId=pool.pool_id, ClientName="other")
    with pytest.raises(ClientError) as refused:
        pool.cognito.revoke_token(
            Token=tokens["RefreshToken"], ClientId=other["UserPoolClient"]["ClientId"]
        )
    assert refused.value.response["Error"]["Code"] == "UnauthorizedException"


def test_revocation_must_be_enabled_for_the_client(make_pool: Any) -> None:
    pool = make_pool(EnableTokenRevocation=False)
    tokens = login(pool)
    with pytest.raises(ClientError) as refused:
        pool.cognito.revoke_token(Token=tokens["RefreshToken"], ClientId=pool.client_id)
    assert refused.value.response["Error"]["Code"] == "UnsupportedOperationException"


def test_global_sign_out_ends_every_refresh_token(pool: Any) -> None:
    tokens = login(pool)
    pool.cognito.global_sign_out(AccessToken=tokens["AccessToken"])
    with pytest.raises(ClientError) as signed_out:
        refresh(pool, tokens["RefreshToken"])
    assert signed_out.value.response["Error"]["Code"] == "NotAuthorizedException"


def _claims(jwt: str) -> dict[str, Any]:
    import base64
    import json

    payload = jwt.split(".")[1]
    decoded: dict[str, Any] = json.loads(
        base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4))
    )
    return decoded


def test_tokens_live_as_long_as_the_client_declares(make_pool: Any) -> None:
    """Cognito issues access and ID tokens for the app client's
    AccessTokenValidity / IdTokenValidity in its TokenValidityUnits
    (CreateUserPoolClient API reference); moto alone issues one hour always."""
    pool = make_pool(
        AccessTokenValidity=15,
        IdTokenValidity=2,
        TokenValidityUnits={"AccessToken": "minutes", "IdToken": "hours"},
    )
    tokens = login(pool)
    access, id_token = _claims(tokens["AccessToken"]), _claims(tokens["IdToken"])
    assert access["exp"] - access["iat"] == 15 * 60
    assert id_token["exp"] - id_token["iat"] == 2 * 3600
    assert tokens["ExpiresIn"] == 15 * 60
    refreshed = refresh(pool, tokens["RefreshToken"])["AuthenticationResult"]
    assert (
        _claims(refreshed["AccessToken"])["exp"] - _claims(refreshed["AccessToken"])["iat"] == 900
    )


def test_without_a_declared_validity_tokens_live_an_hour(pool: Any) -> None:
    access = _claims(login(pool)["AccessToken"])
    assert access["exp"] - access["iat"] == 3600


def test_a_global_sign_out_ends_the_users_tokens_whatever_name_it_signed_in_with(
    pool: Any,
) -> None:
    """moto matched the login name only: tokens from an e-mail sign-in outlived an
    AdminUserGlobalSignOut naming the user (Cognito ends the user's sessions)."""
    pool.confirmed_user("ada@example.com")
    signed = pool.cognito.initiate_auth(
        ClientId=pool.client_id,
        AuthFlow="USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": "ada@example.com", "PASSWORD": "Passw0rd!"},
    )["AuthenticationResult"]
    username = pool.cognito.admin_get_user(UserPoolId=pool.pool_id, Username="ada@example.com")[
        "Username"
    ]
    pool.cognito.admin_user_global_sign_out(UserPoolId=pool.pool_id, Username=username)
    with pytest.raises(ClientError):
        pool.cognito.initiate_auth(
            ClientId=pool.client_id,
            AuthFlow="REFRESH_TOKEN_AUTH",
            AuthParameters={"REFRESH_TOKEN": signed["RefreshToken"]},
        )
    with pytest.raises(ClientError):
        pool.cognito.get_user(AccessToken=signed["AccessToken"])
