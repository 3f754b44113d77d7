"""POST /auth/signup, /auth/confirm, /auth/login: e-mail and password."""

from __future__ import annotations

from fastapi import APIRouter, Response

from auth import service
from auth.abuse import SendRefused
from auth.deps import CodeRulesDep, IdentityProviderDep, SettingsDep, SourceIpDep
from auth.errors import ANSWERS, COGNITO
from auth.identity_provider import (
    BadCredentials,
    CodeRateLimited,
    InvalidConfirmationCode,
    UnusableEmailAddress,
    UserNotConfirmed,
    WeakPassword,
)
from auth.models import ConfirmRequest, Credentials, SignupResponse, Tokens

router = APIRouter(prefix="/auth", tags=["password"])


@router.post(
    "/signup",
    status_code=201,
    responses=ANSWERS.responses(
        WeakPassword, UnusableEmailAddress, SendRefused, CodeRateLimited, *COGNITO
    ),
)
async def signup(
    body: Credentials,
    provider: IdentityProviderDep,
    rules: CodeRulesDep,
    settings: SettingsDep,
    source_ip: SourceIpDep,
) -> SignupResponse:
    """Create a password user; where the stack confirms sign-ups by code,
    Cognito e-mails one. An e-mail already registered gets the same 201 shape
    as a new one (the pool prevents user-existence errors); a sign-up nobody
    confirmed is replaced. Each sign-up spends the source's sign-ups, the
    address's sends and the stack's e-mails (429 `too_many_requests` +
    `Retry-After` when one is spent)."""
    return service.signup(
        provider, rules, body, source_ip=source_ip, auto_confirm=settings.auto_confirm
    )


@router.post(
    "/confirm",
    status_code=204,
    response_class=Response,
    responses=ANSWERS.responses(InvalidConfirmationCode, *COGNITO),
)
async def confirm(body: ConfirmRequest, provider: IdentityProviderDep) -> Response:
    """Confirm a sign-up with the code Cognito e-mailed."""
    service.confirm(provider, body)
    return Response(status_code=204)


@router.post(
    "/login",
    responses=ANSWERS.responses(BadCredentials, UserNotConfirmed, *COGNITO),
)
async def login(body: Credentials, provider: IdentityProviderDep) -> Tokens:
    """Tokens for an e-mail and password (USER_PASSWORD_AUTH)."""
    return service.login(provider, body)
