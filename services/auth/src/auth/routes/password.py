"""POST /auth/signup, /auth/confirm, /auth/login: e-mail and password."""

from __future__ import annotations

from fastapi import APIRouter, Response

from auth import service
from auth.deps import IdentityProviderDep, SettingsDep
from auth.errors import COGNITO_ANSWERS
from auth.models import ConfirmRequest, Credentials, SignupResponse, Tokens
from service_kernel import error_responses

router = APIRouter(prefix="/auth", tags=["password"], responses=COGNITO_ANSWERS)


@router.post(
    "/signup",
    status_code=201,
    responses=error_responses({422: "validation_error: the password policy rule that failed"}),
)
async def signup(
    body: Credentials, provider: IdentityProviderDep, settings: SettingsDep
) -> SignupResponse:
    """Create a password user. An e-mail already registered gets the same 201
    shape as a new one (the pool prevents user-existence errors)."""
    return service.signup(provider, body, auto_confirm=settings.auto_confirm)


@router.post(
    "/confirm",
    status_code=204,
    response_class=Response,
    responses=error_responses({400: "invalid_code"}),
)
async def confirm(body: ConfirmRequest, provider: IdentityProviderDep) -> Response:
    """Confirm a sign-up with the code Cognito e-mailed."""
    service.confirm(provider, body)
    return Response(status_code=204)


@router.post(
    "/login",
    responses=error_responses({401: "invalid_credentials", 403: "user_not_confirmed"}),
)
async def login(body: Credentials, provider: IdentityProviderDep) -> Tokens:
    """Tokens for an e-mail and password (USER_PASSWORD_AUTH)."""
    return service.login(provider, body)
