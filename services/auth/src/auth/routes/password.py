"""POST /auth/signup, /auth/confirm, /auth/login: e-mail and password."""

from __future__ import annotations

import uuid

from botocore.exceptions import ClientError
from fastapi import APIRouter, Response

from auth import timing
from auth.cognito import client_id, cognito, error_code, error_message, tokens
from auth.errors import documented, unexpected
from auth.models import ConfirmRequest, Credentials, SignupResponse, Tokens
from auth.settings import settings
from auth.timing import at_least
from service_kernel import ApiError

router = APIRouter(prefix="/auth", tags=["password"])

_POLICY_PREFIX = "Password did not conform with policy: "
# Every way a code can be wrong, for a user who may or may not exist.
CODE_REFUSED = frozenset(
    {
        "CodeMismatchException",
        "ExpiredCodeException",
        "UserNotFoundException",
        "NotAuthorizedException",
        "AliasExistsException",
    }
)
BAD_CREDENTIALS = frozenset(
    {"NotAuthorizedException", "UserNotFoundException", "PasswordResetRequiredException"}
)


@router.post(
    "/signup",
    status_code=201,
    responses=documented(_422="validation_error: the password policy rule that failed"),
)
def signup(body: Credentials) -> SignupResponse:
    """Create a password user. An e-mail already registered gets the same 201
    shape as a new one (the pool prevents user-existence errors)."""
    try:
        with at_least(timing.SIGN_UP_FLOOR_SECONDS):
            result = cognito().sign_up(
                ClientId=client_id(),
                Username=body.email,
                Password=body.password,
                UserAttributes=[{"Name": "email", "Value": body.email}],
            )
    except ClientError as exc:
        code = error_code(exc)
        if code == "UsernameExistsException":
            return SignupResponse(user_sub=str(uuid.uuid4()), confirmed=settings.auto_confirm)
        if code == "InvalidPasswordException" or (
            code == "InvalidParameterException" and "password" in error_message(exc).lower()
        ):
            raise _weak_password(error_message(exc)) from None
        raise unexpected(exc) from None
    return SignupResponse(user_sub=result["UserSub"], confirmed=bool(result["UserConfirmed"]))


@router.post(
    "/confirm",
    status_code=204,
    response_class=Response,
    responses=documented(_400="invalid_code"),
)
def confirm(body: ConfirmRequest) -> Response:
    """Confirm a sign-up with the code Cognito e-mailed."""
    try:
        cognito().confirm_sign_up(
            ClientId=client_id(), Username=body.email, ConfirmationCode=body.code
        )
    except ClientError as exc:
        if error_code(exc) in CODE_REFUSED:
            raise ApiError(400, "invalid_code", "The confirmation code is not right.") from None
        raise unexpected(exc) from None
    return Response(status_code=204)


@router.post(
    "/login",
    responses=documented(_401="invalid_credentials", _403="user_not_confirmed"),
)
def login(body: Credentials) -> Tokens:
    """Tokens for an e-mail and password (USER_PASSWORD_AUTH)."""
    try:
        result = cognito().initiate_auth(
            ClientId=client_id(),
            AuthFlow="USER_PASSWORD_AUTH",
            AuthParameters={"USERNAME": body.email, "PASSWORD": body.password},
        )
    except ClientError as exc:
        code = error_code(exc)
        if code in BAD_CREDENTIALS:
            raise _invalid_credentials() from None
        if code == "UserNotConfirmedException":
            # Cognito says so only after the password was right.
            raise ApiError(
                403, "user_not_confirmed", "Confirm the sign-up with the e-mailed code first."
            ) from None
        raise unexpected(exc) from None
    if "AuthenticationResult" not in result:
        # A challenge this API does not offer (e.g. an administrator's
        # temporary password): not a usable sign-in here.
        raise _invalid_credentials()
    return tokens(result)


def _invalid_credentials() -> ApiError:
    return ApiError(401, "invalid_credentials", "The e-mail or password is not right.")


def _weak_password(cognito_message: str) -> ApiError:
    rule = cognito_message.removeprefix(_POLICY_PREFIX)
    return ApiError(
        422,
        "validation_error",
        "The password does not meet the password policy.",
        extra={"details": [{"loc": ["body", "password"], "msg": rule, "type": "password_policy"}]},
    )
