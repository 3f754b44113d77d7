"""Custom message trigger: Cognito asks it for the text of every message the
pool sends itself, before sending, and sends nothing when it fails (developer
guide, "Custom message Lambda trigger"). So this is where those messages are
held to the same budgets as the codes the create trigger sends, or refused.

- `CustomMessage_SignUp` (the code that confirms a password sign-up) goes
  only with the API's sign-up ticket (ClientMetadata `ticket`,
  auth.protocol.sign_up_ticket: /auth/signup spent the sign-up's source,
  destination and stack budgets), and counts against this trigger's own
  per-destination and stack-wide e-mail counts, the create trigger's, as
  one more send. Without a valid ticket (a SignUp that did not come through
  the API) nothing is sent.
- Every other message is refused, because the API never asks for it:
  `ResendCode` (a new sign-up replaces an unconfirmed one instead),
  `ForgotPassword` (also off in the pool: account recovery is admin only),
  `UpdateUserAttribute` and `VerifyUserAttribute` (a signed-in user's
  changed or unverified address: the first code sign-in proves an address),
  `AdminCreateUser` (the API suppresses the invitation) and
  `Authentication` (no MFA). A changed address is never verified, so the
  pool keeps the old one (it must be verified before an update counts).

Cognito fails the call that wanted to send with UserLambdaValidationException
carrying the error's text; the API reads its rate limit from it.
"""

from __future__ import annotations

from functools import partial
from typing import Final

from auth import abuse, protocol
from auth.protocol import EMAIL, TICKET
from auth.triggers import sends
from auth.triggers.config import MessageSettings
from auth.triggers.deps import MessageDeps, Trigger
from auth.triggers.events import CustomMessageEvent
from service_kernel.invocation import Refusal
from service_kernel.log import get_logger
from service_kernel.parameters import secret_value
from service_kernel.settings import load_settings

logger = get_logger()

SIGN_UP: Final = "CustomMessage_SignUp"
# Cognito keeps a sign-up's confirmation code for a day.
SIGN_UP_CODE_LIFETIME = "24 hours"


class MessageRefused(Refusal):
    """Nothing is sent; Cognito fails the call that asked for the message."""


def respond(event: CustomMessageEvent, deps: MessageDeps) -> CustomMessageEvent:
    source = event["triggerSource"]
    if source != SIGN_UP:
        logger.warning("message not sent: the API never asks for it", trigger_source=source)
        raise MessageRefused(f"not sent: {source} is not offered")
    request = event["request"]
    settings = deps.settings
    email = request["userAttributes"].get("email")
    given = str((request.get("clientMetadata") or {}).get(TICKET) or "")
    if not email or not protocol.sign_up_ticket_is_valid(
        secret_value(settings.ticket_key_parameter), given, email, deps.clock()
    ):
        logger.warning("message not sent: no valid sign-up ticket from the API")
        raise MessageRefused("not sent: no valid ticket from the API")
    hashed = protocol.destination_hash(secret_value(settings.destination_key_parameter), email)
    sends.count_send(deps.counters, settings, hashed, EMAIL, deps.clock())
    response = event["response"]
    response["emailSubject"] = f"Confirm your {settings.product_name} sign-up"
    response["emailMessage"] = confirmation_message(settings.product_name, request["codeParameter"])
    # The destination only as its keyed hash, never the address or the code.
    logger.info("sign-up confirmation let go", destination_key=abuse.destination_sent_key(hashed))
    return event


def confirmation_message(product: str, code: str) -> str:
    return (
        f"Your {product} confirmation code is {code}. It expires in {SIGN_UP_CODE_LIFETIME}. "
        "If you did not sign up, ignore this message: nothing happens without the code."
    )


handler = Trigger(respond, partial(MessageDeps.on_table, load_settings(MessageSettings)))
