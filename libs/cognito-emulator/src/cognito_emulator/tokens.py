"""RevokeToken, which moto 5.2.5 lacks."""

from __future__ import annotations

import base64
import json
from typing import Any

from moto.cognitoidp.models import CognitoIdpUserPool

from cognito_emulator import errors


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


def _claims(jwt: str) -> dict[str, Any]:
    """A JWT's payload, unverified: the emulator minted it itself."""
    try:
        payload = jwt.split(".")[1]
        decoded = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    except (IndexError, ValueError):
        return {}
    return decoded if isinstance(decoded, dict) else {}
