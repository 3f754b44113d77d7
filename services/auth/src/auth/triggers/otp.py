"""One-time codes: made with a CSPRNG, kept only as a digest, compared in
constant time, valid until an expiry carried with the challenge."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from auth.triggers.events import ChallengeResult

CODE_DIGITS = 6
_METADATA_PREFIX = "OTP"


def new_code() -> str:
    return f"{secrets.randbelow(10**CODE_DIGITS):0{CODE_DIGITS}d}"


def digest(code: str) -> str:
    return hashlib.sha256(code.encode()).hexdigest()


def matches(answer: str, expected_digest: str) -> bool:
    # An empty digest (an unanswerable challenge) is met by nothing.
    return hmac.compare_digest(digest(answer), expected_digest) and bool(expected_digest)


@dataclass(frozen=True)
class Challenge:
    """The code of one sign-in, as carried in Cognito's challengeMetadata
    (kept server-side by Cognito, never sent to the client) so retries reuse
    it without sending another message. `destination_hash` names whose
    failed codes a wrong answer counts against (empty: nobody's, e.g. an
    unknown user who was sent nothing)."""

    code_digest: str
    expires_at: int
    destination_hash: str = ""
    # The channel the code went by ("sms", "email"): the attribute a right
    # answer proves (empty: none).
    channel: str = ""

    @classmethod
    def unanswerable(cls, expires_at: int) -> Challenge:
        """A challenge no answer meets (no code digest), counted against nobody."""
        return cls("", expires_at)

    def expired(self, now: float) -> bool:
        return now >= self.expires_at

    def metadata(self) -> str:
        return (
            f"{_METADATA_PREFIX}:{self.code_digest}:{self.expires_at}:"
            f"{self.destination_hash}:{self.channel}"
        )

    def private_parameters(self) -> dict[str, str]:
        return {
            "code_digest": self.code_digest,
            "expires_at": str(self.expires_at),
            "destination_hash": self.destination_hash,
            "channel": self.channel,
        }

    @classmethod
    def from_private_parameters(cls, parameters: Mapping[str, Any]) -> Challenge | None:
        try:
            return cls(
                str(parameters["code_digest"]),
                int(parameters["expires_at"]),
                str(parameters.get("destination_hash") or ""),
                str(parameters.get("channel") or ""),
            )
        except (KeyError, TypeError, ValueError):
            return None

    @classmethod
    def from_metadata(cls, metadata: Any) -> Challenge | None:
        parts = str(metadata or "").split(":")
        # Four parts: a session begun before channels were carried (no channel).
        if len(parts) not in (4, 5) or parts[0] != _METADATA_PREFIX:
            return None
        try:
            return cls(parts[1], int(parts[2]), parts[3], parts[4] if len(parts) == 5 else "")
        except ValueError:
            return None


def current_challenge(session: Iterable[ChallengeResult]) -> Challenge | None:
    """The code this sign-in already sent, from the session list's latest answer."""
    for entry in reversed(list(session)):
        challenge = Challenge.from_metadata(entry.get("challengeMetadata"))
        if challenge is not None:
            return challenge
    return None


def failed_attempts(session: Iterable[ChallengeResult]) -> int:
    return sum(1 for entry in session if entry.get("challengeResult") is not True)
