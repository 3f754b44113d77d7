from __future__ import annotations

from collections.abc import Callable
from typing import Any

from auth.triggers import define_auth_challenge, otp
from auth.triggers.config import DefineSettings
from auth.triggers.deps import DefineDeps
from service_kernel.settings import load_settings

Event = Callable[[str], dict[str, Any]]
Handler = Callable[[Any, Any], Any]
NOW = 1_800_000_000
METADATA = otp.Challenge("d" * 64, NOW + 300).metadata()


# The trigger on this environment's settings, its clock stopped at NOW.
handler: Handler = define_auth_challenge.handler.given(
    DefineDeps(load_settings(DefineSettings), clock=lambda: float(NOW))
)


def answered(*results: bool, metadata: str = METADATA) -> list[dict[str, Any]]:
    return [
        {
            "challengeName": "CUSTOM_CHALLENGE",
            "challengeResult": result,
            "challengeMetadata": metadata,
        }
        for result in results
    ]


def decide(event: dict[str, Any], session: list[dict[str, Any]]) -> dict[str, Any]:
    event["request"]["session"] = session
    response: dict[str, Any] = handler(event, None)["response"]
    return response


def test_the_first_step_is_a_custom_challenge(trigger_event: Event) -> None:
    response = decide(trigger_event("define_auth_challenge_first"), [])
    assert response == {
        "challengeName": "CUSTOM_CHALLENGE",
        "issueTokens": False,
        "failAuthentication": False,
    }


def test_a_right_answer_issues_tokens(trigger_event: Event) -> None:
    response = decide(trigger_event("define_auth_challenge_first"), answered(False, True))
    assert response["issueTokens"] is True
    assert response["failAuthentication"] is False


def test_a_wrong_answer_with_attempts_left_asks_again(trigger_event: Event) -> None:
    response = decide(trigger_event("define_auth_challenge_first"), answered(False, False))
    assert response["challengeName"] == "CUSTOM_CHALLENGE"
    assert response["failAuthentication"] is False


def test_the_third_wrong_answer_fails(trigger_event: Event) -> None:
    response = decide(trigger_event("define_auth_challenge_first"), answered(False, False, False))
    assert response["failAuthentication"] is True
    assert response["issueTokens"] is False


def test_an_expired_code_fails(trigger_event: Event) -> None:
    expired = otp.Challenge("d" * 64, NOW).metadata()
    response = decide(
        trigger_event("define_auth_challenge_first"), answered(False, metadata=expired)
    )
    assert response["failAuthentication"] is True


def test_any_other_challenge_in_the_session_fails(trigger_event: Event) -> None:
    session = [{"challengeName": "SRP_A", "challengeResult": True}]
    response = decide(trigger_event("define_auth_challenge_first"), session)
    assert response["failAuthentication"] is True


def test_an_unknown_user_is_asked_like_any_other(trigger_event: Event) -> None:
    event = trigger_event("define_auth_challenge_first")
    event["request"]["userNotFound"] = True
    event["request"]["userAttributes"] = {}
    assert decide(event, [])["challengeName"] == "CUSTOM_CHALLENGE"
