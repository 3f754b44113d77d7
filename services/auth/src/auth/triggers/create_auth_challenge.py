"""Create auth challenge trigger: make a one-time code, and send it once per
sign-in when the API vouches for the send.

The first round, only with a valid ticket from the API (ClientMetadata
`ticket`, auth.protocol.ticket: the API checked its budgets for this
destination and channel), makes a code, counts the send against this
trigger's own per-destination and stack-wide limits and delivers it (SMS for
a phone, e-mail otherwise, or as ClientMetadata `delivery` asks among the
user's own attributes). Cognito refuses InitiateAuth from anyone without the
app client's secret, which only the API holds; should a call reach this
trigger without a ticket all the same (or for an unknown user), the
challenge proceeds with the same public parameters, but it is unanswerable
and names no destination: nothing is sent, nothing is counted, and no answer
succeeds. Retries after a wrong answer reuse the code from the session's
challengeMetadata and send nothing.

Test destinations (TEST_DESTINATIONS) are never sent anything where the stack
is not production: their code is echoed as `dev_otp`, and their challenge names
no destination hash, so no wrong answer counts against them (their numbers are
public: locking them would stop the smoke test, and every deploy). On a
production stack the API's sign-ins treat them as ordinary numbers; the smoke
test signs them in through IAM calls only the deploy role may make
(AdminInitiateAuth), with a ticket made with the authTestCode secret, and
answers the fixed code derived from that same secret (never echoed, nothing
sent or counted). Every other code is echoed only under the local runtime
(LOCAL_RUNTIME_ECHO_CODES), never on a deployed stack.
"""

from __future__ import annotations

from functools import partial
from typing import Final, Literal

from auth import abuse, metrics, protocol
from auth.protocol import ATTEMPTS_LEFT, DELIVERY, DEV_OTP, EMAIL, SMS, TICKET, Channel
from auth.triggers import delivery, otp, sends
from auth.triggers.config import CreateSettings
from auth.triggers.deps import CreateDeps, Trigger
from auth.triggers.events import CreateAuthChallengeEvent, CreateAuthChallengeRequest
from service_kernel.log import get_logger
from service_kernel.parameters import secret_value
from service_kernel.settings import load_settings

logger = get_logger()
# Who started a sign-in the trigger serves (see _vouched).
Vouched = Literal["api", "smoke"]
API: Final = "api"
SMOKE: Final = "smoke"


def respond(event: CreateAuthChallengeEvent, deps: CreateDeps) -> CreateAuthChallengeEvent:
    request = event["request"]
    session = request["session"]
    destination = _destination(request)
    public: dict[str, str] = {}

    challenge = otp.current_challenge(session)
    if challenge is None:
        vouched = _vouched(request, destination, deps) if destination is not None else None
        if destination is not None and vouched is not None:
            challenge, code = _new_challenge(destination, deps, vouched)
            _deliver(destination, code, public, deps, vouched)
        else:
            # Work the API did not start (no valid ticket: a direct call, an
            # unknown user): a challenge no answer meets, for nobody's count.
            challenge = otp.Challenge.unanswerable(
                int(deps.clock()) + deps.settings.otp_ttl_seconds
            )
            logger.warning("code not sent: no valid ticket from the API")

    settings = deps.settings
    attempts_left = max(settings.otp_max_attempts - otp.failed_attempts(session), 0)
    # The same parameters for every user, known or not: nothing here tells
    # which channel an account has (the API knows which it asked for).
    public[ATTEMPTS_LEFT] = str(attempts_left)
    response = event["response"]
    response["publicChallengeParameters"] = public
    response["privateChallengeParameters"] = challenge.private_parameters()
    response["challengeMetadata"] = challenge.metadata()
    return event


def _new_challenge(
    destination: tuple[Channel, str], deps: CreateDeps, vouched: Vouched
) -> tuple[otp.Challenge, str]:
    settings = deps.settings
    kind, address = destination
    code = otp.new_code()
    hashed = protocol.destination_hash(secret_value(settings.destination_key_parameter), address)
    if vouched == SMOKE:
        # Fixed per test destination, never echoed: what the smoke test answers.
        code = protocol.code_for_test_destination(
            secret_value(settings.test_code_parameter), address
        )
    elif not settings.production and _is_test(address, settings):
        hashed = ""  # counted nowhere: nobody can lock the smoke test out
    expires_at = int(deps.clock()) + settings.otp_ttl_seconds
    return otp.Challenge(otp.digest(code), expires_at, hashed, kind), code


def _vouched(
    request: CreateAuthChallengeRequest, destination: tuple[Channel, str], deps: CreateDeps
) -> Vouched | None:
    """Who started this sign-in: the API (its ticket), the smoke test of a
    production stack (a test destination's ticket made with the test-code
    secret, which only the deploy role reads), or nobody (None)."""
    if request.get("userNotFound"):
        return None
    settings, now = deps.settings, deps.clock()
    kind, address = destination
    given = str((request.get("clientMetadata") or {}).get(TICKET) or "")
    if protocol.ticket_is_valid(
        secret_value(settings.ticket_key_parameter), given, address, kind, now
    ):
        return API
    if (
        settings.production
        and _is_test(address, settings)
        and protocol.ticket_is_valid(
            secret_value(settings.test_code_parameter), given, address, kind, now
        )
    ):
        return SMOKE
    return None


def _is_test(address: str, settings: CreateSettings) -> bool:
    return protocol.is_test_destination(address, settings.test_destination_list)


def _deliver(
    destination: tuple[Channel, str],
    code: str,
    public: dict[str, str],
    deps: CreateDeps,
    vouched: Vouched,
) -> None:
    settings = deps.settings
    kind, address = destination
    if vouched == SMOKE:
        logger.info("code not sent: the smoke test's sign-in", delivery=kind)
        return
    # On a production stack the API's test destinations are ordinary numbers:
    # only the smoke test's own path (above) treats them apart.
    test = not settings.production and _is_test(address, settings)
    if not settings.production and (test or settings.local_runtime_echo_codes):
        public[DEV_OTP] = code
    if test:
        logger.info("code not sent: a test destination", delivery=kind)
        return
    hashed = protocol.destination_hash(secret_value(settings.destination_key_parameter), address)
    sends.count_send(deps.counters, settings, hashed, kind, deps.clock())
    text = delivery.message(settings.product_name, code, settings.otp_ttl_seconds)
    if kind == SMS:
        delivery.send_sms(address, text)
    else:
        delivery.send_email(settings.email_sender, address, settings.product_name, text)
    metrics.code_sent(kind)
    # The destination only as its keyed hash, never the address or the code.
    logger.info("code sent", delivery=kind, destination_key=abuse.destination_sent_key(hashed))


def _destination(request: CreateAuthChallengeRequest) -> tuple[Channel, str] | None:
    attributes = request["userAttributes"]
    phone, email = attributes.get("phone_number"), attributes.get("email")
    wanted = (request.get("clientMetadata") or {}).get(DELIVERY)
    if wanted == EMAIL and email:
        return EMAIL, email
    if phone:
        return SMS, phone
    if email:
        return EMAIL, email
    return None


handler = Trigger(respond, partial(CreateDeps.on_table, load_settings(CreateSettings)))
