"""POST /auth/refresh, /auth/logout and GET /auth/me."""

from __future__ import annotations

from fastapi import APIRouter, Response

from auth import service
from auth.deps import AccessTokenDep, IdentityProviderDep
from auth.errors import ANSWERS, COGNITO
from auth.identity_provider import InvalidAccessToken, InvalidRefreshToken
from auth.models import LogoutRequest, Me, RefreshRequest, Tokens
from service_kernel import CallerDep

router = APIRouter(prefix="/auth", tags=["session"])


@router.post(
    "/refresh",
    response_model_exclude_none=True,
    responses=ANSWERS.responses(InvalidRefreshToken, *COGNITO),
)
async def refresh(body: RefreshRequest, provider: IdentityProviderDep) -> Tokens:
    """New access and ID tokens; the refresh token stays the client's own."""
    return service.refresh(provider, body.refresh_token)


@router.post(
    "/logout",
    status_code=204,
    response_class=Response,
    responses=ANSWERS.responses(InvalidAccessToken, *COGNITO),
)
async def logout(
    caller: CallerDep,
    token: AccessTokenDep,
    provider: IdentityProviderDep,
    body: LogoutRequest | None = None,
) -> Response:
    """Sign the caller out everywhere (GlobalSignOut) and revoke the refresh
    token given, so /auth/refresh with it is 401. Idempotent."""
    refresh_token = body.refresh_token if body is not None else None
    service.logout(provider, access_token=token, refresh_token=refresh_token)
    return Response(status_code=204)


@router.get(
    "/me",
    response_model_exclude_none=True,
    responses=ANSWERS.responses(InvalidAccessToken, *COGNITO),
)
async def me(caller: CallerDep, token: AccessTokenDep, provider: IdentityProviderDep) -> Me:
    """Who the gateway's JWT authorizer let in, with its e-mail and phone
    number from the pool (GetUser with the caller's access token)."""
    return service.me(provider, caller, token)
