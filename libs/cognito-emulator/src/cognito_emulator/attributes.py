"""What a signed-in user (an access token) may do to their own attributes:
write only what the app client's WriteAttributes allow, and have a changed
e-mail or phone, or one they ask to verify, sent a code through the custom
message trigger before anything changes.

Where the pool's UserAttributeUpdateSettings name the attribute in
AttributesRequireVerificationBeforeUpdate, the user keeps the old value until
the new one is verified (VerifyUserAttribute with the code sent to it)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from moto.cognitoidp.models import CognitoIdpUser, CognitoIdpUserPool, CognitoIdpUserPoolClient

from cognito_emulator import errors, messages
from cognito_emulator.state import STATE, AttributeCode, SentMessage
from cognito_emulator.triggers import backend_of, user_for_access_token

VERIFIABLE = ("email", "phone_number")


def require_writable(client: CognitoIdpUserPoolClient, names: Iterable[str]) -> None:
    """A client that declares WriteAttributes may write those alone (SignUp's
    UserAttributes, UpdateUserAttributes)."""
    allowed = client.extended_config.get("WriteAttributes")
    if allowed and any(name not in allowed for name in names):
        raise errors.not_authorized("A client attempted to write unauthorized attribute")


def update_user_attributes(
    access_token: str, attributes: list[dict[str, str]], client_metadata: dict[str, str]
) -> dict[str, Any]:
    pool, client_id, user = user_for_access_token(access_token)
    require_writable(pool.clients[client_id], [a["Name"] for a in attributes])
    changes = {str(a["Name"]): str(a.get("Value", "")) for a in attributes}
    new_email = changes.get("email")
    if new_email != user.attribute_lookup.get("email"):
        # Another user's e-mail (moto's check, which would also refuse the user's own).
        backend_of(pool)._verify_email_is_not_used(pool.id, new_email)
    auto_verified = pool.extended_config.get("AutoVerifiedAttributes") or []
    sent: list[tuple[str, SentMessage]] = [
        (
            attribute,
            messages.send(
                pool,
                user,
                "CustomMessage_UpdateUserAttribute",
                client_id,
                client_metadata,
                attribute,
                destination=changes[attribute],
            ),
        )
        for attribute in VERIFIABLE
        if attribute in auto_verified
        and changes.get(attribute)
        and changes[attribute] != user.attribute_lookup.get(attribute)
    ]
    # Every message went out: only now does anything change.
    for attribute, message in sent:
        pending = attribute in _verified_before_update(pool)
        STATE.attribute_codes.issue(
            pool.id, user.id, attribute, AttributeCode(message.code, message.destination, pending)
        )
        if pending:
            del changes[attribute]
        else:
            changes[f"{attribute}_verified"] = "false"
    user.update_attributes([{"Name": name, "Value": value} for name, value in changes.items()])
    return {"CodeDeliveryDetailsList": [messages.delivery(message) for _, message in sent]}


def get_user_attribute_verification_code(
    access_token: str, attribute: str, client_metadata: dict[str, str]
) -> dict[str, Any]:
    """A code to the attribute's value (the pending new value where a change
    awaits verification), through the custom message trigger."""
    pool, client_id, user = user_for_access_token(access_token)
    if attribute not in VERIFIABLE:
        raise errors.invalid_parameter(f"Cannot send a verification code for {attribute}.")
    waiting = STATE.attribute_codes.get(pool.id, user.id, attribute)
    pending = waiting is not None and waiting.pending
    value = waiting.value if waiting and pending else user.attribute_lookup.get(attribute)
    if not value:
        raise errors.invalid_parameter(f"The user has no {attribute} to verify.")
    message = messages.send(
        pool,
        user,
        "CustomMessage_VerifyUserAttribute",
        client_id,
        client_metadata,
        attribute,
        destination=str(value),
    )
    STATE.attribute_codes.issue(
        pool.id, user.id, attribute, AttributeCode(message.code, message.destination, pending)
    )
    return {"CodeDeliveryDetails": messages.delivery(message)}


def verify_user_attribute(access_token: str, attribute: str, code: str) -> None:
    """The code sent for the attribute proves its value: a pending one replaces the old."""
    pool, _, user = user_for_access_token(access_token)
    sent = STATE.attribute_codes.get(pool.id, user.id, attribute)
    if sent is None or sent.code != code:
        raise errors.CognitoError(
            "CodeMismatchException", "Invalid verification code provided, please try again."
        )
    _apply(user, attribute, sent.value)
    STATE.attribute_codes.discard(pool.id, user.id, attribute)


def _apply(user: CognitoIdpUser, attribute: str, value: str) -> None:
    user.update_attributes(
        [{"Name": attribute, "Value": value}, {"Name": f"{attribute}_verified", "Value": "true"}]
    )


def _verified_before_update(pool: CognitoIdpUserPool) -> list[str]:
    settings = pool.extended_config.get("UserAttributeUpdateSettings") or {}
    return list(settings.get("AttributesRequireVerificationBeforeUpdate") or [])
