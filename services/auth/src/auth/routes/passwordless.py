"""POST /auth/start and /auth/verify: sign-in or sign-up with a one-time code."""

from __future__ import annotations

from fastapi import APIRouter

from auth import service
from auth.deps import CodeRulesDep, IdentityProviderDep, SettingsDep, SourceIpDep
from auth.errors import COGNITO_ANSWERS
from auth.models import CodeRefused, StartRequest, StartResponse, Tokens, VerifyRequest
from service_kernel import RETRY_AFTER, error_responses

router = APIRouter(prefix="/auth", tags=["passwordless"], responses=COGNITO_ANSWERS)


@router.post(
    "/start",
    response_model_exclude_none=True,
    responses=error_responses(
        {
            422: "validation_error: not a phone number (international format, ASCII "
            "digits) or an e-mail address; unsupported_destination: a country or "
            "number type codes are not sent to",
            429: "too_many_requests: a send budget (this destination, this source, the "
            "whole service) or Cognito's is spent; too_many_attempts: too many wrong codes "
            "for this destination; both with Retry-After",
        },
        headers={429: RETRY_AFTER},
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
    responses=error_responses(
        {
            401: (
                "invalid_code (with attempts_left and a new session) or session_expired",
                CodeRefused,
            ),
            429: "too_many_attempts: too many wrong codes for this destination in 24 h, "
            "even with the right one; or Cognito's throttling; see Retry-After",
        },
        headers={429: RETRY_AFTER},
    ),
)
async def verify(body: VerifyRequest, provider: IdentityProviderDep, rules: CodeRulesDep) -> Tokens:
    """Exchange the code for tokens. A wrong code answers with a new session to
    retry with (Cognito issues one per answer) and the attempts left."""
    return service.verify(provider, rules, body)
