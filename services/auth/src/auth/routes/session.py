"""POST /auth/refresh, /auth/logout and GET /auth/me."""

from __future__ import annotations

from collections.abc import Callable

from botocore.exceptions import ClientError
from fastapi import APIRouter, Request, Response

from auth.cognito import client_id, cognito, error_code, tokens
from auth.errors import documented, unexpected
from auth.models import LogoutRequest, Me, RefreshRequest, Tokens
from service_kernel import ApiError, CallerDep

router = APIRouter(prefix="/auth", tags=["session"])

# Already signed out, revoked, or not a token of this client: nothing left to end.
ALREADY_ENDED = frozenset(
    {"NotAuthorizedException", "UnauthorizedException", "UnsupportedTokenTypeException"}
)


@router.post(
    "/refresh",
    response_model_exclude_none=True,
    responses=documented(_401="unauthorized: invalid, expired or revoked"),
)
def refresh(body: RefreshRequest) -> Tokens:
    """New access and ID tokens; the refresh token stays the client's own."""
    try:
        result = cognito().initiate_auth(
            ClientId=client_id(),
            AuthFlow="REFRESH_TOKEN_AUTH",
            AuthParameters={"REFRESH_TOKEN": body.refresh_token},
        )
    except ClientError as exc:
        if error_code(exc) in {"NotAuthorizedException", "InvalidParameterException"}:
            raise ApiError(
                401, "unauthorized", "The refresh token is invalid, expired or revoked."
            ) from None
        raise unexpected(exc) from None
    return tokens(result).model_copy(update={"refresh_token": None})


@router.post(
    "/logout",
    status_code=204,
    response_class=Response,
    responses=documented(_401="unauthorized"),
)
def logout(caller: CallerDep, request: Request, body: LogoutRequest | None = None) -> Response:
    """Sign the caller out everywhere (GlobalSignOut) and revoke the refresh
    token given, so /auth/refresh with it is 401. Idempotent."""
    access_token = _bearer(request)
    if access_token:
        # First: GlobalSignOut needs an access token that RevokeToken may end.
        _quietly(lambda: cognito().global_sign_out(AccessToken=access_token))
    if body is not None and body.refresh_token:
        refresh_token = body.refresh_token
        _quietly(lambda: cognito().revoke_token(Token=refresh_token, ClientId=client_id()))
    return Response(status_code=204)


@router.get("/me", response_model_exclude_none=True, responses=documented(_401="unauthorized"))
def me(caller: CallerDep) -> Me:
    """Who the gateway's JWT authorizer let in, from its claims."""
    return Me(
        sub=caller.sub,
        username=caller.username,
        email=caller.claims.get("email"),
        phone=caller.claims.get("phone_number"),
        groups=list(caller.groups),
    )


def _bearer(request: Request) -> str | None:
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    return token.strip() if scheme.lower() == "bearer" and token.strip() else None


def _quietly(call: Callable[[], object]) -> None:
    try:
        call()
    except ClientError as exc:
        if error_code(exc) not in ALREADY_ENDED:
            raise unexpected(exc) from None
