"""App client secrets, as Cognito keeps and checks them.

A client created with `GenerateSecret` holds one secret (moto's); the
rotation calls add one you supply or Cognito makes (`AddUserPoolClientSecret`:
at most two at a time, a supplied value never answered back), list them
without their values, and delete one (`DeleteUserPoolClientSecret`).

Every call a client makes for a user must then prove it holds a secret: the
`SECRET_HASH`, Base64(HMAC-SHA256(secret, username + client id)) (developer
guide, "Computing secret hash values"), or the secret itself where the call
takes `ClientSecret` (RevokeToken, GetTokensFromRefreshToken). A missing or
wrong one is NotAuthorizedException, worded as Cognito words it.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import string
import threading
from dataclasses import dataclass
from typing import Any

from moto.cognitoidp.models import CognitoIdpUserPoolClient

from cognito_emulator import errors

# Cognito's limit: two secrets per app client, for rotation without downtime.
MAX_SECRETS = 2
_ALPHABET = string.ascii_letters + string.digits


@dataclass(frozen=True)
class ClientSecret:
    secret_id: str
    value: str
    created: float


class ClientSecrets:
    """Each client's secrets beyond moto's own, and which of moto's were deleted."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._secrets: dict[str, list[ClientSecret]] = {}

    def of(self, client: CognitoIdpUserPoolClient) -> list[ClientSecret]:
        with self._lock:
            return list(self._known(client))

    def add(self, client: CognitoIdpUserPoolClient, value: str | None, now: float) -> ClientSecret:
        if not client.generate_secret:
            raise errors.invalid_parameter(f"Client {client.id} is not a confidential client.")
        if value is not None and not _valid(value):
            raise errors.invalid_parameter("ClientSecret must be 24 to 64 word characters.")
        with self._lock:
            known = self._known(client)
            if len(known) >= MAX_SECRETS:
                raise errors.CognitoError(
                    "LimitExceededException",
                    f"Client {client.id} already has {MAX_SECRETS} client secrets.",
                )
            created = max([now, *(s.created + 1 for s in known)])
            secret = ClientSecret(
                f"{client.id}--{int(created)}", value or _generated(), float(int(created))
            )
            known.append(secret)
            return secret

    def delete(self, client: CognitoIdpUserPoolClient, secret_id: str) -> None:
        with self._lock:
            known = self._known(client)
            remaining = [s for s in known if s.secret_id != secret_id]
            if len(remaining) == len(known):
                raise errors.CognitoError(
                    "ResourceNotFoundException", f"Client secret {secret_id} does not exist."
                )
            if not remaining:
                raise errors.invalid_parameter("The last client secret cannot be deleted.")
            known[:] = remaining

    def clear(self) -> None:
        with self._lock:
            self._secrets.clear()

    def _known(self, client: CognitoIdpUserPoolClient) -> list[ClientSecret]:
        if client.id not in self._secrets:
            initial = []
            if client.generate_secret:
                initial.append(ClientSecret(f"{client.id}--0", str(client.secret), 0.0))
            self._secrets[client.id] = initial
        return self._secrets[client.id]


CLIENT_SECRETS = ClientSecrets()


def secret_hash(secret: str, username: str, client_id: str) -> str:
    """SECRET_HASH as the developer guide computes it."""
    mac = hmac.new(secret.encode(), (username + client_id).encode(), hashlib.sha256)
    return base64.b64encode(mac.digest()).decode()


def require_secret_hash(client: CognitoIdpUserPoolClient, username: str, given: str | None) -> None:
    """A client with a secret signs every call for a user with SECRET_HASH."""
    known = CLIENT_SECRETS.of(client)
    if not known:
        return
    if not given:
        raise errors.not_authorized(
            f"Client {client.id} is configured for secret but secret was not received"
        )
    if not any(
        hmac.compare_digest(secret_hash(s.value, username, client.id), given) for s in known
    ):
        raise errors.not_authorized(f"Unable to verify secret hash for client {client.id}")


def require_client_secret(client: CognitoIdpUserPoolClient, given: str | None) -> None:
    """A call that takes the secret itself (RevokeToken, GetTokensFromRefreshToken)."""
    known = CLIENT_SECRETS.of(client)
    if not known:
        return
    if not given:
        raise errors.not_authorized(
            f"Client {client.id} is configured for secret but secret was not received"
        )
    if not any(hmac.compare_digest(s.value, given) for s in known):
        raise errors.not_authorized(f"Unable to verify secret for client {client.id}")


def descriptor(secret: ClientSecret, *, with_value: bool = False) -> dict[str, Any]:
    described: dict[str, Any] = {
        "ClientSecretId": secret.secret_id,
        "ClientSecretCreateDate": secret.created,
    }
    if with_value:
        described["ClientSecretValue"] = secret.value
    return described


def _valid(value: str) -> bool:
    return 24 <= len(value) <= 64 and all(c.isalnum() or c in "_+" for c in value)


def _generated() -> str:
    return "".join(secrets.choice(_ALPHABET) for _ in range(51))
