from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from auth.triggers import otp

Event = Callable[[str], dict[str, Any]]
Handler = Callable[[dict[str, Any], Any], dict[str, Any]]


@pytest.fixture
def handler(aws: Any) -> Handler:
    """The verify trigger as the pool runs it: on moto's table, at the test's
    clock (1800000000; the fixture's code, 123456, expires at 1800000300)."""
    return aws.trigger("VerifyAuthChallengeResponse")  # type: ignore[no-any-return]


HASHED = "f" * 64


def with_destination(event: dict[str, Any]) -> dict[str, Any]:
    """As the create trigger leaves it: the code's destination, hashed."""
    event["request"]["privateChallengeParameters"]["destination_hash"] = HASHED
    return event


def test_the_right_code_is_correct(handler: Handler, trigger_event: Event) -> None:
    assert handler(trigger_event("verify_auth_challenge_response"), None)["response"] == {
        "answerCorrect": True
    }


@pytest.mark.parametrize("answer", ["123457", "", "12345", "1234567", " 123456"])
def test_any_other_answer_is_not(handler: Handler, trigger_event: Event, answer: str) -> None:
    event = trigger_event("verify_auth_challenge_response")
    event["request"]["challengeAnswer"] = answer
    assert handler(event, None)["response"]["answerCorrect"] is False


def test_the_right_code_after_its_expiry_is_not(
    handler: Handler, trigger_event: Event, aws: Any
) -> None:
    aws.clock.advance(300)
    assert handler(trigger_event("verify_auth_challenge_response"), None)["response"] == {
        "answerCorrect": False
    }


def test_missing_private_parameters_are_never_correct(
    handler: Handler, trigger_event: Event
) -> None:
    event = trigger_event("verify_auth_challenge_response")
    event["request"]["privateChallengeParameters"] = {}
    assert handler(event, None)["response"]["answerCorrect"] is False


def test_the_comparison_is_constant_time(
    handler: Handler, trigger_event: Event, monkeypatch: pytest.MonkeyPatch
) -> None:
    compared: list[tuple[str, str]] = []

    def compare_digest(a: str, b: str) -> bool:
        compared.append((a, b))
        return a == b

    monkeypatch.setattr("auth.triggers.otp.hmac.compare_digest", compare_digest)
    handler(trigger_event("verify_auth_challenge_response"), None)
    assert compared == [(otp.digest("123456"), otp.digest("123456"))]


def test_wrong_answers_count_across_sessions_and_lock_even_the_right_code(
    handler: Handler, trigger_event: Event, aws: Any
) -> None:
    for _ in range(10):
        wrong = with_destination(trigger_event("verify_auth_challenge_response"))
        wrong["request"]["challengeAnswer"] = "000000"
        assert handler(wrong, None)["response"]["answerCorrect"] is False
    right = with_destination(trigger_event("verify_auth_challenge_response"))
    assert handler(right, None)["response"]["answerCorrect"] is False
    (count,) = aws.table_items(f"AUTH#FAILED#{HASHED}")
    assert count["count"]["N"] == "10"


def test_a_right_code_clears_the_count_and_the_pending_record(
    handler: Handler, trigger_event: Event, aws: Any
) -> None:
    event = with_destination(trigger_event("verify_auth_challenge_response"))
    sub = event["request"]["userAttributes"]["sub"]
    aws.pending().add(sub, 1_800_000_100)
    wrong = with_destination(trigger_event("verify_auth_challenge_response"))
    wrong["request"]["challengeAnswer"] = "000000"
    handler(wrong, None)
    assert handler(event, None)["response"]["answerCorrect"] is True
    assert aws.table_items() == []
