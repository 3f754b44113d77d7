"""Verify auth challenge response trigger: the answer against the code's
digest, in constant time, and only before the code expires; every wrong
answer counted against the destination's failed codes, across sessions.

Cognito runs this trigger for every answer, through the API or not, so the
lockout holds for direct RespondToAuthChallenge calls too: once the
destination has MAX_FAILED_CODES wrong answers in its 24-hour window, every
answer is wrong, even the right code, until the window closes. A right code
before that clears the count, and proves the user: it is no longer pending
(auth.cleanup would otherwise delete it)."""

from __future__ import annotations

from typing import Any

from auth import abuse, metrics
from auth.abuse import TooManyAttempts
from auth.dynamodb_counters import DynamoDbCounters
from auth.dynamodb_pending_users import DynamoDbPendingUsers
from auth.triggers import otp
from auth.triggers.aws import client
from auth.triggers.config import VerifySettings
from service_kernel.invocation import lambda_function
from service_kernel.settings import load_settings

settings = load_settings(VerifySettings)


@lambda_function
def handler(event: dict[str, Any], _context: Any) -> dict[str, Any]:
    request = event.get("request") or {}
    challenge = otp.Challenge.from_private_parameters(
        request.get("privateChallengeParameters") or {}
    )
    answer = str(request.get("challengeAnswer") or "")
    correct = False
    if challenge is not None:
        # Compare first, then check expiry: the same work either way.
        correct = otp.matches(answer, challenge.code_digest) and not challenge.expired()
        if not correct:
            metrics.code_failed()
        if challenge.destination_hash:
            correct = _counted(challenge.destination_hash, correct)
    sub = (request.get("userAttributes") or {}).get("sub")
    if correct and sub:
        DynamoDbPendingUsers(client("dynamodb"), settings.table_name).remove(str(sub))
    event.setdefault("response", {})["answerCorrect"] = correct
    return event


def _counted(hashed: str, correct: bool) -> bool:
    """The verdict once the destination's failed codes are taken into account."""
    counters = DynamoDbCounters(client("dynamodb"), settings.table_name)
    try:
        abuse.check_not_locked(counters, hashed, settings.max_failed_codes, otp.now())
    except TooManyAttempts:
        return False
    if correct:
        abuse.forget_failed_codes(counters, hashed)
    elif abuse.count_failed_code(counters, hashed, settings.max_failed_codes, otp.now()):
        metrics.lockout()
    return correct
