"""SignUp, AdminCreateUser, ConfirmSignUp and ResendConfirmationCode with the
pre sign-up trigger, the confirmation codes and invitations sent through the
custom message trigger, and Cognito's password policy messages."""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass, field
from typing import Any

from moto.cognitoidp.models import (
    CognitoIdpBackend,
    CognitoIdpUser,
    CognitoIdpUserPool,
    UserStatus,
)

from cognito_emulator import errors, events, messages
from cognito_emulator.attributes import require_writable
from cognito_emulator.state import STATE
from cognito_emulator.triggers import (
    backend_of,
    find_user,
    invoke,
    trigger_arn,
    user_attributes,
)

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
    require_writable(pool.clients[client_id], [a["Name"] for a in attributes])
    backend = backend_of(pool)
    # moto's delivery details come from the recovery setting; Cognito's from
    # the message it sends (below).
    user, _ = backend.sign_up(client_id, username, password, attributes)
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
    attribute = messages.confirmation_attribute(pool, user)
    if user.status != UserStatus.CONFIRMED and attribute:
        # A failing custom message trigger fails the call, but the user stays,
        # unconfirmed, with no code: Cognito recorded the sign-up before it
        # sent (ResendConfirmationCode can send one later).
        message = messages.send(
            pool, user, "CustomMessage_SignUp", client_id, client_metadata, attribute
        )
        STATE.sign_up_codes.issue(pool.id, user.id, message.code)
        answer["CodeDeliveryDetails"] = messages.delivery(message)
    return answer


def resend_confirmation_code(
    pool: CognitoIdpUserPool, client_id: str, username: str, client_metadata: dict[str, str]
) -> dict[str, Any]:
    """A new confirmation code for an unconfirmed user, through the custom
    message trigger; the previous code stays valid if sending fails."""
    user = find_user(pool, username)
    if user is None:
        return _resend_to_nobody(pool, client_id, username)
    if user.status == UserStatus.CONFIRMED:
        raise errors.invalid_parameter("User is already confirmed.")
    attribute = messages.confirmation_attribute(pool, user)
    if attribute is None:
        raise errors.invalid_parameter("Cannot resend codes. Auto verification not turned on.")
    message = messages.send(
        pool, user, "CustomMessage_ResendCode", client_id, client_metadata, attribute
    )
    STATE.sign_up_codes.issue(pool.id, user.id, message.code)
    return {"CodeDeliveryDetails": messages.delivery(message)}


def _resend_to_nobody(pool: CognitoIdpUserPool, client_id: str, username: str) -> dict[str, Any]:
    """An unknown user: with PreventUserExistenceErrors ENABLED Cognito answers
    a simulated delivery chosen by the username's form, sending nothing."""
    config = pool.clients[client_id].extended_config
    if config.get("PreventUserExistenceErrors") != "ENABLED":
        raise errors.CognitoError(
            "UserNotFoundException", "Username/client id combination not found."
        )
    attribute = "email" if "@" in username else "phone_number"
    return {"CodeDeliveryDetails": messages.simulated(attribute, username)}


def admin_create_user(
    backend: CognitoIdpBackend,
    pool: CognitoIdpUserPool,
    request: AdminCreateUserRequest,
) -> CognitoIdpUser:
    user = backend.admin_create_user(
        pool.id,
        request.username,
        request.message_action,  # type: ignore[arg-type]  # None, as moto's own handler passes it
        request.temporary_password,  # type: ignore[arg-type]
        request.attributes,
    )
    if trigger_arn(pool, "PreSignUp") and request.message_action != "RESEND":
        # An administrator's user starts in FORCE_CHANGE_PASSWORD whatever the
        # trigger says; only the verify flags apply to it.
        _run_pre_sign_up(
            pool,
            user,
            "PreSignUp_AdminCreateUser",
            NO_CLIENT,
            request.validation_data,
            request.client_metadata,
        )
    if request.message_action != "SUPPRESS":
        try:
            _invite(pool, user, request)
        except Exception:
            if request.message_action != "RESEND":
                del pool.users[user.username]
            raise
    return user


@dataclass(frozen=True)
class AdminCreateUserRequest:
    username: str
    message_action: str | None
    temporary_password: str | None
    attributes: list[dict[str, str]]
    validation_data: dict[str, str]
    client_metadata: dict[str, str]
    # Cognito's default is SMS alone.
    desired_delivery_mediums: list[str] = field(default_factory=lambda: ["SMS"])


def _invite(
    pool: CognitoIdpUserPool, user: CognitoIdpUser, request: AdminCreateUserRequest
) -> None:
    """The invitation with the temporary password (Cognito makes one when the
    administrator gives none), by each desired medium the user has an
    attribute for, through the custom message trigger."""
    if not user.password:
        user.password = f"Tmp-{secrets.token_urlsafe(9)}-1a"
    for medium in request.desired_delivery_mediums:
        attribute = "email" if medium == "EMAIL" else "phone_number"
        if user.attribute_lookup.get(attribute):
            messages.send(
                pool,
                user,
                "CustomMessage_AdminCreateUser",
                NO_CLIENT,
                request.client_metadata,
                attribute,
                code=str(user.password),
                login_name=request.username,
            )


def confirm_sign_up(pool: CognitoIdpUserPool, client_id: str, username: str, code: str) -> None:
    user = pool._get_user(username)
    if user is None:
        raise errors.CognitoError(
            "UserNotFoundException", "Username/client id combination not found."
        )
    if user.status == UserStatus.CONFIRMED:
        raise errors.not_authorized("User cannot be confirmed. Current status is CONFIRMED")
    # No code sent (none issued, or its message refused): none can match.
    expected = STATE.sign_up_codes.get(pool.id, user.id)
    if expected is None or code != expected:
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
