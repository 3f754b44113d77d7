"""Pre sign-up trigger: who is confirmed at once.

- A sign-up by /auth/start (ValidationData `passwordless` = "true") is
  confirmed: CUSTOM_AUTH refuses unconfirmed users, and every sign-in of such
  a user proves the destination with a fresh one-time code. No attribute is
  marked verified by this.
- Any other SignUp (/auth/signup) follows the stack's AUTO_CONFIRM: when true
  the user is confirmed and the e-mail / phone given is marked verified; when
  false Cognito sends its confirmation code.
- AdminCreateUser and federated sign-ups are left as Cognito makes them.
"""

from __future__ import annotations

from typing import Any

from auth.protocol import PASSWORDLESS_SIGN_UP
from auth.triggers.config import PreSignUpSettings, load

settings = load(PreSignUpSettings)


def handler(event: dict[str, Any], _context: Any) -> dict[str, Any]:
    if event.get("triggerSource") != "PreSignUp_SignUp":
        return event
    request = event.get("request") or {}
    response = event.setdefault("response", {})
    validation_data = request.get("validationData") or {}  # null when none was sent
    if validation_data.get(PASSWORDLESS_SIGN_UP) == "true":
        response["autoConfirmUser"] = True
    elif settings.auto_confirm:
        attributes = request.get("userAttributes") or {}
        response["autoConfirmUser"] = True
        # Cognito fails the sign-up if a flag names an attribute the user lacks.
        response["autoVerifyEmail"] = bool(attributes.get("email"))
        response["autoVerifyPhone"] = bool(attributes.get("phone_number"))
    return event
