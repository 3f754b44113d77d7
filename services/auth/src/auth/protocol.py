"""What the API and its Cognito triggers agree on. Standard library only: the
trigger functions import it and must stay light (no FastAPI)."""

from __future__ import annotations

import re

# ClientMetadata key: which of the user's attributes gets the code.
DELIVERY = "delivery"
SMS = "sms"
EMAIL = "email"

# Public challenge parameters (the API reads them from ChallengeParameters).
ATTEMPTS_LEFT = "attempts_left"
DEV_OTP = "dev_otp"

# A create-auth-challenge trigger that refuses to send raises an error with
# this text; Cognito hands it back inside UserLambdaValidationException.
RATE_LIMITED = "too_many_requests retry_after={seconds}"
_RATE_LIMITED = re.compile(r"too_many_requests retry_after=(\d+)")

# What Cognito accepts as a phone_number (E.164) and a practical e-mail shape.
PHONE_PATTERN = r"^\+[1-9]\d{6,14}$"
EMAIL_PATTERN = r"^[^@\s]{1,64}@[^@\s]+\.[^@\s]+$"


def retry_after(cognito_message: str) -> int | None:
    """Seconds to wait, when a Cognito error carries the trigger's rate limit."""
    match = _RATE_LIMITED.search(cognito_message)
    return int(match.group(1)) if match else None
