"""POST /auth/start and /auth/verify: sign-in or sign-up with a one-time code."""

from __future__ import annotations

from fastapi import APIRouter

from auth import service
from auth.deps import IdentityProviderDep, SettingsDep
from auth.errors import COGNITO_ANSWERS
from auth.models import CodeRefused, StartRequest, StartResponse, Tokens, VerifyRequest
from service_kernel import RETRY_AFTER, error_responses

router = APIRouter(prefix="/auth", tags=["passwordless"], responses=COGNITO_ANSWERS)


@router.post(
    "/start",
    response_model_exclude_none=True,
    responses=error_responses(
        {
            422: "validation_error: not an E.164 phone number or an e-mail address",
            429: "too_many_requests: the destination's send limit, or Cognito's; see Retry-After",
        },
        headers={429: RETRY_AFTER},
    ),
)
def start(
    body: StartRequest, provider: IdentityProviderDep, settings: SettingsDep
) -> StartResponse:
    """Send a one-time code; an unknown phone or e-mail gets an account first.
    The answer, and the time it takes, are the same whether or not the user
    existed."""
    return service.start(provider, body, production=settings.production)


@router.post(
    "/verify",
    responses=error_responses(
        {
            401: (
                "invalid_code (with attempts_left and a new session) or session_expired",
                CodeRefused,
            )
        }
    ),
)
def verify(body: VerifyRequest, provider: IdentityProviderDep) -> Tokens:
    """Exchange the code for tokens. A wrong code answers with a new session to
    retry with (Cognito issues one per answer) and the attempts left."""
    return service.verify(provider, body)
