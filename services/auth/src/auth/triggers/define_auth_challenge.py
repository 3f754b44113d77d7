"""Define auth challenge trigger: the one-time-code sequence.

Tokens after a right answer; failure after OTP_MAX_ATTEMPTS wrong answers or
once the code has expired; otherwise (another) CUSTOM_CHALLENGE. An unknown
user (userNotFound) goes through the same steps, so nothing tells it apart.
"""

from __future__ import annotations

from functools import partial

from auth.triggers import otp
from auth.triggers.config import DefineSettings
from auth.triggers.deps import DefineDeps, Trigger
from auth.triggers.events import ChallengeResult, DefineAuthChallengeEvent
from service_kernel.settings import load_settings

CUSTOM_CHALLENGE = "CUSTOM_CHALLENGE"


def respond(event: DefineAuthChallengeEvent, deps: DefineDeps) -> DefineAuthChallengeEvent:
    session = event["request"]["session"]
    response = event["response"]
    response["issueTokens"] = False
    response["failAuthentication"] = False
    if any(entry["challengeName"] != CUSTOM_CHALLENGE for entry in session):
        # This flow is the one-time code only: no password or SRP step in it.
        response["failAuthentication"] = True
    elif session and session[-1]["challengeResult"] is True:
        response["issueTokens"] = True
    elif otp.failed_attempts(session) >= deps.settings.otp_max_attempts or _code_expired(
        session, deps.clock()
    ):
        response["failAuthentication"] = True
    else:
        response["challengeName"] = CUSTOM_CHALLENGE
    return event


def _code_expired(session: list[ChallengeResult], now: float) -> bool:
    challenge = otp.current_challenge(session)
    return challenge is not None and challenge.expired(now)


handler = Trigger(respond, partial(DefineDeps, load_settings(DefineSettings)))
