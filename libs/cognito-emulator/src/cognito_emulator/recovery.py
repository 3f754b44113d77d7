"""ForgotPassword and ConfirmForgotPassword as Cognito runs them: refused
where the pool allows no self-service recovery, the code sent through the
custom message trigger, and only that code accepted."""

from __future__ import annotations

from typing import Any

from moto.cognitoidp.models import CognitoIdpUser, CognitoIdpUserPool

from cognito_emulator import errors, messages
from cognito_emulator.triggers import find_user

# Cognito's order when a pool declares no AccountRecoverySetting: SMS first.
LEGACY_MECHANISMS = [
    {"Name": "verified_phone_number", "Priority": 1},
    {"Name": "verified_email", "Priority": 2},
]
ATTRIBUTES = {"verified_email": "email", "verified_phone_number": "phone_number"}


def forgot_password(
    pool: CognitoIdpUserPool, client_id: str, username: str, client_metadata: dict[str, str]
) -> dict[str, Any] | None:
    """CodeDeliveryDetails of the code sent, or None for an unknown user
    (moto's own answer then, which sends nothing)."""
    mechanisms = _mechanisms(pool)
    if mechanisms[0]["Name"] == "admin_only":
        # ForgotPassword API reference: the pool must have self-service
        # recovery options. The wording is our best reading of Cognito's.
        raise errors.not_authorized("User password cannot be reset in the current state.")
    user = find_user(pool, username)
    if user is None:
        return None
    attribute = _recovery_attribute(mechanisms, user)
    if attribute is None:
        raise errors.invalid_parameter(
            "Cannot reset password for the user as there is no registered/verified email or "
            "phone_number"
        )
    message = messages.send(
        pool, user, "CustomMessage_ForgotPassword", client_id, client_metadata, attribute
    )
    user.confirmation_code = message.code
    return {"CodeDeliveryDetails": messages.delivery(message)}


def require_reset_code(pool: CognitoIdpUserPool, username: str, code: str) -> None:
    """ConfirmForgotPassword takes only the code ForgotPassword sent (moto
    alone takes any code it did not make itself)."""
    user = find_user(pool, username)
    if user is None:
        return
    if not user.confirmation_code or user.confirmation_code != code:
        raise errors.CognitoError(
            "CodeMismatchException", "Invalid verification code provided, please try again."
        )


def _mechanisms(pool: CognitoIdpUserPool) -> list[dict[str, Any]]:
    setting = pool.extended_config.get("AccountRecoverySetting") or {}
    declared = setting.get("RecoveryMechanisms") or LEGACY_MECHANISMS
    return sorted(declared, key=lambda mechanism: int(mechanism["Priority"]))


def _recovery_attribute(mechanisms: list[dict[str, Any]], user: CognitoIdpUser) -> str | None:
    """The first recovery mechanism the user has a verified attribute for."""
    for mechanism in mechanisms:
        attribute = ATTRIBUTES.get(str(mechanism["Name"]))
        if (
            attribute
            and user.attribute_lookup.get(attribute)
            and str(user.attribute_lookup.get(f"{attribute}_verified")).lower() == "true"
        ):
            return attribute
    return None
