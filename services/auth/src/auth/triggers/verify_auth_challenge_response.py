"""Verify auth challenge response trigger: the answer against the code's
digest, in constant time, and only before the code expires; every wrong
answer counted against the destination's failed codes, across sessions.

Cognito runs this trigger for every answer, through the API or not, so the
lockout holds for direct RespondToAuthChallenge calls too: once the
destination has MAX_FAILED_CODES wrong answers in its 24-hour window, every
answer is wrong, even the right code, until the window closes. A right code
before that clears the count, and proves the user: it is no longer pending
(auth.cleanup would otherwise delete it); the first one for a destination
marks it verified and clears whatever an unproven sign-up set (ownership.py)."""

from __future__ import annotations

from functools import partial

from auth import abuse, metrics
from auth.abuse import TooManyAttempts
from auth.triggers import otp
from auth.triggers.config import VerifySettings
from auth.triggers.deps import Trigger, VerifyDeps
from auth.triggers.events import VerifyAuthChallengeEvent
from auth.triggers.ownership import unproven_attribute
from service_kernel.settings import load_settings


def respond(event: VerifyAuthChallengeEvent, deps: VerifyDeps) -> VerifyAuthChallengeEvent:
    request = event["request"]
    challenge = otp.Challenge.from_private_parameters(request["privateChallengeParameters"])
    answer = request["challengeAnswer"]
    correct = False
    if challenge is not None and challenge.code_digest:
        # Compare first, then check expiry: the same work either way.
        correct = otp.matches(answer, challenge.code_digest) and not challenge.expired(deps.clock())
        if not correct:
            metrics.code_failed()
        if challenge.destination_hash:
            correct = _counted(challenge.destination_hash, correct, deps)
    attributes = request["userAttributes"]
    sub = attributes.get("sub")
    if correct and sub:
        deps.pending_users.remove(sub)
    if correct and challenge is not None:
        proved = unproven_attribute(challenge.channel, attributes)
        if proved is not None:
            deps.accounts.prove(event["userPoolId"], event["userName"], proved)
    event["response"]["answerCorrect"] = correct
    return event


def _counted(hashed: str, correct: bool, deps: VerifyDeps) -> bool:
    """The verdict once the destination's failed codes are taken into account."""
    counters, limit = deps.counters, deps.settings.max_failed_codes
    try:
        abuse.check_not_locked(counters, hashed, limit, deps.clock())
    except TooManyAttempts:
        return False
    if correct:
        abuse.forget_failed_codes(counters, hashed)
    elif abuse.count_failed_code(counters, hashed, limit, deps.clock()):
        metrics.lockout()
    return correct


handler = Trigger(respond, partial(VerifyDeps.on_table, load_settings(VerifySettings)))
