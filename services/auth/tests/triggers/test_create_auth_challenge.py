from __future__ import annotations

from collections.abc import Callable
from typing import Any

import boto3
import pytest

from auth.protocol import retry_after
from auth.triggers import create_auth_challenge, otp
from auth.triggers.create_auth_challenge import handler
from auth.triggers.rate_limit import RateLimitedError, destination_key

Event = Callable[[str], dict[str, Any]]
PHONE = "+15550100001"


def items() -> list[dict[str, Any]]:
    return boto3.client("dynamodb").scan(TableName="app-table")["Items"]  # type: ignore[no-any-return]


def test_the_first_round_sends_a_fresh_code_by_sms(trigger_event: Event, aws: Any) -> None:
    response = handler(trigger_event("create_auth_challenge_first"), None)["response"]

    code = response["publicChallengeParameters"]["dev_otp"]
    assert len(code) == 6
    assert code.isdigit()
    assert response["publicChallengeParameters"] == {
        "dev_otp": code,
        "attempts_left": "3",
        "delivery": "sms",
    }
    challenge = otp.Challenge.from_private_parameters(response["privateChallengeParameters"])
    assert challenge == otp.Challenge(otp.digest(code), int(aws.clock()) + 300)
    assert response["challengeMetadata"] == challenge.metadata()
    assert aws.sms() == [(PHONE, f"Your Acme sign-in code is {code}. It expires in 5 minutes.")]


def test_two_sign_ins_get_different_codes(trigger_event: Event, aws: Any) -> None:
    codes = {
        handler(trigger_event("create_auth_challenge_first"), None)["response"][
            "publicChallengeParameters"
        ]["dev_otp"]
        for _ in range(5)
    }
    assert len(codes) > 1


def test_the_counter_is_under_the_service_prefix_and_holds_no_phone_number(
    trigger_event: Event, aws: Any
) -> None:
    handler(trigger_event("create_auth_challenge_first"), None)
    (item,) = items()
    assert item["PK"]["S"] == destination_key("us-east-1_EXAMPLE", PHONE)
    assert item["PK"]["S"].startswith("AUTH#SEND#")
    assert item["SK"]["S"] == "RATE"
    assert item["send_count"]["N"] == "1"
    assert int(item["expires_at"]["N"]) == int(aws.clock()) + 900
    assert "5550100001" not in str(item)


def test_email_is_used_when_asked_for_and_present(trigger_event: Event, aws: Any) -> None:
    event = trigger_event("create_auth_challenge_first")
    event["request"]["userAttributes"]["email"] = "ada@example.com"
    event["request"]["clientMetadata"] = {"delivery": "email"}
    response = handler(event, None)["response"]
    assert response["publicChallengeParameters"]["delivery"] == "email"
    (message,) = aws.emails()
    assert message.destinations["ToAddresses"] == ["ada@example.com"]
    assert aws.sms() == []


def test_a_retry_reuses_the_code_and_sends_nothing(trigger_event: Event, aws: Any) -> None:
    first = handler(trigger_event("create_auth_challenge_first"), None)["response"]
    event = trigger_event("create_auth_challenge_first")
    event["request"]["session"] = [
        {
            "challengeName": "CUSTOM_CHALLENGE",
            "challengeResult": False,
            "challengeMetadata": first["challengeMetadata"],
        }
    ]
    retry = handler(event, None)["response"]
    assert retry["publicChallengeParameters"] == {"attempts_left": "2", "delivery": "sms"}
    assert retry["privateChallengeParameters"] == first["privateChallengeParameters"]
    assert len(aws.sms()) == 1


def test_an_unknown_user_gets_a_challenge_and_no_message(trigger_event: Event, aws: Any) -> None:
    event = trigger_event("create_auth_challenge_first")
    event["request"]["userNotFound"] = True
    response = handler(event, None)["response"]
    assert "dev_otp" not in response["publicChallengeParameters"]
    assert aws.sms() == []
    assert items() == []


def test_the_sixth_send_in_the_window_is_refused(trigger_event: Event, aws: Any) -> None:
    for _ in range(5):
        handler(trigger_event("create_auth_challenge_first"), None)
    aws.clock.advance(100)
    with pytest.raises(RateLimitedError) as refused:
        handler(trigger_event("create_auth_challenge_first"), None)
    assert refused.value.retry_after == 800
    # Cognito passes the function's error text to the API, which reads it back.
    assert retry_after(f"CreateAuthChallenge failed with error {refused.value}.") == 800
    assert len(aws.sms()) == 5


def test_an_expired_counter_dynamodb_has_not_deleted_yet_is_ignored(
    trigger_event: Event, aws: Any
) -> None:
    key = destination_key("us-east-1_EXAMPLE", PHONE)
    boto3.client("dynamodb").put_item(
        TableName="app-table",
        Item={
            "PK": {"S": key},
            "SK": {"S": "RATE"},
            "send_count": {"N": "5"},
            "expires_at": {"N": str(int(aws.clock()) - 1)},
        },
    )
    handler(trigger_event("create_auth_challenge_first"), None)
    (item,) = items()
    assert item["send_count"]["N"] == "1"
    assert len(aws.sms()) == 1


def test_no_code_reaches_the_logs(
    trigger_event: Event, aws: Any, caplog: pytest.LogCaptureFixture
) -> None:
    response = handler(trigger_event("create_auth_challenge_first"), None)["response"]
    logs = " ".join(str(record.__dict__) for record in caplog.records)
    assert "code sent" in logs
    assert response["publicChallengeParameters"]["dev_otp"] not in logs
    assert PHONE not in logs


def test_without_the_dev_echo_the_code_is_only_sent(
    trigger_event: Event, aws: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(create_auth_challenge.settings, "dev_otp_echo", False)
    response = handler(trigger_event("create_auth_challenge_first"), None)["response"]
    assert "dev_otp" not in response["publicChallengeParameters"]
    assert len(aws.sms()) == 1
