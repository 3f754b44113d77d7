"""Create auth challenge trigger: send a one-time code, once per sign-in.

The first round makes a code, counts the send against the destination's rate
limit and delivers it (SMS for a phone, e-mail otherwise, or as ClientMetadata
`delivery` asks among the user's own attributes). Retries after a wrong answer
reuse that code from the session's challengeMetadata and send nothing.
"""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools import Logger

from auth.protocol import ATTEMPTS_LEFT, DELIVERY, DEV_OTP, EMAIL, SMS
from auth.triggers import delivery, otp
from auth.triggers.config import CreateSettings
from auth.triggers.rate_limit import RateLimitedError, count_send, destination_key
from service_kernel.settings import load_settings

settings = load_settings(CreateSettings)
logger = Logger()


def handler(event: dict[str, Any], _context: Any) -> dict[str, Any]:
    request = event.get("request") or {}
    session = request.get("session") or []
    destination = _destination(request)
    public: dict[str, str] = {}

    challenge = otp.current_challenge(session)
    if challenge is None:
        code = otp.new_code()
        challenge = otp.Challenge(otp.digest(code), int(otp.now()) + settings.otp_ttl_seconds)
        if destination is not None and not request.get("userNotFound"):
            _send(str(event.get("userPoolId", "")), destination, code)
            if settings.dev_otp_echo:
                public[DEV_OTP] = code

    attempts_left = max(settings.otp_max_attempts - otp.failed_attempts(session), 0)
    public[ATTEMPTS_LEFT] = str(attempts_left)
    public[DELIVERY] = destination[0] if destination else SMS
    response = event.setdefault("response", {})
    response["publicChallengeParameters"] = public
    response["privateChallengeParameters"] = challenge.private_parameters()
    response["challengeMetadata"] = challenge.metadata()
    return event


def _destination(request: dict[str, Any]) -> tuple[str, str] | None:
    attributes = request.get("userAttributes") or {}
    phone, email = attributes.get("phone_number"), attributes.get("email")
    wanted = (request.get("clientMetadata") or {}).get(DELIVERY)
    if wanted == EMAIL and email:
        return EMAIL, str(email)
    if phone:
        return SMS, str(phone)
    if email:
        return EMAIL, str(email)
    return None


def _send(salt: str, destination: tuple[str, str], code: str) -> None:
    kind, address = destination
    key = destination_key(salt, address)
    try:
        count_send(
            settings.table_name,
            key,
            settings.send_rate_limit,
            settings.send_rate_window_seconds,
            otp.now(),
        )
    except RateLimitedError as exc:
        logger.warning("code not sent: rate limited", delivery=kind, retry_after=exc.retry_after)
        raise
    text = delivery.message(settings.product_name, code, settings.otp_ttl_seconds)
    if kind == SMS:
        delivery.send_sms(address, text)
    else:
        delivery.send_email(settings.email_sender, address, settings.product_name, text)
    # The destination only as its table key's hash, never the code.
    logger.info("code sent", delivery=kind, destination_key=key)
