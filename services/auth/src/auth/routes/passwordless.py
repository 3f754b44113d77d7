"""POST /auth/start and /auth/verify: sign-in or sign-up with a one-time code."""

from __future__ import annotations

from fastapi import APIRouter

from auth import service
from auth.abuse import SendRefused, TooManyAttempts
from auth.counters import CountersUnavailable
from auth.deps import CodeRulesDep, IdentityProviderDep, SettingsDep, SourceIpDep
from auth.errors import ANSWERS, COGNITO
from auth.identity_provider import (
    CodeRateLimited,
    InvalidCode,
    SessionExpired,
    UnusableEmailAddress,
    UnusablePhoneNumber,
)
from auth.models import StartRequest, StartResponse, Tokens, VerifyRequest
from auth.service import UnsupportedDestination

router = APIRouter(prefix="/auth", tags=["passwordless"])


@router.post(
    "/start",
    response_model_exclude_none=True,
    responses=ANSWERS.responses(
        UnsupportedDestination,
        UnusablePhoneNumber,
        UnusableEmailAddress,
        SendRefused,
        CodeRateLimited,
        TooManyAttempts,
        CountersUnavailable,
        *COGNITO,
        also={
            422: "validation_error: not a phone number (international format, ASCII "
            "digits) or an e-mail address",
        },
    ),
)
async def start(
    body: StartRequest,
    provider: IdentityProviderDep,
    rules: CodeRulesDep,
    settings: SettingsDep,
    source_ip: SourceIpDep,
) -> StartResponse:
    """Send a one-time code; an unknown phone or e-mail gets an account first.
    The answer, and the time it takes, are the same whether or not the user
    existed."""
    return service.start(provider, rules, body, source_ip=source_ip, production=settings.production)


@router.post(
    "/verify",
    responses=ANSWERS.responses(
        InvalidCode, SessionExpired, TooManyAttempts, CountersUnavailable, *COGNITO
    ),
)
async def verify(
    body: VerifyRequest,
    provider: IdentityProviderDep,
    rules: CodeRulesDep,
    settings: SettingsDep,
    source_ip: SourceIpDep,
) -> Tokens:
    """Exchange the code for tokens. A wrong code answers with a new session to
    retry with (Cognito issues one per answer) and the attempts left."""
    return service.verify(
        provider, rules, body, source_ip=source_ip, production=settings.production
    )
