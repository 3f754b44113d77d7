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


def test_a_right_code_gives_its_count_back_and_clears_the_pending_record(
    handler: Handler, trigger_event: Event, aws: Any
) -> None:
    """The wrong codes stay counted (issue 18: a right one no longer reopens
    the ceiling, or guesses and sign-ins could alternate past it)."""
    event = with_destination(trigger_event("verify_auth_challenge_response"))
    sub = event["request"]["userAttributes"]["sub"]
    aws.pending().add(sub, 1_800_000_100)
    wrong = with_destination(trigger_event("verify_auth_challenge_response"))
    wrong["request"]["challengeAnswer"] = "000000"
    handler(wrong, None)
    assert handler(event, None)["response"]["answerCorrect"] is True
    (count,) = aws.table_items()
    assert (count["PK"]["S"], count["count"]["N"]) == (f"AUTH#FAILED#{HASHED}", "1")


def test_the_ceiling_bounds_the_wrong_answers_judged_whoever_signs_in_between(
    handler: Handler, trigger_event: Event, aws: Any
) -> None:
    signed_in = 0
    for _ in range(15):
        wrong = with_destination(trigger_event("verify_auth_challenge_response"))
        wrong["request"]["challengeAnswer"] = "000000"
        handler(wrong, None)
        right = with_destination(trigger_event("verify_auth_challenge_response"))
        signed_in += handler(right, None)["response"]["answerCorrect"]
    assert signed_in == 9  # the tenth wrong answer locked it (MAX_FAILED_CODES)
    (count,) = aws.table_items(f"AUTH#FAILED#{HASHED}")
    assert count["count"]["N"] == "10"


def test_an_answer_is_counted_before_it_is_judged(
    handler: Handler, trigger_event: Event, aws: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """So answers arriving at once never judge more than the ceiling: each
    holds its count while the code is compared."""
    seen: list[str] = []

    def matches(answer: str, digest: str) -> bool:
        (count,) = aws.table_items(f"AUTH#FAILED#{HASHED}")
        seen.append(count["count"]["N"])
        return otp.digest(answer) == digest

    monkeypatch.setattr(otp, "matches", matches)
    handler(with_destination(trigger_event("verify_auth_challenge_response")), None)
    assert seen == ["1"]
    (count,) = aws.table_items(f"AUTH#FAILED#{HASHED}")
    assert count["count"]["N"] == "0"


def test_a_challenge_naming_no_destination_counts_nowhere(
    handler: Handler, trigger_event: Event, aws: Any
) -> None:
    """An unknown user's, or a test destination's off production."""
    for _ in range(20):
        wrong = trigger_event("verify_auth_challenge_response")
        wrong["request"]["challengeAnswer"] = "000000"
        handler(wrong, None)
    assert handler(trigger_event("verify_auth_challenge_response"), None)["response"] == {
        "answerCorrect": True
    }
    assert aws.table_items() == []
