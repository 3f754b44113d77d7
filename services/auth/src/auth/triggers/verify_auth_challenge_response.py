"""Verify auth challenge response trigger: the answer against the code's
digest, in constant time, and only before the code expires; every wrong
answer counted against the destination's failed codes, across sessions.

Cognito runs this trigger for every answer, through the API or not, so the
ceiling holds for direct RespondToAuthChallenge calls too: each answer is
counted against the destination before it is judged (a right one is given
back), and once the destination has MAX_FAILED_CODES wrong answers in its
24-hour window every answer is wrong, even the right code, until the window
closes. That bounds the guesses a destination takes a day, however many
arrive at once (auth/README.md, "Guessing codes: the arithmetic"); the API's
per-source backoff keeps one guesser from spending it alone. A right code
proves the user: it is no longer pending (auth.cleanup would otherwise
delete it); the first one for a destination marks it verified and clears
whatever an unproven sign-up set (ownership.py). A challenge with no
destination hash (a test destination off production) counts nowhere, and one
the API did not start (no code digest) is met by no answer and counts
nothing."""

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
        hashed = challenge.destination_hash
        if not hashed or _answer_taken(hashed, deps):
            # Compare first, then check expiry: the same work either way.
            correct = otp.matches(answer, challenge.code_digest) and not challenge.expired(
                deps.clock()
            )
            if hashed:
                _settle(hashed, correct, deps)
        if not correct:
            metrics.code_failed()
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


def _answer_taken(hashed: str, deps: VerifyDeps) -> bool:
    """Whether the destination's ceiling has room for this answer (counted now)."""
    try:
        abuse.take_answer(deps.counters, hashed, deps.settings.max_failed_codes, deps.clock())
    except TooManyAttempts:
        return False
    return True


def _settle(hashed: str, correct: bool, deps: VerifyDeps) -> None:
    """A right answer gives its count back; the wrong one that fills the ceiling locks."""
    counters, limit = deps.counters, deps.settings.max_failed_codes
    if correct:
        abuse.give_back_answer(counters, hashed, deps.clock())
    elif abuse.is_locked(counters, hashed, limit, deps.clock()):
        metrics.lockout()


handler = Trigger(respond, partial(VerifyDeps.on_table, load_settings(VerifySettings)))
