"""Pre sign-up trigger: who is confirmed at once.

- `PreSignUp_SignUp` (the public SignUp, i.e. /auth/signup or any client
  holding the app client id) follows the stack's AUTO_CONFIRM only: when true
  the user is confirmed and the e-mail / phone given is marked verified; when
  false Cognito sends its confirmation code. Nothing the client sends
  (ValidationData, ClientMetadata) can confirm a user.
- A public SignUp that names a phone number is refused: password users are
  e-mail users (/auth/signup takes no phone), and an unconfirmed sign-up made
  with a stranger's number would only squat it.
- `PreSignUp_AdminCreateUser` (/auth/start's server-side AdminCreateUser) and
  federated sign-ups are left as Cognito makes them: /auth/start confirms its
  own users with AdminSetUserPassword, an IAM call no client can make.
"""

from __future__ import annotations

from typing import Any

from auth.triggers.config import PreSignUpSettings
from service_kernel.invocation import lambda_function
from service_kernel.settings import load_settings

settings = load_settings(PreSignUpSettings)


class PhoneSignUpRefused(Exception):
    """Cognito fails the SignUp with this (UserLambdaValidationException)."""


@lambda_function
def handler(event: dict[str, Any], _context: Any) -> dict[str, Any]:
    if event.get("triggerSource") != "PreSignUp_SignUp":
        return event
    attributes = (event.get("request") or {}).get("userAttributes") or {}
    if attributes.get("phone_number"):
        raise PhoneSignUpRefused("sign-up with a phone number is not offered; use /auth/start")
    if not settings.auto_confirm:
        return event
    response = event.setdefault("response", {})
    response["autoConfirmUser"] = True
    # Cognito fails the sign-up if a flag names an attribute the user lacks.
    response["autoVerifyEmail"] = bool(attributes.get("email"))
    response["autoVerifyPhone"] = bool(attributes.get("phone_number"))
    return event
