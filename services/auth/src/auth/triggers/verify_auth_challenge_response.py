"""Verify auth challenge response trigger: the answer against the code's
digest, in constant time, and only before the code expires."""

from __future__ import annotations

from typing import Any

from auth.triggers import otp


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
    event.setdefault("response", {})["answerCorrect"] = correct
    return event
