"""Who is calling, as the HTTP API's JWT authorizer vouched for it.

The gateway has already checked the token's signature, issuer, audience and
expiry; the service only reads the claims it passed on, and refuses anything
that is not an access token (the HTTP API lets a Cognito ID token through).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Annotated, Any

from fastapi import Depends, Request, Security
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from service_kernel.errors import UNAUTHORIZED, ApiError
from service_kernel.openapi import JWT_SCHEME, SECURITY_SCHEME

# Documents the bearer token a caller sends (the `cognitoJwt` scheme on every
# route that needs a caller); never checks it: the gateway's authorizer did.
BEARER = HTTPBearer(
    scheme_name=SECURITY_SCHEME,
    bearerFormat=JWT_SCHEME["bearerFormat"],
    description=JWT_SCHEME["description"],
    auto_error=False,
)


@dataclass(frozen=True)
class Caller:
    sub: str
    username: str
    groups: tuple[str, ...] = ()
    scopes: tuple[str, ...] = ()
    claims: Mapping[str, str] = field(default_factory=dict)


def parse_claim_list(value: str) -> tuple[str, ...]:
    """The gateway sends array claims as one string: `[a b]`."""
    inner = value.strip()
    if inner.startswith("[") and inner.endswith("]"):
        inner = inner[1:-1]
    return tuple(part for part in inner.replace(",", " ").split() if part)


def jwt_claims(scope: Mapping[str, Any]) -> Mapping[str, str] | None:
    """The authorizer's claims from the Mangum scope, or None when there are none."""
    event = scope.get("aws.event")
    if not isinstance(event, Mapping):
        return None
    authorizer = event.get("requestContext", {}).get("authorizer") or {}
    claims = (authorizer.get("jwt") or {}).get("claims")
    if not isinstance(claims, Mapping) or not claims:
        return None
    return {str(key): str(value) for key, value in claims.items()}


def caller_sub(scope: Mapping[str, Any]) -> str | None:
    """The authorizer's `sub` claim, if any (what the access log names the caller by)."""
    event = scope.get("aws.event")
    if not isinstance(event, dict):
        return None
    authorizer = event.get("requestContext", {}).get("authorizer") or {}
    claims = (authorizer.get("jwt") or {}).get("claims")
    sub = claims.get("sub") if isinstance(claims, dict) else None
    return None if sub is None else str(sub)


def caller_from_claims(claims: Mapping[str, str] | None) -> Caller:
    if claims is None:
        raise ApiError.of(UNAUTHORIZED)
    if claims.get("token_use") != "access":
        raise ApiError.of(UNAUTHORIZED, "An access token is required.")
    sub = claims.get("sub", "")
    if not sub:
        raise ApiError.of(UNAUTHORIZED, "The token has no subject.")
    return Caller(
        sub=sub,
        username=claims.get("username") or claims.get("cognito:username") or sub,
        groups=parse_claim_list(claims.get("cognito:groups", "")),
        scopes=tuple(claims.get("scope", "").split()),
        claims=dict(claims),
    )


async def get_caller(
    request: Request,
    _token: Annotated[HTTPAuthorizationCredentials | None, Security(BEARER)] = None,
) -> Caller:
    # async: FastAPI runs a plain `def` dependency in a worker thread, a hop
    # every protected request would pay for reading a few claims.
    return caller_from_claims(jwt_claims(request.scope))


CallerDep = Annotated[Caller, Depends(get_caller)]
