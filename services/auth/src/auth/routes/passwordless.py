"""POST /auth/start and /auth/verify: sign-in or sign-up with a one-time code
(Cognito CUSTOM_AUTH driven by this service's triggers)."""

from __future__ import annotations

import secrets

from botocore.exceptions import ClientError
from fastapi import APIRouter

from auth import timing
from auth.cognito import client_id, cognito, error_code, error_message, tokens, user_pool_id
from auth.errors import documented, too_many_requests, unexpected
from auth.models import StartRequest, StartResponse, Tokens, VerifyRequest
from auth.protocol import (
    ATTEMPTS_LEFT,
    DELIVERY,
    DEV_OTP,
    EMAIL,
    PROD_STAGE,
    SMS,
    retry_after,
)
from auth.settings import settings
from auth.timing import at_least
from service_kernel import ApiError

router = APIRouter(prefix="/auth", tags=["passwordless"])

CUSTOM_CHALLENGE = "CUSTOM_CHALLENGE"
# Whatever Cognito says about a session it will not continue, the client's
# next step is the same: ask for a new code.
SESSION_DEAD = frozenset(
    {
        "NotAuthorizedException",
        "CodeMismatchException",
        "ExpiredCodeException",
        "UserNotFoundException",
        "InvalidParameterException",
    }
)
# A user who cannot use a code (an unconfirmed password sign-up, a disabled
# account) gets the same answer as everyone else and no code.
CANNOT_SIGN_IN = frozenset(
    {"UserNotConfirmedException", "NotAuthorizedException", "UserNotFoundException"}
)


@router.post(
    "/start",
    response_model_exclude_none=True,
    responses=documented(
        _422="validation_error: not an E.164 phone number or an e-mail address",
        _429="too_many_requests: the destination's send limit; see Retry-After",
    ),
)
def start(body: StartRequest) -> StartResponse:
    """Send a one-time code; an unknown phone or e-mail gets an account first.
    The answer, and the time it takes, are the same whether or not the user
    existed."""
    with at_least(timing.START_FLOOR_SECONDS):
        return _start(body)


def _start(body: StartRequest) -> StartResponse:
    delivery = SMS if body.phone else EMAIL
    _create_if_new(body)
    try:
        result = cognito().initiate_auth(
            ClientId=client_id(),
            AuthFlow="CUSTOM_AUTH",
            AuthParameters={"USERNAME": body.username},
            ClientMetadata={DELIVERY: delivery},
        )
    except ClientError as exc:
        code = error_code(exc)
        wait = retry_after(error_message(exc)) if code == "UserLambdaValidationException" else None
        if wait is not None:
            raise too_many_requests(
                str(wait), "Too many codes were sent to this destination; try again later."
            ) from None
        if code in CANNOT_SIGN_IN:
            return _answer(body, delivery, session=_decoy_session())
        raise unexpected(exc) from None
    echo = result.get("ChallengeParameters", {}).get(DEV_OTP)
    return _answer(body, delivery, session=result["Session"], dev_otp=echo)


@router.post(
    "/verify",
    responses=documented(
        _401="invalid_code (with attempts_left and a new session) or session_expired"
    ),
)
def verify(body: VerifyRequest) -> Tokens:
    """Exchange the code for tokens. A wrong code answers with a new session to
    retry with (Cognito issues one per answer) and the attempts left."""
    try:
        result = cognito().respond_to_auth_challenge(
            ClientId=client_id(),
            ChallengeName=CUSTOM_CHALLENGE,
            Session=body.session,
            ChallengeResponses={"USERNAME": body.username, "ANSWER": body.otp},
        )
    except ClientError as exc:
        if error_code(exc) in SESSION_DEAD:
            raise ApiError(
                401,
                "session_expired",
                "This code is no longer valid; request a new one with /auth/start.",
            ) from None
        raise unexpected(exc) from None
    if "AuthenticationResult" in result:
        return tokens(result)
    attempts_left = int(result.get("ChallengeParameters", {}).get(ATTEMPTS_LEFT, "0"))
    raise ApiError(
        401,
        "invalid_code",
        "The code is not right.",
        extra={"attempts_left": attempts_left, "session": result["Session"]},
    )


def _create_if_new(body: StartRequest) -> None:
    """Create a confirmed, code-only user for an unknown phone or e-mail.

    Server-side IAM calls, never the public SignUp: no client can create a
    confirmed user, and pre sign-up never confirms one on a client's word."""
    try:
        cognito().admin_create_user(
            UserPoolId=user_pool_id(),
            Username=body.username,
            UserAttributes=[{"Name": _attribute(body), "Value": body.username}],
            MessageAction="SUPPRESS",  # no invitation: the code is the only message
        )
    except ClientError as exc:
        code = error_code(exc)
        if code == "UsernameExistsException":
            return  # a known user: left exactly as it is, same path from here on
        if code == "InvalidParameterException":
            raise _unusable_destination(body) from None
        raise unexpected(exc) from None
    try:
        # Cognito: a permanent password set by AdminSetUserPassword moves the
        # user from FORCE_CHANGE_PASSWORD to CONFIRMED, with no code sent.
        cognito().admin_set_user_password(
            UserPoolId=user_pool_id(),
            Username=body.username,
            # Nobody ever learns it: this user signs in with codes only.
            Password=_unusable_password(),
            Permanent=True,
        )
    except ClientError as exc:
        raise unexpected(exc) from None


def _attribute(body: StartRequest) -> str:
    return "phone_number" if body.phone else "email"


def _unusable_destination(body: StartRequest) -> ApiError:
    field = "phone" if body.phone else "email"
    return ApiError(
        422,
        "validation_error",
        f"This {'phone number' if body.phone else 'e-mail address'} cannot be used.",
        extra={
            "details": [
                {
                    "loc": ["body", field],
                    "msg": "not accepted by the user pool",
                    "type": "value_error",
                }
            ]
        },
    )


def _unusable_password() -> str:
    # Long and random, with every character class any pool policy may require.
    return secrets.token_urlsafe(32) + "aA1!"


def _decoy_session() -> str:
    # Shaped like a Cognito session; /auth/verify with it is session_expired.
    return secrets.token_urlsafe(680)


def _answer(
    body: StartRequest, delivery: str, *, session: str, dev_otp: str | None = None
) -> StartResponse:
    return StartResponse(
        session=session,
        phone=body.phone,
        email=body.email,
        delivery="sms" if delivery == SMS else "email",
        # The trigger echoes only where the stack enables it; never pass one on prod.
        dev_otp=dev_otp if settings.stage != PROD_STAGE else None,
    )
