"""Pre sign-up trigger: who is confirmed at once.

- `PreSignUp_SignUp` (the public SignUp, i.e. /auth/signup or any client
  holding the app client id) follows the stack's AUTO_CONFIRM only: when true
  the user is confirmed, and nothing is marked verified (the address was never
  proved: the first code to it proves it, and clears the password an unproven
  sign-up set, auth.triggers.ownership); when false Cognito sends its
  confirmation code. Nothing the client sends
  (ValidationData, ClientMetadata) can confirm a user.
- A public SignUp that names a phone number is refused: password users are
  e-mail users (/auth/signup takes no phone), and an unconfirmed sign-up made
  with a stranger's number would only squat it.
- `PreSignUp_AdminCreateUser` (/auth/start's server-side AdminCreateUser) and
  federated sign-ups are left as Cognito makes them: /auth/start confirms its
  own users with AdminSetUserPassword, an IAM call no client can make.
"""

from __future__ import annotations

from functools import partial

from auth.triggers.config import PreSignUpSettings
from auth.triggers.deps import PreSignUpDeps, Trigger
from auth.triggers.events import PreSignUpEvent
from service_kernel.invocation import Refusal
from service_kernel.settings import load_settings


class PhoneSignUpRefused(Refusal):
    """Cognito fails the SignUp with this (UserLambdaValidationException)."""


def respond(event: PreSignUpEvent, deps: PreSignUpDeps) -> PreSignUpEvent:
    if event["triggerSource"] != "PreSignUp_SignUp":
        return event
    attributes = event["request"]["userAttributes"]
    if attributes.get("phone_number"):
        raise PhoneSignUpRefused("sign-up with a phone number is not offered; use /auth/start")
    if not deps.settings.auto_confirm:
        return event
    response = event["response"]
    response["autoConfirmUser"] = True
    # Never autoVerifyEmail / autoVerifyPhone: whoever signed up proved nothing.
    response["autoVerifyEmail"] = False
    response["autoVerifyPhone"] = False
    return event


handler = Trigger(respond, partial(PreSignUpDeps, load_settings(PreSignUpSettings)))
