"""HTTP API's JWT authorizer: the checks API Gateway makes before a protected route runs.

In order: a token in the identity source (with or without `Bearer `), an
RS256 header whose `kid` is in the issuer's JWKS, a valid signature, `iss`
equal to the declared issuer, `aud` (or, for access tokens without one,
`client_id`) among the declared audiences, `exp` in the future, `nbf` and
`iat` not in the future, and at least one of the route's scopes when it
declares any. Any failure is the same 401 and the function is not invoked.
Like HTTP API, it does not look at `token_use`: services refuse ID tokens.
"""

from __future__ import annotations

import json
import threading
import time
import urllib.request
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import jwt

from local_runtime.events import Authorization
from local_runtime.model import JwtAuthorizer

JwksFetcher = Callable[[str], Mapping[str, Any]]

# Unknown kids refetch the JWKS at most this often (seconds), like a key rotation.
_REFETCH_INTERVAL = 5.0


class Unauthorized(Exception):
    """Why a token was refused; logged locally, never sent to the client."""


class JwksCache:
    """The JWKS of each issuer, fetched once and again when an unknown kid shows up."""

    def __init__(self, fetch: JwksFetcher) -> None:
        self._fetch = fetch
        self._keys: dict[str, dict[str, jwt.PyJWK]] = {}
        self._fetched_at: dict[str, float] = {}
        self._lock = threading.Lock()

    def key(self, issuer: str, kid: str) -> jwt.PyJWK:
        with self._lock:
            keys = self._keys.get(issuer)
            stale = time.monotonic() - self._fetched_at.get(issuer, -1e9) > _REFETCH_INTERVAL
            if keys is None or (kid not in keys and stale):
                keys = self._load(issuer)
            if kid not in keys:
                raise Unauthorized(f"no key {kid!r} in the issuer's JWKS")
            return keys[kid]

    def _load(self, issuer: str) -> dict[str, jwt.PyJWK]:
        try:
            document = self._fetch(issuer)
        except (OSError, ValueError) as exc:
            raise Unauthorized(f"JWKS unavailable: {exc}") from exc
        keys = {}
        for entry in document.get("keys", []):
            try:
                keys[str(entry["kid"])] = jwt.PyJWK(dict(entry))
            except (KeyError, jwt.PyJWTError):
                continue
        self._keys[issuer] = keys
        self._fetched_at[issuer] = time.monotonic()
        return keys


def fetch_jwks_from(base_url: str) -> JwksFetcher:
    """Fetch a Cognito issuer's JWKS from the emulator: moto serves
    `/<pool_id>/.well-known/jwks.json`, the same path as the issuer's."""

    def fetch(issuer: str) -> Mapping[str, Any]:
        pool_path = issuer.rstrip("/").rsplit("/", 1)[-1]
        url = f"{base_url.rstrip('/')}/{pool_path}/.well-known/jwks.json"
        with urllib.request.urlopen(url, timeout=5) as response:  # noqa: S310 - loopback URL
            document = json.loads(response.read())
        if not isinstance(document, Mapping):
            raise ValueError("JWKS is not an object")
        return document

    return fetch


def token_from(authorizer: JwtAuthorizer, header: Callable[[str], str | None]) -> str:
    source = authorizer.identity_source
    prefix = "$request.header."
    if not source.startswith(prefix):
        raise Unauthorized(f"identity source {source!r} is not served locally")
    value = (header(source[len(prefix) :]) or "").strip()
    scheme, _, rest = value.partition(" ")
    if scheme.lower() == "bearer":
        value = rest.strip()
    if not value:
        raise Unauthorized("no token")
    return value


def authorize(
    authorizer: JwtAuthorizer,
    token: str,
    scopes: Sequence[str],
    jwks: JwksCache,
    *,
    now: float | None = None,
) -> Authorization:
    try:
        header = jwt.get_unverified_header(token)
    except jwt.PyJWTError as exc:
        raise Unauthorized(f"not a JWT: {exc}") from exc
    if header.get("alg") != "RS256":
        raise Unauthorized(f"alg {header.get('alg')!r} is not RS256")
    key = jwks.key(authorizer.issuer, str(header.get("kid", "")))
    try:
        claims: dict[str, Any] = jwt.decode(
            token,
            key,
            algorithms=["RS256"],
            issuer=authorizer.issuer,
            options={"verify_aud": False, "require": ["exp", "iss"]},
        )
    except jwt.PyJWTError as exc:
        raise Unauthorized(str(exc)) from exc
    # PyJWT checks exp, nbf and iat against the wall clock; `now` lets tests pin it.
    current = time.time() if now is None else now
    if int(claims["exp"]) <= current:
        raise Unauthorized("expired")
    _check_audience(authorizer, claims)
    token_scopes = tuple(str(claims.get("scope") or claims.get("scp") or "").split())
    if scopes and not set(scopes) & set(token_scopes):
        raise Unauthorized("none of the route's scopes")
    # The token's scopes reach the function only on a route that declares
    # authorization scopes; elsewhere `scopes` is null, even for a Cognito
    # access token that carries some (aws/aws-lambda-go#317).
    return Authorization(claims=claims_as_strings(claims), scopes=token_scopes if scopes else None)


def _check_audience(authorizer: JwtAuthorizer, claims: Mapping[str, Any]) -> None:
    audience = claims.get("aud")
    if audience is not None:
        values = audience if isinstance(audience, list) else [audience]
    else:
        values = [claims.get("client_id")]
    if not any(str(value) in authorizer.audiences for value in values if value is not None):
        raise Unauthorized("audience / client_id is not one of the authorizer's")


def claims_as_strings(claims: Mapping[str, Any]) -> dict[str, str]:
    """HTTP API passes every claim as a string; arrays as `[a b]`."""
    return {key: _claim_string(value) for key, value in claims.items()}


def _claim_string(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return "[" + " ".join(_claim_string(item) for item in value) + "]"
    if isinstance(value, dict):
        return json.dumps(value, separators=(",", ":"))
    return str(value)
