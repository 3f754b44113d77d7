"""RevokeToken, which moto 5.2.5 lacks, and token lifetimes from the app
client (moto issues every token for one hour)."""

from __future__ import annotations

import base64
import json
from typing import Any

from moto.cognitoidp.models import CognitoIdpUserPool, CognitoIdpUserPoolClient

from cognito_emulator import errors
from cognito_emulator.client_secrets import require_secret_hash

# Cognito's defaults when a client declares no validity (developer guide,
# "Using tokens": access and ID tokens one hour), and the seconds per unit of
# its TokenValidityUnits.
DEFAULT_VALIDITY = {
    "access": ("AccessTokenValidity", "AccessToken", 60),
    "id": ("IdTokenValidity", "IdToken", 60),
}
SECONDS = {"seconds": 1, "minutes": 60, "hours": 3600, "days": 86400}


def token_lifetime(pool: CognitoIdpUserPool, client_id: str, token_use: str) -> int:
    """Seconds an access or ID token of this client lives: its declared
    validity in its declared unit (Cognito's default unit is hours when a
    client gives a validity without units; the platform always gives units)."""
    client = pool.clients.get(client_id)
    config = client.extended_config if client is not None else {}
    field, unit_key, default_minutes = DEFAULT_VALIDITY[token_use]
    value = config.get(field)
    if value is None:
        return default_minutes * 60
    unit = (config.get("TokenValidityUnits") or {}).get(unit_key, "hours")
    return int(value) * SECONDS[unit]


def revoke_token(pool: CognitoIdpUserPool, client_id: str, token: str) -> None:
    """Revoke a refresh token and the access tokens minted from it, so later
    REFRESH_TOKEN_AUTH with it fails with NotAuthorizedException.

    Cognito answers success for a token it does not know (RFC 7009 style), and
    refuses when revocation is off for the client or the token is another
    client's."""
    client = pool.clients.get(client_id)
    if client is None:
        raise errors.CognitoError(
            "ResourceNotFoundException", f"Client {client_id} does not exist."
        )
    if client.extended_config.get("EnableTokenRevocation") is False:
        raise errors.CognitoError(
            "UnsupportedOperationException", "Token revocation is not enabled for this client."
        )
    issued = pool.refresh_tokens.get(token)
    if issued is None:
        return
    token_client, _, origin_jti = issued
    if token_client != client_id:
        raise errors.CognitoError("UnauthorizedException", "Invalid token for this client.")
    pool.refresh_tokens[token] = None
    for access_token in list(pool.access_tokens):
        if _claims(access_token).get("origin_jti") == origin_jti:
            pool.access_tokens.pop(access_token, None)


def refresh(
    pool: CognitoIdpUserPool,
    client: CognitoIdpUserPoolClient,
    refresh_token: str,
    auth_parameters: dict[str, str] | None,
) -> dict[str, Any]:
    """New access and ID tokens for a refresh token of this client.

    `auth_parameters` (REFRESH_TOKEN_AUTH) carry SECRET_HASH, over the token's
    own username; None where the call gave the client secret itself
    (GetTokensFromRefreshToken), already checked."""
    issued = pool.refresh_tokens.get(refresh_token)
    if issued is None or issued[0] != client.id:
        raise errors.not_authorized("Invalid Refresh Token")
    if auth_parameters is not None:
        # Over the user's own username (the pool's, e.g. its sub), not the
        # e-mail or phone the user signed in with: the token carries only that.
        user = pool._get_user(str(issued[1]))
        username = str(user.username) if user is not None else str(issued[1])
        require_secret_hash(client, username, auth_parameters.get("SECRET_HASH"))
    access_token, id_token, expires_in = pool.create_tokens_from_refresh_token(refresh_token)
    return {
        "AuthenticationResult": {
            "IdToken": id_token,
            "AccessToken": access_token,
            "ExpiresIn": expires_in,
            "TokenType": "Bearer",
        }
    }


def sign_out(pool: CognitoIdpUserPool, username: str) -> None:
    """End every token of the user, whichever name it signed in with: moto
    matches the login name only, so a user who signed in by e-mail kept its
    tokens after an AdminUserGlobalSignOut naming its username (Cognito's
    sign-out is of the user, developer guide "Ending user sessions")."""
    user = pool._get_user(username)

    def same(name: str) -> bool:
        return name == username or (user is not None and pool._get_user(name) is user)

    for token, issued in list(pool.refresh_tokens.items()):
        if issued is not None and same(str(issued[1])):
            pool.refresh_tokens[token] = None
    for access_token, (_, name) in list(pool.access_tokens.items()):
        if same(str(name)):
            pool.access_tokens.pop(access_token)


def _claims(jwt: str) -> dict[str, Any]:
    """A JWT's payload, unverified: the emulator minted it itself."""
    try:
        payload = jwt.split(".")[1]
        decoded = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    except (IndexError, ValueError):
        return {}
    return decoded if isinstance(decoded, dict) else {}
