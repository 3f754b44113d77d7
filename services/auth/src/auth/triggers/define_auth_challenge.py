"""Define auth challenge trigger: the one-time-code sequence.

Tokens after a right answer; failure after OTP_MAX_ATTEMPTS wrong answers or
once the code has expired; otherwise (another) CUSTOM_CHALLENGE. An unknown
user (userNotFound) goes through the same steps, so nothing tells it apart.
"""

from __future__ import annotations

from typing import Any

from auth.triggers import otp
from auth.triggers.config import DefineSettings
from service_kernel.invocation import lambda_function
from service_kernel.settings import load_settings

settings = load_settings(DefineSettings)

CUSTOM_CHALLENGE = "CUSTOM_CHALLENGE"


@lambda_function
def handler(event: dict[str, Any], _context: Any) -> dict[str, Any]:
    session = (event.get("request") or {}).get("session") or []
    response = event.setdefault("response", {})
    response["issueTokens"] = False
    response["failAuthentication"] = False
    if any(entry.get("challengeName") != CUSTOM_CHALLENGE for entry in session):
        # This flow is the one-time code only: no password or SRP step in it.
        response["failAuthentication"] = True
    elif session and session[-1].get("challengeResult") is True:
        response["issueTokens"] = True
    elif otp.failed_attempts(session) >= settings.otp_max_attempts or _code_expired(session):
        response["failAuthentication"] = True
    else:
        response["challengeName"] = CUSTOM_CHALLENGE
    return event


def _code_expired(session: list[dict[str, Any]]) -> bool:
    challenge = otp.current_challenge(session)
    return challenge is not None and challenge.expired()
