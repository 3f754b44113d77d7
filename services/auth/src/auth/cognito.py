"""The Cognito calls the API makes: public app-client calls (SignUp,
ConfirmSignUp, InitiateAuth, RespondToAuthChallenge, RevokeToken,
GlobalSignOut), which need no IAM permission, and the two IAM calls that
create a passwordless user (AdminCreateUser, AdminSetUserPassword)."""

from __future__ import annotations

from typing import Any

from botocore.exceptions import ClientError

from auth.models import Tokens
from auth.settings import settings
from service_kernel.aws import client


def cognito() -> Any:
    return client("cognito-idp")


def error_code(exc: ClientError) -> str:
    return str(exc.response.get("Error", {}).get("Code", ""))


def error_message(exc: ClientError) -> str:
    return str(exc.response.get("Error", {}).get("Message", ""))


def client_id() -> str:
    return settings.user_pool_client_id


def user_pool_id() -> str:
    return settings.user_pool_id


def tokens(result: dict[str, Any]) -> Tokens:
    auth = result["AuthenticationResult"]
    return Tokens(
        access_token=auth["AccessToken"],
        id_token=auth["IdToken"],
        refresh_token=auth.get("RefreshToken"),
        expires_in=int(auth["ExpiresIn"]),
    )
