"""SignUp, AdminCreateUser and ConfirmSignUp with the pre sign-up trigger,
sign-up confirmation codes, and Cognito's password policy messages."""

from __future__ import annotations

import re
from typing import Any

from moto.cognitoidp.models import (
    CognitoIdpBackend,
    CognitoIdpUser,
    CognitoIdpUserPool,
    UserStatus,
)

from cognito_emulator import errors, events
from cognito_emulator.state import STATE
from cognito_emulator.triggers import backend_of, invoke, trigger_arn, user_attributes

# What Cognito puts in callerContext.clientId for a call that names no app
# client (AdminCreateUser is an IAM call on the pool).
NO_CLIENT = "CLIENT_ID_NOT_APPLICABLE"

SYMBOLS = set("^$*.[]{}()?\"!@#%&/\\,><':;|_~`=+- ")


def sign_up(
    pool: CognitoIdpUserPool,
    client_id: str,
    username: str,
    password: str,
    attributes: list[dict[str, str]],
    validation_data: dict[str, str],
    client_metadata: dict[str, str],
) -> dict[str, Any]:
    backend = backend_of(pool)
    user, delivery = backend.sign_up(client_id, username, password, attributes)
    if trigger_arn(pool, "PreSignUp"):
        decision = _run_pre_sign_up(
            pool, user, "PreSignUp_SignUp", client_id, validation_data, client_metadata
        )
        if decision.get("autoConfirmUser") is True:
            user.status = UserStatus.CONFIRMED
    answer: dict[str, Any] = {
        "UserConfirmed": user.status == UserStatus.CONFIRMED,
        "UserSub": user.id,
    }
    if user.status != UserStatus.CONFIRMED:
        # Cognito sends this code by e-mail or SMS; tests read it back with
        # cognito_emulator.sign_up_code().
        STATE.sign_up_codes.issue(pool.id, user.id)
        if delivery:
            answer["CodeDeliveryDetails"] = delivery
    return answer


def admin_create_user(
    backend: CognitoIdpBackend,
    pool: CognitoIdpUserPool,
    username: str,
    message_action: str | None,
    temporary_password: str | None,
    attributes: list[dict[str, str]],
    validation_data: dict[str, str],
    client_metadata: dict[str, str],
) -> CognitoIdpUser:
    user = backend.admin_create_user(
        pool.id,
        username,
        message_action,  # type: ignore[arg-type]  # None, as moto's own handler passes it
        temporary_password,  # type: ignore[arg-type]
        attributes,
    )
    if trigger_arn(pool, "PreSignUp") and message_action != "RESEND":
        # An administrator's user starts in FORCE_CHANGE_PASSWORD whatever the
        # trigger says; only the verify flags apply to it.
        _run_pre_sign_up(
            pool,
            user,
            "PreSignUp_AdminCreateUser",
            NO_CLIENT,
            validation_data,
            client_metadata,
        )
    return user


def confirm_sign_up(pool: CognitoIdpUserPool, client_id: str, username: str, code: str) -> None:
    user = pool._get_user(username)
    if user is None:
        raise errors.CognitoError(
            "UserNotFoundException", "Username/client id combination not found."
        )
    if user.status == UserStatus.CONFIRMED:
        raise errors.not_authorized("User cannot be confirmed. Current status is CONFIRMED")
    expected = STATE.sign_up_codes.get(pool.id, user.id)
    if expected is not None and code != expected:
        raise errors.CognitoError(
            "CodeMismatchException", "Invalid verification code provided, please try again."
        )
    backend_of(pool).confirm_sign_up(client_id, username)
    STATE.sign_up_codes.discard(pool.id, user.id)


def validate_password(backend: CognitoIdpBackend, user_pool_id: str, password: str) -> None:
    """The pool's password policy, failing with the rule Cognito names:
    "Password did not conform with policy: <rule>"."""
    pool = backend.describe_user_pool(user_pool_id)
    policy = pool.extended_config.get("Policies", {}).get("PasswordPolicy", {})
    rules = (
        (len(password) >= policy.get("MinimumLength", 8), "Password not long enough"),
        (
            not policy.get("RequireLowercase", True) or re.search(r"[a-z]", password),
            "Password must have lowercase characters",
        ),
        (
            not policy.get("RequireUppercase", True) or re.search(r"[A-Z]", password),
            "Password must have uppercase characters",
        ),
        (
            not policy.get("RequireNumbers", True) or re.search(r"\d", password),
            "Password must have numeric characters",
        ),
        (
            not policy.get("RequireSymbols", True) or any(c in SYMBOLS for c in password),
            "Password must have symbol characters",
        ),
    )
    for passed, rule in rules:
        if not passed:
            raise errors.CognitoError(
                "InvalidPasswordException", f"Password did not conform with policy: {rule}"
            )


def _run_pre_sign_up(
    pool: CognitoIdpUserPool,
    user: CognitoIdpUser,
    source: str,
    client_id: str,
    validation_data: dict[str, str],
    client_metadata: dict[str, str],
) -> dict[str, Any]:
    """Run pre sign-up for a user just created; a failing trigger leaves no user."""
    attributes = user_attributes(user)
    attributes.pop("cognito:user_status", None)
    event = events.pre_sign_up(
        events.common(source, pool.region, pool.id, str(user.username), client_id),
        attributes,
        validation_data,
        client_metadata,
    )
    try:
        decision = invoke(pool, "PreSignUp", event)
        verified = _verified_attributes(user, decision)
    except Exception:
        del pool.users[user.username]
        raise
    if verified:
        user.update_attributes([{"Name": name, "Value": "true"} for name in verified])
    return decision


def _verified_attributes(user: CognitoIdpUser, decision: dict[str, Any]) -> list[str]:
    verified = []
    for flag, attribute in (("autoVerifyEmail", "email"), ("autoVerifyPhone", "phone_number")):
        if decision.get(flag) is True:
            # Cognito refuses a verify flag for an attribute the user lacks.
            if not user.attribute_lookup.get(attribute):
                raise errors.invalid_lambda_response("PreSignUp")
            verified.append(f"{attribute}_verified")
    return verified
