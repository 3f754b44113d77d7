"""Every message Cognito sends itself (a code by e-mail or SMS) goes through
`send`: the pool's CustomMessage trigger first, when its LambdaConfig names
one, and only then the message, recorded in the outbox (`sent_messages`).

Cognito invokes the trigger before it sends (developer guide, "Custom message
Lambda trigger"), so a failing trigger means nothing is sent, and a message
the trigger returns without the code's placeholder is refused, as Cognito
refuses it (amazon-archives/amazon-cognito-identity-js#99:
InvalidParameterException on the emailBody pattern)."""

from __future__ import annotations

from typing import Any

from moto.cognitoidp.models import CognitoIdpUser, CognitoIdpUserPool

from cognito_emulator import errors, events
from cognito_emulator.state import STATE, SentMessage, new_code
from cognito_emulator.triggers import invoke, trigger_arn, user_attributes

CHANNELS = {"email": "email", "phone_number": "sms"}
MEDIUMS = {"email": "EMAIL", "sms": "SMS"}

# Cognito's own texts when no trigger (or a trigger that sets none) words them.
VERIFICATION = ("Your verification code", f"Your verification code is {events.CODE_PARAMETER}.")
INVITATION = (
    "Your temporary password",
    f"Your username is {events.USERNAME_PARAMETER} and temporary password is "
    f"{events.CODE_PARAMETER}.",
)
# The pattern Cognito names when a message lacks the code (the public report above).
_TEXT = r"[\p{L}\p{M}\p{S}\p{N}\p{P}\s*]*"
PATTERNS = {
    "email": ("emailBody", _TEXT + r"\{####\}" + _TEXT),
    "sms": ("smsMessage", r".*\{####\}.*"),
}


def send(
    pool: CognitoIdpUserPool,
    user: CognitoIdpUser,
    trigger_source: str,
    client_id: str,
    client_metadata: dict[str, str],
    attribute: str,
    *,
    destination: str | None = None,
    code: str | None = None,
    login_name: str | None = None,
) -> SentMessage:
    """Send `user` a code by the channel of `attribute` ("email" or
    "phone_number"), to `destination` (the attribute's value by default).

    The trigger sees the user's attributes with `destination` in place (a
    changed e-mail is verified at its new address). `code` is made here
    unless given (AdminCreateUser's temporary password); `login_name` fills
    {username} (the user's username by default). Raises what Cognito raises;
    then nothing is sent."""
    channel = CHANNELS[attribute]
    destination = destination or str(user.attribute_lookup.get(attribute) or "")
    if not destination:
        raise errors.invalid_parameter(f"The user has no {attribute} to send a code to.")
    name = login_name or str(user.username)
    response: dict[str, Any] = {}
    if trigger_arn(pool, "CustomMessage"):
        attributes = {**user_attributes(user), attribute: destination}
        username_parameter = events.USERNAME_PARAMETER if _invitation(trigger_source) else None
        event = events.custom_message(
            events.common(trigger_source, pool.region, pool.id, str(user.username), client_id),
            attributes,
            client_metadata,
            username_parameter,
        )
        response = invoke(pool, "CustomMessage", event)
    subject, body = _text(trigger_source, channel, response)
    code = code or new_code()
    message = SentMessage(
        user_pool_id=pool.id,
        user_sub=user.id,
        username=str(user.username),
        trigger_source=trigger_source,
        channel=channel,
        destination=destination,
        code=code,
        subject=subject,
        body=body.replace(events.CODE_PARAMETER, code).replace(events.USERNAME_PARAMETER, name),
    )
    STATE.outbox.record(message)
    return message


def delivery(message: SentMessage) -> dict[str, str]:
    """CodeDeliveryDetails for a message sent, its destination masked."""
    attribute = "email" if message.channel == "email" else "phone_number"
    return simulated(attribute, message.destination)


def simulated(attribute: str, destination: str) -> dict[str, str]:
    """CodeDeliveryDetails for `destination`, masked as Cognito masks it."""
    if attribute == "email":
        local, _, domain = destination.partition("@")
        masked = f"{local[:1]}***@{domain[:1]}***"
    else:
        masked = "+*******" + destination[-4:]
    return {
        "Destination": masked,
        "DeliveryMedium": MEDIUMS[CHANNELS[attribute]],
        "AttributeName": attribute,
    }


def _invitation(trigger_source: str) -> bool:
    return trigger_source == "CustomMessage_AdminCreateUser"


def _text(trigger_source: str, channel: str, response: dict[str, Any]) -> tuple[str | None, str]:
    """(subject, body) with the code's placeholder still in: the trigger's
    text where it set one (refused without the placeholder), else Cognito's."""
    default_subject, default_body = INVITATION if _invitation(trigger_source) else VERIFICATION
    field = "emailMessage" if channel == "email" else "smsMessage"
    body = response.get(field)
    if body is None:
        body = default_body
    elif events.CODE_PARAMETER not in str(body):
        name, pattern = PATTERNS[channel]
        raise errors.invalid_parameter(
            f"1 validation error detected: Value '{body}' at '{name}' failed to satisfy "
            f"constraint: Member must satisfy regular expression pattern: {pattern}"
        )
    if channel == "sms":
        return None, str(body)
    subject = response.get("emailSubject")
    return (str(subject) if subject is not None else default_subject), str(body)


def confirmation_attribute(pool: CognitoIdpUserPool, user: CognitoIdpUser) -> str | None:
    """Where a sign-up's confirmation code goes: the e-mail when the pool
    auto-verifies e-mail, else the phone when it auto-verifies phones, else
    nowhere (an administrator confirms)."""
    verified = pool.extended_config.get("AutoVerifiedAttributes") or []
    for attribute in ("email", "phone_number"):
        if attribute in verified and user.attribute_lookup.get(attribute):
            return attribute
    return None
