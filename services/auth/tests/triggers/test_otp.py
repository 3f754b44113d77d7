from __future__ import annotations

import pytest

from auth.triggers import otp
from auth.triggers.events import ChallengeResult


def test_codes_are_six_digits_with_leading_zeros(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("auth.triggers.otp.secrets.randbelow", lambda _: 42)
    assert otp.new_code() == "000042"


def test_the_metadata_round_trips() -> None:
    challenge = otp.Challenge(otp.digest("123456"), 1_800_000_300)
    assert otp.Challenge.from_metadata(challenge.metadata()) == challenge
    assert otp.Challenge.from_private_parameters(challenge.private_parameters()) == challenge
    assert "123456" not in challenge.metadata()


@pytest.mark.parametrize("metadata", [None, "", "OTP:x", "CODE-123456", "OTP:abc:soon"])
def test_foreign_metadata_is_no_challenge(metadata: str | None) -> None:
    assert otp.Challenge.from_metadata(metadata) is None


def test_the_latest_code_of_a_session_and_its_failures() -> None:
    first = otp.Challenge("a" * 64, 1).metadata()
    session: list[ChallengeResult] = [
        {"challengeName": "CUSTOM_CHALLENGE", "challengeResult": False, "challengeMetadata": first},
        {"challengeName": "CUSTOM_CHALLENGE", "challengeResult": False},
    ]
    assert otp.current_challenge(session) == otp.Challenge("a" * 64, 1)
    assert otp.failed_attempts(session) == 2
    assert otp.current_challenge([]) is None
